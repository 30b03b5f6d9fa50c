import Foundation
import RigCompiler
import Testing

/// `rig plan --save` and `rig render --plan`: a fresh plan writes exactly its files; a plan is refused as stale,
/// writing nothing, after each kind of change it depends on; an edited plan file is refused; on a terminal, a
/// render that removes files or changes kernel parameters asks first.
@Suite struct SavedPlanTests {
  /// A project with an include, with the kernel target (so that its plan changes kernel parameters).
  static let project = """
    apiVersion: rig/v1
    name: saved
    hardware:
      cpu:
        hybrid: { performance: 4, efficiency: 0 }
      memory: 16GiB
      os: { distribution: debian, release: bookworm }
    sources: [debian-bookworm]
    include: [more.yaml]
    stack: [tmux]
    targets:
      ansible: { host: localhost }
      kernel: {}
      systemd: {}
    """
  static let more = """
    components:
      tmux:
        description: A terminal multiplexer
        runtime: host
    """

  /// A scratch folder holding the project (`proj/`), and the output folder's path (`out`).
  func scratch(_ name: String) throws -> (KillScratch, String, String) {
    let scratch = try KillScratch(name)
    let project = try scratch.project("proj", Self.project)
    try Self.more.write(toFile: project + "/more.yaml", atomically: true, encoding: .utf8)
    return (scratch, project, scratch.path + "/out")
  }

  /// The saved plan in `file`, as JSON.
  func planJSON(_ file: String) throws -> [String: Any] {
    let data = try #require(FileManager.default.contents(atPath: file))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func aFreshPlanWritesExactlyItsFiles() throws {
    let (scratch, project, out) = try scratch("fresh")
    let file = scratch.path + "/plan.json"
    let saved = try rigRun(["plan", project, "--out", out, "--save", file])
    #expect(saved.status == 0, "\(saved.stderr)")
    #expect(saved.stdout.contains("rig render --plan \(file)"))
    #expect(!FileManager.default.fileExists(atPath: out), "plan wrote the output folder")
    let schema = try run(
      try validator("check-jsonschema"), ["--schemafile", packageRoot + "/schemas/saved-plan.schema.json", file])
    #expect(schema.status == 0, "\(schema.stdout)\(schema.stderr)")
    let plan = try planJSON(file)
    let changes = try #require(plan["changes"] as? [[String: Any]])
    let expected = Dictionary(
      uniqueKeysWithValues: changes.compactMap { change -> (String, String)? in
        guard let path = change["path"] as? String, let hash = change["new_sha256"] as? String else { return nil }
        return (path, hash)
      })
    #expect(expected.keys.contains("kernel/cmdline.txt"))
    #expect(
      (plan["inputs"] as? [[String: Any]])?.compactMap { $0["path"] as? String }.map {
        ($0 as NSString).lastPathComponent
      } == ["more.yaml", "rig.yaml"])

    let rendered = try rigRun(["render", "--plan", file, "--format", "json"])
    #expect(rendered.status == 0, "\(rendered.stderr)")
    // Exactly the plan's files, with the plan's bytes (and rig's manifest of them).
    let state = try folderState(out).filter { !$0.key.hasSuffix("/") && $0.key != Manifest.fileName }
    #expect(state == expected)

    // Rendered once, the plan no longer holds: the folder is what it was made against no more.
    let again = try rigRun(["render", "--plan", file])
    #expect(again.status == 1)
    #expect(again.stderr.contains("[stale-plan]"), "\(again.stderr)")
    #expect(try folderState(out).filter { !$0.key.hasSuffix("/") && $0.key != Manifest.fileName } == expected)
  }

  /// Each change a plan depends on makes it stale: render refuses it, exit 1, and the folder stays as it was.
  @Test(arguments: ["rig.yaml", "include", "output folder", "catalog", "rig"])
  func aChangeMakesThePlanStale(_ change: String) throws {
    let (scratch, project, out) = try scratch("stale")
    // A folder rendered without the systemd target, so that the plan adds its files, and a stale plan has a folder
    // to leave alone.
    try Self.project.replacingOccurrences(of: "  systemd: {}\n", with: "").write(
      toFile: project + "/rig.yaml", atomically: true, encoding: .utf8)
    #expect(try rigRun(["render", project, "--out", out]).status == 0)
    try Self.project.write(toFile: project + "/rig.yaml", atomically: true, encoding: .utf8)
    let file = scratch.path + "/plan.json"
    #expect(try rigRun(["plan", project, "--out", out, "--save", file]).status == 0)
    var binary = try rigBinary()
    var reason = ""
    switch change {
    case "rig.yaml":
      try (Self.project + "\n# edited\n").write(toFile: project + "/rig.yaml", atomically: true, encoding: .utf8)
      reason = "rig.yaml' changed since it was saved"
    case "include":
      try Self.more.replacingOccurrences(of: "multiplexer", with: "multiplexer (edited)").write(
        toFile: project + "/more.yaml", atomically: true, encoding: .utf8)
      reason = "more.yaml' changed since it was saved"
    case "output folder":
      let edited = out + "/kernel/cmdline.txt"
      try "edited by hand\n".write(toFile: edited, atomically: true, encoding: .utf8)
      reason = "kernel/cmdline.txt' changed since the plan was made"
    case "catalog":
      // Another rig whose built-in catalog differs: this build's binary beside a copy of its resources, edited.
      binary = try copiedRig(into: scratch.path + "/rig-copy", editingCatalog: true)
      reason = "rig's built-in catalog changed since it was saved"
    default:
      // Another build of rig: the same program with another build ID (the one the plan names, one byte changed).
      binary = try copiedRig(into: scratch.path + "/rig-copy", editingCatalog: false)
      let build = try #require(try planJSON(file)["build"] as? String)
      let id = stride(from: 0, to: build.count, by: 2).compactMap { offset -> UInt8? in
        let start = build.index(build.startIndex, offsetBy: offset)
        return UInt8(build[start..<build.index(start, offsetBy: 2)], radix: 16)
      }
      var program = try #require(FileManager.default.contents(atPath: binary))
      let found = try #require(program.firstRange(of: Data(id)), "no build ID \(build) in rig")
      program[found.upperBound - 1] ^= 0xFF
      try program.write(to: URL(fileURLWithPath: binary))
      reason = "it was saved by another build of rig"
    }
    let before = try folderState(out)
    let refused = try run(binary, ["render", "--plan", file])
    #expect(refused.status == 1, "\(refused.stdout)")
    #expect(refused.stderr.contains("[stale-plan]"), "\(refused.stderr)")
    #expect(refused.stderr.contains(reason), "\(refused.stderr)")
    #expect(refused.stderr.contains("nothing was written"))
    #expect(try folderState(out) == before)
  }

  /// A plan file edited by hand, or that is not a plan, is refused before anything is compiled.
  @Test(arguments: ["hash", "folder", "not json", "missing"])
  func anEditedPlanIsRefused(_ edit: String) throws {
    let (scratch, project, out) = try scratch("tampered")
    let file = scratch.path + "/plan.json"
    #expect(try rigRun(["plan", project, "--out", out, "--save", file]).status == 0)
    let text = try String(contentsOfFile: file, encoding: .utf8)
    switch edit {
    case "hash":
      let hash = try #require(text.firstMatch(of: /"new_sha256": "([0-9a-f]{64})"/)?.1)
      try text.replacingOccurrences(of: hash, with: String(repeating: "0", count: 64)).write(
        toFile: file, atomically: true, encoding: .utf8)
    case "folder":
      try text.replacingOccurrences(of: "\"folder\": \"\(out)\"", with: "\"folder\": \"\(scratch.path)/elsewhere\"")
        .write(toFile: file, atomically: true, encoding: .utf8)
    case "not json":
      try "{ not a plan".write(toFile: file, atomically: true, encoding: .utf8)
    default:
      try FileManager.default.removeItem(atPath: file)
    }
    let refused = try rigRun(["render", "--plan", file])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("[bad-plan]"), "\(refused.stderr)")
    #expect(refused.stderr.contains("cannot use the plan '\(file)'"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(!FileManager.default.fileExists(atPath: scratch.path + "/elsewhere"))
  }

  @Test func planFlagsAreUsageErrors() throws {
    let (scratch, project, out) = try scratch("usage")
    let file = scratch.path + "/plan.json"
    for arguments in [
      ["plan", project, "--save", file], ["render", "--plan", file, "--out", out],
      ["render", project, "--plan", file], ["render", "--plan", file, "--target", "kernel"],
    ] {
      let result = try rigRun(arguments)
      #expect(result.status == 2, "\(arguments): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: file))
  }

  /// On a terminal (a pseudo-terminal here), a render that changes kernel parameters or removes files shows them
  /// and writes only after 'yes'; --yes does not ask.
  @Test func aTerminalRenderAsksFirst() throws {
    let (scratch, project, out) = try scratch("confirm")
    defer { withExtendedLifetime(scratch) {} }
    let driver = packageRoot + "/scripts/agent/terminal.py"
    let declined = try run(
      "/usr/bin/env", ["python3", driver, "--answer", "no", "--", try rigBinary(), "render", project, "--out", out])
    #expect(declined.status == 1, "\(declined.stdout)")
    #expect(declined.stdout.contains("changes kernel parameters"))
    #expect(declined.stdout.contains("+ kernel/cmdline.txt (kernel parameters)"))
    #expect(declined.stdout.contains("Render cancelled: nothing was written."))
    #expect(!FileManager.default.fileExists(atPath: out))

    let accepted = try run(
      "/usr/bin/env", ["python3", driver, "--answer", "yes", "--", try rigBinary(), "render", project, "--out", out])
    #expect(accepted.status == 0, "\(accepted.stdout)")
    #expect(accepted.stdout.contains("Rendered '\(out)'"))
    #expect(FileManager.default.fileExists(atPath: out + "/kernel/cmdline.txt"))

    // Removing files asks too: the kernel target dropped.
    try Self.project.replacingOccurrences(of: "  kernel: {}\n", with: "").write(
      toFile: project + "/rig.yaml", atomically: true, encoding: .utf8)
    let removal = try run(
      "/usr/bin/env", ["python3", driver, "--answer", "nope", "--", try rigBinary(), "render", project, "--out", out])
    #expect(removal.status == 1)
    #expect(removal.stdout.contains("- kernel/cmdline.txt (removed)"), "\(removal.stdout)")
    #expect(FileManager.default.fileExists(atPath: out + "/kernel/cmdline.txt"))

    // --yes does not ask, on a terminal or not.
    let yes = try run(
      "/usr/bin/env", ["python3", driver, "--", try rigBinary(), "render", project, "--out", out, "--yes"])
    #expect(yes.status == 0, "\(yes.stdout)")
    #expect(!yes.stdout.contains("Enter a value"))
    #expect(!FileManager.default.fileExists(atPath: out + "/kernel/cmdline.txt"))
  }
}

/// A copy of the rig under test in `folder`, beside a copy of its catalog's resource bundle (which Foundation finds
/// beside the executable first); with `editingCatalog`, one catalog file of the copy gets a comment more.
func copiedRig(into folder: String, editingCatalog: Bool) throws -> String {
  let binary = try rigBinary()
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  let copy = folder + "/rig"
  try FileManager.default.copyItem(atPath: binary, toPath: copy)
  let built = (binary as NSString).deletingLastPathComponent
  let bundles = try FileManager.default.contentsOfDirectory(atPath: built).filter { $0.hasSuffix(".resources") }
  for bundle in bundles { try copyTree(built + "/" + bundle, to: folder + "/" + bundle) }
  if editingCatalog {
    let data = try #require(bundles.first { $0.contains("RigCatalog") })
    let file = folder + "/" + data + "/data/upstream.yaml"
    let text = try String(contentsOfFile: file, encoding: .utf8)
    try (text + "\n# edited\n").write(toFile: file, atomically: true, encoding: .utf8)
  }
  return copy
}
