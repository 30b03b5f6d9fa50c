import RigBasics
import RigModel
import RigResolver

/// Allocation: CPU sets from the machine's topology, GPU memory and RAM against their budgets, GPU power limits
/// and the GPU time-slicing plan for Kubernetes.
public enum Allocator {
  /// Allocates the machine to the resolved components that `spec` declares resources for. Nil, with the reasons
  /// in `diagnostics`, when something does not fit; warnings may be added either way.
  public static func allocate(spec: RigSpec, resolution: Resolution, diagnostics: inout DiagnosticEngine)
    -> Allocation?
  {
    let selected = Set(resolution.components.map(\.name))
    let components = spec.components.filter { selected.contains($0.name.value) }.sorted {
      $0.name.value < $1.name.value
    }
    var cpuAllocator = CPUAllocator(cpu: spec.hardware.cpu, policies: spec.policies)
    let cpu = cpuAllocator.allocate(components)
    diagnostics.append(contentsOf: cpuAllocator.diagnostics)
    var budgets = Budgets(spec: spec, components: components)
    let gpuMemory = budgets.gpuMemory()
    let memory = budgets.memory()
    let powerLimits = budgets.powerLimits()
    let timeSlicing = budgets.timeSlicing()
    diagnostics.append(contentsOf: budgets.diagnostics)
    guard let cpu, !budgets.diagnostics.hasErrors else { return nil }
    return Allocation(
      cpu: cpu, gpuMemory: gpuMemory, memory: memory, timeSlicing: timeSlicing, powerLimits: powerLimits)
  }
}

/// GPU memory, RAM, power and sharing checks; each reports what breaks a rule to `diagnostics`.
struct Budgets {
  let spec: RigSpec
  let components: [Component]
  var diagnostics = DiagnosticEngine()

  var gpus: [GPU] { spec.hardware.gpus }

  /// The amounts `amount` picks out of components, with each `exclusive_group` counted as its largest member.
  static func items(_ components: [Component], _ amount: (Component) -> Located<ByteCount>?) -> [BudgetItem] {
    var items = components.compactMap { component -> BudgetItem? in
      guard let value = amount(component) else { return nil }
      return BudgetItem(
        component: component.name.value, amount: value.value, group: component.exclusiveGroup?.value, counted: true,
        range: value.range)
    }
    var largest: [String: Int] = [:]
    for (index, item) in items.enumerated() {
      guard let group = item.group else { continue }
      if let current = largest[group], items[current].amount >= item.amount { continue }
      largest[group] = index
    }
    for index in items.indices {
      if let group = items[index].group { items[index].counted = largest[group] == index }
    }
    return items
  }

  /// Reports `budget` when its components take more than is usable: the total, then every contributor (what a
  /// group counts as), the reserve and the capacity, each with its place. `what` names the amount ("GPU
  /// memory"), `request` and `reserve` the keys to lower.
  mutating func checkOverBudget(
    _ budget: Budget, what: String, message: (String) -> AllocationMessage, request: String, reserve: String,
    capacityText: String, reserveText: String
  ) {
    guard budget.used > budget.usable else { return }
    var lines: [ExplanationLine] = []
    for item in budget.items {
      var text = "'\(item.component)' needs \(item.amount)"
      if let group = item.group {
        text +=
          item.counted ? " (the largest of group '\(group)')" : " (not counted: group '\(group)' runs one at a time)"
      }
      lines.append(ExplanationLine(text, at: item.range))
    }
    if budget.reserve.bytes > 0 {
      lines.append(ExplanationLine("\(reserveText) \(budget.reserve)", at: budget.reserveRange))
    }
    lines.append(ExplanationLine("\(capacityText) \(budget.capacity)", at: budget.capacityRange))
    var diagnostic = Diagnostic(
      message("\(what) is over budget: components need \(budget.used), \(budget.usable) is usable"),
      at: budget.items.first { $0.counted }?.range,
      help: [
        "lower the components' '\(request)', put components that never run together in one 'exclusive_group', "
          + "or lower '\(reserve)'"
      ])
    diagnostic.explanation = lines
    diagnostics.emit(diagnostic)
  }

  /// GPU memory: usable = GPU memory − reserve. Nil without GPUs.
  mutating func gpuMemory() -> Budget? {
    // A component with several GPUs uses its memory on each of them.
    let items = Self.items(components) { component in
      component.resources.gpu.map { Located($0.totalMemory, at: $0.memory.range) }
    }
    if gpus.isEmpty {
      if let first = items.first {
        diagnostics.emit(
          AllocationMessage.noGPU("'\(first.component)' asks for GPU memory, but 'hardware.gpus' lists no GPU"),
          at: first.range, help: ["add the machine's GPU under 'hardware.gpus', or remove the component's 'gpu:'"])
      }
      return nil
    }
    // A component's GPU memory is on each of its GPUs: a request larger than every GPU fits nowhere, whatever the
    // total.
    if let largest = gpus.max(by: { $0.memory.value < $1.memory.value }) {
      for component in components {
        guard let gpu = component.resources.gpu, gpu.memory.value > largest.memory.value else { continue }
        diagnostics.emit(
          AllocationMessage.gpuOverBudget(
            "'\(component.name.value)' asks for \(gpu.memory.value) of GPU memory"
              + (gpu.gpus > 1 ? " on each of its GPUs" : "") + ", more than any one GPU has: the largest, "
              + "'\(largest.name.value)', has \(largest.memory.value)"),
          at: gpu.memory.range,
          notes: gpus.count > 1
            ? [DiagnosticNote("a process's GPU memory is on the GPU it runs on; the GPUs' memory does not add up")]
            : [],
          help: ["lower its 'gpu.memory' to at most \(largest.memory.value)"])
      }
    }
    let capacity = gpus.reduce(ByteCount(bytes: 0)) { $0 + $1.memory.value }
    let reserve = spec.policies.gpuReserve
    let budget = Budget(
      capacity: capacity, capacityRange: gpus.count == 1 ? gpus[0].memory.range : nil,
      reserve: reserve?.value ?? ByteCount(bytes: 0), reserveRange: reserve?.range, items: items)
    checkOverBudget(
      budget, what: "GPU memory", message: AllocationMessage.gpuOverBudget, request: "gpu.memory",
      reserve: "policies.gpu.reserve",
      capacityText: gpus.count == 1 ? "'\(gpus[0].name.value)' has" : "the GPUs have", reserveText: "the display keeps")
    return budget
  }

  /// RAM: component requests + reserve ≤ installed memory.
  mutating func memory() -> Budget {
    let reserve = spec.policies.memoryReserve
    let budget = Budget(
      capacity: spec.hardware.memory.value, capacityRange: spec.hardware.memory.range,
      reserve: reserve?.value ?? ByteCount(bytes: 0), reserveRange: reserve?.range,
      items: Self.items(components) { $0.resources.memory })
    checkOverBudget(
      budget, what: "RAM", message: AllocationMessage.memoryOverBudget, request: "memory",
      reserve: "policies.memory.reserve", capacityText: "the machine has", reserveText: "the system keeps")
    return budget
  }

  /// The power limit for each GPU, inside the board's range when the range is known.
  mutating func powerLimits() -> [GPUPowerLimit] {
    guard let limit = spec.policies.gpuPowerLimit else { return [] }
    guard !gpus.isEmpty else {
      diagnostics.emit(
        AllocationMessage.noGPU("'policies.gpu.power_limit' is set, but 'hardware.gpus' lists no GPU"),
        at: limit.range, help: ["add the machine's GPU under 'hardware.gpus', or remove 'power_limit'"])
      return []
    }
    for gpu in gpus {
      guard let power = gpu.power, limit.value < power.min.value || limit.value > power.max.value else { continue }
      diagnostics.emit(
        AllocationMessage.powerLimit(
          "power limit \(limit.value) is outside the range of '\(gpu.name.value)', \(power.min.value) to \(power.max.value)"
        ),
        at: limit.range, notes: [DiagnosticNote("the range is written here", at: power.min.range)],
        help: [
          "choose a limit from \(power.min.value) to \(power.max.value) ('nvidia-smi -q -d POWER' shows the board's range)"
        ])
    }
    return gpus.enumerated().map { GPUPowerLimit(gpu: $1.name.value, index: $0, limit: limit.value) }
  }

  /// Kubernetes GPU workloads: two or more that time-slice share every GPU through the device plugin; one that
  /// wants a GPU exclusively cannot run beside them, and whole-GPU workloads cannot outnumber the GPUs.
  /// Nil when no time slicing is needed.
  mutating func timeSlicing() -> GPUTimeSlicing? {
    let kubernetes = components.filter { $0.runtime?.value == .kubernetes && $0.resources.gpu != nil }
    let sharers = kubernetes.filter { $0.gpuSharing == .timeSliced }
    let exclusive = kubernetes.filter { $0.gpuSharing == .exclusive }
    // Replicas of a time-sliced GPU are not distinct GPUs: a pod asking for two may get two slices of one.
    for component in sharers {
      guard let gpu = component.resources.gpu, let count = gpu.count, count.value > 1 else { continue }
      diagnostics.emit(
        AllocationMessage.sharingConflict(
          "'\(component.name.value)' asks for \(count.value) GPUs, but time-sliced GPUs are replicas of one"),
        at: count.range,
        notes: [
          DiagnosticNote(
            "the NVIDIA device plugin may give a pod that asks for several time-sliced GPUs replicas of the same one")
        ],
        help: ["give '\(component.name.value)' 'sharing: exclusive', or ask for one GPU"])
      return nil
    }
    if sharers.count >= 2 {
      if let first = exclusive.first {
        diagnostics.emit(
          AllocationMessage.sharingConflict(
            "'\(first.name.value)' needs a GPU to itself, but \(sharers.map { "'\($0.name.value)'" }.joined(separator: ", ")) "
              + "time-slice every GPU of the node"),
          at: first.resources.gpu?.sharing?.range ?? first.resources.gpu?.memory.range,
          notes: [
            DiagnosticNote(
              "the NVIDIA device plugin's time slicing applies to every GPU it advertises"
                + (first.resources.gpu?.sharing == nil
                  ? "; isolated components use their GPU exclusively unless they say 'sharing: time-sliced'" : ""))
          ],
          help: ["give '\(first.name.value)' 'sharing: time-sliced', or run it as a systemd service"])
        return nil
      }
      return GPUTimeSlicing(replicas: sharers.count, sharers: sharers.map(\.name.value))
    }
    // Without time slicing each Kubernetes GPU workload takes its whole GPUs; a group takes as many as its largest
    // member between its members.
    var slots: [String: Int] = [:]
    for component in kubernetes {
      let slot = component.exclusiveGroup.map { "group " + $0.value } ?? component.name.value
      slots[slot] = max(slots[slot] ?? 0, component.resources.gpu?.gpus ?? 1)
    }
    let needed = slots.values.reduce(0, +)
    if needed > gpus.count, !gpus.isEmpty {
      let last = kubernetes.last?.resources.gpu
      diagnostics.emit(
        AllocationMessage.notEnoughGPUs(
          slots.count == needed
            ? "\(slots.count) Kubernetes workloads need a whole GPU each, but the machine has \(gpus.count)"
            : "Kubernetes workloads need \(needed) whole GPUs, but the machine has \(gpus.count)"),
        at: last?.count?.range ?? last?.memory.range,
        help: [
          "give them 'sharing: time-sliced', ask for fewer GPUs, or put those that never run together in one "
            + "'exclusive_group'"
        ])
    }
    return nil
  }
}
