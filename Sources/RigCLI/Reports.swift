import RigAllocation
import RigBasics
import RigCompiler
import RigEmitters
import RigModel

/// What the commands print: plain-text tables, JSON documents and ANSI colour, from what the compiler returns.
public enum Reports {
  /// What `rig plan` prints of a resolved project: each component's version, source and reason, the install
  /// order, then the allocation.
  public static func resolutionReport(_ result: CheckResult) -> String {
    guard let resolution = result.resolution, let graph = result.graph, let order = graph.installOrder else {
      return ""
    }
    let reasons = graph.reasons
    let rows = resolution.components.map { component -> [String] in
      // The immediate reason only (the component whose requirement brought it in): following the chain is one
      // row up at a time, and the table stays linear in the stack.
      let why = reasons[component.name].map { reason in
        guard let parent = reason.requiredBy else {
          return "stack: \(reason.requirement)" + (reason.requirement.range.map { " (\($0.start))" } ?? "")
        }
        return "\(parent): \(reason.requirement)"
      }
      return [component.name, component.version.text, component.origin.sourceName, why ?? ""]
    }
    var out = "Resolved \(resolution.components.count) components for '\(result.spec?.name.value ?? "")'.\n\n"
    out += table(header: ["component", "version", "source", "required by"], rows: rows)
    out += "\nInstall order:\n"
    let width = String(order.count).count
    for (index, name) in order.enumerated() {
      let number = String(index + 1)
      out += String(repeating: " ", count: width - number.count + 2) + number + ". " + name + "\n"
    }
    if let spec = result.spec, let allocation = result.allocation {
      out += "\n" + allocationReport(allocation, hardware: spec.hardware)
    }
    return out
  }

  /// The allocation as tables: CPU sets and each component's CPUs, GPU memory and RAM against their budgets,
  /// GPU sharing and power, and the kernel parameters that isolate the CPUs.
  static func allocationReport(_ allocation: Allocation, hardware: Hardware) -> String {
    let cpu = allocation.cpu
    var out =
      "CPU: \(hardware.cpu.logicalCPUs.count) CPUs in \(hardware.cpu.cores.count) cores; boot CPU \(hardware.cpu.bootCPU.value)\n"
    out += table(
      header: ["set", "cpus", "whole cores"],
      rows: [
        ["isolated", cpu.isolated.isEmpty ? "none" : cpu.isolated.description, cpu.coreSummary(cpu.isolated)],
        ["housekeeping", cpu.housekeeping.description, cpu.coreSummary(cpu.housekeeping)],
      ])
    if !cpu.components.isEmpty {
      out += "\n"
      out += table(
        header: ["component", "runtime", "placement", "cpus", "count"],
        rows: cpu.components.map {
          [$0.name, $0.runtime.rawValue, $0.placement.rawValue, $0.cpus.description, String($0.count)]
        })
    }
    let parameters = cpu.kernelParameters
    out +=
      "\nKernel parameters: " + (parameters.isEmpty ? "none (nothing is isolated)" : parameters.joined(separator: " "))
    out += "\n"
    if let gpu = allocation.gpuMemory {
      let names = hardware.gpus.map { "'\($0.name.value)'" }.joined(separator: ", ")
      out += "\nGPU memory: \(gpu.capacity) on \(names), \(gpu.reserve) reserved, \(gpu.usable) usable\n"
      out += budgetTable(gpu)
    }
    if let slicing = allocation.timeSlicing {
      out += "\nGPU time slicing: \(slicing.replicas) replicas for \(slicing.sharers.joined(separator: ", "))\n"
    }
    for limit in allocation.powerLimits {
      let range = hardware.gpus[limit.index].power.map { " (board range \($0.min.value) to \($0.max.value))" } ?? ""
      out += "\nGPU power limit: \(limit.limit) on '\(limit.gpu)'\(range)\n"
    }
    let memory = allocation.memory
    out += "\nRAM: \(memory.capacity), \(memory.reserve) reserved, \(memory.usable) usable\n"
    out += budgetTable(memory)
    return out
  }

  /// The allocation as JSON: CPU lists in canonical kernel form, amounts in bytes and milliwatts.
  static func allocationJSON(_ allocation: Allocation) -> JSONValue {
    let cpu = allocation.cpu
    func budget(_ budget: Budget) -> JSONValue {
      .object([
        ("capacity_bytes", .int(budget.capacity.bytes)), ("reserve_bytes", .int(budget.reserve.bytes)),
        ("usable_bytes", .int(budget.usable.bytes)), ("used_bytes", .int(budget.used.bytes)),
        (
          "components",
          .array(
            budget.items.map { item in
              .object([
                ("name", .string(item.component)), ("bytes", .int(item.amount.bytes)),
                ("exclusive_group", item.group.map(JSONValue.string) ?? .null), ("counted", .bool(item.counted)),
              ])
            })
        ),
      ])
    }
    return .object([
      (
        "cpu",
        .object([
          ("isolated", .string(cpu.isolated.description)), ("housekeeping", .string(cpu.housekeeping.description)),
          ("kernel_parameters", .array(cpu.kernelParameters.map(JSONValue.string))),
          (
            "components",
            .array(
              cpu.components.map { component in
                .object([
                  ("name", .string(component.name)), ("runtime", .string(component.runtime.rawValue)),
                  ("placement", .string(component.placement.rawValue)), ("cpus", .string(component.cpus.description)),
                  ("count", .int(component.count)),
                ])
              })
          ),
        ])
      ),
      ("gpu_memory", allocation.gpuMemory.map(budget) ?? .null),
      ("memory", budget(allocation.memory)),
      (
        "time_slicing",
        allocation.timeSlicing.map {
          .object([("replicas", .int($0.replicas)), ("sharers", .array($0.sharers.map(JSONValue.string)))])
        } ?? .null
      ),
      (
        "power_limits",
        .array(
          allocation.powerLimits.map {
            .object([("gpu", .string($0.gpu)), ("index", .int($0.index)), ("milliwatts", .int($0.limit.milliwatts))])
          })
      ),
    ])
  }

  /// A budget's items, what each adds, and the total against what is usable.
  static func budgetTable(_ budget: Budget) -> String {
    guard !budget.items.isEmpty else { return "  nothing asks for it\n" }
    var rows = budget.items.map { item in
      [item.component, item.group ?? "", item.amount.description, item.counted ? item.amount.description : "-"]
    }
    rows.append(["total", "", "", "\(budget.used) of \(budget.usable)"])
    return table(header: ["component", "exclusive group", "asks", "counts"], rows: rows)
  }

  /// The resolution as JSON (`rig plan --format json`).
  public static func resolutionJSON(_ result: CheckResult) -> JSONValue {
    var members: [(String, JSONValue)] = [
      ("command", .string("plan")), ("file", .string(result.file)), ("valid", .bool(!result.hasErrors)),
    ]
    if let resolution = result.resolution, let graph = result.graph {
      let reasons = graph.reasons
      members.append(
        (
          "components",
          .array(
            resolution.components.map { component in
              .object([
                ("name", .string(component.name)), ("version", .string(component.version.text)),
                ("source", .string(component.origin.sourceName)),
                (
                  "required_by",
                  requiredBy(reasons[component.name]?.requiredBy, reasons[component.name]?.requirement)
                ),
                (
                  "requires",
                  .array(
                    (graph.edges[component.name] ?? []).map {
                      .object([("name", .string($0.to)), ("requirement", .string($0.requirement.description))])
                    })
                ),
              ])
            })
        ))
      members.append(("install_order", .array((graph.installOrder ?? []).map(JSONValue.string))))
    }
    if let allocation = result.allocation { members.append(("allocation", allocationJSON(allocation))) }
    return result.diagnostics.json(extra: members)
  }

  /// Why a component is in the plan, for JSON: the requirement that brought it in, and the component that
  /// requires it (`null` for a stack item, which carries its place in the file as `at`).
  static func requiredBy(_ parent: String?, _ requirement: Requirement?) -> JSONValue {
    guard let requirement else { return .null }
    var members: [(String, JSONValue)] = [
      ("by", parent.map(JSONValue.string) ?? .null), ("requirement", .string(requirement.description)),
    ]
    if parent == nil, let range = requirement.range {
      members.append(("at", .string(range.start.description)))
    }
    return .object(members)
  }

  /// A plain text table: columns padded to their widest cell, two spaces apart.
  static func table(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    // Written line by line into one text (a plan at 10,000 components has 10,000 rows).
    var out = ""
    for row in all {
      var line = "  "
      for (column, cell) in row.enumerated() {
        if column > 0 { line += "  " }
        line += cell
        if column < row.count - 1 { line += String(repeating: " ", count: widths[column] - cell.count) }
      }
      // An empty last cell leaves no trailing blanks.
      while line.hasSuffix(" ") { line.removeLast() }
      out += line
      out += "\n"
    }
    return out
  }

  /// What `rig plan` prints after the allocation: each file render adds (`+`), changes (`~`) or removes (`-`),
  /// the diffs of changed files when `diff` is set, and last `Plan: X to add, Y to change, Z to remove.`
  public static func outputReport(_ output: FolderChanges, diff: Bool = false, colors: Bool = false) -> String {
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

  /// What `rig plan` prints: the resolution and allocation (`resolutionReport`), then the output folder's changes
  /// (`outputReport`) when the project got that far.
  public static func planText(_ planned: RenderResult, diff: Bool, host: String? = nil, colors: Bool = false)
    -> String
  {
    let report = planned.check.fleet.map { fleetReport($0, host: host) } ?? resolutionReport(planned.check)
    guard let output = planned.output else { return report }
    return report + "\n" + outputReport(output, diff: diff, colors: colors)
  }

  /// What `rig render` prints: what it did, file by file, and a count.
  public static func renderReport(_ planned: RenderResult, colors: Bool = false) -> String {
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

  /// `rig check --format json` of one project: its diagnostics and whether it is valid.
  public static func checkJSON(_ result: CheckResult) -> JSONValue {
    result.diagnostics.json(extra: [
      ("command", .string("check")), ("file", .string(result.file)), ("valid", .bool(!result.hasErrors)),
    ])
  }

  /// `rig plan --format json`: the resolution and allocation (`resolutionJSON(_:)`), then the output folder.
  public static func planJSON(_ planned: RenderResult, diff: Bool) -> JSONValue {
    withOutput(fleetJSON(planned.check) ?? resolutionJSON(planned.check), planned, diff: diff)
  }

  /// `rig render --format json`: the diagnostics, whether the folder was written, and the output folder.
  public static func renderJSON(_ planned: RenderResult) -> JSONValue {
    let document = planned.check.diagnostics.json(extra: [
      ("command", .string("render")), ("file", .string(planned.check.file)), ("valid", .bool(!planned.hasErrors)),
      ("written", .bool(planned.written)),
    ])
    return withOutput(document, planned, diff: false)
  }

  /// `rig plan --save --format json`: the plan's document with the saved plan's file and digest as its last member.
  public static func withSavedPlan(_ document: JSONValue, _ plan: SavedPlan, file: String) -> JSONValue {
    document.appending("saved_plan", .object([("file", .string(file)), ("digest", .string(plan.digest))]))
  }

  /// What `rig plan --save` adds to its text: where the plan is and how to write it.
  static func savedPlanText(file: String) -> String {
    "\nSaved the plan to '\(file)'. To write exactly these files:\n  rig render --plan \(file)\n"
  }

  /// `document` with the output folder's plan as its last member, when there is one.
  static func withOutput(_ document: JSONValue, _ planned: RenderResult, diff: Bool) -> JSONValue {
    guard let output = planned.output else { return document }
    return document.appending("output", outputJSON(output, diff: diff))
  }

  /// One line per file that changes, then what stays as it is.
  static func changeList(_ output: FolderChanges, paint: (String, String) -> String) -> String {
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
  public static func outputJSON(_ output: FolderChanges, diff: Bool = false) -> JSONValue {
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
