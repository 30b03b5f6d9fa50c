import Foundation
import RigBasics
import RigEmitters
import RigModel
import RigResolver
import RigYAML

/// What `rig check` and `rig plan` found.
public struct CheckResult: Sendable {
  /// The project's model; nil when the front end found errors.
  public var spec: RigSpec?
  /// The chosen versions; nil when any error was found before or during resolution (cycles in the chosen
  /// components' requirements are found after it, and keep it).
  public var resolution: Resolution?
  /// The resolved components' requirements; nil without a resolution.
  public var graph: DependencyGraph?
  /// CPU sets, budgets and GPU sharing; nil when any error was found up to and including allocation.
  public var allocation: Allocation?
  /// The catalog resolution used; nil when it was not reached.
  public var catalog: Catalog?
  public var diagnostics: DiagnosticEngine
  /// The text of every file read, for rendering snippets.
  public var sources: SourceFiles
  /// The root file, as displayed.
  public var file: String
  /// The root file on disk when `file` is not its path (a Swift description's `#fileID`): an output folder must not
  /// hold it.
  public var projectPath: String? = nil
  public var hasErrors: Bool { diagnostics.hasErrors }

  /// Everything emitters need; nil when any phase found an error.
  public var plan: Plan? {
    guard let spec, let resolution, let graph, let allocation, !hasErrors else { return nil }
    return Plan(
      spec: spec, resolution: resolution, graph: graph, allocation: allocation, catalog: catalog ?? Catalog(sources: [])
    )
  }
}

/// The compiler facade: every command is one call here.
public enum RigCompiler {
  /// The file name rig looks for in a folder.
  public static let defaultFileName = "rig.yaml"

  /// `path` itself when it is a file, else `path/rig.yaml`; the path is kept as written for display.
  public static func rootFile(for path: String) -> String {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      if path == "." || path == "./" { return defaultFileName }
      return path.hasSuffix("/") ? path + defaultFileName : path + "/" + defaultFileName
    }
    return path
  }

  /// Parses and validates the project at `path` (a rig.yaml or a folder holding one). Writes nothing.
  public static func check(path: String) -> CheckResult {
    let file = rootFile(for: path)
    let result = FrontEnd.load(path: file)
    return resolve(
      CheckResult(spec: result.spec, diagnostics: result.diagnostics, sources: result.sources, file: file))
  }

  /// Validates YAML text as if it were the file `file`.
  public static func check(text: String, file: String) -> CheckResult {
    let result = FrontEnd.load(text: text, file: file)
    return resolve(
      CheckResult(spec: result.spec, diagnostics: result.diagnostics, sources: result.sources, file: file))
  }

  /// Resolution, when the front end found no error: versions against the built-in catalog, then cycles, then
  /// allocation.
  static func resolve(_ checked: CheckResult) -> CheckResult {
    var result = checked
    guard !result.hasErrors, let spec = result.spec else { return result }
    let catalog: Catalog
    switch Catalog.builtIn {
    case .success(let loaded): catalog = loaded
    case .failure(let error):
      result.diagnostics.emit(ResolverMessage.brokenCatalog(error.description), at: nil)
      return result
    }
    switch Resolver.resolve(spec: spec, catalog: catalog) {
    case .failure(let failure):
      result.diagnostics.emit(failure.diagnostic)
    case .success(let resolution):
      let graph = DependencyGraph(resolution)
      for diagnostic in graph.cycleDiagnostics { result.diagnostics.emit(diagnostic) }
      // Kept even with cycles, so that `rig graph` can show them.
      result.resolution = resolution
      result.graph = graph
      result.catalog = catalog
      if !result.hasErrors {
        result.allocation = Allocator.allocate(spec: spec, resolution: resolution, diagnostics: &result.diagnostics)
      }
    }
    return result
  }

  /// What `rig plan` prints of a resolved project: each component's version, source and reason, the install
  /// order, then the allocation.
  public static func planReport(_ result: CheckResult) -> String {
    guard let resolution = result.resolution, let graph = result.graph, let order = graph.installOrder else {
      return ""
    }
    let reasons = graph.reasons
    let rows = resolution.components.map { component -> [String] in
      let chain = reasons[component.name] ?? []
      let why = chain.enumerated().map { index, requirement in
        let written = requirement.description
        if index == 0 { return "stack: \(written)" + (requirement.range.map { " (\($0.start))" } ?? "") }
        return written
      }.joined(separator: " → ")
      return [component.name, component.version.text, component.origin.sourceName, why]
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
  public static func planJSON(_ result: CheckResult) -> JSONValue {
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
                ("required_by", .array((reasons[component.name] ?? []).map { .string($0.description) })),
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

  /// A plain text table: columns padded to their widest cell, two spaces apart.
  static func table(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
      row.enumerated().map { column, cell in
        column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
      }.joined(separator: "  ")
    }.map { line in
      // An empty last cell leaves no trailing blanks.
      var line = "  " + line
      while line.hasSuffix(" ") { line.removeLast() }
      return line + "\n"
    }.joined()
  }

  /// The files of every enabled target, sorted by path; empty when any phase found an error.
  public static func artifacts(_ result: CheckResult) -> [Artifact] {
    guard let plan = result.plan else { return [] }
    return Emitters.artifacts(plan)
  }

  /// The JSON Schema of rig.yaml, serialized as `schemas/rig.schema.json` holds it.
  public static func schema() -> String {
    RigSchema.jsonSchema().serialized()
  }
}
