import Foundation
import RigBasics
import RigEmitters
import RigModel

/// A checked project and what rendering it does to an output folder (`rig plan`, `rig render`).
public struct PlanResult: Sendable {
  /// The project, with the output folder's diagnostics added to its own.
  public var check: CheckResult
  /// What render does to the folder; nil when the project has errors before its artifacts exist.
  public var output: OutputPlan?
  /// Whether render wrote the folder: false for `plan`, on errors, and when the folder was already up to date.
  public var written = false
  public var hasErrors: Bool { check.hasErrors }
}

extension RigCompiler {
  /// What rendering the project into `folder` would do, for `targets` (every enabled target when empty); with
  /// `folder` nil, compared with an empty folder. Reads the folder, writes nothing.
  public static func plan(_ result: CheckResult, out folder: String?, targets: [Targets.Kind] = []) -> PlanResult {
    var check = result
    guard let spec = result.spec, let plan = result.plan else { return PlanResult(check: check, output: nil) }
    let enabled = spec.targets.enabled
    for target in Set(targets).sorted() where !enabled.contains(target) {
      check.diagnostics.emit(
        OutputMessage.targetNotEnabled(target.rawValue), at: nil,
        help: [
          // A Swift description (it has a project path of its own) enables a target with the element of that name.
          result.projectPath == nil
            ? "add '\(target.rawValue):' under 'targets:' in '\(result.file)', or leave out '--target \(target)'"
            : "add '\(target.rawValue.prefix(1).uppercased() + target.rawValue.dropFirst())(…)' to 'Targets' in "
              + "'\(result.file)', or leave out '--target \(target)'"
        ])
    }
    guard !check.hasErrors else { return PlanResult(check: check, output: nil) }
    let names = (targets.isEmpty ? enabled : Set(targets).sorted()).map(\.rawValue)
    let artifacts = Emitters.artifacts(plan).filter { names.contains($0.target) }
    // Without --target, every file rig wrote is in scope: a target since disabled leaves stale files to remove.
    let output = OutputFolder.plan(
      artifacts: artifacts, targets: names, scope: targets.isEmpty ? nil : Set(names), project: spec.name.value,
      projectFile: result.projectPath ?? result.file, folder: folder)
    for diagnostic in output.diagnostics { check.diagnostics.emit(diagnostic) }
    return PlanResult(check: check, output: output)
  }

  /// Renders the project into `folder`: nothing when the project or the folder has an error or the folder is up to
  /// date; else the new folder is built beside the old one and swapped in, in one step, so that an interrupted
  /// render leaves the previous folder whole. `checkpoint` runs at each phase of the swap.
  public static func render(
    _ result: CheckResult, out folder: String, targets: [Targets.Kind] = [],
    checkpoint: (RenderPhase) -> Void = { _ in }
  ) -> PlanResult {
    let planned = plan(result, out: folder, targets: targets)
    guard !planned.hasErrors, let output = planned.output else { return planned }
    guard !output.isUpToDate else {
      OutputWriter.removeLeftovers(folder: folder)
      return planned
    }
    // Planned again under the writer's lock: the folder may have changed since it was read.
    switch OutputWriter.write(
      folder: folder, replanning: { plan(result, out: folder, targets: targets) }, checkpoint: checkpoint)
    {
    case .success(let final):
      var done = final
      done.written = !(final.output?.isUpToDate ?? true)
      return done
    case .failure(.planned(let final)):
      return final
    case .failure(.system(let error)):
      var failed = planned
      failed.check.diagnostics.emit(
        OutputMessage.writeFailed(path: error.path, reason: error.reason), at: nil,
        help: ["nothing in '\(folder)' was changed"])
      return failed
    }
  }

  /// What `rig plan` prints after the allocation: each file render adds (`+`), changes (`~`) or removes (`-`),
  /// the diffs of changed files when `diff` is set, and last `Plan: X to add, Y to change, Z to remove.`
  public static func outputReport(_ output: OutputPlan, diff: Bool = false, colors: Bool = false) -> String {
    let paint = painter(colors: colors)
    let targets = output.targets.isEmpty ? "none" : output.targets.joined(separator: ", ")
    var out =
      output.folder.map { "Files in '\($0)' (targets: \(targets)):\n" }
      ?? "Files (no --out given: compared with an empty folder; targets: \(targets)):\n"
    out += changeList(output, paint: paint)
    if diff {
      let diffs = output.changes.compactMap { output.diff(of: $0) }
      if !diffs.isEmpty { out += "\n" + diffs.map { colorDiff($0, paint: paint) }.joined() }
    }
    out += "\nPlan: \(output.added) to add, \(output.changed) to change, \(output.removed) to remove.\n"
    return out
  }

  /// What `rig plan` prints: the resolution and allocation (`planReport`), then the output folder's changes
  /// (`outputReport`) when the project got that far.
  public static func planText(_ planned: PlanResult, diff: Bool, colors: Bool = false) -> String {
    let report = planReport(planned.check)
    guard let output = planned.output else { return report }
    return report + "\n" + outputReport(output, diff: diff, colors: colors)
  }

  /// What `rig render` prints: what it did, file by file, and a count.
  public static func renderReport(_ planned: PlanResult, colors: Bool = false) -> String {
    guard let output = planned.output, let folder = output.folder else { return "" }
    let paint = painter(colors: colors)
    guard planned.written else {
      return "'\(folder)' is up to date (\(files(output.unchanged))): nothing to write.\n"
    }
    return changeList(output, paint: paint)
      + "\nRendered '\(folder)': \(output.added) added, \(output.changed) changed, \(output.removed) removed, "
      + "\(output.unchanged) unchanged.\n"
  }

  /// Wraps text in an ANSI color (`"32"` green, …) when `colors` is set, else leaves it as it is.
  static func painter(colors: Bool) -> (String, String) -> String {
    { code, text in colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
  }

  /// `rig plan --format json`: the resolution and allocation (`planJSON(_:)`), then the output folder.
  public static func planJSON(_ planned: PlanResult, diff: Bool) -> JSONValue {
    withOutput(planJSON(planned.check), planned, diff: diff)
  }

  /// `rig render --format json`: the diagnostics, whether the folder was written, and the output folder.
  public static func renderJSON(_ planned: PlanResult) -> JSONValue {
    let document = planned.check.diagnostics.json(extra: [
      ("command", .string("render")), ("file", .string(planned.check.file)), ("valid", .bool(!planned.hasErrors)),
      ("written", .bool(planned.written)),
    ])
    return withOutput(document, planned, diff: false)
  }

  /// `document` with the output folder's plan as its last member, when there is one.
  static func withOutput(_ document: JSONValue, _ planned: PlanResult, diff: Bool) -> JSONValue {
    guard case .object(let members) = document, let output = planned.output else { return document }
    return .object(members + [("output", outputJSON(output, diff: diff))])
  }

  /// One line per file that changes, then what stays as it is.
  static func changeList(_ output: OutputPlan, paint: (String, String) -> String) -> String {
    var out = ""
    for change in output.changes where change.action != .unchanged {
      let sign =
        switch change.action {
        case .create: paint("32", "+")
        case .update: paint("33", "~")
        case .delete, .conflict: paint("31", change.action.sign)
        case .unchanged: " "
        }
      var note = ""
      if change.path == Manifest.fileName {
        note = "  (rig's list of the files it owns here)"
      } else if change.drifted {
        note = change.action == .create ? "  (removed by hand since rig wrote it)" : "  (edited since rig wrote it)"
      }
      out += "  \(sign) \(change.path)\(note)\n"
    }
    if output.targets.isEmpty, output.changes.allSatisfy({ $0.path == Manifest.fileName }) {
      out += "  No target is enabled in 'targets:': rig has no files to write.\n"
    } else if output.added + output.changed + output.removed == 0 {
      out += "  No changes: \(files(output.unchanged)) up to date.\n"
    } else if output.unchanged > 0 {
      out += "  \(files(output.unchanged)) unchanged.\n"
    }
    if !output.unowned.isEmpty {
      out +=
        "  \(files(output.unowned.count)) rig does not own, left as \(output.unowned.count == 1 ? "it is" : "they are").\n"
    }
    return out
  }

  /// "1 file", "3 files".
  static func files(_ count: Int) -> String { count == 1 ? "1 file" : "\(count) files" }

  /// A unified diff with removed lines red and added lines green.
  static func colorDiff(_ diff: String, paint: (String, String) -> String) -> String {
    UnifiedDiff.lines(diff).map { line -> String in
      let text = String(line.dropLast(line.hasSuffix("\n") ? 1 : 0))
      if text.hasPrefix("---") || text.hasPrefix("+++") { return paint("1", text) + "\n" }
      if text.hasPrefix("@@") { return paint("36", text) + "\n" }
      if text.hasPrefix("-") { return paint("31", text) + "\n" }
      if text.hasPrefix("+") { return paint("32", text) + "\n" }
      return text + "\n"
    }.joined()
  }

  /// The output plan as JSON: the folder, the targets, each file's action with SHA-256 hashes, the counts.
  public static func outputJSON(_ output: OutputPlan, diff: Bool = false) -> JSONValue {
    .object([
      ("folder", output.folder.map(JSONValue.string) ?? .null),
      ("targets", .array(output.targets.map(JSONValue.string))),
      ("manifest", .string(Manifest.fileName)),
      ("up_to_date", .bool(output.isUpToDate)),
      (
        "summary",
        .object([
          ("add", .int(output.added)), ("change", .int(output.changed)), ("remove", .int(output.removed)),
          ("unchanged", .int(output.unchanged)),
        ])
      ),
      (
        "files",
        .array(
          output.changes.map { change in
            var members: [(String, JSONValue)] = [
              ("path", .string(change.path)), ("target", .string(change.target)),
              ("action", .string(change.action.rawValue)),
              ("old_sha256", change.oldSHA256.map(JSONValue.string) ?? .null),
              ("new_sha256", change.newSHA256.map(JSONValue.string) ?? .null), ("drifted", .bool(change.drifted)),
            ]
            if let reason = change.reason { members.append(("reason", .string(reason))) }
            if diff, let text = output.diff(of: change) { members.append(("diff", .string(text))) }
            return .object(members)
          })
      ),
      ("unowned", .array(output.unowned.map(JSONValue.string))),
    ])
  }
}
