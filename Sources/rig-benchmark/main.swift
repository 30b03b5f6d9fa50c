import Foundation
import RigBasics
import RigCatalog
import RigModel
import RigResolver

// Resolves a synthetic catalog and prints figures (SPEC: speed targets live in benchmarks, not in tests).
// Usage: swift run -c release rig-benchmark [components] [versions] [roots] [runs]

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let componentCount = arguments.count > 0 ? arguments[0] : 10_000
let versionCount = arguments.count > 1 ? arguments[1] : 10
let rootCount = arguments.count > 2 ? arguments[2] : 1_000
let runs = arguments.count > 3 ? arguments[3] : 5

/// A fixed linear congruential generator, so every run builds the same catalog.
struct Generator {
  var state: UInt64
  mutating func next(_ bound: Int) -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((state >> 33) % UInt64(bound))
  }
}

func version(_ major: Int, _ minor: Int) -> Version {
  Version(exactly: "\(major).\(minor)-1") ?? Version(exactly: "0")!
}

func requirement(_ name: String, _ constraint: VersionConstraint) -> Requirement {
  Requirement(name: Located(name, at: nil), constraint: constraint, range: nil)
}

// Component i requires up to three components with larger indices (so the graph has no cycles), each with a
// range of majors: `>= m` or `>= m, < m+k`. Versions are 1.0 … 1.(versions-1) then majors grow, so newer
// versions of a component tend to need newer versions of its dependencies, as real catalogs do.
var generator = Generator(state: 42)
var candidates: [String: [Candidate]] = [:]
let names = (0..<componentCount).map { "c\($0)" }
for (index, name) in names.enumerated() {
  var list: [Candidate] = []
  for v in 0..<versionCount {
    var requires: [Requirement] = []
    let dependencyCount = index + 1 < componentCount ? generator.next(4) : 0
    for _ in 0..<dependencyCount {
      let target = index + 1 + generator.next(min(200, componentCount - index - 1))
      let low = max(0, v - 2 - generator.next(3))
      var clauses = [VersionClause(.greaterOrEqual, version(low, 0))]
      if generator.next(3) == 0 { clauses.append(VersionClause(.less, version(low + 4, 0))) }
      requires.append(requirement(names[target], VersionConstraint(clauses)))
    }
    list.append(
      Candidate(
        version: version(v, 0), requires: requires,
        origin: .catalog(CatalogLocation(source: "synthetic", line: index))))
  }
  candidates[name] = list
}
var roots: [Requirement] = []
for _ in 0..<rootCount {
  let target = generator.next(componentCount)
  roots.append(
    requirement(names[target], VersionConstraint([VersionClause(.greaterOrEqual, version(generator.next(3), 0))])))
}
let universe = Universe(candidates: candidates, roots: roots)

var times: [Double] = []
var selected = 0
var outcome = ""
for _ in 0..<runs {
  let start = DispatchTime.now().uptimeNanoseconds
  let result = Resolver.resolve(universe)
  let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  times.append(elapsed)
  switch result {
  case .success(let resolution):
    selected = resolution.components.count
    outcome = "resolved"
  case .failure(let failure):
    outcome = "failed (\(failure.explanation.count) explanation lines)"
  }
}
times.sort()
let median = times[times.count / 2]
print("catalog: \(componentCount) components x \(versionCount) versions, \(rootCount) stack roots")
print("outcome: \(outcome), \(selected) components selected")
print(
  String(
    format: "resolve: median %.3f s, best %.3f s, worst %.3f s over %d runs", median, times.first ?? 0, times.last ?? 0,
    runs))
