import RigAllocation
import RigCatalog
import RigModel
import RigResolver

/// Everything a project resolves and allocates to: what emitters turn into artifacts. It holds the resolution as
/// plain values (each component's version, source and requirements, the install order), so that an emitter reads
/// the plan and never the solver.
public struct Plan: Sendable {
  public var spec: RigSpec {
    didSet { declarationIndex = Self.declarationIndex(spec) }
  }
  /// Every chosen component, sorted by name (`component(named:)` searches it by halves).
  public internal(set) var components: [PlannedComponent]
  /// The chosen components' names, each after what it requires.
  public var installOrder: [String]
  public var allocation: Allocation {
    didSet { cpuIndex = Self.cpuIndex(allocation) }
  }
  /// The catalog the versions were chosen from: how each is installed (apt repositories, release archives).
  public var catalog: Catalog
  /// The cluster this plan describes, for a fleet's cluster-wide plan (`init(cluster:merging:)`); nil for one
  /// machine.
  public var cluster: ClusterView?

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
    }.sorted { $0.name < $1.name }
    self.installOrder = graph.installOrder ?? resolution.components.map(\.name)
    self.allocation = allocation
    self.catalog = catalog
    self.declarationIndex = Self.declarationIndex(spec)
    self.cpuIndex = Self.cpuIndex(allocation)
  }

  /// Where each declaration of `spec.components` and each component of `allocation.cpu` is, by name (the first of
  /// a name): lookups stay constant-time at thousands of components. Made again whenever `spec` or `allocation`
  /// changes.
  private var declarationIndex: [String: Int] = [:]
  private var cpuIndex: [String: Int] = [:]

  private static func declarationIndex(_ spec: RigSpec) -> [String: Int] {
    Dictionary(spec.components.enumerated().map { ($1.name.value, $0) }, uniquingKeysWith: { first, _ in first })
  }

  private static func cpuIndex(_ allocation: Allocation) -> [String: Int] {
    Dictionary(allocation.cpu.components.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
  }

  /// The project's declaration of `name` under `components:`, if any.
  public func declaration(of name: String) -> Component? {
    declarationIndex[name].map { spec.components[$0] }
  }

  /// The CPUs allocated to `name`, if it asked for any.
  public func cpu(of name: String) -> ComponentCPU? {
    cpuIndex[name].map { allocation.cpu.components[$0] }
  }

  /// The chosen component called `name`, if any.
  public func component(named name: String) -> PlannedComponent? {
    // `components` is sorted by name: a binary search keeps emitters linear in the stack.
    var low = 0
    var high = components.count
    while low < high {
      let middle = (low + high) / 2
      if components[middle].name < name { low = middle + 1 } else { high = middle }
    }
    return low < components.count && components[low].name == name ? components[low] : nil
  }

  /// How a component runs: as its declaration under `components:` says, else on the host (catalog components).
  public func runtime(of component: String) -> Runtime {
    declaration(of: component)?.effectiveRuntime ?? .host
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
