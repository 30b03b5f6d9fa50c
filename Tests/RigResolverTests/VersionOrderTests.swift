import Foundation
import RigModel
import Testing

@testable import RigResolver

/// A fixed generator: the same pairs on every run.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}

/// Versions built from the pieces Debian's order treats specially: epochs, leading zeros, `~`, letters, `+`,
/// `.`, revisions; drawn close to each other so that many pairs differ in one small place.
func randomVersion(_ g: inout SeededGenerator) -> String {
  let pieces = [
    "0", "1", "01", "2", "9", "10", "001", "a", "b", "z", "A", "~", "~~", "+", ".", "rc", "~rc1", "+b1", "-",
  ]
  var text = ""
  if Int.random(in: 0..<5, using: &g) == 0 { text += ["0:", "1:", "2:", "00:", "10:"].randomElement(using: &g)! }
  text += ["0", "1", "2", "10", "01", "b1", "b10"].randomElement(using: &g)!
  for _ in 0..<Int.random(in: 0...4, using: &g) {
    let piece = pieces.randomElement(using: &g)!
    if piece == "-" { continue }
    text += piece
  }
  if Int.random(in: 0..<2, using: &g) == 0 {
    text += "-" + ["0", "1", "1~", "1+b1", "0.1", "00", "2a", "deb12u1", "1~deb12u1"].randomElement(using: &g)!
  }
  return text
}

@Suite struct VersionOrderTests {
  /// The tricky pairs of Debian Policy §5.6.12 and dpkg's own tests: `~` first, then the end, then letters,
  /// then other characters; numbers by value; a missing revision equals `-0`; epochs first.
  static let policyPairs: [(String, String, Int)] = [
    ("1.0~rc1", "1.0", -1), ("1.0~rc1", "1.0~rc2", -1), ("1.0~~", "1.0~", -1), ("1.0~", "1.0", -1),
    ("1.0", "1.0a", -1), ("1.0a", "1.0+", -1), ("1.0+", "1.0.", -1), ("1.0", "1.0-0", 0), ("1.0-0", "1.0", 0),
    ("1.01", "1.1", 0), ("1.001", "1.1", 0), ("1:1.0", "2.0", 1), ("0:1.0", "1.0", 0), ("1.0", "1:0.1", -1),
    ("2.0-1", "2.0-1.1", -1), ("2.0-1~deb12u1", "2.0-1", -1), ("1.9", "1.10", -1), ("1.0-1", "1.0-1+b1", -1),
    ("11.8.89~11.8.0-5~deb12u1", "12.4", -1), ("12.4.131~12.4.1-2", "12.4", 1), ("535.261.03-1", "550.54.14", -1),
    ("1:1.0.0.75+ds-6", "1:1.0.0.83~ds-3", -1), ("1.0a", "1.0A", 1), ("1.2.3", "1.2.3", 0), ("0001", "1", 0),
    // Build tags (llama.cpp's), by their number, as dpkg orders them.
    ("b4200", "b10000", -1), ("b999", "b1000", -1), ("b4200", "b04200", 0), ("b1", "1.0", 1),
  ]

  @Test func policyPairsMatchDebianPolicy() {
    for (a, b, expected) in Self.policyPairs {
      let x = Version(exactly: a)!
      let y = Version(exactly: b)!
      #expect(Version.compare(x, y).signum() == expected, "\(a) vs \(b)")
      #expect(Version.compare(y, x).signum() == -expected, "\(b) vs \(a)")
      #expect((x == y) == (expected == 0))
      if expected == 0 { #expect(x.hashValue == y.hashValue, "\(a) and \(b) are equal and must hash alike") }
    }
    // Versions that differ hash apart (a hash that ignored a part would pass the check above).
    let distinct = Set(Self.policyPairs.flatMap { [Version(exactly: $0.0)!, Version(exactly: $0.1)!] })
    #expect(Set(distinct.map(\.hashValue)).count == distinct.count)
  }

  /// 12,000 generated pairs plus the policy pairs, each compared by `dpkg --compare-versions` (the oracle; a
  /// missing dpkg fails the test).
  @Test func agreesWithDpkgOnGeneratedPairs() throws {
    var g = SeededGenerator(state: 20_261_124)
    var pairs: [(String, String)] = Self.policyPairs.map { ($0.0, $0.1) }
    while pairs.count < 12_000 + Self.policyPairs.count {
      let a = randomVersion(&g)
      // Half the pairs are a version and a small edit of it, where ordering mistakes hide.
      let b =
        Bool.random(using: &g)
        ? randomVersion(&g) : a + ["~", "a", "0", ".0", "+", "-1", "~1"].randomElement(using: &g)!
      guard Version(exactly: a) != nil, Version(exactly: b) != nil else { continue }
      pairs.append((a, b))
    }
    let verdicts = try dpkgVerdicts(pairs)
    var mismatches: [String] = []
    for ((a, b), verdict) in zip(pairs, verdicts) {
      let ours = Version.compare(Version(exactly: a)!, Version(exactly: b)!).signum()
      if ours != verdict { mismatches.append("\(a) vs \(b): dpkg \(verdict), rig \(ours)") }
    }
    #expect(verdicts.count == pairs.count)
    #expect(mismatches.isEmpty, "\(mismatches.count) disagreements, first: \(mismatches.prefix(5))")
  }

  /// Asks dpkg about every pair in two shell processes running side by side; -1, 0 or 1 per pair.
  func dpkgVerdicts(_ pairs: [(String, String)]) throws -> [Int] {
    let dpkg = ["/usr/bin/dpkg", "/bin/dpkg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let dpkg else { throw OracleMissing() }
    let half = pairs.count / 2
    let chunks = [Array(pairs[..<half]), Array(pairs[half...])]
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rig-dpkg-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var processes: [(Process, URL)] = []
    for (index, chunk) in chunks.enumerated() {
      var script = ""
      for (a, b) in chunk {
        script += "if \(dpkg) --compare-versions '\(a)' lt '\(b)'; then echo -1; "
        script += "elif \(dpkg) --compare-versions '\(a)' eq '\(b)'; then echo 0; else echo 1; fi\n"
      }
      let scriptURL = folder.appendingPathComponent("pairs\(index).sh")
      let outURL = folder.appendingPathComponent("out\(index).txt")
      try script.write(to: scriptURL, atomically: true, encoding: .utf8)
      FileManager.default.createFile(atPath: outURL.path, contents: nil)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = [scriptURL.path]
      process.standardOutput = try FileHandle(forWritingTo: outURL)
      try process.run()
      processes.append((process, outURL))
    }
    var verdicts: [Int] = []
    for (process, outURL) in processes {
      process.waitUntilExit()
      let text = try String(contentsOf: outURL, encoding: .utf8)
      verdicts += text.split(separator: "\n").compactMap { Int($0) }
    }
    return verdicts
  }

  struct OracleMissing: Error, CustomStringConvertible {
    var description: String { "dpkg is not installed: the version-order oracle is missing" }
  }

  @Test func caretMeansSameFirstComponent() throws {
    let set = VersionSet(VersionConstraint([VersionClause(.caret, Version(exactly: "12")!)]))
    for inside in ["12", "12.0", "12.4.1-1", "12~rc1", "12.99", "12a"] {
      #expect(set.contains(Version(exactly: inside)!), "\(inside) is in ^12")
    }
    for outside in ["11.8", "13", "13~rc1", "1:12.0", "120"] {
      #expect(!set.contains(Version(exactly: outside)!), "\(outside) is not in ^12")
    }
    #expect(set.description == "^12")
  }

  /// Set algebra checked point by point against membership, on random sets over a pool of versions.
  @Test func setAlgebraAgreesWithMembership() {
    var g = SeededGenerator(state: 7)
    let pool = (0..<40).map { _ in randomVersion(&g) }.compactMap { Version(exactly: $0) }
    func randomSet() -> VersionSet {
      var set = VersionSet.none
      for _ in 0..<Int.random(in: 1...3, using: &g) {
        let a = pool.randomElement(using: &g)!
        let b = pool.randomElement(using: &g)!
        let ops: [VersionOperator] = [.equal, .greaterOrEqual, .greater, .lessOrEqual, .less, .caret]
        var clauses = [VersionClause(ops.randomElement(using: &g)!, a)]
        if Bool.random(using: &g), clauses[0].op != .caret {
          clauses.append(VersionClause([.less, .lessOrEqual].randomElement(using: &g)!, b))
        }
        set = set.union(VersionSet(VersionConstraint(clauses)))
      }
      return set
    }
    for _ in 0..<400 {
      let x = randomSet()
      let y = randomSet()
      let both = x.intersection(y)
      let either = x.union(y)
      let notX = x.complement
      for v in pool {
        #expect(both.contains(v) == (x.contains(v) && y.contains(v)))
        #expect(either.contains(v) == (x.contains(v) || y.contains(v)))
        #expect(notX.contains(v) == !x.contains(v))
      }
      #expect(x.isSubset(of: either) && both.isSubset(of: x))
      #expect(x.isDisjoint(with: notX))
      #expect(x.isSubset(of: y) == x.subtracting(y).isEmpty)
      #expect(x.isDisjoint(with: y) == x.intersection(y).isEmpty)
    }
  }
}
