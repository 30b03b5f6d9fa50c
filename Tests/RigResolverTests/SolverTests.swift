import RigBasics
import RigCatalog
import RigModel
import Testing

@testable import RigResolver

func v(_ text: String) -> Version { Version(exactly: text)! }

/// `"b >= 2, < 3"` as a requirement without a location.
func req(_ text: String) -> Requirement {
  guard case .success(let parsed) = Requirement.parse(text) else { fatalError("bad requirement in a test: \(text)") }
  return Requirement(name: Located(parsed.name, at: nil), constraint: parsed.constraint, range: nil)
}

/// A universe from `[name: [version: [requirements]]]`.
func universe(_ packages: [String: [String: [String]]], roots: [String]) -> Universe {
  var candidates: [String: [Candidate]] = [:]
  for (name, versions) in packages {
    candidates[name] = versions.map { version, requires in
      Candidate(
        version: v(version), requires: requires.map(req), origin: .catalog(CatalogLocation(source: "test", line: 1)))
    }.sorted { $0.version < $1.version }
  }
  return Universe(candidates: candidates, roots: roots.map(req))
}

func chosen(_ result: Result<Resolution, ResolutionFailure>) -> [String: String]? {
  guard case .success(let resolution) = result else { return nil }
  return Dictionary(uniqueKeysWithValues: resolution.components.map { ($0.name, $0.version.text) })
}

@Suite struct SolverTests {
  @Test func picksNewestVersions() {
    let u = universe(["a": ["1": [], "2": ["b >= 1"]], "b": ["1": [], "1.5": []]], roots: ["a"])
    #expect(chosen(Resolver.resolve(u)) == ["a": "2", "b": "1.5"])
  }

  /// The newest `a` needs a `b` whose requirement cannot be met: the solver must back up to the older `a`.
  @Test func backtracksToAnOlderVersion() {
    let u = universe(
      [
        "a": ["1": ["b = 1"], "2": ["b = 2"]],
        "b": ["1": [], "2": ["c >= 5"]],
        "c": ["1": []],
      ], roots: ["a"])
    #expect(chosen(Resolver.resolve(u)) == ["a": "1", "b": "1"])
  }

  /// Two roots whose newest versions disagree on a shared dependency; only a combination of older versions
  /// works (it needs learning across several decisions).
  @Test func backtracksAcrossTwoRoots() {
    let u = universe(
      [
        "x": ["1": ["s < 2"], "2": ["s >= 3"]],
        "y": ["1": ["s < 2"], "2": ["s = 2"]],
        "s": ["1": [], "2": [], "3": []],
      ], roots: ["x", "y"])
    #expect(chosen(Resolver.resolve(u)) == ["x": "1", "y": "1", "s": "1"])
  }

  @Test func resolvesRequirementCycles() {
    let u = universe(["a": ["1": ["b"]], "b": ["1": ["a"]]], roots: ["a"])
    #expect(chosen(Resolver.resolve(u)) == ["a": "1", "b": "1"])
  }

  /// Random small catalogs: the solver finds a solution exactly when exhaustive search does, and every
  /// solution it returns satisfies every constraint (the roots and the requirements of each chosen version).
  @Test func agreesWithExhaustiveSearchOnRandomCatalogs() {
    var g = SeededGenerator(state: 99)
    var solvable = 0
    for round in 0..<600 {
      let names = ["a", "b", "c", "d", "e"].prefix(Int.random(in: 2...5, using: &g))
      var packages: [String: [String: [String]]] = [:]
      for name in names {
        var versions: [String: [String]] = [:]
        for version in 1...Int.random(in: 1...3, using: &g) {
          var requires: [String] = []
          for other in names where other != name && Int.random(in: 0..<3, using: &g) == 0 {
            let bound = Int.random(in: 1...3, using: &g)
            requires.append(
              ["\(other) >= \(bound)", "\(other) < \(bound)", "\(other) = \(bound)", other].randomElement(using: &g)!)
          }
          versions["\(version)"] = requires
        }
        packages[name] = versions
      }
      // Sometimes a root names a component nobody offers.
      var roots = (0..<Int.random(in: 1...2, using: &g)).map { _ in
        let name = names.randomElement(using: &g)!
        return [name, "\(name) >= 2", "\(name) < 3"].randomElement(using: &g)!
      }
      if round % 50 == 0 { roots.append("zzz") }
      let u = universe(packages, roots: roots)
      let exhaustive = Self.exhaustive(u)
      let result = Resolver.resolve(u)
      switch result {
      case .success(let resolution):
        solvable += 1
        #expect(exhaustive, "round \(round): solver found a solution exhaustive search missed")
        #expect(Self.satisfies(resolution, u), "round \(round): solution breaks a constraint")
      case .failure(let failure):
        #expect(
          !exhaustive, "round \(round): a solution exists but the solver failed: \(failure.explanation.map(\.text))")
        #expect(!failure.explanation.isEmpty)
      }
    }
    #expect(solvable > 100 && solvable < 600, "the random catalogs should mix solvable and unsolvable cases")
  }

  static func satisfies(_ resolution: Resolution, _ u: Universe) -> Bool {
    let chosen = Dictionary(uniqueKeysWithValues: resolution.components.map { ($0.name, $0.version) })
    func holds(_ r: Requirement) -> Bool { chosen[r.name.value].map { VersionSet(r.constraint).contains($0) } ?? false }
    guard u.roots.allSatisfy(holds) else { return false }
    for component in resolution.components {
      guard let candidate = u.candidates[component.name]?.first(where: { $0.version == component.version }) else {
        return false
      }
      guard candidate.requires.allSatisfy(holds) else { return false }
    }
    return true
  }

  /// Tries every assignment (each component absent or at one of its versions).
  static func exhaustive(_ u: Universe) -> Bool {
    let names = u.candidates.keys.sorted()
    var choice: [String: Version] = [:]
    func search(_ index: Int) -> Bool {
      if index == names.count {
        func holds(_ r: Requirement) -> Bool {
          choice[r.name.value].map { VersionSet(r.constraint).contains($0) } ?? false
        }
        guard u.roots.allSatisfy(holds) else { return false }
        for (name, version) in choice {
          guard let candidate = u.candidates[name]?.first(where: { $0.version == version }) else { return false }
          if !candidate.requires.allSatisfy(holds) { return false }
        }
        return true
      }
      let name = names[index]
      choice[name] = nil
      if search(index + 1) { return true }
      for candidate in u.candidates[name] ?? [] {
        choice[name] = candidate.version
        if search(index + 1) { return true }
      }
      choice[name] = nil
      return false
    }
    return search(0)
  }

  /// Same universe, dictionary built in a different order: same answer and same explanation.
  @Test func deterministicWhateverTheInsertionOrder() {
    let packages: [String: [String: [String]]] = [
      "a": ["1": ["b < 2"], "2": ["b >= 2"]], "b": ["1": [], "2": ["c"]], "c": ["1": ["d = 9"]], "d": ["1": []],
    ]
    let first = Resolver.resolve(universe(packages, roots: ["a", "b >= 2"]))
    for _ in 0..<5 {
      let shuffled = Dictionary(uniqueKeysWithValues: packages.shuffled())
      #expect(Resolver.resolve(universe(shuffled, roots: ["a", "b >= 2"])) == first)
    }
  }
}

@Suite struct GraphTests {
  func graph(_ packages: [String: [String: [String]]], roots: [String]) -> DependencyGraph {
    guard case .success(let resolution) = Resolver.resolve(universe(packages, roots: roots)) else {
      fatalError("the test universe must resolve")
    }
    return DependencyGraph(resolution)
  }

  func paths(_ graph: DependencyGraph) -> [String] {
    graph.cycles.map { ($0.map(\.from) + [$0.first?.from ?? ""]).joined(separator: " → ") }
  }

  @Test func selfLoop() {
    let g = graph(["a": ["1": ["a"]]], roots: ["a"])
    #expect(paths(g) == ["a → a"])
    #expect(g.installOrder == nil)
  }

  @Test func twoDisjointCyclesAreBothReported() {
    let g = graph(
      ["a": ["1": ["b"]], "b": ["1": ["c"]], "c": ["1": ["a"]], "x": ["1": ["y"]], "y": ["1": ["x"]], "z": ["1": []]],
      roots: ["a", "x", "z"])
    #expect(paths(g) == ["a → b → c → a", "x → y → x"])
  }

  @Test func cycleWithinALargerComponentIsOnePathPerComponent() {
    let g = graph(["a": ["1": ["b", "c"]], "b": ["1": ["a"]], "c": ["1": ["a"]]], roots: ["a"])
    #expect(paths(g) == ["a → b → a"])
  }

  @Test func installOrderPutsRequirementsFirstAndBreaksTiesByName() {
    let g = graph(
      ["app": ["1": ["lib", "zlib"]], "lib": ["1": ["zlib"]], "zlib": ["1": []], "tool": ["1": []], "b": ["1": []]],
      roots: ["tool", "app", "b"])
    #expect(g.cycles.isEmpty)
    #expect(g.installOrder == ["b", "tool", "zlib", "lib", "app"])
    // The shortest chain, app → zlib, one step per component.
    #expect(g.reasons["zlib"]?.requiredBy == "app")
    #expect(g.reasons["zlib"]?.requirement.description == "zlib")
    #expect(g.reasons["app"]?.requiredBy == nil)
    #expect(g.reasons["app"]?.requirement.description == "app")
  }
}
