import Foundation
import Testing

/// The files other tools read: `.pre-commit-hooks.yaml` for the pre-commit framework and the example CI
/// pipelines in `examples/ci`. Each is checked by the tool that consumes it, and its commands are run.
@Suite struct IntegrationTests {
  /// The hooks manifest at the package root.
  static let manifest = packageRoot + "/.pre-commit-hooks.yaml"

  /// pre-commit accepts the manifest, and rejects a copy with an unknown language.
  @Test func hooksManifestIsValid() throws {
    let preCommit = try validator("pre-commit")
    let valid = try run(preCommit, ["validate-manifest", Self.manifest])
    #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")

    // The same manifest with a language pre-commit does not know must fail: the check really checks.
    let text = try String(contentsOfFile: Self.manifest, encoding: .utf8)
    #expect(text.contains("language: swift\n"))
    let folder = try temporaryFolder("rig-manifest")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let broken = folder + "/.pre-commit-hooks.yaml"
    try text.replacingOccurrences(of: "language: swift\n", with: "language: swiftly\n").write(
      toFile: broken, atomically: true, encoding: .utf8)
    let invalid = try run(preCommit, ["validate-manifest", broken])
    #expect(invalid.status == 1)
    #expect("\(invalid.stdout)\(invalid.stderr)".contains("swiftly"))
  }

  /// Both hooks are built by pre-commit's Swift support and run the `rig` executable; `rig-check` gets the
  /// rig.yaml files, `rig-plan` runs on every commit without file names.
  @Test func hooksRunRigOnTheRightFiles() throws {
    let candidates = [
      "rig.yaml", "examples/minimal/rig.yaml", "deploy/rig.yml", "rig.yaml.orig", "notrig.yaml", "rig.json",
      "docs/rig.yaml.md",
    ]
    let hooks = try preCommitHooks(candidates: candidates)
    #expect(hooks.map(\.id) == ["rig-check", "rig-plan"])
    #expect(hooks.allSatisfy { $0.language == "swift" && $0.command.first == "rig" })
    let check = try #require(hooks.first { $0.id == "rig-check" })
    #expect(check.command == ["rig", "check"])
    #expect(check.passFilenames && !check.alwaysRun)
    #expect(check.matches == ["rig.yaml", "examples/minimal/rig.yaml", "deploy/rig.yml"])
    let plan = try #require(hooks.first { $0.id == "rig-plan" })
    #expect(plan.command == ["rig", "plan", "--diff", "--detailed-exitcode"])
    #expect(!plan.passFilenames && plan.alwaysRun)
  }

  /// The `rig-check` hook's command line, as pre-commit runs it with the files it matched.
  @Test func checkHookAcceptsValidFilesAndRejectsBrokenOnes() throws {
    let hook = try #require(try preCommitHooks().first { $0.id == "rig-check" })
    let command = try hookCommand(hook)
    let examples = ["examples/workstation/rig.yaml", "examples/minimal/rig.yaml"]
    let valid = try run(command[0], Array(command.dropFirst()) + examples)
    #expect(valid.status == 0, "\(valid.stderr)")

    let folder = try temporaryFolder("rig-hook")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let broken = folder + "/rig.yaml"
    try "apiVersion: rig/v1\nname: Not_A_Label\n".write(toFile: broken, atomically: true, encoding: .utf8)
    let invalid = try run(command[0], Array(command.dropFirst()) + [broken])
    #expect(invalid.status == 1)
    #expect(invalid.stderr.contains("[missing-key]"))
    // One broken file among valid ones fails the whole run.
    let mixed = try run(command[0], Array(command.dropFirst()) + examples + [broken])
    #expect(mixed.status == 1)
  }

  /// The `rig-plan` hook, with the `args` its documentation shows: it passes only when the folder holds
  /// exactly what `rig render` writes.
  @Test func planHookFailsUntilTheArtifactsAreRendered() throws {
    let hook = try #require(try preCommitHooks().first { $0.id == "rig-plan" })
    let command = try hookCommand(hook)
    let folder = try temporaryFolder("rig-plan-hook")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let arguments = Array(command.dropFirst()) + ["examples/minimal", "--out", folder]

    let empty = try run(command[0], arguments)
    #expect(empty.status == 2, "\(empty.stderr)")
    #expect(empty.stdout.contains(" to add, 0 to change, 0 to remove."))
    let render = try run(try rigBinary(), ["render", "examples/minimal", "--out", folder])
    #expect(render.status == 0, "\(render.stderr)")
    let current = try run(command[0], arguments)
    #expect(current.status == 0, "\(current.stdout)\(current.stderr)")
    #expect(current.stdout.hasSuffix("Plan: 0 to add, 0 to change, 0 to remove.\n"))
  }

  /// The example pipelines, each with its builtin schema and an edit that breaks it: GitHub's jobs need
  /// `runs-on`, GitLab's have no key `scripts`.
  static let pipelines = [
    Pipeline(
      file: "github-actions.yml", schema: "vendor.github-workflows", line: "    runs-on: ubuntu-latest\n",
      brokenLine: ""),
    Pipeline(file: "gitlab-ci.yml", schema: "vendor.gitlab-ci", line: "  script:\n", brokenLine: "  scripts:\n"),
  ]

  /// Each example pipeline against its builtin schema (vendored in check-jsonschema: nothing is downloaded), and
  /// a copy broken in one place, which must fail.
  @Test(arguments: pipelines) func pipelineMatchesItsSchema(_ pipeline: Pipeline) throws {
    let checker = try validator("check-jsonschema")
    let path = packageRoot + "/examples/ci/" + pipeline.file
    let valid = try run(checker, ["--builtin-schema", pipeline.schema, path])
    #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")

    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.contains(pipeline.line))
    let folder = try temporaryFolder("rig-ci")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let broken = folder + "/" + pipeline.file
    try text.replacingOccurrences(of: pipeline.line, with: pipeline.brokenLine).write(
      toFile: broken, atomically: true, encoding: .utf8)
    let invalid = try run(checker, ["--builtin-schema", pipeline.schema, broken])
    #expect(invalid.status == 1)
    #expect(invalid.stdout.contains("Schema validation errors"), "\(invalid.stdout)\(invalid.stderr)")
  }

  /// The rig steps of the GitHub Actions example, run as the runner runs them (`bash -eo pipefail`) in a
  /// repository holding the workstation example: plan reports changes without failing, render writes, and with
  /// `RIG_REQUIRE_UP_TO_DATE` a stale folder fails the plan step.
  @Test func githubWorkflowStepsRun() throws {
    let workflow = try yamlAsJSON(packageRoot + "/examples/ci/github-actions.yml")
    let steps = try #require(workflow["jobs"]?["rig"]?["steps"]?.array)
    func script(_ name: String) throws -> String {
      try #require(steps.first { $0["name"]?.string == name }?["run"]?.string, "no step '\(name)'")
    }
    let environment = try #require(workflow["env"]?.object).compactMapValues(\.string)
    let workspace = try ciWorkspace()
    defer { try? FileManager.default.removeItem(atPath: workspace) }
    let summary = workspace + "/.summary.md"
    var variables = environment.merging([
      "GITHUB_STEP_SUMMARY": summary, "RUNNER_TEMP": workspace + "/.runner-temp",
      "PATH": try binaryFolderFirstOnPath(),
    ]) { $1 }
    try FileManager.default.createDirectory(atPath: workspace + "/.runner-temp", withIntermediateDirectories: true)
    func step(_ name: String) throws -> ProcessResult {
      try run(
        "/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", try script(name)], in: workspace,
        environment: variables)
    }

    #expect(try step("rig check").status == 0)
    let firstPlan = try step("rig plan")
    #expect(firstPlan.status == 0, "\(firstPlan.stdout)\(firstPlan.stderr)")
    #expect(firstPlan.stdout.contains("::notice::"))
    #expect(try String(contentsOfFile: summary, encoding: .utf8).contains(" to add, "))
    let render = try step("rig render")
    #expect(render.status == 0, "\(render.stderr)")
    let artifacts = workspace + "/" + (try #require(environment["RIG_OUT"]))
    #expect(!(try FileManager.default.contentsOfDirectory(atPath: artifacts)).isEmpty)

    variables["RIG_REQUIRE_UP_TO_DATE"] = "true"
    let upToDate = try step("rig plan")
    #expect(upToDate.status == 0, "\(upToDate.stdout)\(upToDate.stderr)")
    try editOneFile(in: artifacts)
    let stale = try step("rig plan")
    #expect(stale.status == 1)
    #expect(stale.stdout.contains("::error::"))
  }

  /// The GitLab example's whole script, run as one shell in a repository holding the workstation example, with
  /// the cached binary already in place so no build happens.
  @Test func gitlabScriptRuns() throws {
    let pipeline = try yamlAsJSON(packageRoot + "/examples/ci/gitlab-ci.yml")
    let script = try #require(pipeline["rig"]?["script"]?.array).compactMap(\.string)
    #expect(script.count > 3)
    let variables = try #require(pipeline["variables"]?.object).compactMapValues(\.string)
    let workspace = try ciWorkspace()
    defer { try? FileManager.default.removeItem(atPath: workspace) }
    try FileManager.default.createDirectory(atPath: workspace + "/.rig-bin", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: workspace + "/.rig-bin/rig", withDestinationPath: try rigBinary())
    let result = try run(
      "/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script.joined(separator: "\n")], in: workspace,
      environment: variables)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("rig render would change"))
    let artifacts = workspace + "/" + (try #require(variables["RIG_OUT"]))
    #expect(!(try FileManager.default.contentsOfDirectory(atPath: artifacts)).isEmpty)
  }

  /// What a user of the hooks gets: pre-commit builds this package with SwiftPM in release mode (about two
  /// minutes) and runs both hooks from a consumer repository. The hook repository is a commit of this
  /// checkout's working tree, uncommitted and new files included.
  @Test(.timeLimit(.minutes(20))) func preCommitBuildsAndRunsTheHooks() throws {
    let preCommit = try validator("pre-commit")
    let folder = try temporaryFolder("rig-pre-commit")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let hookRepository = folder + "/rig"
    let revision = try commitWorkingTree(to: hookRepository)

    let consumer = folder + "/consumer"
    try FileManager.default.createDirectory(atPath: consumer + "/broken", withIntermediateDirectories: true)
    for name in ["workstation", "minimal"] {
      try FileManager.default.createDirectory(atPath: consumer + "/" + name, withIntermediateDirectories: true)
      try FileManager.default.copyItem(
        atPath: packageRoot + "/examples/\(name)/rig.yaml", toPath: consumer + "/\(name)/rig.yaml")
    }
    try "apiVersion: rig/v1\nname: Not_A_Label\n".write(
      toFile: consumer + "/broken/rig.yaml", atomically: true, encoding: .utf8)
    try """
    repos:
      - repo: \(hookRepository)
        rev: \(revision)
        hooks:
          - id: rig-check
          - id: rig-plan
            args: [minimal, --out, minimal/artifacts]

    """.write(toFile: consumer + "/.pre-commit-config.yaml", atomically: true, encoding: .utf8)
    let render = try run(try rigBinary(), ["render", "minimal", "--out", "minimal/artifacts"], in: consumer)
    #expect(render.status == 0, "\(render.stderr)")
    try git(["init", "-q"], in: consumer)
    try git(["add", "."], in: consumer)
    try git(["commit", "-q", "-m", "consumer"], in: consumer)

    let environment = ["PRE_COMMIT_HOME": folder + "/cache"]
    func preCommitRun(_ hook: String, _ files: [String]) throws -> ProcessResult {
      try run(preCommit, ["run", "--color", "never", hook, "--files"] + files, in: consumer, environment: environment)
    }
    let valid = try preCommitRun("rig-check", ["workstation/rig.yaml", "minimal/rig.yaml"])
    #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
    let invalid = try preCommitRun("rig-check", ["minimal/rig.yaml", "broken/rig.yaml"])
    #expect(invalid.status == 1)
    #expect(invalid.stdout.contains("[missing-key]"), "\(invalid.stdout)")
    // Only rig.yaml files are checked.
    let unrelated = try preCommitRun("rig-check", [".pre-commit-config.yaml"])
    #expect(unrelated.status == 0)
    #expect(unrelated.stdout.contains("(no files to check)"), "\(unrelated.stdout)")

    // rig-plan runs whatever the files.
    let current = try preCommitRun("rig-plan", [".pre-commit-config.yaml"])
    #expect(current.status == 0, "\(current.stdout)\(current.stderr)")
    try FileManager.default.removeItem(atPath: consumer + "/minimal/artifacts")
    let stale = try preCommitRun("rig-plan", [".pre-commit-config.yaml"])
    #expect(stale.status == 1)
    #expect(stale.stdout.contains("- exit code: 2"), "\(stale.stdout)")
  }

  /// An example pipeline in `examples/ci`, the builtin schema of check-jsonschema that describes it, and a line
  /// of it with the text that replaces it in a broken copy.
  struct Pipeline: Sendable, CustomTestStringConvertible {
    var file: String
    var schema: String
    var line: String
    var brokenLine: String
    var testDescription: String { file }
  }
}

/// A hook as pre-commit loads it from the manifest (defaults applied).
private struct PreCommitHook: Decodable {
  var id: String
  var language: String
  /// The command line pre-commit runs before the file names: `entry` split like a shell, then `args`.
  var command: [String]
  var passFilenames: Bool
  var alwaysRun: Bool
  /// The candidate paths the hook's `files` and `exclude` select.
  var matches: [String]

  enum CodingKeys: String, CodingKey {
    case id, language, command, matches
    case passFilenames = "pass_filenames"
    case alwaysRun = "always_run"
  }
}

/// The Python interpreter pre-commit runs on, from its script's `#!` line: it can import `pre_commit` and `yaml`.
private func preCommitPython() throws -> String {
  let script = try String(contentsOfFile: try validator("pre-commit"), encoding: .utf8)
  guard let line = script.split(separator: "\n").first, line.hasPrefix("#!/") else {
    throw IntegrationFailure(message: "pre-commit is not a Python script with a '#!' line")
  }
  return String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
}

/// The hooks of `.pre-commit-hooks.yaml`, read by pre-commit's own loader, command builder and file filter.
private func preCommitHooks(candidates: [String] = []) throws -> [PreCommitHook] {
  let program = """
    import json, sys
    from pre_commit.clientlib import load_manifest
    from pre_commit.commands.run import filter_by_include_exclude
    from pre_commit.lang_base import hook_cmd
    candidates = sys.argv[2:]
    print(json.dumps([
        {"id": h["id"], "language": h["language"], "command": list(hook_cmd(h["entry"], h["args"])),
         "pass_filenames": h["pass_filenames"], "always_run": h["always_run"],
         "matches": list(filter_by_include_exclude(candidates, h["files"], h["exclude"]))}
        for h in load_manifest(sys.argv[1])
    ]))
    """
  let result = try run(
    try preCommitPython(), ["-c", program, IntegrationTests.manifest] + candidates)
  guard result.status == 0 else { throw IntegrationFailure(message: "reading the hooks failed: \(result.stderr)") }
  return try JSONDecoder().decode([PreCommitHook].self, from: Data(result.stdout.utf8))
}

/// `hook`'s command line with the `rig` under test in place of the `rig` pre-commit would find on PATH.
private func hookCommand(_ hook: PreCommitHook) throws -> [String] {
  guard hook.command.first == "rig" else { throw IntegrationFailure(message: "hook \(hook.id) does not run rig") }
  return [try rigBinary()] + hook.command.dropFirst()
}

/// A YAML document as PyYAML's base loader hands it over in JSON: strings, lists and mappings.
private enum Tree: Decodable {
  case string(String)
  case array([Tree])
  case object([String: Tree])

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([Tree].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: Tree].self))
    }
  }

  subscript(key: String) -> Tree? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  var array: [Tree]? {
    if case .array(let value) = self { return value }
    return nil
  }

  var object: [String: Tree]? {
    if case .object(let value) = self { return value }
    return nil
  }
}

/// The YAML file at `path`, as PyYAML's base loader reads it: every scalar a string (so GitHub's `on:` stays the
/// key "on" instead of YAML 1.1's true).
private func yamlAsJSON(_ path: String) throws -> Tree {
  let program = """
    import json, sys, yaml
    print(json.dumps(yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)))
    """
  let result = try run(try preCommitPython(), ["-c", program, path])
  guard result.status == 0 else { throw IntegrationFailure(message: "reading \(path) failed: \(result.stderr)") }
  return try JSONDecoder().decode(Tree.self, from: Data(result.stdout.utf8))
}

/// A step of the integration checks that went wrong.
private struct IntegrationFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// Appends a comment line to the first regular file under `folder` (hidden files aside): a stale artifact.
private func editOneFile(in folder: String) throws {
  guard
    let path = Golden.files(under: folder).first(where: { path in
      !path.split(separator: "/").contains { $0.hasPrefix(".") }
    })
  else { throw IntegrationFailure(message: "no file under \(folder)") }
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/" + path))
  defer { try? handle.close() }
  try handle.seekToEnd()
  try handle.write(contentsOf: Data("# edited by hand\n".utf8))
}

/// A new empty folder in the temporary folder.
private func temporaryFolder(_ prefix: String) throws -> String {
  let folder = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
  try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  return folder
}

/// A temporary folder standing for a project's checkout: the workstation example (six targets) as `rig.yaml`.
private func ciWorkspace() throws -> String {
  let workspace = try temporaryFolder("rig-ci-workspace")
  try FileManager.default.copyItem(
    atPath: packageRoot + "/examples/workstation/rig.yaml", toPath: workspace + "/rig.yaml")
  return workspace
}

/// `PATH` with the folder of the `rig` under test first.
private func binaryFolderFirstOnPath() throws -> String {
  let folder = URL(fileURLWithPath: try rigBinary()).deletingLastPathComponent().path
  return folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
}

/// Runs git with a fixed identity, failing on a nonzero exit.
@discardableResult
private func git(_ arguments: [String], in directory: String) throws -> String {
  let identity = ["-c", "user.name=rig tests", "-c", "user.email=rig-tests@example.invalid"]
  let result = try run(try validator("git"), identity + arguments, in: directory)
  guard result.status == 0 else {
    throw IntegrationFailure(message: "git \(arguments.joined(separator: " ")) failed: \(result.stderr)")
  }
  return result.stdout
}

/// Clones this checkout to `destination`, brings over its uncommitted changes and new files (not the ignored
/// ones), commits them there, and returns that commit. The checkout itself is only read.
private func commitWorkingTree(to destination: String) throws -> String {
  try git(["clone", "-q", packageRoot, destination], in: NSTemporaryDirectory())
  let changed = try git(["ls-files", "-z", "--modified", "--others", "--exclude-standard"], in: packageRoot)
  let deleted = try git(["ls-files", "-z", "--deleted"], in: packageRoot)
  let manager = FileManager.default
  for path in changed.split(separator: "\0").map(String.init) where manager.fileExists(atPath: packageRoot + "/" + path)
  {
    let target = destination + "/" + path
    try manager.createDirectory(
      atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
    try manager.copyItem(atPath: packageRoot + "/" + path, toPath: target)
  }
  for path in deleted.split(separator: "\0").map(String.init) {
    try? manager.removeItem(atPath: destination + "/" + path)
  }
  try git(["add", "-A"], in: destination)
  try git(["commit", "-q", "--allow-empty", "-m", "working tree"], in: destination)
  return try git(["rev-parse", "HEAD"], in: destination).trimmingCharacters(in: .whitespacesAndNewlines)
}
