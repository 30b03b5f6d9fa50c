import Foundation
import RigBasics
import RigCompiler
import RigModel
import Testing

@testable import RigProbe

/// Every `nvidia-smi -q -x` capture in shared/fixtures/hardware/nvidia-smi-xml (drivers 418 to 595, DTD v10 to
/// v13, both power shapes, N/A values, MIG): what rig probe reads, and that rig check accepts the GPUs it prints.
@Suite struct NvidiaSMICaptureTests {
  /// One capture's facts, as its XML states them (read by hand from each file; the watts are
  /// default/min/max/in force, nil where the document says N/A).
  struct Expected: Sendable, CustomTestStringConvertible {
    var file: String
    var driver: String
    var models: [String]
    var architecture: GPUArchitecture?
    var derived: Bool
    var memoryMiB: Int
    var power: (default: String?, min: String, max: String, current: String?)?
    var mig: Int?
    var testDescription: String { file }
  }

  static let captures: [Expected] = [
    Expected(
      file: "telegraf-a100-sxm4-v12.xml", driver: "535.54.03", models: ["NVIDIA A100-SXM4-80GB"],
      architecture: .ampere, derived: false, memoryMiB: 81920, power: ("500W", "100W", "500W", "500W"), mig: 4),
    Expected(
      file: "telegraf-a10g.xml", driver: "515.105.01", models: ["NVIDIA A10G"], architecture: .ampere,
      derived: false, memoryMiB: 23028, power: ("300W", "100W", "300W", "300W"), mig: nil),
    Expected(
      file: "telegraf-gt-1030.xml", driver: "470.74", models: ["NVIDIA GeForce GT 1030"], architecture: .pascal,
      derived: true, memoryMiB: 1998, power: ("30W", "25.5W", "30W", "30W"), mig: nil),
    Expected(
      file: "telegraf-gtx-1660-ti.xml", driver: "418.43", models: ["Graphics Device"], architecture: nil,
      derived: false, memoryMiB: 5912, power: ("130W", "70W", "130W", "130W"), mig: nil),
    Expected(
      file: "telegraf-pr17482-3090-v13.xml", driver: "590.44.01", models: ["NVIDIA GeForce RTX 3090"],
      architecture: .ampere, derived: false, memoryMiB: 24576, power: ("350W", "100W", "480W", "350W"), mig: nil),
    Expected(
      file: "telegraf-pr17482-dual_2070-v13.xml", driver: "590.44.01",
      models: ["NVIDIA GeForce RTX 2070", "NVIDIA GeForce RTX 2070"], architecture: .turing, derived: false,
      memoryMiB: 8192, power: ("175W", "125W", "200W", "175W"), mig: nil),
    Expected(
      file: "telegraf-quadro-p400.xml", driver: "418.43", models: ["Quadro P400"], architecture: .pascal,
      derived: true, memoryMiB: 1998, power: nil, mig: nil),
    Expected(
      file: "telegraf-rtx-3060-v12.xml", driver: "570.124.04", models: ["NVIDIA GeForce RTX 3060"],
      architecture: .ampere, derived: false, memoryMiB: 12288, power: ("170W", "100W", "190W", "170W"), mig: nil),
    Expected(
      file: "telegraf-rtx-3090-v12.xml", driver: "525.147.05", models: ["NVIDIA GeForce RTX 3090"],
      architecture: .ampere, derived: false, memoryMiB: 24576, power: ("350W", "100W", "375W", "200W"), mig: nil),
    Expected(
      file: "telegraf-rtx-4000-sff-ada-v13.xml", driver: "595.84", models: ["NVIDIA RTX 4000 SFF Ada Generation"],
      architecture: .ada, derived: false, memoryMiB: 20475, power: ("70W", "30W", "70W", "70W"), mig: nil),
    Expected(
      file: "telegraf-tesla-t4.xml", driver: "515.105.01", models: ["Tesla T4"], architecture: .turing,
      derived: false, memoryMiB: 15360, power: ("70W", "60W", "70W", "70W"), mig: nil),
  ]

  @Test func everyCaptureIsListed() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Captures.path("nvidia-smi-xml")).sorted()
    #expect(files == Self.captures.map(\.file).sorted())
  }

  @Test(arguments: captures) func capture(_ expected: Expected) throws {
    let file = Captures.path("nvidia-smi-xml/\(expected.file)")
    let data = try #require(FileManager.default.contents(atPath: file))
    let parsed = try ProbedGPUs.parse(data, file: file)
    #expect(parsed.driverVersion == expected.driver)
    #expect(parsed.gpus.map(\.model) == expected.models)
    for gpu in parsed.gpus {
      #expect(gpu.architecture == expected.architecture)
      #expect(gpu.architectureSource.hasPrefix("derived") == expected.derived, "\(gpu.architectureSource)")
      #expect(gpu.memory == .mib(expected.memoryMiB))
      #expect(gpu.migInstances?.count == expected.mig)
      if let power = expected.power {
        let read = try #require(gpu.power)
        #expect(read.defaultLimit?.description == power.default)
        #expect(read.min.description == power.min)
        #expect(read.max.description == power.max)
        #expect(read.current?.description == power.current)
      } else {
        #expect(gpu.power == nil)
      }
    }
    // The printed block, with a CPU from another capture, is what rig check accepts, GPU for GPU.
    let root = try Captures.untar("sysfs/nri-plugins-pkg-sysfs-test-data-sample1.tar.xz") + "/sample1"
    try Captures.addDebianRelease(to: root)
    let facts = try MachineFacts.read(MachineTree(root: root), gpus: parsed)
    let result = RigCompiler.check(text: facts.yaml(starter: true), file: "rig.yaml")
    let rendered = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
    let spec = try #require(result.spec, "\(rendered)")
    #expect(spec.hardware.gpus.map(\.name.value) == parsed.gpus.indices.map { "gpu\($0)" })
    #expect(spec.hardware.gpus.map(\.memory.value) == parsed.gpus.map(\.memory))
    #expect(spec.hardware.gpus.map { $0.architecture?.value } == parsed.gpus.map(\.architecture))
    #expect(spec.hardware.gpus.map { $0.power?.max.value } == parsed.gpus.map { $0.power?.max })
  }

  /// The A100 capture is trimmed (4 attached, 1 listed): said, not hidden; and MIG's slices are said too.
  @Test func trimmedAndMIGAreSaid() throws {
    let file = Captures.path("nvidia-smi-xml/telegraf-a100-sxm4-v12.xml")
    let parsed = try ProbedGPUs.parse(try #require(FileManager.default.contents(atPath: file)), file: file)
    #expect(parsed.notes == ["attached_gpus says 4, but the document lists 1 <gpu>; rig reads those"])
    #expect(parsed.gpus.first?.migInstances == Array(repeating: .mib(19968), count: 4))
  }

  // MARK: Refusals

  /// A capture cut in the middle (its first half): not well-formed, refused with the file named.
  @Test func truncatedDocumentIsRefused() throws {
    let data = try #require(FileManager.default.contents(atPath: Captures.path("nvidia-smi-xml/telegraf-tesla-t4.xml")))
    let file = try Captures.scratch() + "/truncated.xml"
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: file))
    let truncated = try #require(FileManager.default.contents(atPath: file))
    do {
      _ = try ProbedGPUs.parse(truncated, file: file)
      Issue.record("a truncated document was read")
    } catch {
      #expect(error.file == file)
      #expect(error.message.hasPrefix("is not a well-formed XML document"), "\(error)")
    }
  }

  @Test func anotherDocumentIsRefused() {
    #expect(
      throws: ProbeError(
        file: "x.xml", "is XML, but its root element is <topology>, not <nvidia_smi_log>",
        hint: "rig reads what 'nvidia-smi -q -x' prints")
    ) { _ = try ProbedGPUs.parse(Data("<topology/>".utf8), file: "x.xml") }
  }

  /// Architecture names from product names, for drivers before product_architecture.
  @Test func architecturesOfModelNames() {
    let cases: [(String, GPUArchitecture?)] = [
      ("NVIDIA GeForce RTX 5090", .blackwell), ("NVIDIA GeForce RTX 4070", .ada), ("NVIDIA GeForce RTX 3090", .ampere),
      ("NVIDIA GeForce RTX 2080 Ti", .turing), ("NVIDIA GeForce GTX 1660 Ti", .turing), ("Tesla T4", .turing),
      ("Tesla V100-SXM2-16GB", .volta), ("NVIDIA GeForce GTX 1080", .pascal), ("Quadro P400", .pascal),
      ("NVIDIA GeForce GTX 980", .maxwell), ("NVIDIA H100 PCIe", .hopper), ("NVIDIA A100-SXM4-80GB", .ampere),
      ("NVIDIA RTX 4000 SFF Ada Generation", .ada), ("Graphics Device", nil),
    ]
    for (model, architecture) in cases {
      #expect(ProbedGPUs.architecture(ofModel: model) == architecture, "\(model)")
    }
  }
}
