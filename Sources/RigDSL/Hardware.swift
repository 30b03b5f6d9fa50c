import RigBasics
import RigModel

/// The machine rig compiles for (`hardware:` in YAML), built by chaining: `Hardware.cpu(…).memory(…).gpu(…).os(…)`.
public struct Hardware: Sendable {
  var cpu: CPUDeclaration
  /// Every `.memory(…)`, in order: the first counts, a second is an error.
  var memory: [(size: ByteCount, site: Site)] = []
  var gpus: [GPUDeclaration] = []
  /// Every `.os(…)`, in order: the first counts, a second is an error.
  var os: [(os: OS, site: Site)] = []
  let site: Site

  init(cpu: CPUDeclaration, site: Site) {
    self.cpu = cpu
    self.site = site
  }

  /// A machine with this processor: its topology, model name and boot CPU (0 unless written).
  public static func cpu(
    _ topology: CPUTopology, model: String? = nil, bootCPU: Int? = nil, fileID: String = #fileID,
    filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Hardware {
    let site = callRange("cpu", fileID, filePath, line, column)
    return Hardware(cpu: CPUDeclaration(topology: topology, model: model, bootCPU: bootCPU, site: site), site: site)
  }

  /// The machine's RAM.
  public func memory(
    _ size: ByteCount, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Hardware {
    var hardware = self
    hardware.memory.append((size, callRange("memory", fileID, filePath, line, column)))
    return hardware
  }

  /// Adds a GPU (in `nvidia-smi -L` order): a name for rig's output, the model, the architecture, its memory and
  /// its board power range (as `nvidia-smi -q -d POWER` reports it).
  public func gpu(
    _ name: String, model: String? = nil, architecture: GPUArchitecture? = nil, memory: ByteCount,
    power: BoardPower? = nil, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) -> Hardware {
    var hardware = self
    hardware.gpus.append(
      GPUDeclaration(
        name: name, model: model, architecture: architecture, memory: memory, power: power,
        site: callRange("gpu", fileID, filePath, line, column)))
    return hardware
  }

  /// The operating system release the machine runs.
  public func os(
    _ os: OS, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) -> Hardware {
    var hardware = self
    hardware.os.append((os, callRange("os", fileID, filePath, line, column)))
    return hardware
  }
}

struct CPUDeclaration: Sendable {
  var topology: CPUTopology
  var model: String?
  var bootCPU: Int?
  var site: Site
}

struct GPUDeclaration: Sendable {
  var name: String
  var model: String?
  var architecture: GPUArchitecture?
  var memory: ByteCount
  var power: BoardPower?
  var site: Site
}

/// How a processor's logical CPUs map onto its physical cores.
public struct CPUTopology: Sendable {
  enum Kind: Sendable {
    case hybrid(performance: Int, efficiency: Int, threadsPerPerformanceCore: Int, smt: SMTNumbering?)
    case cores([Core])
  }
  let kind: Kind

  /// `performance` cores with `threadsPerPerformanceCore` SMT siblings, then `efficiency` cores with one thread
  /// each. Siblings are numbered as `smt` says: next to each other (0/1, 2/3, …) unless written, as `lscpu -e`
  /// shows on an i7-14700K; `.split` (n and n+performance) as on AMD's parts, whose model requires it.
  public static func hybrid(
    performance: Int, efficiency: Int, threadsPerPerformanceCore: Int = 2, smt: SMTNumbering? = nil
  ) -> CPUTopology {
    CPUTopology(
      kind: .hybrid(
        performance: performance, efficiency: efficiency, threadsPerPerformanceCore: threadsPerPerformanceCore,
        smt: smt))
  }

  /// Every core with its logical CPUs, as `lscpu -e` lists them; `for` loops welcome.
  public static func cores(@CoreBuilder _ cores: () -> [Core]) -> CPUTopology {
    CPUTopology(kind: .cores(cores()))
  }
}

/// One physical core and the logical CPUs (SMT siblings) it runs.
public struct Core: Sendable {
  let kind: CoreKind
  let threads: [Int]
  let site: Site

  /// A core of `kind` running the logical CPUs `threads`.
  public init(
    _ kind: CoreKind, threads: Int..., fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    self.kind = kind
    self.threads = threads
    self.site = callRange("Core", fileID, filePath, line, column)
  }
}

/// Collects the cores of a `CPUTopology.cores` list.
@resultBuilder
public enum CoreBuilder: ListBuilder {
  /// What this builder collects.
  public typealias Element = Core
}

/// A GPU's board power range: the default limit and the range the driver accepts.
public struct BoardPower: Sendable {
  let defaultLimit: Power?
  let min: Power
  let max: Power

  /// The range `nvidia-smi -q -d POWER` reports: `Default Power Limit`, `Min Power Limit`, `Max Power Limit`.
  public init(default defaultLimit: Power? = nil, min: Power, max: Power) {
    self.defaultLimit = defaultLimit
    self.min = min
    self.max = max
  }
}

/// An operating system release rig knows.
public struct OS: Sendable, Hashable {
  let distribution: String
  let release: String

  /// Debian at `release`.
  public static func debian(_ release: DebianRelease) -> OS { OS(distribution: "debian", release: release.rawValue) }
}

/// The Debian releases rig's catalog covers.
public enum DebianRelease: String, Sendable, CaseIterable {
  /// Debian 12.
  case bookworm
  /// Debian 13.
  case trixie
}
