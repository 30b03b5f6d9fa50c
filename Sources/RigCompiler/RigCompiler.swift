import Foundation
import RigAllocation
import RigBasics
import RigCatalog
import RigEmitters
import RigModel
import RigPlan
import RigResolver
import RigRules
import RigYAML

/// What `rig check` found: how far the phases got, with what each produced, and every diagnostic.
public struct CheckResult: Sendable {
  public var progress: Progress
  public var diagnostics: DiagnosticEngine
  /// The text of every file read, for rendering snippets.
  public var sources: SourceFiles
  /// The root file, as displayed.
  public var file: String
  /// The front end that wrote the project, and where its description is on disk.
  public var origin: ProjectOrigin
  /// A fleet's hosts, each checked on its own; nil for a single-machine project (whose phases are `progress`).
  public var fleet: FleetCheck?
  public var hasErrors: Bool { diagnostics.hasErrors }

  /// How far a project got: each phase runs only when the ones before it found no error.
  public enum Progress: Sendable {
    /// The front end found errors: there is no model.
    case unread
    /// The model; resolution failed, or the catalog could not be read.
    case read(RigSpec)
    /// Versions chosen, with their requirements (which may hold cycles); allocation was not reached or failed.
    case resolved(RigSpec, Resolved)
    /// Versions, requirements and the allocation: everything emitters need.
    case allocated(RigSpec, Resolved, Allocation)
  }

  /// What resolution produced.
  public struct Resolved: Sendable {
    public var resolution: Resolution
    public var graph: DependencyGraph
    /// The catalog the versions were chosen from.
    public var catalog: Catalog
  }

  public init(
    progress: Progress, diagnostics: DiagnosticEngine, sources: SourceFiles, file: String,
    origin: ProjectOrigin = .yaml
  ) {
    self.progress = progress
    self.diagnostics = diagnostics
    self.sources = sources
    self.file = file
    self.origin = origin
  }

  /// The project's model; nil when the front end found errors.
  public var spec: RigSpec? {
    switch progress {
    case .unread: nil
    case .read(let spec), .resolved(let spec, _), .allocated(let spec, _, _): spec
    }
  }

  /// What resolution produced; nil when it failed or was not reached.
  public var resolved: Resolved? {
    switch progress {
    case .unread, .read: nil
    case .resolved(_, let resolved), .allocated(_, let resolved, _): resolved
    }
  }

  /// The chosen versions; nil when resolution failed or was not reached (cycles found after it keep it).
  public var resolution: Resolution? { resolved?.resolution }
  /// The resolved components' requirements; nil without a resolution.
  public var graph: DependencyGraph? { resolved?.graph }
  /// CPU sets, budgets and GPU sharing; nil when any error was found up to and including allocation.
  public var allocation: Allocation? {
    if case .allocated(_, _, let allocation) = progress { return allocation }
    return nil
  }

  /// Everything emitters need; nil when any phase found an error.
  public var plan: Plan? {
    guard case .allocated(let spec, let resolved, let allocation) = progress, !hasErrors else { return nil }
    return Plan(
      spec: spec, resolution: resolved.resolution, graph: resolved.graph, allocation: allocation,
      catalog: resolved.catalog)
  }
}

/// Where a project is written: a rig.yaml (the file shown is its path), or a description in the Swift DSL (the file
/// shown is its `#fileID`, `filePath` its `#filePath` on disk).
public enum ProjectOrigin: Sendable, Hashable {
  case yaml
  case swift(filePath: String)

  /// The language help is worded in.
  public var language: ProjectLanguage {
    switch self {
    case .yaml: .yaml
    case .swift: .swift
    }
  }

  /// The description's file on disk, which an output folder must not hold: `file` itself for a rig.yaml.
  public func projectFile(shownAs file: String) -> String {
    switch self {
    case .yaml: file
    case .swift(let filePath): filePath
    }
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

  /// Starts reading the built-in catalog on another core: it does not depend on the project, so it is read
  /// while the project is (and, from the command line, while the arguments are parsed). Later reads wait for it.
  public static func readCatalogAhead() {
    DispatchQueue.global().async { _ = Catalog.builtIn }
  }

  /// Parses and validates the project at `path` (a rig.yaml or a folder holding one). Writes nothing.
  public static func check(path: String) -> CheckResult {
    let file = rootFile(for: path)
    readCatalogAhead()
    return checked(FrontEnd.load(path: file), file: file)
  }

  /// Validates YAML text as if it were the file `file`.
  public static func check(text: String, file: String) -> CheckResult {
    checked(FrontEnd.load(text: text, file: file), file: file)
  }

  /// The phases after the front end, for one machine or for each host of a fleet.
  static func checked(_ result: FrontEndResult, file: String) -> CheckResult {
    if case .fleet(let fleet) = result.project {
      return resolve(fleet: fleet, diagnostics: result.diagnostics, sources: result.sources, file: file)
    }
    return resolve(result.spec, diagnostics: result.diagnostics, sources: result.sources, file: file, origin: .yaml)
  }

  /// The phases after the front end, each only when the ones before it found no error: versions against the
  /// built-in catalog, then cycles, then allocation.
  static func resolve(
    _ spec: RigSpec?, diagnostics: DiagnosticEngine, sources: SourceFiles, file: String, origin: ProjectOrigin
  ) -> CheckResult {
    var result = CheckResult(progress: .unread, diagnostics: diagnostics, sources: sources, file: file, origin: origin)
    guard !result.hasErrors, let spec else { return result }
    result.progress = .read(spec)
    let catalog: Catalog
    switch Catalog.builtIn {
    case .success(let loaded): catalog = loaded.edition(for: spec.hardware.os.release.value)
    case .failure(let error):
      result.diagnostics.emit(ResolverMessage.brokenCatalog(error.description), at: nil)
      return result
    }
    let sources =
      Resolver.sourceDiagnostics(spec: spec, catalog: catalog, language: origin.language)
      + Resolver.unknownComponentDiagnostics(spec: spec, catalog: catalog, language: origin.language)
    for diagnostic in sources { result.diagnostics.emit(diagnostic) }
    guard sources.isEmpty else { return result }
    switch Resolver.resolve(spec: spec, catalog: catalog, language: origin.language) {
    case .failure(let failure):
      result.diagnostics.emit(failure.diagnostic)
    case .success(let resolution):
      let graph = DependencyGraph(resolution)
      for diagnostic in graph.cycleDiagnostics { result.diagnostics.emit(diagnostic) }
      let chosen = Dictionary(
        resolution.components.compactMap { component -> (String, CatalogComponent)? in
          guard case .catalog(let location) = component.origin,
            let entry = catalog.sources[location.source]?.components[component.name]
          else { return nil }
          return (component.name, entry)
        }, uniquingKeysWith: { a, _ in a })
      for diagnostic in Service.diagnostics(
        spec: spec, chosen: Set(resolution.components.map(\.name)), catalogEntry: { chosen[$0] },
        language: origin.language)
      {
        result.diagnostics.emit(diagnostic)
      }
      for diagnostic in Workload.diagnostics(
        spec: spec,
        versions: Dictionary(resolution.components.map { ($0.name, $0.version) }, uniquingKeysWith: { a, _ in a }),
        catalogEntry: { chosen[$0] }, language: origin.language)
      {
        result.diagnostics.emit(diagnostic)
      }
      // Kept even with cycles, so that `rig graph` can show them.
      let resolved = CheckResult.Resolved(resolution: resolution, graph: graph, catalog: catalog)
      result.progress = .resolved(spec, resolved)
      if !result.hasErrors,
        let allocation = Allocator.allocate(spec: spec, resolution: resolution, diagnostics: &result.diagnostics)
      {
        result.progress = .allocated(spec, resolved, allocation)
      }
    }
    return result
  }

  /// The files of every enabled target of `emitters` (or of those named in `targets`), a fleet's or one
  /// machine's, sorted by path; empty when any phase found an error.
  public static func artifacts(
    _ result: CheckResult, emitters: EmitterRegistry = .builtIn, targets: Set<String>? = nil
  ) -> [Artifact] {
    if let fleet = result.fleet {
      guard !result.hasErrors, let plans = fleet.plans else { return [] }
      return emitters.artifacts(for: fleet.fleet, plans: plans, cluster: fleet.cluster, targets: targets)
    }
    guard let plan = result.plan else { return [] }
    return emitters.artifacts(for: plan, targets: targets)
  }

  /// The JSON Schema of rig.yaml, serialized as `schemas/rig.schema.json` holds it.
  public static func schema() -> String {
    RigSchema.jsonSchema().serialized()
  }
}
