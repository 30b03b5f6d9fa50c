import Foundation
import RigBasics
import RigModel

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A GPU's power limits as `nvidia-smi -q -x` reports them.
public struct ProbedPower: Sendable, Hashable {
  public var defaultLimit: Power?
  public var min: Power
  public var max: Power
  /// The limit in force (`enforced_power_limit`, else `current_power_limit` or `power_limit`).
  public var current: Power?
}

/// One NVIDIA GPU from `nvidia-smi -q -x`.
public struct ProbedGPU: Sendable, Hashable {
  /// nvidia-smi's order (PCI bus order), which rig names gpu0, gpu1, …
  public var index: Int
  public var model: String
  public var architecture: GPUArchitecture?
  /// `product_architecture`, or how the architecture was derived, or why it is unknown.
  public var architectureSource: String
  /// The card's framebuffer (`fb_memory_usage/total` of the `<gpu>`), also under MIG.
  public var memory: ByteCount
  public var power: ProbedPower?
  public var persistenceMode: Bool?
  /// MIG instances' framebuffers when MIG is enabled (`mig_mode/current_mig`).
  public var migInstances: [ByteCount]?
  public var uuid: String?
  public var busID: String?
}

/// What one `nvidia-smi -q -x` document says.
public struct ProbedGPUs: Sendable, Hashable {
  public var driverVersion: String?
  public var cudaVersion: String?
  public var gpus: [ProbedGPU]
  /// Where the document came from (a file, or the command).
  public var source: String
  /// What the reader noticed and the output should say (a count that disagrees, …).
  public var notes: [String]
}

extension ProbedGPUs {
  /// Parses `data`, an `nvidia-smi -q -x` document named `file` in errors, with libxml2 through Foundation's
  /// XMLDocument (FoundationXML on Linux is swift-corelibs-foundation's binding of libxml2, the toolchain's own:
  /// no module map of rig's to keep, and XPath for the document's nested elements). No DTD is loaded: the
  /// documents name `nvsmi_device_v12.dtd` and the like, which are not on the machine.
  /// Both power shapes are read: `<power_readings>` (drivers up to 525) and `<gpu_power_readings>` (535 and
  /// later); `N/A` is an absent value; units are inside the text (`24576 MiB`, `350.00 W`).
  public static func parse(_ data: Data, file: String) throws(ProbeError) -> ProbedGPUs {
    // XMLDocument recovers from broken documents (a truncated file reads as a shorter one), so libxml2's
    // stream parser checks the document first; it stops at the first error and says where.
    let check = XMLParser(data: data)
    let parsed = check.parse()
    if !parsed || check.parserError != nil {
      throw ProbeError(
        file: file, "is not a well-formed XML document (libxml2 stops at line \(check.lineNumber))",
        hint: "capture it again with 'nvidia-smi -q -x > FILE'")
    }
    let document: XMLDocument
    do {
      document = try XMLDocument(data: data, options: [])
    } catch {
      throw ProbeError(file: file, "is not a well-formed XML document (\(error.localizedDescription))")
    }
    guard let root = document.rootElement(), root.name == "nvidia_smi_log" else {
      throw ProbeError(
        file: file, "is XML, but its root element is <\(document.rootElement()?.name ?? "")>, not <nvidia_smi_log>",
        hint: "rig reads what 'nvidia-smi -q -x' prints")
    }
    let elements = root.elements(forName: "gpu")
    var gpus: [ProbedGPU] = []
    var notes: [String] = []
    for (index, element) in elements.enumerated() {
      gpus.append(try gpu(element, index: index, file: file))
    }
    if let attached = text(root, "attached_gpus").flatMap({ Int($0) }), attached != elements.count {
      notes.append("attached_gpus says \(attached), but the document lists \(elements.count) <gpu>; rig reads those")
    }
    return ProbedGPUs(
      driverVersion: text(root, "driver_version"), cudaVersion: text(root, "cuda_version"), gpus: gpus, source: file,
      notes: notes)
  }

  static func gpu(_ element: XMLElement, index: Int, file: String) throws(ProbeError) -> ProbedGPU {
    let id = element.attribute(forName: "id")?.stringValue ?? "#\(index)"
    guard let model = text(element, "product_name") else {
      throw ProbeError(file: file, "GPU \(id) has no product_name")
    }
    guard let totalText = text(element, "fb_memory_usage/total") else {
      throw ProbeError(file: file, "GPU \(id) has no fb_memory_usage total")
    }
    guard let memory = mebibytes(totalText) else {
      throw ProbeError(file: file, "GPU \(id): fb_memory_usage total '\(totalText)' is not 'N MiB'")
    }
    var architecture: GPUArchitecture?
    var architectureSource: String
    if let written = text(element, "product_architecture") {
      architecture = Self.architecture(named: written)
      architectureSource =
        architecture == nil
        ? "product_architecture '\(written)' is not one rig knows; write it by hand if it is"
        : "product_architecture '\(written)'"
    } else if let derived = Self.architecture(ofModel: model) {
      architecture = derived
      architectureSource = "derived from the model name: this driver reports no product_architecture"
    } else {
      architectureSource = "unknown: this driver reports no product_architecture, and '\(model)' names none"
    }
    let readings =
      element.elements(forName: "gpu_power_readings").first
      ?? element.elements(forName: "power_readings")
      .first
    var power: ProbedPower?
    if let readings, let min = watts(readings, "min_power_limit"), let max = watts(readings, "max_power_limit") {
      power = ProbedPower(
        defaultLimit: watts(readings, "default_power_limit"), min: min, max: max,
        current: watts(readings, "enforced_power_limit") ?? watts(readings, "current_power_limit")
          ?? watts(readings, "power_limit"))
    }
    var migInstances: [ByteCount]?
    if text(element, "mig_mode/current_mig") == "Enabled" {
      migInstances =
        (try? element.nodes(forXPath: "mig_devices/mig_device/fb_memory_usage/total"))?.compactMap {
          $0.stringValue.flatMap(mebibytes)
        } ?? []
    }
    let persistence = text(element, "persistence_mode").map { $0 == "Enabled" }
    return ProbedGPU(
      index: index, model: model, architecture: architecture, architectureSource: architectureSource, memory: memory,
      power: power, persistenceMode: persistence, migInstances: migInstances, uuid: text(element, "uuid"),
      busID: element.attribute(forName: "id")?.stringValue)
  }

  /// The trimmed text of the element at `path` under `node`; nil when absent, empty or `N/A`.
  static func text(_ node: XMLNode, _ path: String) -> String? {
    guard let found = (try? node.nodes(forXPath: path))?.first,
      let value = found.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty,
      value != "N/A", value != "[N/A]"
    else { return nil }
    return value
  }

  static func watts(_ node: XMLNode, _ path: String) -> Power? {
    text(node, path).flatMap { written($0, unit: "W") }.flatMap { try? Power.parse($0).get() }
  }

  static func mebibytes(_ text: String) -> ByteCount? {
    written(text, unit: "MiB").flatMap { try? ByteCount.parse($0).get() }
  }

  /// nvidia-smi's `350.00 W` or `24576 MiB` as rig writes quantities (`350.00W`), for RigBasics' parsers; nil for
  /// another unit.
  static func written(_ text: String, unit: String) -> String? {
    let parts = text.split(separator: " ")
    guard parts.count == 2, parts[1] == unit else { return nil }
    return parts[0] + unit
  }

  /// `product_architecture` text → rig's architecture (`Ada Lovelace` is `ada`).
  static func architecture(named text: String) -> GPUArchitecture? {
    let word = text.lowercased().split(separator: " ").first.map(String.init) ?? ""
    return GPUArchitecture(rawValue: word)
  }

  /// The architecture of a product name, for drivers that do not report it (before 510). Series as NVIDIA names
  /// them on its product pages: RTX 50 Blackwell, RTX 40 and "Ada Generation" Ada, H100/H200 Hopper, RTX 30 and
  /// A-series data-centre and workstation parts Ampere, RTX 20, GTX 16, TITAN RTX, Quadro RTX and the T-series
  /// Turing, V100 and TITAN V Volta, GTX 10, GT 10 and the P-series Pascal, GTX 9 and the M-series Maxwell.
  static func architecture(ofModel model: String) -> GPUArchitecture? {
    let name = " " + model.uppercased().replacingOccurrences(of: "NVIDIA ", with: "") + " "
    let series: [(Regex<Substring>, GPUArchitecture)] = [
      (#/ RTX 50\d\d| BLACKWELL | G?B[123]00 /#, .blackwell),
      (#/ RTX 40\d\d| ADA | L4 | L40S? /#, .ada),
      (#/ G?H(?:1|2)00 | H800 /#, .hopper),
      (#/ RTX 30\d\d| RTX A\d+ | A(?:100|10G?|16|2|30|40)[ -]/#, .ampere),
      (#/ RTX 20\d\d| GTX 16\d\d| TITAN RTX | QUADRO RTX | TESLA T4 | T4 | T(?:400|600|1000|1200) /#, .turing),
      (#/ V100| TITAN V | QUADRO GV100 /#, .volta),
      (#/ GTX 10\d\d| GT 10\d\d| QUADRO P\d+ | TESLA P\d+ | TITAN XP /#, .pascal),
      (#/ GTX 9\d\d| GTX 750| QUADRO M\d+ | TESLA M\d+ /#, .maxwell),
    ]
    return series.first { name.contains($0.0) }?.1
  }
}
