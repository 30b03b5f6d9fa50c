import Foundation
import RigBasics
import RigModel

/// The processor as Linux reports it: cores with their SMT siblings, each core's type, and where each fact
/// came from.
public struct ProbedCPU: Sendable, Hashable {
  /// `model name` of /proc/cpuinfo; nil where the file or the field is missing (Arm kernels print none).
  public var model: String?
  /// Every online core with its logical CPUs, in the order of their first CPU.
  public var cores: [Core]
  public var online: CPUList
  public var offline: CPUList
  /// Physical packages (sockets), when the topology says.
  public var packages: Int?
  /// How the cores' SMT siblings were found.
  public var siblingsSource: String
  /// How the cores' types were told apart.
  public var kindsSource: String

  /// The SMT numbering the hybrid shorthand would write for these cores, nil when neither numbering yields them
  /// (then only an explicit `cores:` list says it).
  public var shorthand: (performance: Int, efficiency: Int, threads: Int, smt: SMTNumbering)? {
    let performance = cores.filter { $0.kind == .performance }
    let efficiency = cores.count - performance.count
    guard let threads = performance.first?.threads.count ?? (efficiency > 0 ? 1 : nil),
      performance.allSatisfy({ $0.threads.count == threads })
    else { return nil }
    for smt in threads > 1 ? [SMTNumbering.adjacent, .split] : [.adjacent] {
      let expected = CPU.hybridTopology(
        performance: performance.count, efficiency: efficiency, threadsPerPerformanceCore: threads, smt: smt)
      if expected.map(\.threads) == cores.map(\.threads), expected.map(\.kind) == cores.map(\.kind) {
        return (performance.count, efficiency, threads, smt)
      }
    }
    return nil
  }

}

extension ProbedCPU {
  static let cpuFolder = "/sys/devices/system/cpu"

  /// Reads the topology of every online CPU from sysfs (Documentation/ABI/stable/sysfs-devices-system-cpu and
  /// Documentation/admin-guide/cputopology.rst): `thread_siblings_list` gives each CPU's SMT siblings (else
  /// `core_cpus_list`, its newer name; else CPUs sharing `physical_package_id` and `core_id`). Core types come
  /// from the hybrid PMUs' CPU lists (`/sys/devices/cpu_core/cpus`, `/sys/devices/cpu_atom/cpus`, present on
  /// Intel hybrid parts since Linux 5.13), else from `cpufreq/cpuinfo_max_freq`: single-thread cores whose
  /// maximum is below every SMT core's are efficiency cores (Intel's E-cores have no SMT and lower clocks); with
  /// no such split every core is a performance core.
  public static func read(_ tree: MachineTree) throws(ProbeError) -> ProbedCPU {
    let onlinePath = cpuFolder + "/online"
    guard let online = try tree.cpuList(onlinePath) else {
      throw ProbeError(file: tree.location(onlinePath), "missing; it is where Linux lists the online CPUs")
    }
    guard !online.isEmpty else { throw ProbeError(file: tree.location(onlinePath), "lists no CPU") }
    let offline = try tree.cpuList(cpuFolder + "/offline") ?? CPUList([])
    if !online.intersection(offline).isEmpty {
      throw ProbeError(
        file: tree.location(cpuFolder + "/offline"),
        "lists CPUs \(online.intersection(offline)) that \(tree.location(onlinePath)) lists as online")
    }

    // Each online CPU's siblings.
    var siblings: [Int: CPUList] = [:]
    var siblingsSource = "thread_siblings_list"
    var packages = Set<Int>()
    var byCoreID: [String: [Int]] = [:]
    for cpu in online.cpus {
      let topology = "\(cpuFolder)/cpu\(cpu)/topology"
      let package = try tree.integer(topology + "/physical_package_id")
      if let package { packages.insert(package) }
      var list = try tree.cpuList(topology + "/thread_siblings_list")
      if list == nil { list = try tree.cpuList(topology + "/core_cpus_list") }
      if let list {
        guard list.contains(cpu) else {
          throw ProbeError(
            file: tree.location(topology + "/thread_siblings_list"), "lists \(list), without CPU \(cpu) itself")
        }
        if let stray = list.subtracting(online).cpus.first {
          throw ProbeError(
            file: tree.location(topology + "/thread_siblings_list"),
            "names CPU \(stray) as a sibling of CPU \(cpu), but \(tree.location(onlinePath)) lists \(online)",
            hint: "the capture is incomplete or from two machines; capture the whole /sys/devices/system/cpu again")
        }
        siblings[cpu] = list
      } else {
        guard let package, let core = try tree.integer(topology + "/core_id")
        else {
          throw ProbeError(
            file: tree.location(topology + "/thread_siblings_list"),
            "missing, and so are core_id and physical_package_id; rig cannot tell CPU \(cpu)'s core")
        }
        siblingsSource = "physical_package_id and core_id"
        byCoreID["\(package)/\(core)", default: []].append(cpu)
      }
    }
    if !byCoreID.isEmpty {
      guard siblings.isEmpty else {
        throw ProbeError(
          file: tree.location(cpuFolder), "has thread_siblings_list for some online CPUs and not for others")
      }
      for group in byCoreID.values { for cpu in group { siblings[cpu] = CPUList(group) } }
    }
    // Siblings must agree: CPU a names b exactly when b names a.
    for (cpu, list) in siblings.sorted(by: { $0.key < $1.key }) {
      for other in list.cpus where siblings[other] != list {
        throw ProbeError(
          file: tree.location("\(cpuFolder)/cpu\(other)/topology/thread_siblings_list"),
          "lists \(siblings[other].map(\.description) ?? "nothing"), but CPU \(cpu)'s lists \(list) for the same core")
      }
    }
    let groups = Set(siblings.values).sorted { ($0.cpus.first ?? 0) < ($1.cpus.first ?? 0) }

    // Core types.
    var kinds: [CPUList: CoreKind] = [:]
    let kindsSource: String
    let performanceList = try tree.cpuList("/sys/devices/cpu_core/cpus")
    let efficiencyList = try tree.cpuList("/sys/devices/cpu_atom/cpus")
    if performanceList != nil || efficiencyList != nil {
      kindsSource = "from /sys/devices/cpu_core/cpus and /sys/devices/cpu_atom/cpus"
      let performance = performanceList ?? CPUList([])
      let efficiency = efficiencyList ?? CPUList([])
      for group in groups {
        if group.subtracting(performance).isEmpty {
          kinds[group] = .performance
        } else if group.subtracting(efficiency).isEmpty {
          kinds[group] = .efficiency
        } else {
          throw ProbeError(
            file: tree.location("/sys/devices/cpu_core/cpus"),
            "CPUs \(group) form one core, but cpu_core/cpus (\(performance)) and cpu_atom/cpus (\(efficiency)) "
              + "do not put all of them in one of the two")
        }
      }
    } else {
      var maximum: [CPUList: Int] = [:]
      for group in groups {
        guard let first = group.cpus.first else { continue }
        maximum[group] = try tree.integer("\(cpuFolder)/cpu\(first)/cpufreq/cpuinfo_max_freq")
      }
      let smtMaxima = groups.filter { $0.count > 1 }.compactMap { maximum[$0] }
      let slower = groups.filter { group in
        guard group.count == 1, let own = maximum[group], let lowestSMT = smtMaxima.min() else { return false }
        return own < lowestSMT
      }
      if maximum.count == groups.count, !smtMaxima.isEmpty, !slower.isEmpty {
        kindsSource =
          "from cpufreq/cpuinfo_max_freq (no cpu_core/cpu_atom here): single-thread cores clocked below every SMT core "
          + "are efficiency cores"
        for group in slower { kinds[group] = .efficiency }
      } else {
        kindsSource = "all performance: no cpu_core/cpu_atom, and no single-thread core clocked below the SMT cores"
      }
    }
    let cores = groups.map { Core(kind: kinds[$0] ?? .performance, threads: $0.cpus) }

    // The model.
    var model: String?
    if let cpuinfo = try tree.text("/proc/cpuinfo") {
      for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        break
      }
    }
    return ProbedCPU(
      model: model, cores: cores, online: online, offline: offline, packages: packages.isEmpty ? nil : packages.count,
      siblingsSource: siblingsSource, kindsSource: kindsSource)
  }
}
