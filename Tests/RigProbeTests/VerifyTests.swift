import Foundation
import RigBasics
import RigCompiler
import RigEmitters
import RigPlan
import Testing

@testable import RigProbe
@testable import RigVerify

/// `rig verify` on captured trees: a converged one made from the plan of examples/llm-server (every file rig
/// installs, dpkg's database with every pin, the kernel running with the planned command line, the GPU at its
/// limit), then the same tree with one hand change at a time, each named exactly.
@Suite struct VerifyTests {
  static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../examples/llm-server").standardized.path

  struct Machine {
    var plan: Plan
    var artifacts: [Artifact]
    var root: String
    var gpus: ProbedGPUs

    func verify() throws -> Verification {
      try Verification.verify(plan: plan, artifacts: artifacts, tree: MachineTree(root: root), gpus: gpus, run: nil)
    }

    func write(_ text: String, _ path: String) throws {
      let file = root + path
      try FileManager.default.createDirectory(
        atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: file, atomically: false, encoding: .utf8)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: root + path, encoding: .utf8) }
  }

  /// The converged machine. The GPU is the RTX 3090 capture (driver 525) with two changes said here: its limit in
  /// force is set to the plan's and persistence mode is on, as rig's oneshot unit leaves them.
  func converged() throws -> Machine {
    let result = RigCompiler.check(path: Self.example)
    let plan = try #require(result.plan)
    let artifacts = RigCompiler.artifacts(result)
    let root = try Captures.scratch()
    let file = Captures.path("nvidia-smi-xml/telegraf-rtx-3090-v12.xml")
    var gpus = try ProbedGPUs.parse(try #require(FileManager.default.contents(atPath: file)), file: file)
    let limit = try #require(plan.allocation.powerLimits.first)
    gpus.gpus[0].power?.current = limit.limit
    gpus.gpus[0].persistenceMode = true
    let machine = Machine(plan: plan, artifacts: artifacts, root: root, gpus: gpus)
    for installed in Verification.installedFiles(artifacts) { try machine.write(installed.contents, installed.path) }
    let status = plan.aptPins.map {
      "Package: \($0.package)\nStatus: install ok installed\nArchitecture: \($0.architecture)\nVersion: \($0.version)\n"
    }
    try machine.write(status.joined(separator: "\n"), "/var/lib/dpkg/status")
    let parameters = plan.allocation.cpu.kernelParameters
    #expect(!parameters.isEmpty)
    try machine.write(
      "BOOT_IMAGE=/vmlinuz-6.1.0-13-amd64 root=/dev/sda1 ro quiet " + parameters.joined(separator: " ") + "\n",
      "/proc/cmdline")
    try machine.write(plan.allocation.cpu.isolated.description + "\n", "/sys/devices/system/cpu/isolated")
    try machine.write(plan.allocation.cpu.isolated.description + "\n", "/sys/devices/system/cpu/nohz_full")
    return machine
  }

  @Test func aConvergedMachineHasNoDrift() throws {
    let verification = try converged().verify()
    #expect(verification.drifted.isEmpty, "\(verification.drifted)")
    #expect(verification.asPlanned > 10)
    // A captured tree has no running systemd: slices and units are said to be not read, never passed.
    #expect(verification.items.filter { $0.state == .notRead }.allSatisfy { $0.actual.contains("captured tree") })
    #expect(
      verification.text(project: "llm-server", machine: "t").hasSuffix(
        "as planned, \(verification.notRead) not read.\n"))
  }

  /// A slice edited by hand: named with the line that changed.
  @Test func anEditedSliceIsNamed() throws {
    let machine = try converged()
    let slice = try #require(
      Verification.installedFiles(machine.artifacts).first { $0.path.hasSuffix(".slice") })
    let allowed = try #require(slice.contents.split(separator: "\n").first { $0.hasPrefix("AllowedCPUs=") })
    try machine.write(
      slice.contents.replacingOccurrences(of: String(allowed), with: "AllowedCPUs=0-31"), slice.path)
    let drifted = try machine.verify().drifted
    #expect(drifted.count == 1)
    #expect(drifted.first?.subject == "file \(slice.path)")
    #expect(drifted.first?.actual.contains("is 'AllowedCPUs=0-31', planned '\(allowed)'") == true, "\(drifted)")
  }

  /// A package downgraded: planned and installed versions.
  @Test func aDowngradedPackageIsNamed() throws {
    let machine = try converged()
    let pin = try #require(machine.plan.aptPins.first)
    let status = try machine.read("/var/lib/dpkg/status")
    try machine.write(
      status.replacingOccurrences(
        of:
          "Package: \(pin.package)\nStatus: install ok installed\nArchitecture: \(pin.architecture)\nVersion: \(pin.version)",
        with: "Package: \(pin.package)\nStatus: install ok installed\nArchitecture: \(pin.architecture)\nVersion: 0.1-1"
      ),
      "/var/lib/dpkg/status")
    let drifted = try machine.verify().drifted
    #expect(drifted.map(\.subject) == ["package \(pin.package)"])
    #expect(drifted.first?.planned == pin.version.description)
    #expect(drifted.first?.actual == "0.1-1")
  }

  /// Booted without the parameters while the GRUB drop-in has them: reboot pending, one line per parameter; and
  /// without the drop-in too: drifted.
  @Test func aKernelNotBootedWithTheParametersIsRebootPending() throws {
    let machine = try converged()
    try machine.write("BOOT_IMAGE=/vmlinuz-6.1.0-13-amd64 root=/dev/sda1 ro quiet\n", "/proc/cmdline")
    let pending = try machine.verify().drifted
    #expect(pending.count == machine.plan.allocation.cpu.kernelParameters.count)
    #expect(pending.allSatisfy { $0.state == .rebootPending })
    let grub = try #require(
      Verification.installedFiles(machine.artifacts).first { $0.path.hasPrefix("/etc/default/grub.d/") })
    try FileManager.default.removeItem(atPath: machine.root + grub.path)
    let drifted = try machine.verify().drifted
    #expect(drifted.filter { $0.state == .drifted }.map(\.subject).contains("file \(grub.path)"))
    #expect(drifted.filter { $0.subject == "kernel command line" }.allSatisfy { $0.state == .drifted })
  }

  /// The GPU at another limit with persistence off: both named.
  @Test func aGPUNotAtItsLimitIsNamed() throws {
    var machine = try converged()
    machine.gpus.gpus[0].power?.current = .watts(200)
    machine.gpus.gpus[0].persistenceMode = false
    let drifted = try machine.verify().drifted
    let limit = try #require(machine.plan.allocation.powerLimits.first)
    #expect(drifted.map(\.subject) == ["\(limit.gpu) power limit", "\(limit.gpu) persistence mode"])
    #expect(drifted.first?.actual == "200W")
    #expect(limit.limit != .watts(200))
  }

  /// nohz_full other than planned (the kernel running someone else's command line): named with both lists.
  @Test func nohzFullOtherThanPlannedIsNamed() throws {
    let machine = try converged()
    try machine.write("2-5\n", "/sys/devices/system/cpu/nohz_full")
    let drifted = try machine.verify().drifted
    #expect(drifted.map(\.subject) == ["kernel nohz_full CPUs (/sys/devices/system/cpu/nohz_full)"])
    #expect(drifted.first?.actual == "2-5")
  }
}
