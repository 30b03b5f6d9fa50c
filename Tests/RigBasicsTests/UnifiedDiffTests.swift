import Foundation
import RigBasics
import Testing

/// `rig plan --diff` prints unified diffs: the same text as GNU diff where the shortest script is unique, and
/// always a patch that GNU patch applies to give the new text.
@Suite struct UnifiedDiffTests {
  @Test func equalTextsGiveNothing() {
    #expect(UnifiedDiff.diff(old: "a\nb\n", new: "a\nb\n", oldName: "x", newName: "y") == "")
  }

  @Test func aChangeInTheMiddleHasThreeLinesOfContext() {
    let old = (1...10).map { "line \($0)\n" }.joined()
    let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
    #expect(
      UnifiedDiff.diff(old: old, new: new, oldName: "a/f", newName: "b/f") == """
        --- a/f
        +++ b/f
        @@ -2,7 +2,7 @@
         line 2
         line 3
         line 4
        -line 5
        +line five
         line 6
         line 7
         line 8

        """)
  }

  @Test func emptySidesAndMissingNewlines() {
    #expect(
      UnifiedDiff.diff(old: "", new: "a\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n")
    #expect(
      UnifiedDiff.diff(old: "a\n", new: "a", oldName: "x", newName: "y")
        == "--- x\n+++ y\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n")
  }

  /// Random pairs of texts: the diff matches `diff -u` line for line where lines are distinct (the shortest
  /// script is then unique) and, for every pair, `patch` turns the old text into the new one with it.
  @Test func patchAppliesEveryDiff() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rig-diff-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var generator = SeededGenerator(seed: 42)
    for round in 0..<60 {
      let alphabet = round % 2 == 0 ? ["a", "b", "c"] : (0..<40).map { "distinct \($0)" }
      let count = Int.random(in: 0...30, using: &generator)
      let oldLines = (0..<count).map { _ in alphabet.randomElement(using: &generator) ?? "" }
      var newLines = oldLines
      for _ in 0..<Int.random(in: 1...6, using: &generator) {
        switch Int.random(in: 0...2, using: &generator) {
        case 0 where !newLines.isEmpty: newLines.remove(at: Int.random(in: 0..<newLines.count, using: &generator))
        case 1 where !newLines.isEmpty:
          newLines[Int.random(in: 0..<newLines.count, using: &generator)] = "changed \(round)"
        default:
          newLines.insert("new \(round)", at: Int.random(in: 0...newLines.count, using: &generator))
        }
      }
      let old = oldLines.map { $0 + "\n" }.joined() + (round % 5 == 0 ? "tail" : "")
      let new = newLines.map { $0 + "\n" }.joined()
      let oldFile = folder.appendingPathComponent("old").path
      let newFile = folder.appendingPathComponent("new").path
      try old.write(toFile: oldFile, atomically: true, encoding: .utf8)
      try new.write(toFile: newFile, atomically: true, encoding: .utf8)
      let ours = UnifiedDiff.diff(old: old, new: new, oldName: oldFile, newName: newFile)
      if round % 2 == 1, Set(oldLines).count == oldLines.count, Set(newLines).count == newLines.count {
        let gnu = try run("/usr/bin/diff", ["-u", oldFile, newFile], in: folder.path)
        let strip = { (text: String) in
          text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix("--- ") || $0.hasPrefix("+++ ") ? String($0.prefix(while: { $0 != "\t" })) : String($0)
          }.joined(separator: "\n")
        }
        #expect(strip(gnu.stdout) == ours, "round \(round)")
      }
      let patchFile = folder.appendingPathComponent("change.patch").path
      try ours.write(toFile: patchFile, atomically: true, encoding: .utf8)
      let patched = try run("/usr/bin/patch", ["-s", "-o", "patched", oldFile, patchFile], in: folder.path)
      #expect(patched.status == 0, "round \(round): \(patched.stdout)\(patched.stderr)")
      let result = try String(contentsOfFile: folder.appendingPathComponent("patched").path, encoding: .utf8)
      #expect(result == new, "round \(round)")
    }
  }

  /// Texts too different for the search still get a correct diff: every differing line out, then in.
  @Test func veryDifferentTextsStillDiffCorrectly() throws {
    let old = (0..<2500).map { "old \($0)\n" }.joined()
    let new = (0..<2500).map { "new \($0)\n" }.joined()
    let diff = UnifiedDiff.diff(old: old, new: new, oldName: "x", newName: "y")
    #expect(diff.hasPrefix("--- x\n+++ y\n@@ -1,2500 +1,2500 @@\n-old 0\n"))
    #expect(diff.split(separator: "\n").count == 3 + 5000)
  }
}

/// A small deterministic generator (SplitMix64), so a failing round can be replayed.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

struct ProcessResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs `executable` in `directory` and collects what it prints.
func run(_ executable: String, _ arguments: [String], in directory: String) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: directory)
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}
