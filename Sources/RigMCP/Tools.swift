import Foundation
import RigBasics
import RigCLI
import RigCompiler
import RigModel
import RigProbe
import RigVerify

/// What a tool call came to, for the client and for the audit log.
struct ToolOutcome: Sendable {
  /// How it ended: `ok`, `error` (the project or the call has errors), `needs-person` (a conflict, a cycle or a
  /// budget only a person can settle), `refused` (a path outside the workspace, a stale or edited plan), `declined`
  /// (the person did not approve).
  var status: String
  /// What the client reads: a JSON document (the command's own) or text.
  var text: String
  /// The same as JSON, when the command has a JSON form.
  var structured: JSONValue?
  /// The saved plan the call made or rendered, by digest.
  var plan: String?
  /// The person's answer to a render, and when it came.
  var approval: Approval?
  /// One line for the audit log.
  var detail: String

  var isError: Bool { status != "ok" }

  struct Approval: Sendable {
    var answer: String
    var at: Date
  }

  /// A call refused before anything ran; `plan` the saved plan it was about.
  static func refused(_ refusal: Refusal, plan: String? = nil) -> ToolOutcome {
    let text = "error: \(refusal.message)" + (refusal.help.map { "\nhelp: \($0)" } ?? "")
    return ToolOutcome(
      status: "refused", text: text,
      structured: .object([
        ("status", .string("refused")), ("message", .string(refusal.message)),
        ("help", .array(refusal.help.map { [.string($0)] } ?? [])),
      ]), plan: plan, detail: refusal.message)
  }
}

/// The diagnostics only a person can settle: version conflicts, cycles, and budgets the hardware cannot meet. A tool
/// that meets one says so (the blueprint's escalation, `manual_resolution_required`) instead of inviting the agent
/// to change the project until the error goes away.
enum Escalation {
  static let ids: Set<String> = [
    "unresolvable", "dependency-cycle", "include-cycle", "cluster-conflict", "gpu-sharing-conflict", "cpu-overlap",
    "gpu-memory-over-budget", "memory-over-budget", "not-enough-cores", "not-enough-gpus",
  ]

  /// The outcome of a command whose document is only its diagnostics (`command` names it), when it found errors.
  static func outcome(_ result: CheckResult, command: String) -> ToolOutcome {
    outcome(result, document: result.diagnostics.json(extra: [("command", .string(command))]))
  }

  /// The outcome of a project with errors: `needs-person` with the diagnostics' explanation and help when any of
  /// them is a conflict, a cycle or a budget; else `error`. `document` is the command's own JSON.
  static func outcome(_ result: CheckResult, document: JSONValue) -> ToolOutcome {
    let errors = result.diagnostics.diagnostics.filter { $0.severity == .error }
    let settling = errors.filter { ids.contains($0.id.rawValue) }
    let explanation = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
    guard !settling.isEmpty else {
      return ToolOutcome(
        status: "error", text: explanation, structured: document,
        detail: "\(errors.count) error(s): " + Set(errors.map(\.id.rawValue)).sorted().joined(separator: ", "))
    }
    let found = Set(settling.map(\.id.rawValue)).sorted()
    let escalation = JSONValue.object([
      ("needs_person", .bool(true)), ("action", .string("manual_resolution_required")),
      ("diagnostics", .array(found.map(JSONValue.string))),
      ("explanation", .string(explanation)),
      ("help", .array(settling.flatMap(\.help).map(JSONValue.string))),
    ])
    let structured = document.appending("escalation", escalation)
    let text =
      "NEEDS A PERSON (manual_resolution_required): \(found.joined(separator: ", ")). rig found a conflict, a cycle "
      + "or a budget the machine cannot meet. Do not edit the project to make it pass: show the person this "
      + "explanation and let them choose.\n\n" + explanation
    return ToolOutcome(
      status: "needs-person", text: text, structured: structured, detail: found.joined(separator: ", "))
  }
}

/// The tools `rig mcp` serves, each one of rig's commands over the workspace.
struct RigTools: Sendable {
  let workspace: Workspace

  /// The project `path` names (the project folder's rig.yaml without it), checked.
  func project(_ arguments: Arguments) throws(Refusal) -> CheckResult {
    RigCompiler.check(path: try workspace.projectPath(try arguments.string("path")))
  }

  /// The file or folder in the project folder that the argument `key` names; nil without it.
  func path(_ arguments: Arguments, _ key: String) throws(Refusal) -> String? {
    guard let argument = try arguments.string(key) else { return nil }
    return try workspace.projectPath(argument, name: key)
  }

  /// `check`: `rig check --format json` of the project.
  func check(_ arguments: Arguments) throws(Refusal) -> ToolOutcome {
    let result = try project(arguments)
    let document = Reports.checkJSON(result)
    guard !result.hasErrors else { return Escalation.outcome(result, document: document) }
    return ToolOutcome(
      status: "ok", text: document.serialized(), structured: document,
      detail: "valid, \(result.diagnostics.warningCount) warning(s)")
  }

  /// `plan`: `rig plan --format json --out OUT` of the project, saved for `render`.
  func plan(_ arguments: Arguments) throws(Refusal) -> ToolOutcome {
    let targets = try arguments.targets()
    let host = try arguments.string("host")
    var planned = RigCompiler.changes(try project(arguments), out: workspace.out, targets: targets, host: host)
    let document = Reports.planJSON(planned, diff: false)
    guard !planned.hasErrors, let saved = RigCompiler.savedPlan(planned, targets: targets, host: host, adopt: false)
    else { return Escalation.outcome(planned.check, document: document) }
    let id = saved.digest
    if let failure = Self.makeFolder(workspace.plans) ?? RigCompiler.save(saved, to: workspace.plans + "/\(id).json") {
      planned.check.diagnostics.emit(failure)
      return Escalation.outcome(planned.check, document: document)
    }
    let withPlan = Reports.withSavedPlan(document, saved, file: workspace.plans + "/\(id).json")
    let text =
      withPlan.serialized() + "\n" + saved.summary
      + "\nSaved as plan \(id). To write these files, call the tool 'render' with {\"plan\": \"\(id)\"}: rig asks "
      + "the person to approve it first.\n"
    return ToolOutcome(
      status: "ok", text: text, structured: withPlan, plan: id,
      detail: "+\(saved.added) ~\(saved.changed) -\(saved.removed)")
  }

  /// `explain`: why these versions, this allocation, or this error, in the resolver's and allocator's own words.
  func explain(_ arguments: Arguments) throws(Refusal) -> ToolOutcome {
    let result = RigCompiler.machine(try project(arguments), host: try arguments.string("host"))
    guard !result.hasErrors else { return Escalation.outcome(result, command: "explain") }
    var text = Reports.resolutionReport(result)
    var document = Reports.resolutionJSON(result)
    if let name = try arguments.string("component") {
      /// The entry named `name` of the list `list` holds.
      func entry(in list: JSONValue?) -> JSONValue? {
        guard case .array(let entries)? = list else { return nil }
        return entries.first { $0["name"] == .string(name) }
      }
      guard let component = entry(in: document["components"]) else {
        throw Refusal("the project has no component '\(name)'", help: "leave out 'component' to explain them all")
      }
      // Where it runs: its entry in each of the allocation's budgets (CPU, RAM, GPU memory).
      var placed: [(String, JSONValue)] = [("component", component)]
      if case .object(let budgets)? = document["allocation"] {
        for (budget, value) in budgets {
          if let placement = entry(in: value["components"]) { placed.append((budget, placement)) }
        }
      }
      document = .object(placed)
      text = document.serialized()
    }
    return ToolOutcome(
      status: "ok", text: text, structured: document, detail: try arguments.string("component") ?? "all")
  }

  /// `graph`: the resolved dependency graph, as DOT or Mermaid.
  func graph(_ arguments: Arguments) throws(Refusal) -> ToolOutcome {
    let result = RigCompiler.machine(try project(arguments), host: try arguments.string("host"))
    let format: GraphFormat
    switch try arguments.string("format") ?? "mermaid" {
    case "dot": format = .dot
    case "mermaid": format = .mermaid
    case let other: throw Refusal("'format' is '\(other)'", help: "give 'dot' or 'mermaid'")
    }
    guard let graph = RigCompiler.graph(result, format: format), !result.hasErrors else {
      return Escalation.outcome(result, command: "graph")
    }
    return ToolOutcome(status: "ok", text: graph, structured: nil, detail: format == .dot ? "dot" : "mermaid")
  }

  /// `probe`: `rig probe --format json` of this machine, or of a captured tree in the project folder.
  func probe(_ arguments: Arguments) throws(Refusal) -> ToolOutcome {
    let root = try path(arguments, "root")
    let xml = try path(arguments, "nvidia_smi_xml")
    do {
      let gpus = try Probe(root: root, nvidiaSMIXML: xml).gpus()
      let facts = try MachineFacts.read(MachineTree(root: root ?? "/"), gpus: gpus)
      return ToolOutcome(
        status: "ok", text: facts.json.serialized(), structured: facts.json, detail: root ?? "this machine")
    } catch {
      return ToolOutcome(status: "error", text: "error: \(error)", structured: nil, detail: "\(error)")
    }
  }

  /// `verify`: `rig verify --format json`: this machine, or a captured tree in the project folder, against the plan.
  func verify(_ arguments: Arguments) throws(Refusal) -> ToolOutcome {
    let checked = try project(arguments)
    let root = try path(arguments, "root")
    let xml = try path(arguments, "nvidia_smi_xml")
    do {
      switch try Verified.verify(checked, host: try arguments.string("host"), root: root, nvidiaSMIXML: xml) {
      case .refused(let result):
        return Escalation.outcome(result, command: "verify")
      case .verified(let verification, let plan):
        let document = verification.json(
          project: plan.spec.name.value, machine: root.map { "the tree \($0)" } ?? "this machine")
        return ToolOutcome(
          status: "ok", text: document.serialized(), structured: document,
          detail: "\(verification.drifted.count) drifted")
      }
    } catch {
      return ToolOutcome(status: "error", text: "error: \(error)", structured: nil, detail: "\(error)")
    }
  }

  /// The saved plan `id` of this workspace, checked before a person is asked about it: it must be readable, of
  /// this output folder, and of a project in the project folder.
  func savedPlan(_ arguments: Arguments) throws(Refusal) -> (SavedPlan, String) {
    guard let id = try arguments.string("plan") else {
      throw Refusal("'plan' is missing", help: "give the plan's id, which the tool 'plan' returned")
    }
    guard Manifest.isSHA256(id) else {
      throw Refusal("'\(id)' is not a plan id", help: "a plan id is the 64 hexadecimal digits 'plan' returned")
    }
    let file = workspace.plans + "/\(id).json"
    let plan: SavedPlan
    switch RigCompiler.readPlan(file) {
    case .failure(let refusal): throw Refusal(refusal.diagnostic.message, help: refusal.diagnostic.help.first)
    case .success(let read): plan = read
    }
    guard plan.digest == id else { throw Refusal("the plan file of '\(id)' holds another plan") }
    guard plan.folder == workspace.out else {
      throw Refusal("the plan '\(id)' writes '\(plan.folder)', not the output folder '\(workspace.out)'")
    }
    _ = try workspace.projectPath(plan.project, name: "the plan's project")
    return (plan, file)
  }

  /// What rendering `plan` would find, before anyone is asked to approve it: `ok`, or why it cannot be rendered.
  func preflight(_ plan: SavedPlan) -> ToolOutcome {
    let planned = RigCompiler.preflight(
      saved: plan, named: plan.digest, check: { RigCompiler.check(path: plan.project) })
    guard planned.hasErrors else {
      return ToolOutcome(status: "ok", text: "", structured: nil, plan: plan.digest, detail: "")
    }
    return failed(planned, plan: plan, approval: nil)
  }

  /// The outcome of a render of `plan` that found errors: `refused` for a stale plan.
  func failed(_ planned: RenderResult, plan: SavedPlan, approval: ToolOutcome.Approval?) -> ToolOutcome {
    var outcome = Escalation.outcome(planned.check, document: Reports.renderJSON(planned))
    if planned.check.diagnostics.diagnostics.contains(where: { $0.id.rawValue == "stale-plan" }) {
      outcome.status = "refused"
    }
    outcome.plan = plan.digest
    outcome.approval = approval
    return outcome
  }

  /// `render`: writes a saved plan's files, once a person has approved it (`approved` is their answer).
  func render(_ plan: SavedPlan, file: String, approval: ToolOutcome.Approval) -> ToolOutcome {
    let planned = RigCompiler.render(saved: plan, named: plan.digest, check: { RigCompiler.check(path: plan.project) })
    let document = Reports.renderJSON(planned)
    if planned.hasErrors { return failed(planned, plan: plan, approval: approval) }
    return ToolOutcome(
      status: "ok", text: Reports.renderReport(planned), structured: document, plan: plan.digest, approval: approval,
      detail: planned.written ? "+\(plan.added) ~\(plan.changed) -\(plan.removed) written" : "up to date")
  }

  /// Makes `path` (and its parents) a folder; a `write-failed` diagnostic when it cannot.
  static func makeFolder(_ path: String) -> Diagnostic? {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      return nil
    } catch {
      return Diagnostic(
        id: "write-failed", severity: .error, message: "cannot write '\(path)': \(error.localizedDescription)",
        range: nil, help: ["rig mcp keeps its saved plans there, beside the output folder"])
    }
  }
}

/// A tool call's arguments, as JSON.
struct Arguments: Sendable {
  var values: [String: JSONValue]

  /// The string `key` holds; nil when absent; refused when it holds anything else.
  func string(_ key: String) throws(Refusal) -> String? {
    switch values[key] {
    case nil, .null?: return nil
    case .string(let value)?: return value
    default: throw Refusal("'\(key)' is not a string", help: "give '\(key)' as a JSON string")
    }
  }

  /// Refuses any argument the tool's input schema does not name.
  func only(_ names: [String]) throws(Refusal) {
    for key in values.keys.sorted() where !names.contains(key) {
      throw Refusal(
        "this tool takes no argument '\(key)'",
        help: Suggestion.didYouMean(key, among: names)
          ?? (names.isEmpty ? "it takes no arguments" : "it takes " + names.map { "'\($0)'" }.joined(separator: ", ")))
    }
  }

  /// `targets`: a list of target names.
  func targets() throws(Refusal) -> [Targets.Kind] {
    guard let value = values["targets"] else { return [] }
    guard case .array(let items) = value else { throw Refusal("'targets' is not a list of target names") }
    var targets: [Targets.Kind] = []
    for item in items {
      guard case .string(let name) = item, let target = Targets.Kind(rawValue: name) else {
        throw Refusal(
          "'targets' holds '\(item.serialized().trimmingCharacters(in: .whitespacesAndNewlines))', which is not a target",
          help: "targets are " + Targets.Kind.allCases.map(\.rawValue).joined(separator: ", "))
      }
      targets.append(target)
    }
    return targets
  }
}
