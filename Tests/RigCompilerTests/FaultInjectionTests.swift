import Foundation
import RigCompiler
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Renders killed (SIGKILL) after any change the writer makes to the file system, calibrated: the test first counts
/// the steps of each render (`RIG_TEST_KILL_AFTER_STEPS=0` lists them), then kills renders after a pseudo-random
/// one of them, from several starting states; the render after each must succeed and leave exactly the planned
/// folder, with every file, folder and link of one's own as it was (bytes, inodes, modes, extended attributes).
@Suite struct FaultInjectionTests {
  /// A starting state of the output folder and the render that is killed there.
  struct Start {
    var name: String
    /// The folder to start from (copied with `cp -a`); nil for no folder at all.
    var template: String?
    var project: String
    /// The folder as the render must leave it.
    var expected: [String: String]
    /// The number of steps of the render from this state.
    var steps = 0
  }

  static let kills = 200
  static let seed: UInt64 = 0x5EED_0019

  @Test func rendersKilledAfterAnyStepAreSetRightByTheNextRender() throws {
    let clock = ContinuousClock()
    let began = clock.now
    let scratch = try KillScratch("faults")
    let first = try scratch.project("v1", TinyProject.version1)
    let second = try scratch.project("v2", TinyProject.version2)
    // What each version makes, rendered into a fresh folder.
    let reference1 = scratch.path + "/reference1"
    let reference2 = scratch.path + "/reference2"
    #expect(try rigRun(["render", first, "--out", reference1]).status == 0)
    #expect(try rigRun(["render", second, "--out", reference2]).status == 0)
    #expect(FileManager.default.fileExists(atPath: reference1 + "/systemd/svc.service"))
    #expect(!FileManager.default.fileExists(atPath: reference2 + "/systemd"))

    // The starting states: no folder; version 1 with files of one's own, one of rig's files edited and one
    // removed by hand; version 1 with files of one's own, rendered as version 2 (files added, changed, removed,
    // a folder of rig's removed); and the way back.
    let templates = scratch.path + "/templates"
    try FileManager.default.createDirectory(atPath: templates, withIntermediateDirectories: true)
    var userPaths: [String] = []
    var starts = [Start(name: "fresh", template: nil, project: first, expected: try folderState(reference1))]
    for (name, base, project, reference) in [
      ("hand-edited", reference1, first, reference1), ("edited-project", reference1, second, reference2),
      ("reverted-project", reference2, first, reference1),
    ] {
      let template = templates + "/" + name
      try copyTree(base, to: template)
      userPaths = try addUserFiles(to: template)
      if name == "hand-edited" {
        try "# edited by hand\n".write(
          toFile: template + "/kubernetes/namespace.yaml", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: template + "/kubernetes/workload-app2.yaml")
      }
      // Rig's files as a fresh render makes them; the files, folders and link of one's own (and the folder of
      // rig's that holds one of them) as they were.
      var expected = try folderState(reference)
      let before = try folderState(template)
      for path in userPaths + ["kubernetes/"] { expected[path] = before[path] }
      starts.append(Start(name: name, template: template, project: project, expected: expected))
    }

    // Calibration: each render's steps, counted on a copy of its starting state.
    let out = scratch.path + "/out"
    let staging = scratch.path + "/.out.rig-staging"
    for index in starts.indices {
      try reset(out, to: starts[index].template)
      let steps = try renderSteps([starts[index].project, "--out", out])
      #expect(steps.contains { $0.hasPrefix("exchange ") || $0.hasPrefix("rename \(staging)") })
      starts[index].steps = steps.count
      #expect(try folderState(out) == starts[index].expected, "\(starts[index].name): an uninterrupted render")
    }
    #expect(starts.allSatisfy { $0.steps > 10 })

    var generator = SplitMix64(state: Self.seed)
    var failures = 0
    for round in 0..<Self.kills where failures < 3 {
      let start = starts[round % starts.count]
      try reset(out, to: start.template)
      let inodes = try userInodes(out, start.template == nil ? [] : userPaths)
      let step = Int.random(in: 1...start.steps, using: &generator)
      let context = "round \(round) (seed \(Self.seed)), \(start.name), killed after step \(step) of \(start.steps)"
      let killed = try rigRun(["render", start.project, "--out", out], killAfter: step)
      #expect(killed.status == SIGKILL, "\(context): \(killed.stderr)")
      if round % 5 == 4 {
        // Killed again while it clears what the first one left (or later, or not at all).
        _ = try rigRun(
          ["render", start.project, "--out", out], killAfter: Int.random(in: 1...start.steps, using: &generator))
      }
      let next = try rigRun(["render", "--color", "never", start.project, "--out", out])
      var ok = next.status == 0
      #expect(next.status == 0, "\(context): the next render failed: \(next.stderr)")
      let state = try folderState(out)
      if state != start.expected {
        ok = false
        let keys = Set(state.keys).union(start.expected.keys).filter { state[$0] != start.expected[$0] }.sorted()
        let differences = keys.map { key in
          "\(key): \(state[key] ?? "missing") instead of \(start.expected[key] ?? "nothing")"
        }
        Issue.record("\(context): not the planned folder: \(differences.joined(separator: "; "))")
      }
      if FileManager.default.fileExists(atPath: staging) {
        ok = false
        Issue.record("\(context): the staging folder is left")
      }
      let after = try userInodes(out, start.template == nil ? [] : userPaths)
      if after != inodes {
        ok = false
        Issue.record("\(context): files of one's own are not the same files (inodes \(inodes) → \(after))")
      }
      if !ok { failures += 1 }
    }
    let elapsed = clock.now - began
    print("FaultInjectionTests: \(Self.kills) kills in \(elapsed) (steps per render: \(starts.map(\.steps)))")
  }

  /// The output folder as `template` (nothing when nil), with no staging folder or lock beside it (so that every
  /// render from a starting state takes the same steps).
  func reset(_ out: String, to template: String?) throws {
    try resetOutput(out, to: template)
  }

  /// The inodes of the files of one's own among `paths` (links and folders are made anew).
  func userInodes(_ out: String, _ paths: [String]) throws -> [String: UInt64] {
    var result: [String: UInt64] = [:]
    for path in paths where !path.hasSuffix("/") {
      var info = stat()
      guard lstat(out + "/" + path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
      result[path] = UInt64(info.st_ino)
    }
    return result
  }
}
