import Foundation
import RigCompiler
import RigDSL
import Testing

@testable import gpu_lab_dsl
@testable import workstation_dsl

/// The Swift DSL through the whole compiler: the same artifacts as YAML, errors from resolution and allocation
/// located in the Swift file, and the facade (`check`, `plan`, `render`, `main`).
@Suite struct DSLTests {
  /// `examples/workstation-dsl` renders exactly what `examples/workstation/rig.yaml` renders.
  @Test func workstationInSwiftGivesTheSameArtifactsAsYAML() throws {
    let yaml = RigCompiler.check(path: packageRoot + "/examples/workstation")
    let swift = RigCompiler.check(workstation)
    #expect(!swift.hasErrors, "\(renderedDiagnostics(swift))")
    let artifacts = RigCompiler.artifacts(swift)
    #expect(artifacts.count == workstationFiles)
    #expect(artifacts == RigCompiler.artifacts(yaml))
  }

  /// The example's own binary and `rig render` write byte-identical folders, manifest included.
  @Test func workstationBinaryRendersTheSameFolderAsRig() throws {
    let base = NSTemporaryDirectory() + "rig-dsl-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: base) }
    let fromYAML = try run(try rigBinary(), ["render", "examples/workstation", "--out", base + "/yaml"])
    #expect(fromYAML.status == 0, "\(fromYAML.stderr)")
    let fromSwift = try run(try exampleBinary("workstation-dsl"), ["render", "--out", base + "/swift"])
    #expect(fromSwift.status == 0, "\(fromSwift.stderr)")
    #expect(fromSwift.stderr == "")
    let files = Golden.files(under: base + "/yaml")
    #expect(files.contains(".rig-manifest.json"))
    #expect(Golden.files(under: base + "/swift") == files)
    for file in files {
      let yaml = FileManager.default.contents(atPath: base + "/yaml/" + file)
      let swift = FileManager.default.contents(atPath: base + "/swift/" + file)
      #expect(yaml != nil && yaml == swift, "\(file) differs")
    }
    let again = try run(try exampleBinary("workstation-dsl"), ["render", "--out", base + "/swift"])
    #expect(again.stdout.hasSuffix("is up to date (\(workstationFiles) files): nothing to write.\n"), "\(again.stdout)")
  }

  /// The second example's artifacts, pinned like every example's (the validators check them: `ValidatorTests`).
  @Test func gpuLabArtifactsMatchTheGoldenFiles() throws {
    let result = RigCompiler.check(gpuLab)
    #expect(!result.hasErrors, "\(renderedDiagnostics(result))")
    try Golden.check(RigCompiler.artifacts(result), folder: "gpu-lab-dsl")
  }

  /// The loop and the conditional of the second example: a worker per GPU, Ollama only with a large GPU.
  @Test func gpuLabFollowsItsCards() throws {
    let spec = try #require(gpuLab.lower().spec)
    #expect(spec.components.map(\.name.value) == ["comfyui-gpu0", "comfyui-gpu1", "ollama", "dcgm-exporter"])
    #expect(spec.stack.map(\.name.value).contains("ollama"))
    #expect(spec.hardware.gpus.map(\.name.value) == cards.map(\.name))
    #expect(cards.contains(where: holdsLargeModels))
    #expect(!holdsLargeModels(Card(name: "small", model: "any", memoryGiB: 8)))
  }

  /// An unknown component written in a Swift stack: the error points at the string literal, and the
  /// rendered diagnostic quotes the Swift line.
  @Test func resolverErrorPointsIntoTheSwiftFile() throws {
    let rig = Rig("typo") {
      Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(16)).os(.debian(.bookworm))
      Sources(.debianBookworm, .upstream)
      Stack {
        "git"
        "olama"  // @typo
      }
    }
    let result = rig.check()
    let error = try #require(result.diagnostics.diagnostics.first)
    #expect(result.diagnostics.diagnostics.count == 1)
    #expect(error.id == "unknown-component")
    #expect(error.range?.start.file == #fileID)
    #expect(error.range?.start.line == markedLine("typo"))
    #expect(error.range?.start.column == 10)
    let text = renderedDiagnostics(result)
    #expect(text.hasPrefix("\(#fileID):\(markedLine("typo")):10: error: no source offers 'olama'"), "\(text)")
    #expect(text.contains("\"olama\"  // @typo"), "the Swift line is quoted: \(text)")
    #expect(text.contains("help: did you mean 'ollama'?"), "\(text)")
  }

  /// Over-budget RAM: the allocation error points at the component's `Memory` and the machine's `.memory`.
  @Test func allocationErrorPointsIntoTheSwiftFile() throws {
    let rig = Rig("tight") {
      Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(16))  // @machine
        .os(.debian(.bookworm))
      Sources(.debianBookworm, .upstream)
      Stack { "ollama" }
      Component("ollama") {
        Runs(.systemd)
        Memory(.gib(64))  // @memory
      }
    }
    let result = rig.check()
    #expect(result.diagnostics.diagnostics.map(\.id) == ["memory-over-budget"])
    let error = try #require(result.diagnostics.diagnostics.first)
    #expect(error.range?.start.line == markedLine("memory"))
    #expect(error.range.map { "\($0.start)" } == "\(#fileID):\(markedLine("memory")):9")
    let text = renderedDiagnostics(result)
    #expect(text.contains("'ollama' needs 64GiB   (\(#fileID):\(markedLine("memory")):9)"), "\(text)")
    #expect(text.contains("the machine has 16GiB  (\(#fileID):\(markedLine("machine")):60)"), "\(text)")
  }

  /// `render(to:)` writes the folder and returns what it did; with an error it throws the diagnostics as values
  /// and writes nothing.
  @Test func facadeRendersOrThrowsDiagnostics() throws {
    let folder = NSTemporaryDirectory() + "rig-dsl-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let rendered = try workstation.render(to: folder)
    #expect(rendered.written)
    #expect(rendered.output?.added == workstationFiles)
    #expect(workstation.changes(out: folder).output?.isUpToDate == true)

    let broken = Rig("broken") {
      Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(16)).os(.debian(.bookworm))
      Stack { Require("nvidia-driver", .atLeast("99999")) }
    }
    let other = folder + "-broken"
    #expect {
      try broken.render(to: other)
    } throws: { error in
      guard let failure = error as? RigFailure else { return false }
      return failure.diagnostics.map(\.id) == ["unresolvable"]
        && failure.description.contains("Require(\"nvidia-driver\", .atLeast(\"99999\"))")
    }
    #expect(!FileManager.default.fileExists(atPath: other))
  }

  /// Resolution's help speaks the language the project is written in: a source to add is a case of `Sources(…)`,
  /// as the YAML front end's help names a list item of `sources:`.
  @Test func resolutionHelpIsWordedInSwift() throws {
    let rig = Rig("needs-cuda") {
      Hardware.cpu(.hybrid(performance: 8, efficiency: 12)).memory(.gib(32))
        .gpu("gpu0", model: "RTX 5090", architecture: .ada, memory: .gib(32)).os(.debian(.bookworm))
      Sources(.debianBookworm)
      Stack { "comfyui" }
      Component("comfyui") {
        Version("0.3.10") { "cuda-runtime >= 12.4" }
      }
    }
    let result = rig.check()
    #expect(result.diagnostics.diagnostics.map(\.id) == ["unresolvable"])
    #expect(
      result.diagnostics.diagnostics.first?.help == [
        "add '.nvidiaCuda' to 'Sources(…)'; it offers cuda-runtime 13.2.2-1"
      ])
    let missing = Rig("undeclared") {
      Hardware.cpu(.hybrid(performance: 2, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Stack { "zzqx-nothing" }
    }
    #expect(
      missing.check().diagnostics.diagnostics.first?.help == [
        "declare 'Component(\"zzqx-nothing\")' with its versions"
      ])
  }

  /// A folder that holds the Swift file is refused as an output folder, as a folder holding rig.yaml is: render
  /// would replace it.
  @Test func outputFolderMayNotHoldTheSwiftFile() throws {
    let rig = Rig("guarded") {
      Hardware.cpu(.hybrid(performance: 2, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Targets { Kernel() }
    }
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    let planned = rig.changes(out: folder)
    #expect(planned.check.diagnostics.diagnostics.map(\.id) == ["bad-output-folder"])
    #expect(planned.check.diagnostics.diagnostics.first?.message.contains(#fileID) == true)
    let other = rig.changes(targets: [.nix])
    #expect(other.check.diagnostics.diagnostics.map(\.id) == ["target-not-enabled"])
    #expect(
      other.check.diagnostics.diagnostics.first?.help == [
        "add 'Nix(…)' to 'Targets' in '\(#fileID)', or leave out '--target nix'"
      ])
  }

  /// The examples' command line: `check` is silent, usage errors exit 2, `plan` prints the plan.
  @Test func exampleCommandLine() throws {
    let binary = try exampleBinary("gpu-lab-dsl")
    let check = try run(binary, ["check"])
    #expect(check.status == 0 && check.stdout == "" && check.stderr == "", "\(check.stderr)")
    let plan = try run(binary, ["plan"])
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.stdout.hasPrefix("Resolved 11 components for 'gpu-lab'."), "\(plan.stdout)")
    let files = Golden.files(under: Golden.root + "/gpu-lab-dsl").count
    #expect(plan.stdout.hasSuffix("Plan: \(files) to add, 0 to change, 0 to remove.\n"), "\(plan.stdout)")
    for arguments in [[], ["frobnicate"], ["render"], ["plan", "--target", "nope"], ["check", "--out", "x"]] {
      let result = try run(binary, arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.stderr.lowercased().contains("usage:"), "\(arguments)")
    }
  }
}

/// A DSL example's binary, built next to `rig`.
func exampleBinary(_ name: String) throws -> String {
  let path = URL(fileURLWithPath: try rigBinary()).deletingLastPathComponent().path + "/" + name
  guard FileManager.default.isExecutableFile(atPath: path) else {
    throw ToolMissing(message: "no \(name) binary at \(path): run 'swift build' first (scripts/test.sh does)")
  }
  return path
}

/// The line of this file that ends with `// @marker`.
func markedLine(_ marker: String, in file: String = #filePath) -> Int {
  let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  let found = lines.indices.filter { lines[$0].hasSuffix("// @" + marker) }
  return found.count == 1 ? found[0] + 1 : 0
}
