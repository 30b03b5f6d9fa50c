import RigAllocation
import RigCatalog
import RigModel
import RigResolver

/// Everything a project resolves and allocates to: what emitters turn into artifacts. It holds the resolution as
/// plain values (each component's version, source and requirements, the install order), so that an emitter reads
/// the plan and never the solver.
public struct Plan: Sendable {
  public var spec: RigSpec
  /// Every chosen component, sorted by name.
  public var components: [PlannedComponent]
  /// The chosen components' names, each after what it requires.
  public var installOrder: [String]
  public var allocation: Allocation
  /// The catalog the versions were chosen from: how each is installed (apt repositories, release archives).
  public var catalog: Catalog

  /// The plan of a resolution without cycles (`graph` its requirements) and its allocation.
  public init(
    spec: RigSpec, resolution: Resolution, graph: DependencyGraph, allocation: Allocation,
    catalog: Catalog = Catalog(sources: [])
  ) {
    self.spec = spec
    self.components = resolution.components.map { component in
      let catalogLocation: CatalogLocation?
      switch component.origin {
      case .catalog(let location): catalogLocation = location
      case .project: catalogLocation = nil
      }
      return PlannedComponent(
        name: component.name, version: component.version, source: component.origin.sourceName,
        catalogLocation: catalogLocation, requires: (graph.edges[component.name] ?? []).map(\.to))
    }
    self.installOrder = graph.installOrder ?? resolution.components.map(\.name)
    self.allocation = allocation
    self.catalog = catalog
  }

  /// The chosen component called `name`, if any.
  public func component(named name: String) -> PlannedComponent? {
    components.first { $0.name == name }
  }

  /// How a component runs: as its declaration under `components:` says, else on the host (catalog components).
  public func runtime(of component: String) -> Runtime {
    spec.components.first { $0.name.value == component }?.effectiveRuntime ?? .host
  }

  /// The catalog entry a chosen component comes from; nil for versions declared under `components:`.
  public func catalogEntry(_ component: PlannedComponent) -> (source: CatalogSource, component: CatalogComponent)? {
    guard let location = component.catalogLocation, let source = catalog.sources[location.source],
      let entry = source.components[component.name]
    else { return nil }
    return (source, entry)
  }
}

/// One chosen component: its version, where the version comes from and what it requires.
public struct PlannedComponent: Sendable, Hashable {
  public var name: String
  public var version: Version
  /// The source's name as `rig plan` prints it: a catalog source, or `components` for a project's own version.
  public var source: String
  /// Where the catalog states the version; nil for a version declared under `components:`.
  public var catalogLocation: CatalogLocation?
  /// The chosen components it requires, sorted by name.
  public var requires: [String]
}
