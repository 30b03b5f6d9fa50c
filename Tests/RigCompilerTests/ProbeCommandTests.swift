import Foundation
import Testing

/// `rig probe` as a person runs it: a captured tree and a saved nvidia-smi document, the live machine, and the
/// exit status and message of a capture it cannot read.
@Suite struct ProbeCommandTests {
  static let fixtures = packageRoot + "/Tests/Fixtures/hardware"

  /// The laptop capture (sysfs only) with Debian 13's os-release added as etc/os-release.
  func laptopTree() throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rig-probe-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let untar = try run(
      "/usr/bin/env",
      ["tar", "-xf", Self.fixtures + "/sysfs/nri-plugins-pkg-sysfs-test-data-sample1.tar.xz", "-C", folder.path])
    try #require(untar.status == 0, "\(untar.stderr)")
    let root = folder.path + "/sample1"
    return root
  }

  func addRelease(_ root: String) throws {
    try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: Self.fixtures + "/os-release/python-distro-debian13-etc-os-release", toPath: root + "/etc/os-release")
  }

  /// The starter rig.yaml probe writes is one rig check and rig plan take as it is.
  @Test func starterFromACaptureChecksAndPlans() throws {
    let root = try laptopTree()
    try addRelease(root)
    let probe = try run(
      try rigBinary(),
      [
        "probe", "--root", root, "--nvidia-smi-xml",
        Self.fixtures + "/nvidia-smi-xml/telegraf-pr17482-dual_2070-v13.xml",
        "--starter",
      ])
    #expect(probe.status == 0, "\(probe.stderr)")
    #expect(probe.stdout.contains("hybrid: { performance: 4, efficiency: 8, smt: adjacent }"))
    #expect(probe.stdout.contains("- name: gpu1"))
    let file = root + "/rig.yaml"
    try probe.stdout.write(toFile: file, atomically: true, encoding: .utf8)
    let check = try run(try rigBinary(), ["check", file])
    #expect(check.status == 0, "\(check.stderr)")
    let plan = try run(try rigBinary(), ["plan", file])
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.stdout.contains("CPU: 16 CPUs in 12 cores"), "\(plan.stdout)")
  }

  /// JSON: the facts with their sources.
  @Test func json() throws {
    let root = try laptopTree()
    try addRelease(root)
    let probe = try run(try rigBinary(), ["probe", "--root", root, "--format", "json"])
    #expect(probe.status == 0, "\(probe.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any])
    let cpu = try #require(object["cpu"] as? [String: Any])
    #expect(cpu["online"] as? String == "0-15")
    #expect((cpu["cores"] as? [Any])?.count == 12)
    #expect((object["os"] as? [String: Any])?["release"] as? String == "trixie")
    #expect(object["gpus"] is NSNull)
  }

  /// A capture without os-release: exit 1, the file named on standard error, nothing on standard output.
  @Test func aMissingFileExitsOne() throws {
    let root = try laptopTree()
    let probe = try run(try rigBinary(), ["probe", "--root", root])
    #expect(probe.status == 1)
    #expect(probe.stdout.isEmpty)
    #expect(
      probe.stderr
        == "error: \(root)/usr/lib/os-release: missing; it is where Linux reports the operating system release "
        + "(os-release(5))\n")
  }

  /// A broken nvidia-smi document: exit 1 naming it.
  @Test func aBrokenDocumentExitsOne() throws {
    let root = try laptopTree()
    try addRelease(root)
    let file = root + "/broken.xml"
    try "<nvidia_smi_log><gpu>".write(toFile: file, atomically: true, encoding: .utf8)
    let probe = try run(try rigBinary(), ["probe", "--root", root, "--nvidia-smi-xml", file])
    #expect(probe.status == 1)
    #expect(probe.stdout.isEmpty)
    #expect(probe.stderr.hasPrefix("error: \(file): is not a well-formed XML document"), "\(probe.stderr)")
  }

  /// The machine the tests run on, read live: either a hardware block rig check accepts whose CPUs are the
  /// machine's online list, or (on a machine rig cannot describe, such as another distribution) exit 1 naming
  /// the file that says why.
  @Test func theLiveMachine() throws {
    let probe = try run(try rigBinary(), ["probe", "--starter"])
    if probe.status == 0 {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rig-probe-live-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try probe.stdout.write(toFile: folder.path + "/rig.yaml", atomically: true, encoding: .utf8)
      let check = try run(try rigBinary(), ["check", folder.path + "/rig.yaml"])
      #expect(check.status == 0, "\(check.stderr)\n\(probe.stdout)")
      let online = try String(contentsOfFile: "/sys/devices/system/cpu/online", encoding: .utf8)
      #expect(probe.stdout.contains("online CPUs (\(online.trimmingCharacters(in: .whitespacesAndNewlines)))"))
    } else {
      #expect(probe.status == 1)
      #expect(probe.stderr.hasPrefix("error: /"), "\(probe.stderr)")
    }
  }

  /// `rig verify` on an empty Debian tree: every file and package drifted, one line each, exit 0, or 2 with
  /// --detailed-exitcode; JSON with the same counts; a tree without dpkg's database exits 1 naming it.
  @Test func verifyAnEmptyTree() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rig-verify-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: root + "/var/lib/dpkg", withIntermediateDirectories: true)
    let example = packageRoot + "/examples/debian-host"
    let missing = try run(try rigBinary(), ["verify", example, "--root", root])
    #expect(missing.status == 1)
    #expect(missing.stderr.hasPrefix("error: \(root)/var/lib/dpkg/status: missing"), "\(missing.stderr)")
    try "".write(toFile: root + "/var/lib/dpkg/status", atomically: true, encoding: .utf8)
    let plain = try run(try rigBinary(), ["verify", example, "--root", root])
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect(plain.stdout.contains("  ~ package git: planned 1:2.39.5-0+deb12u3, actual not installed\n"))
    #expect(plain.stdout.hasSuffix("Verify: 9 drifted, 0 as planned.\n"), "\(plain.stdout)")
    let detailed = try run(try rigBinary(), ["verify", example, "--root", root, "--detailed-exitcode"])
    #expect(detailed.status == 2)
    let json = try run(try rigBinary(), ["verify", example, "--root", root, "--format", "json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["drifted"] as? Int == 9)
    #expect((object["items"] as? [Any])?.count == 9)
  }
}
