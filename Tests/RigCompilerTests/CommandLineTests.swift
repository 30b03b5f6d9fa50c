import Foundation
import Testing

/// End-to-end runs of the built `rig` binary: exit codes, streams and formats.
@Suite struct CommandLineTests {
  @Test func checkValidExampleExitsZero() throws {
    let result = try run(try rigBinary(), ["check", "examples/workstation"])
    #expect(result.status == 0)
    #expect(result.stdout == "examples/workstation/rig.yaml: ok\n")
    #expect(result.stderr == "")
  }

  @Test func checkDefaultsToTheCurrentFolder() throws {
    let result = try run(try rigBinary(), ["check"], in: packageRoot + "/examples/minimal")
    #expect(result.status == 0)
    #expect(result.stdout == "rig.yaml: ok\n")
  }

  @Test func checkWithErrorsExitsOneAndPrintsDiagnostics() throws {
    let directory = NSTemporaryDirectory() + "rig-cli-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try "apiVersion: rig/v1\nname: t\nhardware: {}\n".write(
      toFile: directory + "/rig.yaml", atomically: true, encoding: .utf8)
    let result = try run(try rigBinary(), ["check", "--color", "never", "rig.yaml"], in: directory)
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(
      result.stderr == """
        rig.yaml:3:1: error: missing required key 'cpu' in 'hardware' [missing-key]
        3 | hardware: {}
          | ^~~~~~~~
        help: add 'cpu:' (processor topology)

        rig.yaml:3:1: error: missing required key 'memory' in 'hardware' [missing-key]
        3 | hardware: {}
          | ^~~~~~~~
        help: add 'memory:' (installed RAM)

        rig.yaml:3:1: error: missing required key 'os' in 'hardware' [missing-key]
        3 | hardware: {}
          | ^~~~~~~~
        help: add 'os:' (operating system release)

        3 errors

        """)
    let colored = try run(try rigBinary(), ["check", "--color", "always", "rig.yaml"], in: directory)
    #expect(colored.stderr.contains("\u{1B}[1;31merror:\u{1B}[0m"))
    let auto = try run(try rigBinary(), ["check", "rig.yaml"], in: directory, environment: ["NO_COLOR": "1"])
    #expect(!auto.stderr.contains("\u{1B}["))
  }

  /// `rig render` writes exactly the golden files of the example, byte for byte.
  @Test func renderWritesEveryTargetOfTheExample() throws {
    let directory = NSTemporaryDirectory() + "rig-render-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let result = try run(try rigBinary(), ["render", "examples/workstation", "--out", directory])
    #expect(result.status == 0, "\(result.stderr)")
    let golden = Golden.root + "/workstation"
    let files = Golden.files(under: golden)
    #expect(
      result.stdout.hasSuffix("\nRendered '\(directory)': \(files.count) added, 0 changed, 0 removed, 0 unchanged.\n"))
    let written = Golden.files(under: directory)
    #expect(written == [".rig-manifest.json"] + files)
    let targets = Set(files.map { $0.split(separator: "/")[0] })
    #expect(targets == ["ansible", "kernel", "kubernetes", "nix", "prometheus", "systemd"])
    for file in files {
      #expect(
        FileManager.default.contents(atPath: directory + "/" + file)
          == FileManager.default.contents(
            atPath: golden + "/" + file), "\(file)")
    }
  }

  /// A project with an error: exit 1, the diagnostics, and not even the output folder.
  @Test func renderWritesNothingOnErrors() throws {
    let directory = NSTemporaryDirectory() + "rig-render-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try "apiVersion: rig/v1\nname: t\nhardware: {}\n".write(
      toFile: directory + "/rig.yaml", atomically: true, encoding: .utf8)
    let result = try run(try rigBinary(), ["render", "--color", "never", ".", "--out", "out"], in: directory)
    #expect(result.status == 1)
    #expect(result.stderr.contains("error: missing required key 'cpu' in 'hardware' [missing-key]"))
    #expect(!FileManager.default.fileExists(atPath: directory + "/out"))
  }

  /// A systemd service whose program nobody names is refused at its `runtime:`, after resolution, and nothing is
  /// written.
  @Test func renderRefusesAServiceWithoutAProgram() throws {
    let (result, wrote) = try renderWeb(runtime: "systemd", targets: "{ systemd: {} }")
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "rig.yaml:11:14: error: rig does not know which program the systemd service 'web' runs [no-program]"),
      "\(result.stderr)")
    #expect(result.stderr.contains("help: name its program with 'exec:' (and 'args:') under 'components.web'"))
    #expect(!wrote)
  }

  /// A Kubernetes workload with no image of its own and none in the catalog: refused where its runtime is named.
  @Test func aKubernetesWorkloadWithoutAnImageIsRefused() throws {
    let (result, wrote) = try renderWeb(
      runtime: "kubernetes", targets: "{ kubernetes: { version: \"1.30\", namespace: lab } }")
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("rig.yaml:11:14: error: Kubernetes workload 'web' has no container image [no-image]"),
      "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "help: name its image with 'image:' under 'components.web', such as 'ghcr.io/example/web:1.0'"))
    #expect(!wrote)
  }

  /// `rig render` of a project whose one component, `web` 1.0, runs with `runtime` and nothing else (its
  /// `runtime:` on line 11, column 14) in a fresh folder: the run, and whether the output folder exists after it.
  func renderWeb(runtime: String, targets: String) throws -> (result: ProcessResult, wrote: Bool) {
    let directory = NSTemporaryDirectory() + "rig-render-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try """
    apiVersion: rig/v1
    name: t
    hardware:
      cpu: { hybrid: { performance: 4, efficiency: 0 } }
      memory: 16GiB
      os: { distribution: debian, release: bookworm }
    stack: [web]
    components:
      web:
        versions: { "1.0": {} }
        runtime: \(runtime)
    targets: \(targets)
    """.write(toFile: directory + "/rig.yaml", atomically: true, encoding: .utf8)
    let result = try run(try rigBinary(), ["render", "--color", "never", ".", "--out", "out"], in: directory)
    return (result, FileManager.default.fileExists(atPath: directory + "/out"))
  }

  @Test func jsonFormat() throws {
    let result = try run(try rigBinary(), ["check", "--format", "json", "examples/workstation"])
    #expect(result.status == 0)
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["format_version"] as? Int == 1)
    #expect(object?["valid"] as? Bool == true)
    #expect((object?["diagnostics"] as? [Any])?.isEmpty == true)

    let directory = NSTemporaryDirectory() + "rig-json-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try "apiVersion: rig/v1\nname: t\nhardwre: {}\n".write(
      toFile: directory + "/rig.yaml", atomically: true, encoding: .utf8)
    let bad = try run(try rigBinary(), ["check", "--format", "json"], in: directory)
    #expect(bad.status == 1)
    let document = try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any]
    #expect(document?["valid"] as? Bool == false)
    let diagnostics = document?["diagnostics"] as? [[String: Any]]
    #expect(diagnostics?.map { $0["id"] as? String } == ["missing-key", "unknown-key"])
    let range = diagnostics?.last?["range"] as? [String: Any]
    #expect(range?["line"] as? Int == 3)
    #expect(range?["column"] as? Int == 1)
    #expect(range?["end_column"] as? Int == 8)
    #expect(diagnostics?.last?["help"] as? [String] == ["did you mean 'hardware'?"])
  }

  @Test(arguments: [
    ["check", "--bogus"], ["frobnicate"], ["check", "--color", "sometimes"], ["render", "examples/minimal"],
    ["plan", "--target", "bogus"], ["graph", "--format", "svg"], ["plan", "a", "b"],
  ])
  func usageErrorsExitTwo(arguments: [String]) throws {
    let result = try run(try rigBinary(), arguments)
    #expect(result.status == 2)
    #expect(result.stderr.contains("Error:") || result.stderr.contains("Usage:"))
  }

  @Test func helpExitsZero() throws {
    #expect(try run(try rigBinary(), ["--help"]).status == 0)
    #expect(try run(try rigBinary(), ["check", "--help"]).status == 0)
  }

  @Test func missingPathExitsOne() throws {
    let result = try run(try rigBinary(), ["check", "--color", "never", "no/such/place.yaml"])
    #expect(result.status == 1)
    #expect(result.stderr == "error: no such file 'no/such/place.yaml' [file-not-found]\n\n1 error\n")
  }

  @Test func schemaCommandPrintsTheCommittedSchema() throws {
    let result = try run(try rigBinary(), ["schema"])
    #expect(result.status == 0)
    #expect(result.stdout == (try String(contentsOfFile: packageRoot + "/schemas/rig.schema.json", encoding: .utf8)))
  }
}
