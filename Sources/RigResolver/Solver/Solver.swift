import RigBasics
import RigModel

/// A component the solver chose.
public struct ResolvedComponent: Sendable, Hashable {
  public var name: String
  public var version: Version
  public var origin: CandidateOrigin
  public var requires: [Requirement]
}

/// PubGrub (Natalie Weizenbaum's algorithm, as Dart pub's `doc/solver.md` and SwiftPM's `PubGrub/` describe
/// it): unit propagation over incompatibilities, decisions on the newest allowed version, conflict-driven
/// learning with backjumping. Complete over the finite candidate lists of a `Universe`, and deterministic:
/// every choice is ordered by discovery and version, never by hashing.
struct Solver {
  let universe: Universe
  /// Package names by id; id 0 is the stack.
  var names: [String] = ["the stack"]
  var ids: [String: Int] = [:]
  /// Candidates by id (the stack has one pseudo-version).
  var candidates: [[Candidate]] = [[]]
  var incompatibilities: [Incompatibility] = []
  var byPackage: [[Int]] = [[]]
  /// Dependency runs already turned into incompatibilities: package → candidate indices.
  var expanded: [Set<Int>] = [[]]

  // The partial solution.
  struct Assignment {
    var term: Term
    var level: Int
    /// The incompatibility it was derived from; nil for a decision.
    var cause: Int?
  }
  var assignments: [Assignment] = []
  var assignmentsByPackage: [[Int]] = [[]]
  /// The intersection of every assignment of a package; nil when it has none.
  var accumulated: [Term?] = [nil]
  var decisions: [Version?] = [nil]
  var decisionCount = 0

  // The queue of packages waiting for a decision: by discovery, with packages down to one candidate first.
  var queued: [Bool] = [false]
  /// Package ids, which are given in discovery order.
  var heap = Heap<Int>()
  var urgent: [Int] = []

  static let root = 0
  static let rootVersion = Version(exactly: "0")!

  init(universe: Universe) {
    self.universe = universe
    candidates[0] = [Candidate(version: Solver.rootVersion, requires: universe.roots, origin: .project(nil))]
  }

  mutating func id(_ name: String) -> Int {
    if let id = ids[name] { return id }
    let id = names.count
    names.append(name)
    ids[name] = id
    candidates.append(universe.candidates[name] ?? [])
    byPackage.append([])
    expanded.append([])
    assignmentsByPackage.append([])
    accumulated.append(nil)
    decisions.append(nil)
    queued.append(false)
    return id
  }

  enum Outcome {
    case solved([Int: Version])
    case failed(Int)
  }

  mutating func solve() -> Outcome {
    add(Incompatibility(terms: [Term(package: Solver.root, set: .any, positive: false)], cause: .root, root: 0))
    var next = Solver.root
    while true {
      if let failure = propagate(next) { return .failed(failure) }
      guard let chosen = choose() else {
        var result: [Int: Version] = [:]
        for (package, version) in decisions.enumerated() where package != Solver.root {
          if let version { result[package] = version }
        }
        return .solved(result)
      }
      next = chosen
    }
  }

  @discardableResult
  mutating func add(_ incompatibility: Incompatibility) -> Int {
    let index = incompatibilities.count
    incompatibilities.append(incompatibility)
    for term in incompatibility.terms { byPackage[term.package].append(index) }
    return index
  }

  // MARK: Unit propagation

  enum Relation { case satisfied, contradicted, inconclusive }

  func relation(_ term: Term) -> Relation {
    guard let current = accumulated[term.package] else {
      // Nothing known: "any version or absent" satisfies only a term that allows everything.
      return .inconclusive
    }
    if current.satisfies(term) { return .satisfied }
    if current.contradicts(term) { return .contradicted }
    return .inconclusive
  }

  /// Returns the index of the failure incompatibility when the stack cannot be resolved.
  mutating func propagate(_ start: Int) -> Int? {
    var changed = [start]
    var inChanged: Set<Int> = [start]
    while let package = changed.popLast() {
      inChanged.remove(package)
      var position = byPackage[package].count - 1
      while position >= 0 {
        let index = byPackage[package][position]
        position -= 1
        switch propagate(incompatibility: index) {
        case .none: continue
        case .derived(let p):
          if inChanged.insert(p).inserted { changed.append(p) }
        case .conflict:
          switch resolveConflict(index) {
          case .failure(let failure): return failure
          case .learned(let learned):
            changed.removeAll()
            inChanged.removeAll()
            guard case .derived(let p) = propagate(incompatibility: learned) else {
              preconditionFailure("a learned incompatibility must be almost satisfied after backjumping")
            }
            changed.append(p)
            inChanged.insert(p)
            position = -1
          }
        }
      }
    }
    return nil
  }

  enum PropagationResult { case none, derived(Int), conflict }

  mutating func propagate(incompatibility index: Int) -> PropagationResult {
    var unsatisfied: Term? = nil
    for term in incompatibilities[index].terms {
      switch relation(term) {
      case .contradicted: return .none
      case .inconclusive:
        if unsatisfied != nil { return .none }
        unsatisfied = term
      case .satisfied: continue
      }
    }
    guard let unsatisfied else { return .conflict }
    derive(unsatisfied.inverse, cause: index)
    return .derived(unsatisfied.package)
  }

  mutating func assign(_ assignment: Assignment) {
    let package = assignment.term.package
    assignmentsByPackage[package].append(assignments.count)
    assignments.append(assignment)
    accumulated[package] = accumulated[package].map { $0.intersection(assignment.term) } ?? assignment.term
  }

  mutating func derive(_ term: Term, cause: Int) {
    assign(Assignment(term: term, level: decisionCount, cause: cause))
    let package = term.package
    if let current = accumulated[package], current.positive, decisions[package] == nil {
      if !queued[package] {
        queued[package] = true
        heap.push(package)
      }
      if allowedCount(package, limit: 2) <= 1 { urgent.append(package) }
    }
  }

  /// How many candidates the accumulated term allows, counting no further than `limit`.
  func allowedCount(_ package: Int, limit: Int) -> Int {
    guard let current = accumulated[package], current.positive else { return 0 }
    var count = 0
    for candidate in candidates[package] where current.set.contains(candidate.version) {
      count += 1
      if count >= limit { break }
    }
    return count
  }

  mutating func decide(_ package: Int, _ version: Version) {
    decisionCount += 1
    decisions[package] = version
    assign(
      Assignment(term: Term(package: package, set: .exactly(version), positive: true), level: decisionCount, cause: nil)
    )
  }

  mutating func backtrack(to level: Int) {
    var touched = Set<Int>()
    while let last = assignments.last, last.level > level {
      assignments.removeLast()
      let package = last.term.package
      assignmentsByPackage[package].removeLast()
      touched.insert(package)
      if last.cause == nil { decisions[package] = nil }
    }
    decisionCount = level
    for package in touched.sorted() {
      var term: Term? = nil
      for index in assignmentsByPackage[package] {
        term = term.map { $0.intersection(assignments[index].term) } ?? assignments[index].term
      }
      accumulated[package] = term
      if let term, term.positive, decisions[package] == nil, !queued[package] {
        queued[package] = true
        heap.push(package)
      }
    }
  }

  /// The earliest assignment after which the package's accumulated term satisfies `term`.
  func satisfier(_ term: Term) -> Int {
    var current: Term? = nil
    for index in assignmentsByPackage[term.package] {
      current = current.map { $0.intersection(assignments[index].term) } ?? assignments[index].term
      if let current, current.satisfies(term) { return index }
    }
    preconditionFailure("satisfier asked for a term the partial solution does not satisfy")
  }

  // MARK: Conflict resolution

  enum ConflictResult { case learned(Int), failure(Int) }

  mutating func resolveConflict(_ start: Int) -> ConflictResult {
    var index = start
    while !incompatibilities[index].isFailure(root: Solver.root) {
      let incompatibility = incompatibilities[index]
      var mostRecentTerm: Term? = nil
      var mostRecentSatisfier = -1
      var difference: Term? = nil
      var previousLevel = 1
      for term in incompatibility.terms {
        let found = satisfier(term)
        if found > mostRecentSatisfier {
          if mostRecentSatisfier >= 0 {
            previousLevel = max(previousLevel, assignments[mostRecentSatisfier].level)
          }
          mostRecentTerm = term
          mostRecentSatisfier = found
          difference = nil
        } else {
          previousLevel = max(previousLevel, assignments[found].level)
        }
        if mostRecentTerm == term {
          difference = assignments[mostRecentSatisfier].term.difference(term)
          if let difference {
            previousLevel = max(previousLevel, assignments[satisfier(difference.inverse)].level)
          }
        }
      }
      guard let mostRecentTerm else { preconditionFailure("an incompatibility with no terms is a failure") }
      let satisfierAssignment = assignments[mostRecentSatisfier]
      if previousLevel < satisfierAssignment.level || satisfierAssignment.cause == nil {
        backtrack(to: previousLevel)
        return .learned(index)
      }
      guard let cause = satisfierAssignment.cause else { preconditionFailure("decisions are handled above") }
      var terms = incompatibility.terms.filter { $0 != mostRecentTerm }
      terms += incompatibilities[cause].terms.filter { $0.package != satisfierAssignment.term.package }
      if let difference { terms.append(difference.inverse) }
      index = add(Incompatibility(terms: terms, cause: .conflict(index, cause), root: Solver.root))
    }
    return .failure(index)
  }

  // MARK: Decisions

  /// Picks the next package and version; nil when every selected package has a version.
  mutating func choose() -> Int? {
    var package: Int? = nil
    while let p = urgent.popLast() {
      if decisions[p] == nil, let current = accumulated[p], current.positive {
        package = p
        break
      }
    }
    if package == nil {
      while let p = heap.pop() {
        queued[p] = false
        if decisions[p] == nil, let current = accumulated[p], current.positive {
          package = p
          break
        }
      }
    }
    guard let package, let current = accumulated[package] else { return nil }
    let list = candidates[package]
    guard let best = list.indices.reversed().first(where: { current.set.contains(list[$0].version) }) else {
      add(
        Incompatibility(terms: [Term(package: package, set: current.set, positive: true)], cause: .noVersions, root: 0))
      return package
    }
    if let unsupported = list[best].unsupported {
      let run = self.run(in: list, around: best) { $0.unsupported == unsupported }
      add(
        Incompatibility(
          terms: [Term(package: package, set: run, positive: true)], cause: .unsupported(unsupported), root: 0))
      return package
    }
    var added: [Int] = []
    if !expanded[package].contains(best) {
      expanded[package].insert(best)
      for requirement in list[best].requires {
        let dependency = id(requirement.name.value)
        let run = self.run(in: list, around: best) { candidate in
          candidate.requires.contains {
            $0.name.value == requirement.name.value && $0.constraint == requirement.constraint
          }
        }
        let origin: CandidateOrigin? = package == Solver.root ? nil : list[best].origin
        added.append(
          add(
            Incompatibility(
              terms: [
                Term(package: package, set: package == Solver.root ? .any : run, positive: true),
                Term(package: dependency, set: VersionSet(requirement.constraint), positive: false),
              ], cause: .dependency(requirement, origin), root: 0)))
      }
    }
    // A version whose own requirements already conflict is left to propagation, which derives why.
    if !allowsDecision(package, list[best].version, checking: added) {
      return package
    }
    decide(package, list[best].version)
    return package
  }

  /// Whether deciding `version` would satisfy an incompatibility outright (Dart pub checks this before
  /// deciding; propagation then derives the right term instead).
  func allowsDecision(_ package: Int, _ version: Version, checking added: [Int]) -> Bool {
    let decided = Term(package: package, set: .exactly(version), positive: true)
    for index in added {
      var satisfied = true
      for term in incompatibilities[index].terms {
        if term.package == package {
          if !decided.satisfies(term) { satisfied = false; break }
        } else if relation(term) != .satisfied {
          satisfied = false
          break
        }
      }
      if satisfied { return false }
    }
    return true
  }

  /// The widest run of neighbouring candidates around `index` that share a property, as a version set; open
  /// at an end of the list, so it also covers versions no source offers.
  func run(in list: [Candidate], around index: Int, where same: (Candidate) -> Bool) -> VersionSet {
    var low = index
    while low > 0 && same(list[low - 1]) { low -= 1 }
    var high = index
    while high + 1 < list.count && same(list[high + 1]) { high += 1 }
    if low == high { return .exactly(list[index].version) }
    return .closed(low == 0 ? nil : list[low].version, high == list.count - 1 ? nil : list[high].version)
  }
}

/// A binary min-heap.
struct Heap<Element: Comparable> {
  private var items: [Element] = []

  mutating func push(_ item: Element) {
    items.append(item)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      if items[parent] <= items[child] { break }
      items.swapAt(parent, child)
      child = parent
    }
  }

  mutating func pop() -> Element? {
    guard !items.isEmpty else { return nil }
    items.swapAt(0, items.count - 1)
    let top = items.removeLast()
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < items.count && items[left] < items[smallest] { smallest = left }
      if right < items.count && items[right] < items[smallest] { smallest = right }
      if smallest == parent { break }
      items.swapAt(parent, smallest)
      parent = smallest
    }
    return top
  }
}
