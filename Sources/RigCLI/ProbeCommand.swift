import ArgumentParser
import Foundation
import RigBasics
import RigProbe

/// `rig probe`: reads the machine (or a captured tree) and prints the `hardware:` block that describes it.
public struct Probe: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "probe",
    abstract: "Read this machine, or a captured tree, and print its hardware: block for rig.yaml.",
    discussion: """
      Reads the CPU topology from sysfs, memory from /proc/meminfo, the CPU model from /proc/cpuinfo, the release \
      from /etc/os-release, and NVIDIA GPUs from 'nvidia-smi -q -x' (run when it is on PATH, or read from \
      --nvidia-smi-xml). Each fact carries a comment saying where it came from.
      Exit status: 0 printed, 1 a file is missing, unreadable or contradicts another, 2 usage error.
      """)

  @Option(help: "Read a captured tree laid out as the machine (DIR/sys/..., DIR/proc/..., DIR/etc/os-release).")
  var root: String?

  @Option(name: .customLong("nvidia-smi-xml"), help: "Read GPUs from this 'nvidia-smi -q -x' document.")
  var nvidiaSMIXML: String?

  @Flag(help: "Print a whole starter rig.yaml around the hardware: block.")
  var starter = false

  @Option(help: "Output format: text (YAML) or json.")
  var format: OutputFormat = .text

  public init() {}

  public func run() throws {
    do {
      let tree = MachineTree(root: root ?? "/")
      let facts = try MachineFacts.read(tree, gpus: try gpus())
      let text = format == .json ? facts.json.serialized() : facts.yaml(starter: starter)
      FileHandle.standardOutput.write(Data(text.utf8))
    } catch let error as ProbeError {
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      throw ExitCode(1)
    }
  }

  /// The GPUs: from --nvidia-smi-xml; else, on the live machine, from `nvidia-smi -q -x` when it is on PATH;
  /// else none.
  func gpus() throws -> ProbedGPUs? {
    if let nvidiaSMIXML {
      guard let data = FileManager.default.contents(atPath: nvidiaSMIXML) else {
        throw ProbeError(file: nvidiaSMIXML, "cannot be read")
      }
      return try ProbedGPUs.parse(data, file: nvidiaSMIXML)
    }
    guard root == nil, let program = NvidiaSMI.path() else { return nil }
    return try ProbedGPUs.parse(try NvidiaSMI.run(program, ["-q", "-x"]), file: "\(program) -q -x")
  }
}

/// Runs nvidia-smi on the live machine.
enum NvidiaSMI {
  /// nvidia-smi on PATH, nil when it is not installed.
  static func path() -> String? {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return folders.map { "\($0)/nvidia-smi" }.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Its standard output; an error naming the command and what it printed when it fails.
  static func run(_ program: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let said = String(decoding: data + message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      throw ProbeError(
        file: ([program] + arguments).joined(separator: " "), "exited with \(process.terminationStatus): \(said)",
        hint: "load the NVIDIA driver, or pass a saved document with --nvidia-smi-xml")
    }
    return data
  }
}
