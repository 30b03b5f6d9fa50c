import RigBasics

/// Messages of allocation (CPU sets, GPU memory, RAM, GPU power), with their stable IDs.
public enum AllocationMessage: DiagnosticMessage {
  case cpuOutOfRange(String)
  case badCPUList(String)
  case splitSiblings(String)
  case bootCPUIsolated(String)
  case emptySet(String)
  case overlap(String)
  case notIsolated(String)
  case unassigned(String)
  case notEnoughCores(String)
  case mixedCores(String)
  case noGPU(String)
  case gpuOverBudget(String)
  case memoryOverBudget(String)
  case powerLimit(String)
  case sharingConflict(String)
  case notEnoughGPUs(String)

  public var id: DiagnosticID {
    switch self {
    case .cpuOutOfRange: "cpu-out-of-range"
    case .badCPUList: "bad-cpu-list"
    case .splitSiblings: "split-smt-siblings"
    case .bootCPUIsolated: "boot-cpu-isolated"
    case .emptySet: "empty-cpu-set"
    case .overlap: "cpu-overlap"
    case .notIsolated: "cpus-not-isolated"
    case .unassigned: "cpus-unassigned"
    case .notEnoughCores: "not-enough-cores"
    case .mixedCores: "mixed-core-isolation"
    case .noGPU: "no-gpu"
    case .gpuOverBudget: "gpu-memory-over-budget"
    case .memoryOverBudget: "memory-over-budget"
    case .powerLimit: "power-limit-out-of-range"
    case .sharingConflict: "gpu-sharing-conflict"
    case .notEnoughGPUs: "not-enough-gpus"
    }
  }

  public var severity: Severity {
    switch self {
    case .mixedCores: .warning
    default: .error
    }
  }

  public var text: String {
    switch self {
    case .cpuOutOfRange(let text), .badCPUList(let text), .splitSiblings(let text), .bootCPUIsolated(let text),
      .emptySet(let text), .overlap(let text), .notIsolated(let text), .unassigned(let text),
      .notEnoughCores(let text), .mixedCores(let text), .noGPU(let text), .gpuOverBudget(let text),
      .memoryOverBudget(let text), .powerLimit(let text), .sharingConflict(let text), .notEnoughGPUs(let text):
      text
    }
  }
}
