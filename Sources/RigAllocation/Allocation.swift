import RigBasics
import RigModel

/// What the machine's CPUs, GPU memory, RAM and GPU power are given to: the result of allocation, which every
/// emitter reads.
public struct Allocation: Sendable, Hashable {
  public var cpu: CPUAllocation
  /// GPU memory against its budget; nil when the machine has no GPU and nothing asks for one.
  public var gpuMemory: Budget?
  public var memory: Budget
  /// The NVIDIA device plugin's time-slicing plan; nil when fewer than two Kubernetes workloads share GPUs.
  public var timeSlicing: GPUTimeSlicing?
  /// The board power limit to apply to each GPU, in `hardware.gpus` order.
  public var powerLimits: [GPUPowerLimit]
}

/// The machine's CPUs split into the isolated set and the housekeeping set, and each component's share.
public struct CPUAllocation: Sendable, Hashable {
  /// Whole physical cores taken away from the scheduler, interrupts and RCU for isolated components.
  public var isolated: CPUList
  /// Everything else: the kernel, interrupts, and every process not isolated.
  public var housekeeping: CPUList
  /// Components that ask for CPU, sorted by name.
  public var components: [ComponentCPU]
  /// The machine's cores, to describe the sets in reports.
  public var cores: [Core]

  /// The whole cores of `cpus` by kind, for reports: `4 performance, 12 efficiency`.
  public func coreSummary(_ cpus: CPUList) -> String {
    let whole = cores.whole(in: cpus)
    return CoreKind.allCases.compactMap { kind in
      let count = whole.filter { $0.kind == kind }.count
      return count == 0 ? nil : "\(count) \(kind.rawValue)"
    }.joined(separator: ", ")
  }
}

/// One component's CPUs.
public struct ComponentCPU: Sendable, Hashable {
  public var name: String
  public var runtime: Runtime
  public var placement: Placement
  /// The CPUs it may run on: its own isolated cores, or the housekeeping set (or its own list, when written).
  public var cpus: CPUList
  /// How many CPUs it asks for: every thread of its isolated cores, or its `cores:` on shared CPUs.
  public var count: Int
}

/// One consumer of a budget.
public struct BudgetItem: Sendable, Hashable {
  public var component: String
  public var amount: ByteCount
  /// The `exclusive_group` it belongs to, if any.
  public var group: String?
  /// Whether it adds to the total: false for a group member smaller than the group's largest, which never runs
  /// at the same time.
  public var counted: Bool
  public var range: SourceRange?
}

/// An amount of memory (GPU memory or RAM), what is kept back, and what components take.
public struct Budget: Sendable, Hashable {
  public var capacity: ByteCount
  public var capacityRange: SourceRange?
  public var reserve: ByteCount
  public var reserveRange: SourceRange?
  /// Sorted by component name.
  public var items: [BudgetItem]

  /// What components may take: capacity less the reserve.
  public var usable: ByteCount { capacity > reserve ? capacity - reserve : ByteCount(bytes: 0) }
  /// What components take: every item counted (a group counts as its largest member).
  public var used: ByteCount { items.filter(\.counted).reduce(ByteCount(bytes: 0)) { $0 + $1.amount } }
}

/// The NVIDIA device plugin's time-slicing: each GPU is advertised `replicas` times so `sharers` can each
/// request `nvidia.com/gpu: 1` of the same board.
public struct GPUTimeSlicing: Sendable, Hashable {
  public var replicas: Int
  /// Sorted by name.
  public var sharers: [String]

  public init(replicas: Int, sharers: [String]) {
    self.replicas = replicas
    self.sharers = sharers
  }
}

/// A power limit for one GPU (`nvidia-smi --id=INDEX --power-limit=WATTS`).
public struct GPUPowerLimit: Sendable, Hashable {
  public var gpu: String
  /// The GPU's index in `hardware.gpus`, which is `nvidia-smi`'s order when the list follows `nvidia-smi -L`.
  public var index: Int
  public var limit: Power
}
