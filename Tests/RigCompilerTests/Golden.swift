import Foundation
import RigEmitters
import Testing

/// Golden files: committed expected output under `golden/`. A test compares bytes and, on a difference, prints
/// a line diff; a missing golden file fails; `RIG_RECORD=1` (and nothing else) rewrites them.
enum Golden {
  static let root = packageRoot + "/golden"

  /// Compares `actual` with `golden/RELATIVE`, or writes it there when recording.
  static func check(_ actual: String, _ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let path = root + "/" + relative
    if recording {
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try actual.write(toFile: path, atomically: true, encoding: .utf8)
      return
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      Issue.record("golden file golden/\(relative) is missing; RIG_RECORD=1 writes it", sourceLocation: sourceLocation)
      return
    }
    let expected = String(decoding: data, as: UTF8.self)
    if expected != actual {
      let diff = lineDiff(expected, actual)
      Issue.record(
        "golden/\(relative) differs (- golden, + actual); RIG_RECORD=1 rewrites it after review:\n\(diff)",
        sourceLocation: sourceLocation)
    }
  }

  /// Compares a whole folder: each artifact with its file under `golden/FOLDER`, and no file there that the
  /// artifacts do not produce (recording removes those).
  static func check(
    _ artifacts: [Artifact], folder: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    for artifact in artifacts {
      try check(artifact.contents, folder + "/" + artifact.path, sourceLocation: sourceLocation)
    }
    let produced = Set(artifacts.map(\.path))
    for stale in files(under: root + "/" + folder) where !produced.contains(stale) {
      if recording {
        try FileManager.default.removeItem(atPath: root + "/" + folder + "/" + stale)
      } else {
        Issue.record(
          "golden/\(folder)/\(stale) is no longer produced; RIG_RECORD=1 removes it", sourceLocation: sourceLocation)
      }
    }
  }

  /// Regular files under `folder`, relative to it, sorted.
  static func files(under folder: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
    var result: [String] = []
    while let next = enumerator.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: folder + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue
      {
        result.append(next)
      }
    }
    return result.sorted()
  }

  /// A line diff from the longest common subsequence: `-` lines only in `old`, `+` lines only in `new`, two lines
  /// of context around each change.
  static func lineDiff(_ old: String, _ new: String) -> String {
    let a = old.components(separatedBy: "\n")
    let b = new.components(separatedBy: "\n")
    var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
      for j in stride(from: b.count - 1, through: 0, by: -1) {
        lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
      }
    }
    var lines: [(Character, String)] = []
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      if i < a.count, j < b.count, a[i] == b[j] {
        lines.append((" ", a[i]))
        i += 1
        j += 1
      } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
        lines.append(("-", a[i]))
        i += 1
      } else {
        lines.append(("+", b[j]))
        j += 1
      }
    }
    let changed = lines.indices.filter { lines[$0].0 != " " }
    return lines.indices.filter { index in changed.contains { abs($0 - index) <= 2 } }.map {
      "\(lines[$0].0) \(lines[$0].1)"
    }.joined(separator: "\n")
  }
}

/// How many files rig writes for examples/workstation: its golden folder's.
let workstationFiles = Golden.files(under: Golden.root + "/workstation").count
