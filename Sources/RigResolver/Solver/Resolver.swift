import RigBasics
import RigCatalog
import RigModel

/// The versions chosen for a stack.
public struct Resolution: Sendable, Hashable {
  /// Every selected component, sorted by name.
  public var components: [ResolvedComponent]
  /// The stack's requirements, as written.
  public var roots: [Requirement]

  public func component(named name: String) -> ResolvedComponent? {
    components.first { $0.name == name }
  }
}

/// Why a stack cannot be resolved: the chain of facts, the stack item it starts from and what would fix it.
public struct ResolutionFailure: Error, Sendable, Hashable {
  public var explanation: [ExplanationLine]
  /// The stack item the explanation is about, for the diagnostic's location.
  public var range: SourceRange?
  public var help: [String]
  /// Components and version sets no enabled source offers, as the explanation meets them.
  public var missing: [Missing]

  public struct Missing: Sendable, Hashable {
    public var name: String
    public var versions: VersionSet
  }
}

/// Resolution: the PubGrub solver, its explanations, and the help that comes from trying small changes.
public enum Resolver {
  /// Resolves the stack of `universe`.
  public static func resolve(_ universe: Universe) -> Result<Resolution, ResolutionFailure> {
    var solver = Solver(universe: universe)
    switch solver.solve() {
    case .solved(let versions):
      var components: [ResolvedComponent] = []
      for (package, version) in versions {
        let name = solver.names[package]
        guard let candidate = solver.candidates[package].first(where: { $0.version == version }) else { continue }
        components.append(
          ResolvedComponent(
            name: name, version: candidate.version, origin: candidate.origin, requires: candidate.requires))
      }
      components.sort { $0.name < $1.name }
      return .success(Resolution(components: components, roots: universe.roots))
    case .failed(let failure):
      var reporter = Reporter(solver: solver)
      let lines = reporter.explain(failure)
      let roots = reporter.rootRequirements(failure)
      return .failure(
        ResolutionFailure(
          explanation: lines, range: roots.first?.range ?? universe.roots.first?.range, help: [],
          missing: reporter.missing(failure).map { ResolutionFailure.Missing(name: $0.name, versions: $0.set) }))
    }
  }

  /// Resolves the project's stack against the catalog. On failure, tries the smallest changes (enable one more
  /// source, drop one stack item's version constraint, drop one stack item) and suggests those that resolve, worded
  /// in the `language` the project is written in.
  public static func resolve(
    spec: RigSpec, catalog: Catalog, language: ProjectLanguage = .yaml
  ) -> Result<Resolution, ResolutionFailure> {
    let result = resolve(Universe(spec: spec, catalog: catalog))
    guard case .failure(var failure) = result else { return result }
    failure.help = help(for: failure, spec: spec, catalog: catalog, language: language)
    return .failure(failure)
  }

  /// One Debian release per machine: every source the project enables has builds for the machine's release. A
  /// source of another release (another Debian archive, a repository built for one release) is an error at the
  /// source, never used and never suggested.
  public static func sourceDiagnostics(
    spec: RigSpec, catalog: Catalog, language: ProjectLanguage = .yaml
  ) -> [Diagnostic] {
    let release = spec.hardware.os.release
    return spec.sources.compactMap { source in
      guard let offered = catalog.sources[source.value], !offered.builds(for: release.value) else { return nil }
      let builds = (offered.releases ?? []).sorted().joined(separator: ", ")
      return Diagnostic(
        ResolverMessage.sourceNotForRelease(source: source.value, release: release.value), at: source.range,
        notes: [
          DiagnosticNote("the machine's release is written here", at: release.range),
          DiagnosticNote("rig's catalog has '\(source.value)' for \(builds) only"),
        ],
        help: [language.removeSource(source.value) + "; one machine runs one Debian release"])
    }
  }

  /// Every requirement, in the stack or in a declared component's versions, whose component no catalog source
  /// offers and the project does not declare: all of them at once, each where it is written, before resolution
  /// would stop at the first.
  public static func unknownComponentDiagnostics(
    spec: RigSpec, catalog: Catalog, language: ProjectLanguage = .yaml
  ) -> [Diagnostic] {
    let catalogued = Set(catalog.sources.values.flatMap { $0.components.keys })
    let declared = Set(spec.components.map(\.name.value))
    let known = (catalogued.union(declared)).sorted()
    let requirements = spec.stack + spec.components.flatMap { $0.versions.flatMap(\.requires) }
    var reported: Set<String> = []
    var diagnostics: [Diagnostic] = []
    for requirement in requirements {
      let name = requirement.name.value
      guard !catalogued.contains(name), !declared.contains(name), reported.insert(name).inserted else { continue }
      // A source written per Debian release may offer it in the edition of another release.
      let elsewhere = catalog.allEditions.filter { $0.components[name] != nil }.map { edition in
        DiagnosticNote(
          "'\(edition.name)' offers it for \((edition.releases ?? []).sorted().joined(separator: ", ")) only, "
            + "not for \(spec.hardware.os.release.value)")
      }
      let help =
        elsewhere.isEmpty
        ? Suggestion.didYouMean(name, among: known) ?? language.declareComponent(name)
        : language.declareComponent(name)
      diagnostics.append(
        Diagnostic(
          ResolverMessage.unknownComponent(name), at: requirement.name.range ?? requirement.range, notes: elsewhere,
          help: [help]))
    }
    return diagnostics
  }

  static func help(
    for failure: ResolutionFailure, spec: RigSpec, catalog: Catalog, language: ProjectLanguage
  ) -> [String] {
    func solves(_ changed: RigSpec) -> Bool {
      if case .success = resolve(Universe(spec: changed, catalog: catalog)) { return true }
      return false
    }
    var help: [String] = []
    let known = Set(catalog.sources.values.flatMap { $0.components.keys } + spec.components.map(\.name.value))
    let enabled = Set(Universe.enabledSources(spec))
    let declared = Set(spec.components.filter { !$0.versions.isEmpty }.map(\.name.value))
    for missing in failure.missing where !declared.contains(missing.name) {
      let catalogued = catalog.sources.values.contains { $0.components[missing.name] != nil }
      if !catalogued, spec.components.contains(where: { $0.name.value == missing.name }) {
        help.append(language.giveVersions(to: missing.name))
        continue
      }
      if !known.contains(missing.name) {
        if let guess = Suggestion.closest(to: missing.name, among: known.sorted()) {
          help.append("did you mean '\(guess)'? no source offers '\(missing.name)'")
        } else {
          help.append(language.declareComponent(missing.name))
        }
        continue
      }
      for source in catalog.sourceNames
      where !enabled.contains(source) && catalog.sources[source]?.builds(for: spec.hardware.os.release.value) == true {
        let offered = catalog.sources[source]?.components[missing.name]?.versions.map(\.version) ?? []
        guard let best = offered.last(where: missing.versions.contains) else { continue }
        var changed = spec
        changed.sources = Universe.enabledSources(spec).map { Located($0, at: nil) } + [Located(source, at: nil)]
        guard solves(changed) else { continue }
        let entry = language.addSource(source) + "; it offers \(missing.name) \(best)"
        if !help.contains(entry) { help.append(entry) }
      }
    }
    if !help.isEmpty { return help }
    let involved = spec.stack.indices.filter { index in
      failure.explanation.contains { line in line.range == spec.stack[index].range }
    }
    for index in involved where !spec.stack[index].constraint.clauses.isEmpty {
      var changed = spec
      changed.stack[index].constraint = .any
      if solves(changed) {
        let item = spec.stack[index]
        let location = item.range.map { " (\($0.start))" } ?? ""
        help.append("relax '\(item)'\(location) to '\(item.name.value)'")
      }
    }
    if help.isEmpty {
      for index in involved where spec.stack[index].range != nil {
        var changed = spec
        changed.stack.remove(at: index)
        if solves(changed) {
          let item = spec.stack[index]
          let location = item.range.map { " (\($0.start))" } ?? ""
          help.append("remove '\(item)'\(location) from the stack")
        }
      }
    }
    return help
  }
}
