import RigAllocation
import RigBasics
import RigModel

/// One node of a fleet's cluster: the host, the labels rig gives it from its hardware, and how its device plugin
/// shares its GPUs.
public struct ClusterNode: Sendable, Hashable {
  public var name: String
  /// Label keys and values, sorted by key.
  public var labels: [Label]
  /// The host's GPU time slicing; nil when its GPUs are not shared (or it has none).
  public var timeSlicing: GPUTimeSlicing?
  public var hasGPU: Bool

  public struct Label: Sendable, Hashable {
    public var key: String
    public var value: String
  }

  /// The device plugin configuration the node selects (its `nvidia.com/device-plugin.config` label): one per
  /// sharing, so nodes that share alike share one configuration.
  public var devicePluginConfig: String? { hasGPU ? Self.devicePluginConfig(timeSlicing) : nil }

  /// The name of the device plugin configuration of GPUs shared as `timeSlicing` says (nil: not shared).
  static func devicePluginConfig(_ timeSlicing: GPUTimeSlicing?) -> String {
    timeSlicing.map { "time-sliced-\($0.replicas)" } ?? "exclusive"
  }
}

/// A fleet's Kubernetes cluster as the emitters see it: its nodes, its control plane, and the nodes each workload
/// runs on.
public struct ClusterView: Sendable, Hashable {
  public var nodes: [ClusterNode]
  public var controlPlane: String
  /// The hosts whose stacks hold each Kubernetes component, by component name, in the fleet's order.
  public var placement: [String: [String]]

  /// The label GPU Feature Discovery gives a node for its GPU model, and its value: the model's words of
  /// `[A-Za-z0-9-_.]` joined with '-' (NVIDIA/k8s-device-plugin v0.20.0, internal/lm/resource.go, `sanitise`), so
  /// that GFD, where it runs, writes the same label.
  public static let gpuProductLabel = "nvidia.com/gpu.product"
  /// GFD's label for a node's GPU memory, in MiB (docs/gpu-feature-discovery/README.md, v0.20.0): rig writes the
  /// smallest GPU's memory as declared.
  public static let gpuMemoryLabel = "nvidia.com/gpu.memory"
  /// GFD's label for the number of GPUs.
  public static let gpuCountLabel = "nvidia.com/gpu.count"
  /// The label the device plugin's config-manager reads to choose the node's configuration (README "Updating
  /// Per-Node Configuration With a Node Label").
  public static let devicePluginConfigLabel = "nvidia.com/device-plugin.config"
  /// rig's own labels: the GPU architecture and the CPU, which no NVIDIA component labels.
  public static let gpuArchitectureLabel = "rig.dev/gpu.architecture"
  public static let cpuModelLabel = "rig.dev/cpu.model"
  public static let cpuHybridLabel = "rig.dev/cpu.hybrid"

  /// The cluster of `hosts` (with their plans, in the same order) whose control plane is `controlPlane`;
  /// `workloads` names each plan's Kubernetes components.
  public init(hosts: [FleetHost], plans: [Plan], controlPlane: String, workloads: (Plan) -> [String]) {
    self.controlPlane = controlPlane
    var placement: [String: [String]] = [:]
    nodes = zip(hosts, plans).map { host, plan in
      for name in workloads(plan) { placement[name, default: []].append(host.name.value) }
      return ClusterNode(
        name: host.name.value, labels: Self.labels(host.spec.hardware, timeSlicing: plan.allocation.timeSlicing),
        timeSlicing: plan.allocation.timeSlicing, hasGPU: !host.spec.hardware.gpus.isEmpty)
    }
    self.placement = placement
  }

  /// A label value of `text`'s words: characters outside `[A-Za-z0-9-_.]` dropped, words joined with '-',
  /// trimmed to 63 characters and to an alphanumeric end; nil when nothing is left.
  package static func labelValue(_ text: String) -> String? {
    func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
      scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
    }
    let kept = text.unicodeScalars.filter { alphanumeric($0) || "-_. ".unicodeScalars.contains($0) }
    let words = String(String.UnicodeScalarView(kept)).split(separator: " ").joined(separator: "-")
    var value = Substring(words.prefix(63)).unicodeScalars
    while let last = value.last, !alphanumeric(last) { value.removeLast() }
    while let first = value.first, !alphanumeric(first) { value.removeFirst() }
    return value.isEmpty ? nil : String(value)
  }

  static func labels(_ hardware: Hardware, timeSlicing: GPUTimeSlicing?) -> [ClusterNode.Label] {
    var labels: [ClusterNode.Label] = []
    func add(_ key: String, _ value: String?) {
      if let value { labels.append(ClusterNode.Label(key: key, value: value)) }
    }
    if let gpu = hardware.gpus.first {
      add(gpuProductLabel, gpu.model.flatMap(labelValue))
      add(gpuMemoryLabel, String((hardware.gpus.map(\.memory.value.bytes).min() ?? 0) >> 20))
      add(gpuCountLabel, String(hardware.gpus.count))
      add(gpuArchitectureLabel, gpu.architecture?.value.rawValue)
      add(devicePluginConfigLabel, ClusterNode.devicePluginConfig(timeSlicing))
    }
    add(cpuModelLabel, hardware.cpu.model.flatMap(labelValue))
    add(cpuHybridLabel, String(Set(hardware.cpu.cores.map(\.kind)).count > 1))
    return labels.sorted { $0.key < $1.key }
  }
}

extension Plan {
  /// The cluster's plan: every host's Kubernetes components (the first host's declaration and version of each,
  /// which the cluster check has found equal on every host), the first host's spec and catalog otherwise, and
  /// `cluster` for where each runs. CPU and GPU sharing stay each host's.
  public init(cluster: ClusterView, merging plans: [Plan]) {
    var base = plans[0]
    var declared = Set(base.spec.components.map(\.name.value))
    var planned = Dictionary(base.components.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    var cpu = Set(base.allocation.cpu.components.map(\.name))
    var spec = base.spec
    var allocation = base.allocation
    for plan in plans.dropFirst() {
      for component in plan.spec.components where declared.insert(component.name.value).inserted {
        spec.components.append(component)
      }
      for component in plan.components where planned[component.name] == nil { planned[component.name] = component }
      for component in plan.allocation.cpu.components where cpu.insert(component.name).inserted {
        allocation.cpu.components.append(component)
      }
    }
    allocation.timeSlicing = nil
    base.spec = spec
    base.allocation = allocation
    base.components = planned.values.sorted { $0.name < $1.name }
    base.cluster = cluster
    self = base
  }
}
