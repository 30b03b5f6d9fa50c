import Foundation
import RigBasics
import RigCompiler
import RigModel
import Testing

@Suite struct ExampleTests {
  @Test(arguments: examples)
  func examplesAreValid(name: String) {
    let result = RigCompiler.check(path: packageRoot + "/examples/\(name)")
    if let warnings = exampleWarnings[name] {
      #expect(result.diagnostics.diagnostics.map(\.id.rawValue) == warnings)
      #expect(!result.hasErrors)
    } else {
      #expect(renderedDiagnostics(result) == "")
    }
    #expect(result.spec != nil || result.fleet?.plans != nil)
  }

  /// The new user's first wish for examples/ai-lab, vLLM alone on a GPU while the others time-slice: the device
  /// plugin cannot express it, and rig says so where vLLM asks for its GPU.
  @Test func aGPUOfItsOwnBesideTimeSlicingIsRefused() throws {
    let path = packageRoot + "/examples/ai-lab/rig.yaml"
    let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
      of: "gpu: { memory: 20GiB, sharing: time-sliced }", with: "gpu: { memory: 20GiB, sharing: exclusive }")
    let result = RigCompiler.check(text: text, file: "rig.yaml")
    let errors = result.diagnostics.diagnostics.filter { $0.severity == .error }
    #expect(errors.map(\.id) == ["gpu-sharing-conflict"])
    #expect(
      errors.first?.message
        == "'vllm' needs a GPU to itself, but 'comfyui', 'jupyterlab' time-slice every GPU of the node")
    let line = text.split(separator: "\n", omittingEmptySubsequences: false)
      .firstIndex { $0.contains("gpu: { memory: 20GiB, sharing: exclusive }") }
    #expect(errors.first?.range?.start.line == line.map { $0 + 1 })
  }

  @Test func workstationIsTheBlueprintMachine() throws {
    let spec = try #require(RigCompiler.check(path: packageRoot + "/examples/workstation").spec)
    let cpu = spec.hardware.cpu
    #expect(cpu.cores.count == 20)
    #expect(cpu.cores.filter { $0.kind == .performance }.count == 8)
    #expect(cpu.logicalCPUs.count == 28)
    #expect(cpu.logicalCPUs.description == "0-27")
    // The explicit topology is the one the hybrid shorthand expands to.
    #expect(
      cpu.cores.map(\.threads)
        == CPU.hybridTopology(performance: 8, efficiency: 12, threadsPerPerformanceCore: 2).map(\.threads))
    #expect(spec.hardware.memory.value == .gib(32))
    #expect(spec.hardware.gpus.map(\.memory.value) == [.gib(12)])
    #expect(spec.hardware.gpus.first?.architecture?.value == .ada)
    #expect(spec.hardware.os.release.value == "bookworm")
    let stack = Set(spec.stack.map(\.name.value))
    for wanted in [
      "comfyui", "ollama", "steam", "blender", "freecad", "lazyvim", "nvidia-driver", "cuda-toolkit",
      "nvidia-container-toolkit", "containerd", "kubelet", "prometheus-node-exporter", "dcgm-exporter", "git",
    ] {
      #expect(stack.contains(wanted), "the blueprint's stack has \(wanted)")
    }
    let comfyui = try #require(spec.components.first { $0.name.value == "comfyui" })
    #expect(comfyui.resources.cpu?.placement.value == .isolated)
    #expect(comfyui.resources.gpu?.sharing?.value == .timeSliced)
    #expect(
      comfyui.versions.first?.requires.map(\.description) == ["cuda-runtime >= 12.4", "nvidia-container-toolkit"])
    #expect(spec.policies.thermal?.duration.value == .minutes(5))
    #expect(spec.targets.kubernetes?.version.value == "1.30")
  }

  @Test func keyOrderDoesNotChangeTheModel() throws {
    let a = RigCompiler.check(
      text:
        "apiVersion: rig/v1\nname: t\nhardware:\n  memory: 8GiB\n  os: { release: bookworm, distribution: debian }\n  cpu: { hybrid: { efficiency: 1, performance: 1 } }\n",
      file: "a.yaml")
    let b = RigCompiler.check(
      text:
        "name: t\napiVersion: rig/v1\nhardware:\n  cpu: { hybrid: { performance: 1, efficiency: 1 } }\n  os: { distribution: debian, release: bookworm }\n  memory: 8GiB\n",
      file: "a.yaml")
    let left = try #require(a.spec)
    let right = try #require(b.spec)
    #expect(left.hardware.cpu.cores == right.hardware.cpu.cores)
    #expect(left.hardware.memory.value == right.hardware.memory.value)
  }
}

@Suite struct SchemaTests {
  var committedPath: String { packageRoot + "/schemas/rig.schema.json" }

  /// `schemas/rig.schema.json` is what `rig schema` prints; RIG_RECORD=1 rewrites it.
  @Test func committedSchemaIsUpToDate() throws {
    let generated = RigCompiler.schema()
    if recording {
      try generated.write(toFile: committedPath, atomically: true, encoding: .utf8)
    }
    let committed = try String(contentsOfFile: committedPath, encoding: .utf8)
    #expect(
      committed == generated, "schemas/rig.schema.json is stale: run 'RIG_RECORD=1 swift test' and review the diff")
  }

  @Test func schemaIsAValidJSONSchema() throws {
    let tool = try validator("check-jsonschema")
    let result = try run(tool, ["--check-metaschema", committedPath])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }

  @Test func examplesValidateAgainstTheSchema() throws {
    let tool = try validator("check-jsonschema")
    let examples = try FileManager.default.contentsOfDirectory(atPath: packageRoot + "/examples").sorted()
      .map { "examples/\($0)/rig.yaml" }.filter { FileManager.default.fileExists(atPath: packageRoot + "/" + $0) }
    #expect(examples.count >= 2)
    let result = try run(tool, ["--schemafile", committedPath] + examples)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }

  /// The schema is not vacuous: files rig refuses for their shape are refused by check-jsonschema too.
  @Test(arguments: [
    "memory: 32GiB", "memory: 32GB", "memroy: 32GiB",
    "memory: 32GiB\n  gpus: [{ name: gpu0, memory: 12GiB, architecture: adaa }]",
  ])
  func schemaRefusesWhatRigRefuses(memoryLine: String) throws {
    let tool = try validator("check-jsonschema")
    let text = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu: { hybrid: { performance: 2, efficiency: 0 } }
        \(memoryLine)
        os: { distribution: debian, release: bookworm }
      stack: [neovim]

      """
    let directory = NSTemporaryDirectory() + "rig-schema-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try text.write(toFile: directory + "/rig.yaml", atomically: true, encoding: .utf8)
    let rig = RigCompiler.check(path: directory)
    let schema = try run(tool, ["--schemafile", committedPath, directory + "/rig.yaml"])
    #expect(rig.hasErrors == (schema.status != 0), "rig and the schema disagree on:\n\(text)\n\(schema.stdout)")
  }
}
