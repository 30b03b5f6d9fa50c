import Foundation
import RigCompiler
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `rig plan` and `rig render` against real folders, end to end with the built binary: what plan says about an
/// empty, up-to-date, hand-edited, stale and foreign folder, what render then does, exit codes, the JSON
/// against its schema, and renders killed in the middle.
@Suite struct WorkflowTests {
  // MARK: plan against folders

  @Test func planAgainstAnEmptyFolderAddsEveryFile() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    let result = try rig(["plan", "examples/workstation", "--out", out])
    #expect(result.status == 0, "\(result.stderr)")
    let files = try goldenFiles("workstation")
    #expect(
      result.stdout.contains("Files in '\(out)' (targets: ansible, kernel, kubernetes, nix, prometheus, systemd):\n"))
    for file in files { #expect(result.stdout.contains("\n  + \(file)\n"), "\(file)") }
    #expect(result.stdout.hasSuffix("\nPlan: \(files.count) to add, 0 to change, 0 to remove.\n"))
    #expect(try rig(["plan", "examples/workstation", "--out", out, "--detailed-exitcode"]).status == 2)
    #expect(!FileManager.default.fileExists(atPath: out), "plan wrote the folder")
    // Without --out: the same list, against nothing.
    let bare = try rig(["plan", "examples/workstation"])
    #expect(bare.stdout.contains("Files (no --out given: compared with an empty folder;"))
    #expect(bare.stdout.hasSuffix("\nPlan: \(files.count) to add, 0 to change, 0 to remove.\n"))
  }

  @Test func planAgainstAnUpToDateFolderHasNothingToDo() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    #expect(try rig(["render", "examples/workstation", "--out", out]).status == 0)
    let before = try folderState(out, inodes: true)
    let result = try rig(["plan", "examples/workstation", "--out", out, "--detailed-exitcode"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(
      result.stdout.hasSuffix(
        "  No changes: \(workstationFiles) files up to date.\n\nPlan: 0 to add, 0 to change, 0 to remove.\n"))
    let again = try rig(["render", "examples/workstation", "--out", out])
    #expect(again.status == 0)
    #expect(again.stdout.hasPrefix("'\(out)' is up to date"))
    // Not even rewritten: the same files, with the same inodes.
    #expect(try folderState(out, inodes: true) == before)
  }

  @Test func planShowsAHandEditedFileWithItsDiffAndRenderRestoresIt() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    #expect(try rig(["render", "examples/workstation", "--out", out]).status == 0)
    let file = out + "/kubernetes/namespace.yaml"
    let original = try String(contentsOfFile: file, encoding: .utf8)
    try (original + "# edited by hand\n").write(toFile: file, atomically: false, encoding: .utf8)
    let result = try rig(["plan", "examples/workstation", "--out", out, "--diff", "--detailed-exitcode"])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(
      result.stdout.contains(
        "\n  ~ kubernetes/namespace.yaml  (edited since rig wrote it)\n  \(workstationFiles - 1) files unchanged.\n"))
    #expect(result.stdout.contains("\n--- \(file)\n+++ \(file)\n@@ -"))
    #expect(result.stdout.contains("\n-# edited by hand\n"))
    #expect(result.stdout.hasSuffix("\nPlan: 0 to add, 1 to change, 0 to remove.\n"))
    let render = try rig(["render", "examples/workstation", "--out", out])
    #expect(
      render.stdout.hasSuffix("Rendered '\(out)': 0 added, 1 changed, 0 removed, \(workstationFiles - 1) unchanged.\n"))
    #expect(try String(contentsOfFile: file, encoding: .utf8) == original)
  }

  /// Files rig wrote and no longer makes are removed, with the folders only they filled; files rig does not own
  /// stay, with their folders.
  @Test func staleFilesAreRemovedAndForeignOnesStay() throws {
    let scratch = try Scratch()
    let project = try scratch.project("llm-server")
    let out = scratch.path + "/out"
    #expect(try rig(["render", project, "--out", out]).status == 0)
    try "mine\n".write(toFile: out + "/systemd/notes.txt", atomically: false, encoding: .utf8)
    let notes = try inode(out + "/systemd/notes.txt")
    try scratch.edit("llm-server") { $0.replacingOccurrences(of: "  prometheus: {}\n", with: "") }
    try scratch.edit("llm-server") { $0.replacingOccurrences(of: "  systemd: {}\n", with: "") }
    let plan = try rig(["plan", project, "--out", out, "--format", "json"])
    let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
    let output = try #require(document["output"] as? [String: Any])
    let files = try #require(output["files"] as? [[String: Any]])
    let removed = files.filter { $0["action"] as? String == "delete" }.compactMap { $0["path"] as? String }
    // Stale: what the project made before and does not make now (a render of it into a new folder).
    #expect(try rig(["render", project, "--out", scratch.path + "/fresh"]).status == 0)
    let now = Set(try folderState(scratch.path + "/fresh", inodes: true).keys)
    let stale = try goldenFiles("llm-server").filter { !now.contains($0) }
    #expect(stale.contains("prometheus/rules.yml") && stale.contains("systemd/rig-ollama.slice"))
    #expect(removed == stale)
    #expect(output["unowned"] as? [String] == ["systemd/notes.txt"])
    let text = try rig(["plan", project, "--out", out])
    for path in stale { #expect(text.stdout.contains("\n  - \(path)\n")) }
    #expect(text.stdout.contains("\n  1 file rig does not own, left as it is.\n"))
    #expect(try rig(["render", project, "--out", out]).status == 0)
    #expect(!FileManager.default.fileExists(atPath: out + "/prometheus"), "a folder of rig's files only stays")
    #expect(try inode(out + "/systemd/notes.txt") == notes)
    #expect(try folderState(out + "/systemd", inodes: true).keys.sorted() == ["notes.txt"])
    #expect(try rig(["plan", project, "--out", out, "--detailed-exitcode"]).status == 0)
  }

  /// A file rig would overwrite but does not own stops plan and render with an error, and nothing changes.
  @Test func aFileRigDoesNotOwnIsNeverOverwritten() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    try FileManager.default.createDirectory(atPath: out + "/kubernetes", withIntermediateDirectories: true)
    try "mine\n".write(toFile: out + "/kubernetes/namespace.yaml", atomically: false, encoding: .utf8)
    try "notes\n".write(toFile: out + "/README.md", atomically: false, encoding: .utf8)
    let before = try folderState(out, inodes: true)
    // A folder without a manifest is refused as a whole unless adopted; adopted, each file in rig's way still is.
    let plan = try rig([
      "plan", "--color", "never", "examples/workstation", "--out", out, "--detailed-exitcode", "--adopt",
    ])
    #expect(plan.status == 1)
    #expect(plan.stdout == "")
    #expect(
      plan.stderr == """
        error: '\(out)/kubernetes/namespace.yaml' is a file that rig does not own [file-not-owned]
        help: rig writes this path and never overwrites what it does not own; move it away, then render again \
        (rig owns only the files listed in '\(out)/.rig-manifest.json')

        1 error

        """)
    let render = try rig(["render", "--color", "never", "examples/workstation", "--out", out, "--adopt"])
    #expect(render.status == 1)
    #expect(render.stderr == plan.stderr)
    #expect(try folderState(out, inodes: true) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["out"])
  }

  /// A folder with files of its own and no manifest, adopted (`--adopt`): render adds rig's files beside them and
  /// keeps them as they are (same inode, same bytes).
  @Test func foreignFilesBesideRigsAreKept() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    try FileManager.default.createDirectory(atPath: out + "/.git/objects", withIntermediateDirectories: true)
    try "ref: refs/heads/main\n".write(toFile: out + "/.git/HEAD", atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: out + "/latest", withDestinationPath: "kubernetes")
    try FileManager.default.createDirectory(atPath: out + "/docs", withIntermediateDirectories: true)
    try "read me\n".write(toFile: out + "/docs/a.md", atomically: false, encoding: .utf8)
    #expect(chmod(out + "/docs", 0o555) == 0)
    let head = try inode(out + "/.git/HEAD")
    let plan = try rig(["plan", "examples/workstation", "--out", out, "--adopt"])
    #expect(plan.stdout.contains("\n  3 files rig does not own, left as they are.\n"))
    #expect(try rig(["render", "examples/workstation", "--out", out, "--adopt"]).status == 0)
    #expect(try inode(out + "/.git/HEAD") == head)
    #expect(FileManager.default.fileExists(atPath: out + "/.git/objects"), "an empty folder of one's own stays")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/latest") == "kubernetes")
    let docs = try FileManager.default.attributesOfItem(atPath: out + "/docs")[.posixPermissions] as? Int
    #expect(docs == 0o555, "a folder of one's own keeps its mode")
    #expect(try String(contentsOfFile: out + "/docs/a.md", encoding: .utf8) == "read me\n")
    #expect(try rig(["plan", "examples/workstation", "--out", out, "--detailed-exitcode"]).status == 0)
  }

  // MARK: renders killed in the middle

  /// Killed after the new folder is built, the old folder is untouched; killed after the swap, the new one is
  /// whole; the next render clears what was left beside it.
  @Test(arguments: ["staged", "swapped"])
  func aKilledRenderLeavesAWholeFolder(phase: String) throws {
    let scratch = try Scratch()
    let project = try scratch.project("workstation")
    let out = scratch.path + "/out"
    #expect(try rig(["render", project, "--out", out]).status == 0)
    let old = try folderState(out, inodes: true)
    try scratch.edit("workstation") { $0.replacingOccurrences(of: "namespace: ai }", with: "namespace: ml }") }
    let fresh = scratch.path + "/fresh"
    #expect(try rig(["render", project, "--out", fresh]).status == 0)
    let new = try folderState(fresh)
    #expect(try folderState(out) != new)
    try killed(["render", project, "--out", out], pausingAt: phase)
    if phase == "staged" {
      #expect(try folderState(out, inodes: true) == old, "the old folder changed")
    } else {
      #expect(try folderState(out) == new, "the new folder is not whole")
    }
    #expect(FileManager.default.fileExists(atPath: scratch.path + "/.out.rig-staging"))
    #expect(try rig(["render", project, "--out", out]).status == 0)
    #expect(try folderState(out) == new)
    #expect(!FileManager.default.fileExists(atPath: scratch.path + "/.out.rig-staging"))
  }

  /// Renders of two projects killed at random moments: the folder is always one of the two, whole.
  @Test func randomlyKilledRendersNeverMixTwoFolders() throws {
    let scratch = try Scratch()
    let first = try scratch.project("workstation")
    let out = scratch.path + "/out"
    let clock = ContinuousClock()
    let started = clock.now
    #expect(try rig(["render", first, "--out", out]).status == 0)
    // Kills spread over a little more than one render's time, so that some land after the swap.
    let renderTime = (clock.now - started).components
    let span = UInt32(
      min(2_000_000, max(100_000, renderTime.seconds * 1_300_000 + renderTime.attoseconds / 769_230_769_231)))
    let a = try folderState(out)
    let second = scratch.path + "/second"
    try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
    try String(contentsOfFile: first + "/rig.yaml", encoding: .utf8)
      .replacingOccurrences(of: "namespace: ai }", with: "namespace: ml }")
      .write(toFile: second + "/rig.yaml", atomically: true, encoding: .utf8)
    #expect(try rig(["render", second, "--out", scratch.path + "/b"]).status == 0)
    let b = try folderState(scratch.path + "/b")
    var generator = SystemRandomNumberGenerator()
    for round in 0..<16 {
      let process = try start(["render", round % 2 == 0 ? second : first, "--out", out])
      usleep(UInt32.random(in: 0...span, using: &generator))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      let now = try folderState(out)
      #expect(now == a || now == b, "round \(round): a mixed folder")
    }
  }

  /// Files someone writes into the folder while a render runs are not lost: they move into the new folder.
  @Test func filesWrittenDuringARenderAreKept() throws {
    let scratch = try Scratch()
    let project = try scratch.project("workstation")
    let out = scratch.path + "/out"
    #expect(try rig(["render", project, "--out", out]).status == 0)
    try scratch.edit("workstation") { $0.replacingOccurrences(of: "namespace: ai }", with: "namespace: ml }") }
    let process = try paused(["render", project, "--out", out], at: "staged")
    try "late\n".write(toFile: out + "/late.txt", atomically: false, encoding: .utf8)
    try "mine\n".write(toFile: out + "/kubernetes/late.yaml", atomically: false, encoding: .utf8)
    kill(process.processIdentifier, SIGCONT)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    #expect(try String(contentsOfFile: out + "/late.txt", encoding: .utf8) == "late\n")
    #expect(try String(contentsOfFile: out + "/kubernetes/late.yaml", encoding: .utf8) == "mine\n")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == [
        ".out.rig-lock", "out", "workstation",
      ])
    #expect(try rig(["plan", project, "--out", out, "--detailed-exitcode"]).status == 0)
  }

  /// A folder at the staging place that rig did not make is never removed: render refuses.
  @Test func aFolderInRigsStagingPlaceIsNotRemoved() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    try FileManager.default.createDirectory(
      atPath: scratch.path + "/.out.rig-staging", withIntermediateDirectories: true)
    try "precious\n".write(toFile: scratch.path + "/.out.rig-staging/data.txt", atomically: false, encoding: .utf8)
    let render = try rig(["render", "--color", "never", "examples/workstation", "--out", out])
    #expect(render.status == 1)
    #expect(render.stderr.contains("rig did not make it; move it away, then render again [write-failed]"))
    #expect(try String(contentsOfFile: scratch.path + "/.out.rig-staging/data.txt", encoding: .utf8) == "precious\n")
  }

  /// A manifest rig did not write (an entry outside its target, a path of one's own) or another project's is
  /// refused, and nothing is touched.
  @Test func aForeignOrForgedManifestIsRefused() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    #expect(try rig(["render", "examples/workstation", "--out", out]).status == 0)
    let before = try folderState(out, inodes: true)
    let other = try rig(["render", "--color", "never", "examples/llm-server", "--out", out])
    #expect(other.status == 1)
    #expect(
      other.stderr.hasPrefix(
        "error: '\(out)' holds the artifacts of another project, 'ai-workstation' [bad-manifest]\n"))
    #expect(try folderState(out, inodes: true) == before)
    try "notes\n".write(toFile: out + "/README.md", atomically: false, encoding: .utf8)
    let manifest = out + "/.rig-manifest.json"
    let text = try String(contentsOfFile: manifest, encoding: .utf8)
    let forged = text.replacingOccurrences(
      of: "  \"files\": [\n",
      with:
        "  \"files\": [\n    {\"path\": \"README.md\", \"target\": \"kubernetes\", \"sha256\": \"\(String(repeating: "0", count: 64))\"},\n"
    )
    #expect(forged != text)
    try forged.write(toFile: manifest, atomically: false, encoding: .utf8)
    let render = try rig(["render", "--color", "never", "examples/workstation", "--out", out])
    #expect(render.status == 1)
    #expect(render.stderr.contains("which rig never writes [bad-manifest]"))
    #expect(try String(contentsOfFile: out + "/README.md", encoding: .utf8) == "notes\n")
  }

  /// A special file in the folder stops plan as well as render: rig could not carry it into the new folder.
  @Test func aSpecialFileStopsThePlan() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    #expect(mkfifo(out + "/pipe", 0o644) == 0)
    let plan = try rig(["plan", "--color", "never", "examples/workstation", "--out", out, "--adopt"])
    #expect(plan.status == 1)
    #expect(
      plan.stderr.hasPrefix(
        "error: '\(out)/pipe' is a special file or a mount point that rig does not own [file-not-owned]\n"))
    #expect(try rig(["render", "examples/workstation", "--out", out, "--adopt"]).status == 1)
    #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["pipe"])
  }

  // MARK: targets, determinism, odd folders

  @Test func targetLimitsTheRenderToItsFiles() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    let only = try rig(["render", "examples/workstation", "--out", out, "--target", "kubernetes"])
    #expect(only.status == 0, "\(only.stderr)")
    let kubernetes = try goldenFiles("workstation").filter { $0.hasPrefix("kubernetes/") }
    #expect(
      try folderState(out, inodes: true).keys.filter { !$0.hasSuffix("/") }.sorted() == [".rig-manifest.json"]
        + kubernetes)
    // The other targets come later, and kubernetes' files are not touched.
    let plan = try rig(["plan", "examples/workstation", "--out", out, "--format", "json"])
    let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
    let files = try #require((document["output"] as? [String: Any])?["files"] as? [[String: Any]])
    for file in files {
      let path = try #require(file["path"] as? String)
      #expect(file["action"] as? String == (path.hasPrefix("kubernetes/") ? "unchanged" : "create"), "\(path)")
    }
    // Rendering one target never removes another's files.
    #expect(try rig(["render", "examples/workstation", "--out", out]).status == 0)
    #expect(try rig(["render", "examples/workstation", "--out", out, "--target", "nix"]).status == 0)
    #expect(try rig(["plan", "examples/workstation", "--out", out, "--detailed-exitcode"]).status == 0)
    let disabled = try rig(["render", "--color", "never", "examples/minimal", "--out", out, "--target", "kernel"])
    #expect(disabled.status == 1)
    #expect(disabled.stderr.hasPrefix("error: target 'kernel' is not enabled in 'targets:' [target-not-enabled]\n"))
  }

  /// The same project written in another order renders the same bytes, manifest included.
  @Test func theFolderIsTheSameForAnyOrderOfTheInput() throws {
    let scratch = try Scratch()
    let project = try scratch.project("workstation")
    try scratch.edit("workstation", reversingStack)
    #expect(try rig(["render", "examples/workstation", "--out", scratch.path + "/a"]).status == 0)
    #expect(try rig(["render", project, "--out", scratch.path + "/b"]).status == 0)
    let a = try folderState(scratch.path + "/a")
    #expect(a == (try folderState(scratch.path + "/b")))
    #expect(a.count > 40)
  }

  @Test func aLinkedFolderIsRenderedThroughAndStaysALink() throws {
    let scratch = try Scratch()
    try FileManager.default.createDirectory(atPath: scratch.path + "/real", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: scratch.path + "/out", withDestinationPath: "real")
    #expect(try rig(["render", "examples/workstation", "--out", scratch.path + "/out"]).status == 0)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path + "/out") == "real")
    #expect(FileManager.default.fileExists(atPath: scratch.path + "/real/.rig-manifest.json"))
  }

  @Test func aFolderHoldingTheProjectIsRefused() throws {
    let scratch = try Scratch()
    let project = try scratch.project("minimal")
    let before = try folderState(project, inodes: true)
    let result = try run(try rigBinary(), ["render", "--color", "never", "--out", "."], in: project)
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix(
        "error: the output folder '.' holds the project file 'rig.yaml' [bad-output-folder]\nhelp: render into a "))
    #expect(try folderState(project, inodes: true) == before)
  }

  // MARK: exit codes and JSON

  /// Every command's exit status for a valid project, a broken one, an unresolvable one and a cycle.
  @Test func exitCodes() throws {
    let scratch = try Scratch()
    let broken = scratch.path + "/broken"
    try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
    try "apiVersion: rig/v1\nname: t\nhardware: {}\n".write(
      toFile: broken + "/rig.yaml", atomically: true, encoding: .utf8)
    let cycle = try scratch.project("minimal")
    try scratch.edit("minimal") {
      $0 + """
        components:
          a:
            versions: { "1.0": { requires: [b] } }
          b:
            versions: { "1.0": { requires: [a] } }

        """
    }
    try scratch.edit("minimal") { $0.replacingOccurrences(of: "stack:\n", with: "stack:\n  - a\n") }
    #expect(try rig(["check", cycle]).stderr.contains("[dependency-cycle]"))
    let out = scratch.path + "/out"
    let cases: [([String], Int32)] = [
      (["check", "examples/workstation"], 0), (["check", broken], 1), (["check", cycle], 1),
      (["check", "examples/workstation", "examples/minimal"], 0), (["check", "examples/minimal", broken], 1),
      (["plan", "examples/workstation"], 0), (["plan", broken], 1), (["plan", cycle], 1),
      (["plan", "examples/workstation", "--out", out, "--detailed-exitcode"], 2),
      (["plan", broken, "--out", out, "--detailed-exitcode"], 1),
      (["render", broken, "--out", out], 1), (["render", cycle, "--out", out], 1),
      (["render", "examples/workstation", "--out", out], 0),
      (["plan", "examples/workstation", "--out", out, "--detailed-exitcode"], 0),
      (["render", "examples/workstation", "--out", out], 0),
      (["graph", "examples/workstation"], 0), (["graph", "examples/workstation", "--format", "mermaid"], 0),
      (["graph", broken], 1), (["graph", cycle], 1), (["schema"], 0),
      (["render", "examples/workstation"], 2), (["plan", "--detailed-exitcode", "--bogus"], 2),
      (["plan", "examples/workstation", "--detailed-exitcode"], 2),
      (["render", "examples/workstation", "--out", ""], 2),
    ]
    for (arguments, status) in cases {
      let result = try rig(arguments)
      #expect(result.status == status, "rig \(arguments.joined(separator: " ")): \(result.stderr)")
    }
    // A graph with a cycle is still printed, cycle in red.
    let graph = try rig(["graph", cycle])
    #expect(graph.stdout.contains("\ndigraph rig {\n"))
    #expect(graph.stdout.contains("red"))
  }

  /// The JSON of plan, render and check in every case validates against `schemas/plan.schema.json`, which is
  /// strict enough to refuse a document with an unknown action; hashes are the files' SHA-256.
  @Test func jsonFollowsTheCommittedSchema() throws {
    let scratch = try Scratch()
    let out = scratch.path + "/out"
    var documents: [String: String] = [:]
    documents["plan-empty"] = try rig(["plan", "examples/workstation", "--out", out, "--format", "json"]).stdout
    documents["plan-bare"] = try rig(["plan", "examples/llm-server", "--format", "json"]).stdout
    documents["render"] = try rig(["render", "examples/workstation", "--out", out, "--format", "json"]).stdout
    documents["render-again"] = try rig(["render", "examples/workstation", "--out", out, "--format", "json"]).stdout
    try "# edit\n".write(toFile: out + "/nix/rig.nix", atomically: false, encoding: .utf8)
    try "mine\n".write(toFile: out + "/kernel/extra.txt", atomically: false, encoding: .utf8)
    let edited = try rig(["plan", "examples/workstation", "--out", out, "--format", "json", "--diff"])
    documents["plan-edited"] = edited.stdout
    documents["check"] = try rig(["check", "examples/workstation", "--format", "json"]).stdout
    documents["plan-saved"] = try rig([
      "plan", "examples/workstation", "--out", out, "--format", "json", "--save", scratch.path + "/saved.json",
    ]).stdout
    #expect(documents["plan-saved"]?.contains("\"saved_plan\"") == true)
    let foreign = scratch.path + "/foreign"
    try FileManager.default.createDirectory(atPath: foreign + "/nix", withIntermediateDirectories: true)
    try "x\n".write(toFile: foreign + "/nix/rig.nix", atomically: false, encoding: .utf8)
    let conflict = try rig(["plan", "examples/workstation", "--out", foreign, "--format", "json", "--adopt"])
    #expect(conflict.status == 1)
    documents["plan-conflict"] = conflict.stdout
    documents["render-conflict"] = try rig([
      "render", "examples/workstation", "--out", foreign, "--format", "json", "--adopt",
    ]).stdout
    // Not adopted: the folder as a whole is refused.
    documents["plan-foreign"] = try rig(["plan", "examples/workstation", "--out", foreign, "--format", "json"]).stdout
    let unresolvable = try scratch.project("minimal")
    try scratch.edit("minimal") { $0.replacingOccurrences(of: "stack:\n", with: "stack:\n  - ollama >= 99\n") }
    documents["plan-unresolvable"] = try rig(["plan", unresolvable, "--format", "json"]).stdout
    var paths: [String] = []
    for (name, text) in documents.sorted(by: { $0.key < $1.key }) {
      let path = scratch.path + "/\(name).json"
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      paths.append(path)
    }
    let schema = packageRoot + "/schemas/plan.schema.json"
    let checked = try run(try validator("check-jsonschema"), ["--schemafile", schema] + paths)
    #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")

    // The edited file: its old hash is the bytes on disk now, its diff is there.
    let document = try #require(try JSONSerialization.jsonObject(with: Data(edited.stdout.utf8)) as? [String: Any])
    let files = try #require((document["output"] as? [String: Any])?["files"] as? [[String: Any]])
    let nix = try #require(files.first { $0["path"] as? String == "nix/rig.nix" })
    #expect(nix["action"] as? String == "update")
    #expect(nix["drifted"] as? Bool == true)
    let sum = try run("/usr/bin/sha256sum", [out + "/nix/rig.nix"])
    #expect(sum.stdout.hasPrefix((nix["old_sha256"] as? String ?? "?") + " "))
    #expect((nix["diff"] as? String)?.hasPrefix("--- \(out)/nix/rig.nix\n") == true)
    let golden = try run("/usr/bin/sha256sum", [Golden.root + "/workstation/nix/rig.nix"])
    #expect(golden.stdout.hasPrefix((nix["new_sha256"] as? String ?? "?") + " "))

    // The schema refuses what it does not describe.
    let broken = edited.stdout.replacingOccurrences(of: "\"action\": \"update\"", with: "\"action\": \"explode\"")
    #expect(broken != edited.stdout)
    try broken.write(toFile: scratch.path + "/broken.json", atomically: true, encoding: .utf8)
    let refused = try run(try validator("check-jsonschema"), ["--schemafile", schema, scratch.path + "/broken.json"])
    #expect(refused.status != 0)
  }

  @Test func checkTakesSeveralPaths() throws {
    let result = try rig(["check", "examples/workstation", "examples/minimal"])
    #expect(result.status == 0)
    #expect(result.stdout == "examples/workstation/rig.yaml: ok\nexamples/minimal/rig.yaml: ok\n")
    let json = try rig(["check", "--format", "json", "examples/workstation", "examples/minimal"])
    let documents = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    #expect(
      documents.compactMap { $0["file"] as? String } == ["examples/workstation/rig.yaml", "examples/minimal/rig.yaml"])
  }
}

// MARK: helpers

/// Runs the built rig in the package root.
private func rig(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
  try run(try rigBinary(), arguments, environment: environment)
}

/// Starts the built rig without waiting for it.
private func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: try rigBinary())
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  return process
}

/// Runs rig with `RIG_RENDER_PAUSE=phase`, waits until it says it paused there, and kills it.
private func killed(_ arguments: [String], pausingAt phase: String) throws {
  let process = try paused(arguments, at: phase)
  kill(process.processIdentifier, SIGKILL)
  process.waitUntilExit()
  #expect(process.terminationReason == .uncaughtSignal)
}

/// Starts rig with `RIG_RENDER_PAUSE=phase` and returns once it has stopped itself there.
private func paused(_ arguments: [String], at phase: String) throws -> Process {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: try rigBinary())
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
  process.environment = ProcessInfo.processInfo.environment.merging(["RIG_RENDER_PAUSE": phase]) { $1 }
  let err = Pipe()
  process.standardError = err
  process.standardOutput = FileHandle.nullDevice
  try process.run()
  var said = ""
  while !said.contains("paused at '\(phase)'") {
    let data = err.fileHandleForReading.availableData
    if data.isEmpty { break }
    said += String(decoding: data, as: UTF8.self)
  }
  #expect(said == "rig: paused at '\(phase)'\n")
  // The line comes just before the stop: wait until the process is stopped (state T in /proc).
  for _ in 0..<500 {
    let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
    if status.split(separator: ")").last?.split(separator: " ").first == "T" { break }
    usleep(10_000)
  }
  return process
}

/// A temporary folder, removed when the value goes away.
private final class Scratch {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("rig-workflow-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// A copy of `examples/NAME` in the scratch folder; returns its path.
  func project(_ name: String) throws -> String {
    let copy = path + "/" + name
    try FileManager.default.copyItem(atPath: packageRoot + "/examples/" + name, toPath: copy)
    return copy
  }

  /// Rewrites the copied project's rig.yaml.
  func edit(_ name: String, _ change: (String) -> String) throws {
    let file = path + "/" + name + "/rig.yaml"
    let text = try String(contentsOfFile: file, encoding: .utf8)
    let changed = change(text)
    #expect(changed != text, "the edit changed nothing")
    try changed.write(toFile: file, atomically: true, encoding: .utf8)
  }
}

private func inode(_ path: String) throws -> UInt64 {
  try #require(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
}

/// The files of `golden/EXAMPLE/`, sorted.
private func goldenFiles(_ example: String) throws -> [String] {
  Golden.files(under: Golden.root + "/" + example)
}
