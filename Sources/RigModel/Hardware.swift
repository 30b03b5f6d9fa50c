import RigBasics

/// The machine rig compiles for.
public struct Hardware: Sendable, Hashable {
  public var cpu: CPU
  public var memory: Located<ByteCount>
  public var gpus: [GPU]
  public var os: OperatingSystem

  public init(cpu: CPU, memory: Located<ByteCount>, gpus: [GPU], os: OperatingSystem) {
    self.cpu = cpu
    self.memory = memory
    self.gpus = gpus
    self.os = os
  }
}

/// Performance or efficiency core (Intel hybrid parts); plain CPUs have performance cores only.
public enum CoreKind: String, Sendable, Hashable, CaseIterable {
  case performance
  case efficiency
}

/// One physical core and the logical CPUs (SMT siblings) it runs.
public struct Core: Sendable, Hashable {
  public var kind: CoreKind
  /// Logical CPU numbers as Linux enumerates them, sorted.
  public var threads: [Int]
  public var range: SourceRange?

  public init(kind: CoreKind, threads: [Int], range: SourceRange? = nil) {
    self.kind = kind
    self.threads = threads
    self.range = range
  }
}

extension Array where Element == Core {
  /// The cores whose threads all lie in `cpus`.
  public func whole(in cpus: CPUList) -> [Core] { filter { $0.threads.allSatisfy(cpus.contains) } }
  /// The cores with at least one thread in `cpus`.
  public func touching(_ cpus: CPUList) -> [Core] { filter { $0.threads.contains(where: cpus.contains) } }
}

/// The processor: an explicit per-core topology.
public struct CPU: Sendable, Hashable {
  public var model: String?
  public var cores: [Core]
  public var bootCPU: Located<Int>
  /// Where the topology was written (`cores:` or `hybrid:`).
  public var topologyRange: SourceRange?

  public init(model: String?, cores: [Core], bootCPU: Located<Int>, topologyRange: SourceRange? = nil) {
    self.model = model
    self.cores = cores
    self.bootCPU = bootCPU
    self.topologyRange = topologyRange
  }

  /// Every logical CPU, sorted.
  public var logicalCPUs: CPUList { CPUList(cores.flatMap(\.threads)) }

  /// The numerically last logical CPU (what `N` means in a CPU list), nil without cores.
  public var lastCPU: Int? { cores.flatMap(\.threads).max() }

  /// The core that runs logical CPU `cpu`.
  public func core(of cpu: Int) -> Core? { cores.first { $0.threads.contains(cpu) } }

  /// The topology of `performance` cores with `threadsPerPerformanceCore` SMT siblings each, numbered as `smt`
  /// says, then one thread per efficiency core. Adjacent is what Linux usually enumerates on Intel hybrid parts
  /// (an i7-14700K: `lscpu -e` shows CPUs 0–15 on cores 0–7 in pairs and 16–27 on cores 8–19); split is AMD's
  /// and most non-hybrid parts' (a Ryzen 9 7950X: CPU n and n+16 on one core).
  public static func hybridTopology(
    performance: Int, efficiency: Int, threadsPerPerformanceCore: Int, smt: SMTNumbering = .adjacent
  ) -> [Core] {
    var cores: [Core] = []
    let performanceCount = max(0, performance)
    for core in 0..<performanceCount {
      let threads =
        switch smt {
        case .adjacent: Array(core * threadsPerPerformanceCore..<(core + 1) * threadsPerPerformanceCore)
        case .split: (0..<threadsPerPerformanceCore).map { core + $0 * performanceCount }
        }
      cores.append(Core(kind: .performance, threads: threads))
    }
    let next = performanceCount * threadsPerPerformanceCore
    for core in 0..<max(0, efficiency) { cores.append(Core(kind: .efficiency, threads: [next + core])) }
    return cores
  }

  /// Whether `model` names an AMD processor, whose SMT siblings Linux numbers apart (a 16-core part: n and n+16).
  public static func namesAMD(_ model: String?) -> Bool {
    guard let model = model?.lowercased() else { return false }
    return ["amd", "ryzen", "epyc", "threadripper"].contains { model.contains($0) }
  }
}

/// How Linux numbers a core's SMT siblings: next to each other (0/1, 2/3: Intel's hybrid parts), or one thread of
/// every core first and the second threads after them (0/16, 1/17: AMD, and most parts without efficiency cores).
public enum SMTNumbering: String, Sendable, Hashable, CaseIterable {
  case adjacent
  case split
}

/// NVIDIA GPU architectures, oldest first.
public enum GPUArchitecture: String, Sendable, Hashable, CaseIterable, Comparable {
  case maxwell
  case pascal
  case volta
  case turing
  case ampere
  case ada
  case hopper
  case blackwell

  public static func < (a: GPUArchitecture, b: GPUArchitecture) -> Bool {
    (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
  }
}

/// A GPU's board power range as `nvidia-smi -q -d POWER` reports it.
public struct PowerRange: Sendable, Hashable {
  public var defaultLimit: Located<Power>?
  public var min: Located<Power>
  public var max: Located<Power>

  public init(defaultLimit: Located<Power>?, min: Located<Power>, max: Located<Power>) {
    self.defaultLimit = defaultLimit
    self.min = min
    self.max = max
  }
}

/// One GPU.
public struct GPU: Sendable, Hashable {
  public var name: Located<String>
  public var model: String?
  public var architecture: Located<GPUArchitecture>?
  public var memory: Located<ByteCount>
  public var power: PowerRange?

  public init(
    name: Located<String>, model: String?, architecture: Located<GPUArchitecture>?, memory: Located<ByteCount>,
    power: PowerRange?
  ) {
    self.name = name
    self.model = model
    self.architecture = architecture
    self.memory = memory
    self.power = power
  }
}

/// The operating system release the machine runs.
public struct OperatingSystem: Sendable, Hashable {
  public var distribution: Located<String>
  public var release: Located<String>

  public init(distribution: Located<String>, release: Located<String>) {
    self.distribution = distribution
    self.release = release
  }
}
