import Foundation
import RigBasics
import RigCompiler
import RigModel
import Testing

@testable import RigProbe

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `rig probe` on every sysfs, proc and os-release capture in shared/fixtures/hardware: the hardware block it
/// prints is accepted by `rig check`, and its topology and memory are the capture's own facts.
@Suite struct TopologyCaptureTests {
  /// Probes `root` and checks the printed block with rig check; returns the facts and the checked CPU.
  func probeAndCheck(_ root: String, gpus: ProbedGPUs? = nil) throws -> (MachineFacts, Hardware) {
    let facts = try MachineFacts.read(MachineTree(root: root), gpus: gpus)
    let text = facts.yaml(starter: true)
    let result = RigCompiler.check(text: text, file: "rig.yaml")
    let rendered = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
    let spec = try #require(result.spec, "rig check refuses what probe printed:\n\(rendered)\n\(text)")
    #expect(spec.hardware.cpu.cores.map(\.threads) == facts.cpu.cores.map(\.threads))
    #expect(spec.hardware.cpu.cores.map(\.kind) == facts.cpu.cores.map(\.kind))
    #expect(spec.hardware.memory.value == facts.memory.total)
    return (facts, spec.hardware)
  }

  /// The CPUs of an hwloc cpuset (`0x000ff000`, or comma-separated 32-bit words, lowest last; empty words are 0).
  func cpus(ofCPUSet text: String) -> [Int] {
    let words = text.split(separator: ",", omittingEmptySubsequences: false).reversed()
    var cpus: [Int] = []
    for (index, word) in words.enumerated() {
      let bits = UInt64(word.dropFirst(2), radix: 16) ?? 0
      for bit in 0..<32 where bits & (1 << UInt64(bit)) != 0 { cpus.append(index * 32 + bit) }
    }
    return cpus
  }

  /// hwloc's Raptor Lake i7-1370P on Debian 12's kernel (6.1.0-13-amd64): 6 P-cores with SMT siblings next to
  /// each other, 8 E-cores. This tree has no cpu_core/cpu_atom, so core types come from the cpufreq maxima
  /// (5.0 GHz P, 3.9 GHz E); they must agree with hwloc's own `cpukind` CPU sets in its lstopo XML of the same
  /// part (CoreType IntelCore and IntelAtom). Changed: Debian 13's os-release capture is added as etc/os-release.
  @Test func raptorLakeHybridTarball() throws {
    let root =
      try Captures.untar("sysfs/hwloc-linux-20em64t-hybrid-1p6c2t+2ca4co1t.tar.bz2")
      + "/20em64t-hybrid-1p6c2t+2ca4co1t"
    try Captures.addDebianRelease(to: root)
    let (facts, hardware) = try probeAndCheck(root)

    let lstopo = try XMLDocument(
      contentsOf: URL(fileURLWithPath: Captures.path("hwloc-xml/hwloc-x86-Intel-RaptorLake-Corei7-1370P.xml")))
    var kinds: [String: [Int]] = [:]
    for node in try lstopo.nodes(forXPath: "//cpukind") {
      guard let element = node as? XMLElement, let set = element.attribute(forName: "cpuset")?.stringValue,
        let type = try element.nodes(forXPath: "info[@name='CoreType']/@value").first?.stringValue
      else { continue }
      kinds[type] = cpus(ofCPUSet: set)
    }
    let performance = facts.cpu.cores.filter { $0.kind == .performance }.flatMap(\.threads)
    let efficiency = facts.cpu.cores.filter { $0.kind == .efficiency }.flatMap(\.threads)
    #expect(performance == kinds["IntelCore"])
    #expect(efficiency == kinds["IntelAtom"])
    #expect(facts.cpu.cores.filter { $0.kind == .performance }.map(\.threads) == (0..<6).map { [2 * $0, 2 * $0 + 1] })
    #expect(facts.cpu.kindsSource.hasPrefix("from cpufreq/cpuinfo_max_freq"))
    #expect(facts.cpu.shorthand?.smt == .adjacent)
    #expect(facts.cpu.model == "13th Gen Intel(R) Core(TM) i7-1370P")
    #expect(hardware.cpu.model == facts.cpu.model)
    // The memory is the capture's MemTotal, read here from its own /proc/meminfo.
    let kib = try Captures.kilobytes(try String(contentsOfFile: root + "/proc/meminfo", encoding: .utf8), "MemTotal:")
    #expect(kib == 32_489_496)
    #expect(facts.memory.total == .kib(kib))
    #expect(facts.os.release == "trixie")
  }

  /// nri-plugins' hybrid laptop: /sys/devices/cpu_core/cpus 0-7 and cpu_atom/cpus 8-15 say the core types; no
  /// /proc, so the memory is node0's MemTotal. Changed: Debian 13's os-release capture is added.
  @Test func hybridLaptopWithCoreTypeLists() throws {
    let root = try Captures.untar("sysfs/nri-plugins-pkg-sysfs-test-data-sample1.tar.xz") + "/sample1"
    try Captures.addDebianRelease(to: root)
    let (facts, _) = try probeAndCheck(root)
    let performance = try String(contentsOfFile: root + "/sys/devices/cpu_core/cpus", encoding: .utf8)
    let efficiency = try String(contentsOfFile: root + "/sys/devices/cpu_atom/cpus", encoding: .utf8)
    #expect(performance.trimmingCharacters(in: .whitespacesAndNewlines) == "0-7")
    #expect(efficiency.trimmingCharacters(in: .whitespacesAndNewlines) == "8-15")
    #expect(facts.cpu.cores.filter { $0.kind == .performance }.map(\.threads) == [[0, 1], [2, 3], [4, 5], [6, 7]])
    #expect(facts.cpu.cores.filter { $0.kind == .efficiency }.map(\.threads) == (8...15).map { [$0] })
    #expect(facts.cpu.kindsSource.hasPrefix("from /sys/devices/cpu_core/cpus"))
    #expect(facts.cpu.model == nil)
    let node = try String(contentsOfFile: root + "/sys/devices/system/node/node0/meminfo", encoding: .utf8)
    #expect(facts.memory.total == .kib(try Captures.kilobytes(node, "Node 0 MemTotal:")))
    #expect(facts.memory.total == .kib(40_645_580))
  }

  /// node_exporter's sys.ttar: four CPUs in two packages with core_id and physical_package_id but no
  /// thread_siblings_list, so each core is read from the package and core ids: four single-thread cores; its
  /// memory is the sum of three NUMA nodes. Changed: Debian 13's os-release capture is added.
  @Test func nodeExporterTreeWithoutSiblingLists() throws {
    let root = try Captures.unttar("sysfs/node_exporter-collector-fixtures-sys.ttar")
    try Captures.addDebianRelease(to: root)
    let (facts, _) = try probeAndCheck(root)
    #expect(facts.cpu.cores.map(\.threads) == [[0], [1], [2], [3]])
    #expect(facts.cpu.packages == 2)
    #expect(facts.cpu.siblingsSource == "physical_package_id and core_id")
    var total = 0
    for node in 0...2 {
      let text = try String(contentsOfFile: root + "/sys/devices/system/node/node\(node)/meminfo", encoding: .utf8)
      total += try Captures.kilobytes(text, "Node \(node) MemTotal:")
    }
    #expect(facts.memory.total == .kib(total))
  }

  /// prometheus/procfs' fixtures.ttar holds only part of a machine: cpu0 and cpu1's topology, `offline` and
  /// `isolated`, and no `online` list. rig probe refuses it, naming the file, instead of guessing the rest.
  @Test func procfsFixturesAreIncomplete() throws {
    let root = try Captures.unttar("sysfs/procfs-testdata-fixtures.ttar") + "/fixtures"
    try Captures.addDebianRelease(to: root)
    #expect(
      throws: ProbeError(
        file: root + "/sys/devices/system/cpu/online", "missing; it is where Linux lists the online CPUs")
    ) {
      _ = try MachineFacts.read(MachineTree(root: root), gpus: nil)
    }
    // Its /proc files read as they are: the model and MemTotal of an i7-8650U laptop.
    let facts = try ProbedMemory.read(MachineTree(root: root))
    #expect(facts.total == .kib(15_666_184))
  }

  /// hwloc's lstopo XML of two EPYC 9654 (384 PUs): each core's two PUs are numbered 192 apart. Changed: the XML
  /// is turned into the sysfs files Linux writes for it (online, each CPU's thread_siblings_list and package),
  /// since the capture is hwloc's reading of the machine, not sysfs. rig probe must print split numbering.
  @Test func epycSiblingsAreNumberedApart() throws {
    let lstopo = try XMLDocument(
      contentsOf: URL(fileURLWithPath: Captures.path("hwloc-xml/hwloc-x86-AMD-19h-Zen4-2xEpyc-9654.xml")))
    let root = try Captures.scratch()
    try Captures.addDebianRelease(to: root)
    var all: [Int] = []
    for (package, packageNode) in try lstopo.nodes(forXPath: "//object[@type='Package']").enumerated() {
      for core in try packageNode.nodes(forXPath: ".//object[@type='Core']") {
        let threads = try core.nodes(forXPath: "object[@type='PU']/@os_index").compactMap { $0.stringValue }
          .compactMap { Int($0) }
        for cpu in threads {
          let folder = root + "/sys/devices/system/cpu/cpu\(cpu)/topology"
          try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
          try (CPUList(threads).description + "\n").write(
            toFile: folder + "/thread_siblings_list", atomically: false, encoding: .utf8)
          try "\(package)\n".write(toFile: folder + "/physical_package_id", atomically: false, encoding: .utf8)
        }
        all += threads
      }
    }
    try (CPUList(all).description + "\n").write(
      toFile: root + "/sys/devices/system/cpu/online", atomically: false, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: root + "/proc", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: Captures.path("proc/hwloc-nvidia-dgx-gb10-proc-meminfo"), toPath: root + "/proc/meminfo")
    let (facts, hardware) = try probeAndCheck(root)
    #expect(all.count == 384)
    #expect(facts.cpu.cores.count == 192)
    #expect(facts.cpu.cores.first?.threads == [0, 192])
    #expect(facts.cpu.cores.last?.threads == [191, 383])
    #expect(facts.cpu.packages == 2)
    #expect(facts.cpu.shorthand?.smt == .split)
    #expect(facts.yaml().contains("hybrid: { performance: 192, efficiency: 0, smt: split }"))
    #expect(hardware.cpu.cores.first?.threads == [0, 192])
  }

  /// Debian 13's os-release gives trixie; Ubuntu's (node_exporter's usr/lib/os-release, read there because
  /// /etc/os-release is absent) is refused with the machine it names.
  @Test func osRelease() throws {
    let debian = try Captures.scratch()
    try Captures.addDebianRelease(to: debian)
    let os = try ProbedOS.read(MachineTree(root: debian))
    #expect(os.distribution == "debian" && os.release == "trixie")
    let ubuntu = try Captures.scratch()
    try FileManager.default.createDirectory(atPath: ubuntu + "/usr/lib", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: Captures.path("os-release/node_exporter-usr-lib-os-release"), toPath: ubuntu + "/usr/lib/os-release")
    #expect(throws: ProbeError.self) { _ = try ProbedOS.read(MachineTree(root: ubuntu)) }
    do {
      _ = try ProbedOS.read(MachineTree(root: ubuntu))
    } catch {
      #expect(error.file == ubuntu + "/usr/lib/os-release")
      #expect(error.message == "says the machine runs Ubuntu 20.04.2 LTS; rig compiles for Debian only")
    }
  }

  /// The proc captures: an Arm cpuinfo (DGX GB10) names no model; the MemTotal lines of the three meminfo files.
  @Test func procCaptures() throws {
    for (name, kib) in [
      ("hwloc-nvidia-dgx-gb10", 125_508_468), ("hwloc-20em64t-hybrid-i7-1370P-debian12", 32_489_496),
      ("node_exporter", 3_742_148),
    ] {
      let root = try Captures.scratch()
      try FileManager.default.createDirectory(atPath: root + "/proc", withIntermediateDirectories: true)
      try FileManager.default.copyItem(
        atPath: Captures.path("proc/\(name)-proc-meminfo"), toPath: root + "/proc/meminfo")
      #expect(try ProbedMemory.read(MachineTree(root: root)).total == .kib(kib), "\(name)")
    }
  }

  // MARK: Refusals

  /// Two CPUs that disagree on their core: CPU 1 of the laptop tree is made to name itself alone while CPU 0
  /// names 0-1. Changed: cpu1's thread_siblings_list.
  @Test func siblingsThatDisagreeAreRefused() throws {
    let root = try Captures.untar("sysfs/nri-plugins-pkg-sysfs-test-data-sample1.tar.xz") + "/sample1"
    try Captures.addDebianRelease(to: root)
    let file = root + "/sys/devices/system/cpu/cpu1/topology/thread_siblings_list"
    try FileManager.default.removeItem(atPath: file)
    try "1\n".write(toFile: file, atomically: false, encoding: .utf8)
    do {
      _ = try MachineFacts.read(MachineTree(root: root), gpus: nil)
      Issue.record("a topology that contradicts itself was accepted")
    } catch {
      #expect(error.file == file)
      #expect(error.message == "lists 1, but CPU 0's lists 0-1 for the same core", "\(error)")
    }
  }

  /// A sibling outside the online CPUs: the laptop tree's online list cut to 0-14, so CPU 15 is named by no one
  /// but CPU 14's list stays. Changed: online; cpu14's thread_siblings_list names 14-15.
  @Test func aSiblingThatIsNotOnlineIsRefused() throws {
    let root = try Captures.untar("sysfs/nri-plugins-pkg-sysfs-test-data-sample1.tar.xz") + "/sample1"
    try Captures.addDebianRelease(to: root)
    let online = root + "/sys/devices/system/cpu/online"
    try FileManager.default.removeItem(atPath: online)
    try "0-14\n".write(toFile: online, atomically: false, encoding: .utf8)
    let file = root + "/sys/devices/system/cpu/cpu14/topology/thread_siblings_list"
    try FileManager.default.removeItem(atPath: file)
    try "14-15\n".write(toFile: file, atomically: false, encoding: .utf8)
    #expect(
      throws: ProbeError(
        file: file, "names CPU 15 as a sibling of CPU 14, but \(online) lists 0-14",
        hint: "the capture is incomplete or from two machines; capture the whole /sys/devices/system/cpu again")
    ) { _ = try MachineFacts.read(MachineTree(root: root), gpus: nil) }
  }

  /// A tree with no os-release at all names the file it looked for last.
  @Test func missingOSReleaseIsRefused() throws {
    let root = try Captures.untar("sysfs/nri-plugins-pkg-sysfs-test-data-sample1.tar.xz") + "/sample1"
    #expect(
      throws: ProbeError(
        file: root + "/usr/lib/os-release",
        "missing; it is where Linux reports the operating system release (os-release(5))")
    ) { _ = try MachineFacts.read(MachineTree(root: root), gpus: nil) }
  }
}
