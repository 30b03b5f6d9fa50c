import ArgumentParser
import Foundation
import RigBasics
import RigCompiler
import RigPlan
import RigProbe
import RigVerify

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

  package init(root: String?, nvidiaSMIXML: String?) {
    self.root = root
    self.nvidiaSMIXML = nvidiaSMIXML
  }

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
  package func gpus() throws -> ProbedGPUs? {
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

  /// Runs `program` with `arguments`: its exit status, standard output and standard error (both pipes read before
  /// waiting, so a chatty program cannot block on a full pipe).
  static func execute(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: Data, errors: Data) {
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
    return (process.terminationStatus, data, message)
  }

  /// Runs `arguments` (a program on PATH and its arguments): its exit status and standard output.
  static func command(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let result = try execute("/usr/bin/env", arguments)
    return (result.status, String(decoding: result.output, as: UTF8.self))
  }

  /// Its standard output; an error naming the command and what it printed when it fails.
  static func run(_ program: String, _ arguments: [String]) throws -> Data {
    let result = try execute(program, arguments)
    guard result.status == 0 else {
      let said = String(decoding: result.output + result.errors, as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      throw ProbeError(
        file: ([program] + arguments).joined(separator: " "), "exited with \(result.status): \(said)",
        hint: "load the NVIDIA driver, or pass a saved document with --nvidia-smi-xml")
    }
    return result.output
  }
}

/// `rig verify`: compares the machine (or a captured tree) with the project's plan.
public struct Verify<Project: ProjectArguments>: ParsableCommand {
  public static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: "verify",
      abstract: "Check this machine, or a captured tree, against the project's plan.",
      discussion: """
        Compares what the plan installs and sets with what the machine has: every file rig installs, package \
        versions (dpkg's database), the kernel command line (reboot pending when only the GRUB drop-in has it), \
        the isolated and nohz_full CPUs, each slice's AllowedCPUs= and MemoryMax= and each unit's state \
        (systemctl, live only), GPU power limits and persistence mode (nvidia-smi), the kubelet's CPU manager.
        Exit status: 0 checked (with --detailed-exitcode: nothing drifted), 1 errors, 2 drift with \
        --detailed-exitcode, or usage error.
        """)
  }

  @OptionGroup var project: Project

  @Option(help: "Read a captured tree laid out as the machine instead of this machine.")
  var root: String?

  @Option(name: .customLong("nvidia-smi-xml"), help: "Read GPUs from this 'nvidia-smi -q -x' document.")
  var nvidiaSMIXML: String?

  @Option(help: "The fleet's host this machine is (required for a fleet).")
  var host: String?

  @Flag(help: "Exit 0 when everything read is as planned, 1 on errors, 2 when something drifted.")
  var detailedExitcode = false

  @OptionGroup var options: DiagnosticOptions

  public init() {}

  public func run() throws {
    let verified: Verified
    do {
      verified = try Verified.verify(project.check(), host: host, root: root, nvidiaSMIXML: nvidiaSMIXML)
    } catch let error as ProbeError {
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      throw ExitCode(1)
    }
    guard case .verified(let verification, let plan) = verified else {
      if case .refused(let result) = verified {
        try options.report(result, json: { result.diagnostics.json(extra: [("command", .string("verify"))]) }) { "" }
      }
      return
    }
    let name = plan.spec.name.value
    let machine = root.map { "the tree \($0)" } ?? "this machine"
    let text: String
    if options.format == .json {
      text = verification.json(project: name, machine: machine).serialized()
    } else {
      text = verification.text(project: name, machine: machine)
    }
    FileHandle.standardOutput.write(Data(text.utf8))
    if detailedExitcode, !verification.drifted.isEmpty { throw ExitCode(2) }
  }
}

/// What `verify` found: the project's errors, or the machine compared with the plan.
package enum Verified {
  case refused(CheckResult)
  case verified(Verification, RigPlan.Plan)

  /// Compares the machine (or the tree at `root`) with the plan of `project` (of its host `host`); the GPUs from
  /// `nvidiaSMIXML`, or nvidia-smi on the live machine.
  package static func verify(_ project: CheckResult, host: String?, root: String?, nvidiaSMIXML: String?) throws
    -> Verified
  {
    let result = RigCompiler.machine(project, host: host)
    guard let plan = result.plan, !result.hasErrors else { return .refused(result) }
    let artifacts = RigCompiler.machineArtifacts(project, host: host)
    let live: CommandRunner = { @Sendable arguments in try NvidiaSMI.command(arguments) }
    let gpus = try Probe(root: root, nvidiaSMIXML: nvidiaSMIXML).gpus()
    return .verified(
      try Verification.verify(
        plan: plan, artifacts: artifacts, tree: MachineTree(root: root ?? "/"), gpus: gpus,
        run: root == nil ? live : nil),
      plan)
  }
}
