import RigBasics

extension Verification {
  /// In the style of `rig plan`: one line per drift with the planned and the actual value (`~` drifted, `!` reboot
  /// pending), the facts not read, and the count line `Verify: N drifted, M as planned.`
  public func text(project: String, machine: String) -> String {
    var lines = ["Verifying '\(project)' against \(machine):"]
    for item in drifted {
      let mark = item.state == .rebootPending ? "!" : "~"
      let state = item.state == .rebootPending ? "reboot pending, " : ""
      lines.append("  \(mark) \(item.subject): planned \(item.planned), \(state)actual \(item.actual)")
    }
    let unread = items.filter { $0.state == .notRead }
    if !unread.isEmpty {
      lines.append("  Not read:")
      for item in unread { lines.append("    \(item.subject): \(item.actual)") }
    }
    if drifted.isEmpty { lines.append("  Everything read is as planned.") }
    let notRead = unread.isEmpty ? "" : ", \(self.notRead) not read"
    lines.append("Verify: \(drifted.count) drifted, \(asPlanned) as planned\(notRead).")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Every item with its state; the counts.
  public func json(project: String, machine: String) -> JSONValue {
    .object([
      ("command", .string("verify")), ("project", .string(project)), ("machine", .string(machine)),
      (
        "items",
        .array(
          items.map {
            .object([
              ("subject", .string($0.subject)), ("planned", .string($0.planned)), ("actual", .string($0.actual)),
              ("state", .string($0.state.rawValue)),
            ])
          })
      ),
      ("drifted", .int(drifted.count)), ("as_planned", .int(asPlanned)), ("not_read", .int(notRead)),
    ])
  }
}
