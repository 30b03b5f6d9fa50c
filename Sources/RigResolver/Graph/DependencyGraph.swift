import RigBasics
import RigModel

/// One `requires` edge of the resolved stack, with the place it is written.
public struct DependencyEdge: Sendable, Hashable {
  public var from: String
  public var to: String
  public var requirement: Requirement
  /// Where the requirement is written: the project's file, or the catalog.
  public var origin: CandidateOrigin

  /// "a requires b", with where it is written.
  public var line: ExplanationLine {
    ExplanationLine("\(from) requires \(requirement)", requirement: requirement, declaredBy: origin)
  }
}

/// The resolved components and their `requires` edges: cycles, install order, and why each component is there.
public struct DependencyGraph: Sendable {
  /// Component names, sorted.
  public let nodes: [String]
  /// Edges by source, sorted by target name; every node has an entry, empty when it requires nothing.
  public let edges: [String: [DependencyEdge]]
  public let roots: [Requirement]

  public init(_ resolution: Resolution) {
    nodes = resolution.components.map(\.name)
    let selected = Set(nodes)
    var edges: [String: [DependencyEdge]] = [:]
    for component in resolution.components {
      var list: [DependencyEdge] = []
      for requirement in component.requires where selected.contains(requirement.name.value) {
        if list.contains(where: { $0.to == requirement.name.value }) { continue }
        list.append(
          DependencyEdge(
            from: component.name, to: requirement.name.value, requirement: requirement, origin: component.origin))
      }
      edges[component.name] = list.sorted { $0.to < $1.to }
    }
    self.edges = edges
    roots = resolution.roots
  }

  /// Every strongly connected component with a cycle (a self-loop or two or more nodes), each as one cycle
  /// path through it that starts and ends at its smallest name; sorted by that name.
  public var cycles: [[DependencyEdge]] {
    var result: [[DependencyEdge]] = []
    for component in stronglyConnectedComponents() {
      let members = Set(component)
      guard let start = component.min() else { continue }
      if component.count == 1 {
        if let loop = edges[start]?.first(where: { $0.to == start }) { result.append([loop]) }
        continue
      }
      // Breadth-first from the start back to itself inside the component: the shortest cycle through it.
      var previous: [String: DependencyEdge] = [:]
      var queue = [start]
      var head = 0
      var closing: DependencyEdge? = nil
      search: while head < queue.count {
        let node = queue[head]
        head += 1
        for edge in edges[node] ?? [] where members.contains(edge.to) {
          if edge.to == start {
            closing = edge
            break search
          }
          if previous[edge.to] == nil {
            previous[edge.to] = edge
            queue.append(edge.to)
          }
        }
      }
      guard var edge = closing else { continue }
      var path = [edge]
      while edge.from != start, let before = previous[edge.from] {
        path.append(before)
        edge = before
      }
      result.append(path.reversed())
    }
    return result.sorted { ($0.first?.from ?? "") < ($1.first?.from ?? "") }
  }

  /// Tarjan's algorithm, iterative (a long chain must not exhaust the stack); nodes and edges visited in name
  /// order so the result is the same on every run.
  func stronglyConnectedComponents() -> [[String]] {
    var index: [String: Int] = [:]
    var lowLink: [String: Int] = [:]
    var onStack = Set<String>()
    var stack: [String] = []
    var components: [[String]] = []
    var counter = 0
    for start in nodes where index[start] == nil {
      var work: [(node: String, next: Int)] = [(start, 0)]
      index[start] = counter
      lowLink[start] = counter
      counter += 1
      stack.append(start)
      onStack.insert(start)
      while var frame = work.popLast() {
        let outgoing = edges[frame.node] ?? []
        if frame.next < outgoing.count {
          let target = outgoing[frame.next].to
          frame.next += 1
          work.append(frame)
          if index[target] == nil {
            index[target] = counter
            lowLink[target] = counter
            counter += 1
            stack.append(target)
            onStack.insert(target)
            work.append((target, 0))
          } else if onStack.contains(target) {
            lowLink[frame.node] = min(lowLink[frame.node] ?? 0, index[target] ?? 0)
          }
          continue
        }
        if let parent = work.last {
          lowLink[parent.node] = min(lowLink[parent.node] ?? 0, lowLink[frame.node] ?? 0)
        }
        if lowLink[frame.node] == index[frame.node] {
          var component: [String] = []
          while let top = stack.popLast() {
            onStack.remove(top)
            component.append(top)
            if top == frame.node { break }
          }
          components.append(component.sorted())
        }
      }
    }
    return components
  }

  /// Install order: every component after what it requires; among components ready at the same time, the
  /// smallest name first. Nil when there is a cycle.
  public var installOrder: [String]? {
    var waiting: [String: Int] = [:]
    var dependents: [String: [String]] = [:]
    for node in nodes {
      let requirements = edges[node] ?? []
      waiting[node] = requirements.count
      for edge in requirements { dependents[edge.to, default: []].append(node) }
    }
    var ready = Heap<String>()
    for node in nodes where waiting[node] == 0 { ready.push(node) }
    var order: [String] = []
    while let node = ready.pop() {
      order.append(node)
      for dependent in dependents[node] ?? [] {
        waiting[dependent, default: 0] -= 1
        if waiting[dependent] == 0 { ready.push(dependent) }
      }
    }
    return order.count == nodes.count ? order : nil
  }

  /// Why a component is selected: the requirement that brought it in, and the component that requires it (nil
  /// for a stack item).
  public struct Reason: Sendable, Hashable {
    public var requiredBy: String?
    public var requirement: Requirement
  }

  /// Why each component is selected: the last step of the shortest chain of requirements from a stack item
  /// (breadth-first from the stack items in the order written, edges in name order). One step per component, so
  /// a whole chain is followed through `requiredBy` and the answer stays linear in the graph.
  public var reasons: [String: Reason] {
    var reasons: [String: Reason] = [:]
    var queue: [String] = []
    for root in roots where reasons[root.name.value] == nil && edges[root.name.value] != nil {
      reasons[root.name.value] = Reason(requiredBy: nil, requirement: root)
      queue.append(root.name.value)
    }
    var head = 0
    while head < queue.count {
      let node = queue[head]
      head += 1
      for edge in edges[node] ?? [] where reasons[edge.to] == nil {
        reasons[edge.to] = Reason(requiredBy: node, requirement: edge.requirement)
        queue.append(edge.to)
      }
    }
    return reasons
  }
}
