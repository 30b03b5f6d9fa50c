import RigAllocation
import RigBasics
import RigCatalog
import RigModel
import RigPlan

/// Manifests for the machine's single-node Kubernetes (`kubernetes/*.yaml`), for the version in
/// `targets.kubernetes.version`:
/// - `namespace.yaml`: the namespace, enforcing the `restricted` Pod Security Standard (every workload rig
///   writes satisfies it: non-root, no privilege escalation, all capabilities dropped, seccomp `RuntimeDefault`;
///   https://kubernetes.io/docs/concepts/security/pod-security-standards/);
/// - `runtimeclass.yaml`: RuntimeClass `nvidia`, whose handler the NVIDIA Container Toolkit adds to containerd
///   (`nvidia-ctk runtime configure --runtime=containerd`), when a workload uses a GPU;
/// - `NAME.yaml` per Kubernetes component: a Deployment, or a StatefulSet when it keeps state (`storage:`), and
///   a Service for its ports;
/// - `networkpolicies.yaml`: deny everything, then allow DNS, each component's ports, and each component's
///   traffic to the components it requires;
/// - `device-plugin.yaml`: the NVIDIA device plugin, which advertises the GPUs as `nvidia.com/gpu`, when a workload
///   uses a GPU; `device-plugin-config.yaml`: its time-slicing configuration when GPUs are shared;
/// - `kubelet-config.yaml`: a `KubeletConfiguration` with the static CPU manager when a workload is isolated, and
///   `kubelet.service.conf`, the kubelet unit's drop-in that makes the kubelet read it.
public struct KubernetesEmitter: Emitter {
  public init() {}
  public var target: String { "kubernetes" }
  public func isEnabled(_ plan: Plan) -> Bool { plan.spec.targets.kubernetes != nil }

  /// The manifests, each installed and applied in its turn (namespace and cluster objects first, the policies
  /// last), the kubelet's configuration before them.
  public func artifacts(for plan: Plan) -> [Artifact] {
    guard let target = plan.spec.targets.kubernetes else { return [] }
    var emitter = Context(plan: plan, namespace: target.namespace.value)
    let artifacts = emitter.artifacts()
    func rank(_ path: String) -> Int {
      switch path {
      case Self.kubeletConfigPath: -1
      case "kubernetes/namespace.yaml": 0
      case Self.kubeletUnitPath: -2
      case "kubernetes/runtimeclass.yaml", "kubernetes/device-plugin-config.yaml", "kubernetes/device-plugin.yaml",
        "kubernetes/storage.yaml":
        1
      case "kubernetes/networkpolicies.yaml": 3
      case "kubernetes/nodes.yaml": 4
      default: 2
      }
    }
    let order = artifacts.map(\.path).sorted { (rank($0), $0) < (rank($1), $1) }
    let turn = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
    return artifacts.map { artifact in
      var ranked = artifact
      ranked.installation?.rank = turn[artifact.path] ?? 0
      return ranked
    }
  }

  /// A node's own files in a fleet (the kubelet's configuration and its unit's drop-in), which its host installs.
  public func hostArtifacts(for plan: Plan) -> [Artifact] {
    artifacts(for: plan).filter { $0.path == Self.kubeletConfigPath || $0.path == Self.kubeletUnitPath }
  }

  /// The cluster's objects: the manifests of the cluster's plan, which carries where each workload runs.
  public func clusterArtifacts(for cluster: Plan) -> [Artifact] { artifacts(for: cluster) }

  /// The folder of the kubelet's configuration drop-ins, which it reads only when started with `--config-dir`
  /// (alpha in 1.28 behind an environment variable, usable with the flag alone from 1.30; files must end in
  /// `.conf` and carry apiVersion and kind; https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/).
  static let kubeletConfigFolder = "/etc/kubernetes/kubelet.conf.d"
  static let kubeletDropIn = kubeletConfigFolder + "/60-rig-cpu-manager.conf"
  /// The kubelet unit's drop-in, read after kubeadm's `10-kubeadm.conf`.
  static let kubeletUnitDropIn = "/etc/systemd/system/kubelet.service.d/20-rig-config-dir.conf"
  /// The kubelet unit's drop-in in the output folder.
  public static let kubeletUnitPath = "kubernetes/kubelet.service.conf"

  /// The NVIDIA device plugin's image: the newest release, v0.20.0 (https://github.com/NVIDIA/k8s-device-plugin
  /// tags; deployments/static/nvidia-device-plugin.yml at v0.20.0 names the same image).
  static let devicePluginImage = "nvcr.io/nvidia/k8s-device-plugin:v0.20.0"
  /// A fleet's ConfigMap of device plugin configurations, one per way its nodes share GPUs.
  static let devicePluginConfigsName = "nvidia-device-plugin-configs"
  /// Where the device plugin reads its configuration file (`CONFIG_FILE`), from the ConfigMap rig writes.
  static let devicePluginConfigFolder = "/etc/nvidia-device-plugin"
  /// The device plugin's socket folder, where the kubelet looks for device plugins.
  static let devicePluginSocketFolder = "/var/lib/kubelet/device-plugins"
  /// Where the host keeps the manifests it applies.
  static let manifestFolder = "/etc/rig/kubernetes"

  /// Kubernetes components of the stack (those the resolution selected), by name.
  static func workloads(_ plan: Plan) -> [Component] {
    plan.spec.components
      .filter { $0.runtime?.value == .kubernetes && plan.component(named: $0.name.value) != nil }
      .sorted { $0.name.value < $1.name.value }
  }

  /// What the cluster runs of each component of `names` that `plan` runs, as `plan` has it: its workload's (or node
  /// agent's) objects and their Service, as text, by name. Two hosts whose texts differ cannot share one workload.
  public static func workloadTexts(in plan: Plan, named names: Set<String>) -> [String: String] {
    guard let target = plan.spec.targets.kubernetes else { return [:] }
    let context = Context(plan: plan, namespace: target.namespace.value)
    var texts: [String: String] = [:]
    for component in workloads(plan) where names.contains(component.name.value) {
      if KubernetesFacts.nodeAgents[component.name.value] != nil {
        texts[component.name.value] = YAMLValue.documents([context.nodeAgent(component)])
        continue
      }
      var documents = [context.workload(component)]
      if !component.ports.isEmpty { documents.append(context.service(component)) }
      texts[component.name.value] = YAMLValue.documents(documents)
    }
    return texts
  }

  /// A node affinity that schedules only on nodes matching every one of `expressions`.
  static func requiredNodes(_ expressions: [YAMLValue]) -> YAMLValue {
    [
      "requiredDuringSchedulingIgnoredDuringExecution": [
        "nodeSelectorTerms": [["matchExpressions": .list(expressions)]]
      ]
    ]
  }

  /// The names of the Kubernetes components (workloads and node agents) of `plan`, sorted.
  public static func workloadNames(_ plan: Plan) -> [String] { workloads(plan).map(\.name.value) }

  /// The kubelet's configuration, which is a host file rather than a cluster object.
  public static let kubeletConfigPath = "kubernetes/kubelet-config.yaml"

  /// A workload's file: prefixed, so no component name can take the name of one of the fixed files.
  static func workloadFile(_ component: String) -> String { "workload-\(component).yaml" }

  /// A byte count as a Kubernetes quantity: the largest binary suffix that divides it (`12Gi`, `512Mi`), else bytes.
  static func quantity(_ bytes: ByteCount) -> String {
    for (suffix, size) in [("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
    where bytes.bytes >= size && bytes.bytes % size == 0 {
      return "\(bytes.bytes / size)\(suffix)"
    }
    return String(bytes.bytes)
  }

  /// A label value, when the text is one (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both
  /// ends); Debian versions such as `1:2.39.5-0+deb12u3` are not.
  static func labelValue(_ text: String) -> String? {
    func alphanumeric(_ byte: UInt8) -> Bool {
      (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
    let bytes = text.utf8
    guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, alphanumeric(first), alphanumeric(last),
      bytes.allSatisfy({
        alphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
      })
    else { return nil }
    return text
  }

  /// The user and group every container runs as: not root, and not a user the images are likely to define.
  static let runAsUser = 65532

  struct Context {
    var plan: Plan
    var namespace: String
    var workloads: [Component]
    /// The exporters that run on every node (`KubernetesFacts.nodeAgents`), in their own namespace.
    var agents: [Component]
    /// Workloads that start with no replica: every member of an `exclusive_group` but the first by name, since
    /// the budgets count a group as its largest member (switch with `kubectl scale`).
    var standby: Set<String>

    init(plan: Plan, namespace: String) {
      self.plan = plan
      self.namespace = namespace
      let all = KubernetesEmitter.workloads(plan)
      self.workloads = all.filter { KubernetesFacts.nodeAgents[$0.name.value] == nil }
      self.agents = all.filter { KubernetesFacts.nodeAgents[$0.name.value] != nil }
      var seen: Set<String> = []
      var standby: Set<String> = []
      for workload in workloads {
        guard let group = workload.exclusiveGroup?.value else { continue }
        if !seen.insert(group).inserted { standby.insert(workload.name.value) }
      }
      self.standby = standby
    }

    var usesGPU: Bool { workloads.contains { $0.resources.gpu != nil } }

    func file(_ name: String, _ documents: [YAMLValue]) -> Artifact {
      Artifact(
        path: "kubernetes/\(name)", contents: plan.fileHeader + YAMLValue.documents(documents),
        installation: Installation(KubernetesEmitter.manifestFolder + "/" + name, effects: [.applyToCluster]))
    }

    mutating func artifacts() -> [Artifact] {
      var namespaces = [namespaceObject(namespace, level: "restricted")]
      for (_, members) in workloadNamespaces.dropFirst() { namespaces.append(baselineNamespaceObject(members)) }
      if !agents.isEmpty { namespaces.append(agentNamespaceObject()) }
      var artifacts = [file("namespace.yaml", namespaces)]
      if usesGPU || agents.contains(where: { KubernetesFacts.nodeAgents[$0.name.value]?.usesGPU == true }) {
        artifacts.append(file("runtimeclass.yaml", [runtimeClass()]))
      }
      let keeping = workloads.filter { $0.storage != nil }
      if !keeping.isEmpty {
        var storage = file("storage.yaml", [storageClass()] + keeping.map(localVolume))
        storage.installation?.folders = keeping.map(volumeFolder)
        artifacts.append(storage)
      }
      // One file per workload, each made on its own, and the NetworkPolicy file beside them (it grows with the
      // stack too, and alone it would keep one core busy while the other waits): spread over the cores.
      let context = self
      let made = ([nil] + workloads).concurrentMap { component in
        guard let component else { return context.file("networkpolicies.yaml", context.networkPolicies()) }
        var documents = [context.workload(component)]
        if !component.ports.isEmpty { documents.append(context.service(component)) }
        return context.file(KubernetesEmitter.workloadFile(component.name.value), documents)
      }
      artifacts += made.dropFirst()
      for agent in agents {
        artifacts.append(file(KubernetesEmitter.workloadFile(agent.name.value), [nodeAgent(agent)]))
      }
      artifacts.append(made[0])
      if let cluster = plan.cluster {
        let configs = Set(cluster.nodes.compactMap(\.devicePluginConfig))
        if usesGPU, !configs.isEmpty {
          artifacts.append(file("device-plugin-config.yaml", [nodeDevicePluginConfigs(cluster)]))
          artifacts.append(file("device-plugin.yaml", devicePluginAccess() + [devicePlugin()]))
        }
        artifacts.append(file("nodes.yaml", cluster.nodes.map(node)))
        return artifacts
      }
      if let slicing = plan.allocation.timeSlicing {
        artifacts.append(file("device-plugin-config.yaml", [devicePluginConfig(slicing)]))
      }
      if usesGPU { artifacts.append(file("device-plugin.yaml", [devicePlugin()])) }
      if let kubelet = kubeletConfiguration() {
        artifacts.append(
          Artifact(
            path: KubernetesEmitter.kubeletConfigPath, contents: plan.fileHeader + YAMLValue.documents([kubelet]),
            installation: Installation(KubernetesEmitter.kubeletDropIn, effects: [.applyKubeletCPUPolicy])))
        artifacts.append(
          Artifact(
            path: KubernetesEmitter.kubeletUnitPath, contents: kubeletUnitDropIn(),
            installation: Installation(
              KubernetesEmitter.kubeletUnitDropIn, effects: [.reloadSystemd, .applyKubeletCPUPolicy])))
      }
      return artifacts
    }

    // MARK: Objects

    /// `metadata` of an object in the stack's namespace.
    func metadata(_ name: String, labels: [(String, YAMLValue)] = []) -> YAMLValue {
      metadata(name, in: namespace, labels: labels)
    }

    /// `metadata` of an object in `namespace`, or of a cluster-scoped object when it is nil.
    func metadata(_ name: String, in namespace: String?, labels: [(String, YAMLValue)] = []) -> YAMLValue {
      var fields: [(String, YAMLValue)] = [("name", .string(name))]
      if let namespace { fields.append(("namespace", .string(namespace))) }
      let common: [(String, YAMLValue)] = [
        ("app.kubernetes.io/managed-by", "rig"), ("app.kubernetes.io/part-of", .string(plan.spec.name.value)),
      ]
      fields.append(("labels", .map(labels + common)))
      return .map(fields)
    }

    /// A namespace at Pod Security `level`, its Admission labels pinned to the target's version so a newer
    /// cluster's stricter definition cannot reject the workloads unannounced; with `description`, an annotation
    /// saying why it is not `restricted`.
    func namespaceObject(_ name: String, level: String, description: String? = nil) -> YAMLValue {
      let version = YAMLValue.string("v" + (plan.spec.targets.kubernetes?.version.value ?? ""))
      var labels: [(String, YAMLValue)] = []
      for mode in ["enforce", "audit", "warn"] {
        labels += [
          ("pod-security.kubernetes.io/\(mode)", .string(level)),
          ("pod-security.kubernetes.io/\(mode)-version", version),
        ]
      }
      var meta = metadata(name, in: nil, labels: labels)
      if let description, case .map(var fields) = meta {
        fields.append(("annotations", ["kubernetes.io/description": .string(description)]))
        meta = .map(fields)
      }
      return ["apiVersion": "v1", "kind": "Namespace", "metadata": meta]
    }

    var agentNamespace: String { namespace + KubernetesFacts.agentNamespaceSuffix }
    var baselineNamespace: String { namespace + KubernetesFacts.baselineNamespaceSuffix }

    /// Where a workload runs: the stack's `restricted` namespace, or its `baseline` one when it runs as root.
    func namespace(of component: Component) -> String {
      KubernetesFacts.namespace(of: component, stack: namespace)
    }

    /// The stack's namespaces for workloads, with the workloads in each: the restricted one always.
    var workloadNamespaces: [(name: String, members: [Component])] {
      var result = [(namespace, workloads.filter { self.namespace(of: $0) == namespace })]
      let root = workloads.filter { self.namespace(of: $0) == baselineNamespace }
      if !root.isEmpty { result.append((baselineNamespace, root)) }
      return result
    }

    /// The namespace of the workloads that run as root (`security: { user: 0 }`), `members`: Pod Security
    /// `baseline`, which allows root and still forbids host access and privileged containers.
    func baselineNamespaceObject(_ members: [Component]) -> YAMLValue {
      namespaceObject(
        baselineNamespace, level: "baseline",
        description: "rig's workloads that run as root (" + members.map(\.name.value).joined(separator: ", ")
          + "): Pod Security 'baseline', since 'restricted' forbids root. Every other namespace of the stack "
          + "stays 'restricted'.")
    }

    /// The node agents' namespace: Pod Security `privileged`, since they need the host (host network, host PID,
    /// hostPath volumes), which `baseline` already forbids; its description says why. Nothing else runs there.
    func agentNamespaceObject() -> YAMLValue {
      let needs = agents.compactMap { agent in
        KubernetesFacts.nodeAgents[agent.name.value].map { "\(agent.name.value) reads \($0.why)" }
      }
      return namespaceObject(
        agentNamespace, level: "privileged",
        description: "rig's node agents, on the host network: Pod Security 'privileged' because "
          + needs.joined(separator: "; ") + ". Every other namespace of the stack stays 'restricted'.")
    }

    /// An exporter on every node: a DaemonSet on the host network (its ports are the node's), tolerating every
    /// taint (a single-node cluster's control-plane node included), with the host access its facts name and
    /// nothing else: no privilege escalation, no capability, the runtime's seccomp profile.
    func nodeAgent(_ component: Component) -> YAMLValue {
      let name = component.name.value
      let facts = KubernetesFacts.nodeAgents[name]
      let user = facts?.root == true ? 0 : 65534
      var environment: [YAMLValue] = (facts?.environment ?? []).map {
        ["name": .string($0.name), "value": .string($0.value)]
      }
      environment.append(["name": "NODE_NAME", "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]])
      if case .list(let declared) = self.environment(component) { environment += declared }
      var container: [(String, YAMLValue)] = [("name", .string(name))]
      if let image = plan.image(of: component) { container.append(("image", .string(image))) }
      if let exec = component.exec { container.append(("command", [.string(KubernetesFacts.literal(exec.value))])) }
      let arguments = (facts?.arguments ?? []) + component.args.map { KubernetesFacts.literal($0.value) }
      if !arguments.isEmpty { container.append(("args", .list(arguments.map { .string($0) }))) }
      if !component.ports.isEmpty {
        container.append(
          (
            "ports",
            .list(
              component.ports.map {
                ["name": .string(portName($0.value)), "containerPort": .int($0.value), "protocol": "TCP"]
              })
          ))
      }
      container.append(("env", .list(environment)))
      container.append(("resources", resources(component)))
      // A root agent keeps a writable root, as its own chart does (DCGM's embedded host engine writes its log and
      // state there); the others run read-only.
      container.append(
        (
          "securityContext",
          [
            "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": .bool(user != 0),
            "capabilities": ["drop": ["ALL"]],
          ]
        ))
      var mounts: [YAMLValue] = [["name": "tmp", "mountPath": "/tmp"]]
      var volumes: [YAMLValue] = [["name": "tmp", "emptyDir": [:]]]
      for path in facts?.hostPaths ?? [] {
        mounts.append(
          [
            "name": .string(path.name), "mountPath": .string(path.mount), "readOnly": true,
            "mountPropagation": "HostToContainer",
          ])
        volumes.append(["name": .string(path.name), "hostPath": ["path": .string(path.host), "type": "Directory"]])
      }
      container.append(("volumeMounts", .list(mounts)))
      var spec: [(String, YAMLValue)] = [("hostNetwork", true)]
      if facts?.hostPID == true { spec.append(("hostPID", true)) }
      if facts?.usesGPU == true { spec.append(("runtimeClassName", "nvidia")) }
      spec.append(("automountServiceAccountToken", false))
      spec.append(
        (
          "securityContext",
          [
            "runAsNonRoot": .bool(user != 0), "runAsUser": .int(user), "runAsGroup": .int(user),
            "seccompProfile": ["type": "RuntimeDefault"],
          ]
        ))
      spec.append(("tolerations", [["operator": "Exists"]]))
      if plan.cluster != nil {
        // In a fleet's cluster, on the nodes whose stacks hold it.
        spec.append(("affinity", ["nodeAffinity": KubernetesEmitter.requiredNodes([onNodes(nodes(of: component))])]))
      }
      spec.append(("containers", [.map(container)]))
      spec.append(("volumes", .list(volumes)))
      return [
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": metadata(name, in: agentNamespace, labels: labels(component)),
        "spec": [
          "selector": ["matchLabels": .map(selector(component))],
          "updateStrategy": ["type": "RollingUpdate"],
          "template": ["metadata": ["labels": .map(labels(component))], "spec": .map(spec)],
        ],
      ]
    }

    /// The StorageClass of rig's local volumes: nothing provisions them, a claim binds when its pod is scheduled,
    /// and a volume outlives its claim (the data is the user's).
    func storageClass() -> YAMLValue {
      [
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": metadata(KubernetesFacts.localStorageClass, in: nil),
        "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer",
        "reclaimPolicy": "Retain",
      ]
    }

    /// The folder on the node that holds a workload's volume.
    func volumeFolder(_ component: Component) -> String {
      "\(KubernetesFacts.localVolumeRoot)/\(namespace(of: component))/\(component.name.value)"
    }

    /// A workload's volume: a local PersistentVolume of its size in its folder on the node, reserved for the claim
    /// its StatefulSet's one pod makes (`data-NAME-0`), on the control-plane node: the single node of the kubeadm
    /// cluster rig describes, which kubeadm labels `node-role.kubernetes.io/control-plane`.
    func localVolume(_ component: Component) -> YAMLValue {
      let name = component.name.value
      let home = namespace(of: component)
      var spec: [(String, YAMLValue)] = []
      if let size = component.storage?.size {
        spec.append(("capacity", ["storage": .string(KubernetesEmitter.quantity(size.value))]))
      }
      spec += [
        ("accessModes", ["ReadWriteOnce"]), ("persistentVolumeReclaimPolicy", "Retain"),
        ("storageClassName", .string(KubernetesFacts.localStorageClass)),
        ("claimRef", ["namespace": .string(home), "name": .string("data-\(name)-0")]),
        ("local", ["path": .string(volumeFolder(component))]),
        (
          "nodeAffinity",
          [
            "required": [
              "nodeSelectorTerms": [
                ["matchExpressions": [["key": "node-role.kubernetes.io/control-plane", "operator": "Exists"]]]
              ]
            ]
          ]
        ),
      ]
      return [
        "apiVersion": "v1", "kind": "PersistentVolume",
        // NAMESPACE.NAME: both are DNS labels, so the dot keeps every pair apart ('ai-baseline' + 'x' and 'ai' +
        // 'baseline-x' would both be 'ai-baseline-x' with a dash).
        "metadata": metadata("\(home).\(name)", in: nil, labels: labels(component)),
        "spec": .map(spec),
      ]
    }

    func runtimeClass() -> YAMLValue {
      [
        "apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": metadata("nvidia", in: nil),
        "handler": "nvidia",
      ]
    }

    func selector(_ component: Component) -> [(String, YAMLValue)] {
      [("app.kubernetes.io/name", .string(component.name.value))]
    }

    func labels(_ component: Component) -> [(String, YAMLValue)] {
      var labels = selector(component)
      if let version = plan.component(named: component.name.value)?.version.description,
        let value = KubernetesEmitter.labelValue(version)
      {
        labels.append(("app.kubernetes.io/version", .string(value)))
      }
      return labels
    }

    /// Requests and limits from the allocation. Memory: requests = limits. CPU: requests = limits, whole CPUs,
    /// for isolated workloads, which makes the pod Guaranteed and lets the static CPU manager give it whole cores
    /// from the isolated set; a shared workload requests its CPUs without a limit, so it stays in the shared
    /// pool instead of taking isolated cores for itself.
    func resources(_ component: Component) -> YAMLValue {
      var requests: [(String, YAMLValue)] = []
      var limits: [(String, YAMLValue)] = []
      if let cpu = plan.cpu(of: component.name.value) {
        requests.append(("cpu", .string(String(cpu.count))))
        if cpu.placement == .isolated { limits.append(("cpu", .string(String(cpu.count)))) }
      }
      if let memory = component.resources.memory {
        requests.append(("memory", .string(KubernetesEmitter.quantity(memory.value))))
        limits.append(("memory", .string(KubernetesEmitter.quantity(memory.value))))
      }
      if let gpu = component.resources.gpu {
        // Whole GPUs, or one time-slice replica of one when the device plugin shares GPUs.
        requests.append(("nvidia.com/gpu", .string(String(gpu.gpus))))
        limits.append(("nvidia.com/gpu", .string(String(gpu.gpus))))
      }
      var fields: [(String, YAMLValue)] = []
      if !requests.isEmpty { fields.append(("requests", .map(requests))) }
      if !limits.isEmpty { fields.append(("limits", .map(limits))) }
      return .map(fields)
    }

    func environment(_ component: Component) -> YAMLValue {
      .list(
        component.environment.map { variable in
          switch variable.value {
          case .text(let text):
            return ["name": .string(variable.name.value), "value": .string(KubernetesFacts.literal(text.value))]
          case .secret(let name, let key):
            return [
              "name": .string(variable.name.value),
              "valueFrom": ["secretKeyRef": ["name": .string(name.value), "key": .string(key.value)]],
            ]
          }
        })
    }

    func container(_ component: Component) -> YAMLValue {
      let name = component.name.value
      var fields: [(String, YAMLValue)] = [("name", .string(name))]
      if let image = plan.image(of: component) { fields.append(("image", .string(image))) }
      // exec: and args: replace the image's entrypoint and command; like env values, taken as written.
      if let exec = component.exec { fields.append(("command", [.string(KubernetesFacts.literal(exec.value))])) }
      if !component.args.isEmpty {
        fields.append(("args", .list(component.args.map { .string(KubernetesFacts.literal($0.value)) })))
      }
      if !component.ports.isEmpty {
        fields.append(
          (
            "ports",
            .list(
              component.ports.map {
                ["name": .string(portName($0.value)), "containerPort": .int($0.value), "protocol": "TCP"]
              })
          ))
      }
      if !component.environment.isEmpty { fields.append(("env", environment(component))) }
      fields.append(("resources", resources(component)))
      // Restricted: no escalation, no capability, a read-only root; `security:` may make the root writable, and a
      // root container (in the baseline namespace) keeps the runtime's default capabilities, which root images
      // expect (to chown their files, bind their ports).
      var context: [(String, YAMLValue)] = [
        ("allowPrivilegeEscalation", false),
        ("readOnlyRootFilesystem", .bool(component.security?.rootFilesystem?.value != .writable)),
      ]
      if component.security?.runsAsRoot != true { context.append(("capabilities", ["drop": ["ALL"]])) }
      fields.append(("securityContext", .map(context)))
      var mounts: [YAMLValue] = [["name": "tmp", "mountPath": "/tmp"]]
      if component.resources.shm != nil { mounts.append(["name": "shm", "mountPath": "/dev/shm"]) }
      if let storage = component.storage { mounts.append(["name": "data", "mountPath": .string(storage.path.value)]) }
      fields.append(("volumeMounts", .list(mounts)))
      return .map(fields)
    }

    func podTemplate(_ component: Component) -> YAMLValue {
      var spec: [(String, YAMLValue)] = []
      if component.resources.gpu != nil { spec.append(("runtimeClassName", "nvidia")) }
      spec.append(("automountServiceAccountToken", false))
      let user = component.security?.user?.value ?? KubernetesEmitter.runAsUser
      let group = component.security?.group?.value ?? user
      spec.append(
        (
          "securityContext",
          [
            "runAsNonRoot": .bool(user != 0), "runAsUser": .int(user), "runAsGroup": .int(group),
            "fsGroup": .int(group), "seccompProfile": ["type": "RuntimeDefault"],
          ]
        ))
      spec.append(("containers", [container(component)]))
      // A writable /tmp on a read-only root filesystem; /dev/shm of the size asked for, in memory (the container
      // runtime's own is 64 MiB, too small for PyTorch's data loaders and NCCL).
      var volumes: [YAMLValue] = [["name": "tmp", "emptyDir": [:]]]
      if let shm = component.resources.shm {
        volumes.append(
          [
            "name": "shm",
            "emptyDir": ["medium": "Memory", "sizeLimit": .string(KubernetesEmitter.quantity(shm.value))],
          ])
      }
      spec.append(("volumes", .list(volumes)))
      if let affinity = affinity(component) { spec.append(("affinity", affinity)) }
      return ["metadata": ["labels": .map(labels(component))], "spec": .map(spec)]
    }

    // MARK: A fleet's cluster

    /// The nodes a workload runs on: in a fleet's cluster, the hosts whose stacks hold it; one otherwise.
    func nodes(of component: Component) -> [String] {
      guard let cluster = plan.cluster else { return [""] }
      return cluster.placement[component.name.value] ?? []
    }

    /// In a fleet's cluster: only on the hosts whose stacks hold the workload, and only where the GPU has the
    /// memory it asks for (GFD's `nvidia.com/gpu.memory`, MiB, which rig writes from the hardware); one replica
    /// a node (a second on one node would need a second share of its cores and GPU memory).
    func affinity(_ component: Component) -> YAMLValue? {
      guard plan.cluster != nil else { return nil }
      var expressions = [onNodes(nodes(of: component))]
      if let gpu = component.resources.gpu {
        expressions.append(
          [
            "key": .string(ClusterView.gpuMemoryLabel), "operator": "Gt",
            "values": [.string(String((gpu.memory.value.bytes >> 20) - 1))],
          ])
      }
      var affinity: [(String, YAMLValue)] = [("nodeAffinity", KubernetesEmitter.requiredNodes(expressions))]
      if nodes(of: component).count > 1 {
        affinity.append(
          (
            "podAntiAffinity",
            [
              "requiredDuringSchedulingIgnoredDuringExecution": [
                ["labelSelector": ["matchLabels": .map(selector(component))], "topologyKey": "kubernetes.io/hostname"]
              ]
            ]
          ))
      }
      return .map(affinity)
    }

    /// A node selector requirement: one of the nodes called `names`.
    func onNodes(_ names: [String]) -> YAMLValue {
      ["key": "kubernetes.io/hostname", "operator": "In", "values": .list(names.map { .string($0) })]
    }

    /// A node's labels from its host's hardware, applied to the Node object the kubelet registered.
    func node(_ node: ClusterNode) -> YAMLValue {
      [
        "apiVersion": "v1", "kind": "Node",
        "metadata": [
          "name": .string(node.name), "labels": .map(node.labels.map { ($0.key, .string($0.value)) }),
        ],
      ]
    }

    /// The device plugin's configurations, one key per way the nodes share their GPUs, each a whole configuration
    /// file; each node selects its own with the `nvidia.com/device-plugin.config` label (NVIDIA/k8s-device-plugin
    /// v0.20.0, deployments/helm/nvidia-device-plugin/templates/configmap.yml lays out the chart's the same way).
    func nodeDevicePluginConfigs(_ cluster: ClusterView) -> YAMLValue {
      var configs: [(String, YAMLValue)] = []
      var seen: Set<String> = []
      let ordered = cluster.nodes.sorted { ($0.devicePluginConfig ?? "") < ($1.devicePluginConfig ?? "") }
      for node in ordered {
        guard let name = node.devicePluginConfig, seen.insert(name).inserted else { continue }
        var config: [(String, YAMLValue)] = [("version", "v1")]
        if let slicing = node.timeSlicing {
          config.append(
            (
              "sharing",
              [
                "timeSlicing": [
                  "failRequestsGreaterThanOne": true,
                  "resources": [["name": "nvidia.com/gpu", "replicas": .int(slicing.replicas)]],
                ]
              ]
            ))
        }
        configs.append((name, .string(YAMLValue.map(config).body)))
      }
      return [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": metadata(KubernetesEmitter.devicePluginConfigsName, in: "kube-system"),
        "data": .map(configs),
      ]
    }

    /// What the device plugin's config-manager needs to read its own node's labels: a ServiceAccount, a
    /// ClusterRole to get, list and watch nodes, and the binding (the chart's role.yml, service-account.yml and
    /// role-binding.yml at v0.20.0).
    func devicePluginAccess() -> [YAMLValue] {
      let name = "nvidia-device-plugin"
      return [
        ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata(name, in: "kube-system")],
        [
          "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": metadata(name, in: nil),
          "rules": [["apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]]],
        ],
        [
          "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
          "metadata": metadata(name, in: nil),
          "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
          "subjects": [["kind": "ServiceAccount", "name": .string(name), "namespace": "kube-system"]],
        ],
      ]
    }

    /// The config-manager container: once before the plugin starts (`ONESHOT`), then beside it, linking the
    /// configuration the node's label names to where the plugin reads it and signalling the plugin (SIGHUP) when
    /// it changes (the chart's daemonset-device-plugin.yml and cmd/config-manager at v0.20.0).
    func configManager(_ name: String, oneshot: Bool) -> YAMLValue {
      let env: [(String, String)] = [
        ("ONESHOT", oneshot ? "true" : "false"), ("KUBECONFIG", ""),
        ("NODE_LABEL", ClusterView.devicePluginConfigLabel), ("CONFIG_FILE_SRCDIR", "/available-configs"),
        ("CONFIG_FILE_DST", "/config/config.yaml"), ("DEFAULT_CONFIG", "exclusive"),
        ("FALLBACK_STRATEGIES", "named,single"), ("SEND_SIGNAL", oneshot ? "false" : "true"),
        ("SIGNAL", oneshot ? "" : "1"), ("PROCESS_TO_SIGNAL", oneshot ? "" : "nvidia-device-plugin"),
      ]
      var variables: [YAMLValue] = [["name": "NODE_NAME", "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]]]
      variables += env.map { ["name": .string($0.0), "value": .string($0.1)] }
      return [
        "name": .string(name), "image": .string(KubernetesEmitter.devicePluginImage), "command": ["config-manager"],
        "env": .list(variables),
        "securityContext": ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]],
        "volumeMounts": [
          ["name": "available-configs", "mountPath": "/available-configs"], ["name": "config", "mountPath": "/config"],
        ],
      ]
    }

    func workload(_ component: Component) -> YAMLValue {
      let name = component.name.value
      var meta = metadata(name, in: namespace(of: component), labels: labels(component))
      if let description = component.description, case .map(var fields) = meta {
        // The well-known description annotation; user text, only ever data in a manifest.
        fields.append(("annotations", ["kubernetes.io/description": .string(description)]))
        meta = .map(fields)
      }
      var spec: [(String, YAMLValue)] = [
        ("replicas", .int(standby.contains(name) ? 0 : nodes(of: component).count)),
        ("selector", ["matchLabels": .map(selector(component))]),
      ]
      if let storage = component.storage {
        spec.append(("serviceName", .string(name)))
        spec.append(("template", podTemplate(component)))
        spec.append(
          (
            "volumeClaimTemplates",
            [
              [
                "metadata": ["name": "data"],
                "spec": [
                  "accessModes": ["ReadWriteOnce"],
                  "storageClassName": .string(KubernetesFacts.localStorageClass),
                  // The size is there: a Kubernetes volume without one is refused (ModelRules.runtimeFields).
                  "resources": .map(
                    storage.size.map { [("requests", ["storage": .string(KubernetesEmitter.quantity($0.value))])] }
                      ?? []),
                ],
              ]
            ]
          ))
        return ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta, "spec": .map(spec)]
      }
      // Recreate: a second pod during a rolling update would need a second set of isolated cores or GPU memory.
      spec.append(("strategy", ["type": "Recreate"]))
      spec.append(("template", podTemplate(component)))
      return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": .map(spec)]
    }

    func portName(_ port: Int) -> String { "tcp-\(port)" }

    func service(_ component: Component) -> YAMLValue {
      [
        "apiVersion": "v1", "kind": "Service",
        "metadata": metadata(component.name.value, in: namespace(of: component), labels: labels(component)),
        "spec": [
          "selector": .map(selector(component)),
          "ports": .list(
            component.ports.map {
              [
                "name": .string(portName($0.value)), "port": .int($0.value), "targetPort": .int($0.value),
                "protocol": "TCP",
              ]
            }),
        ],
      ]
    }

    func networkPolicy(_ name: String, in namespace: String, _ spec: [(String, YAMLValue)]) -> YAMLValue {
      [
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": metadata(name, in: namespace),
        "spec": .map(spec),
      ]
    }

    func ports(_ component: Component) -> YAMLValue {
      .list(component.ports.map { ["protocol": "TCP", "port": .int($0.value)] })
    }

    /// In each of the stack's workload namespaces: deny everything, allow DNS, each workload's ports, and each
    /// workload's traffic to the Kubernetes components it requires (naming the target's namespace when it is the
    /// other one).
    func networkPolicies() -> [YAMLValue] {
      var policies: [YAMLValue] = []
      let byName = Dictionary(workloads.map { ($0.name.value, $0) }, uniquingKeysWith: { a, _ in a })
      for (space, members) in workloadNamespaces {
        policies.append(
          networkPolicy("default-deny", in: space, [("podSelector", [:]), ("policyTypes", ["Ingress", "Egress"])]))
        policies.append(
          networkPolicy(
            "allow-dns", in: space,
            [
              ("podSelector", [:]), ("policyTypes", ["Egress"]),
              (
                "egress",
                [
                  [
                    "to": [
                      [
                        "namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": "kube-system"]],
                        "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]],
                      ]
                    ],
                    "ports": [["protocol": "UDP", "port": 53], ["protocol": "TCP", "port": 53]],
                  ]
                ]
              ),
            ]))
        for component in members where !component.ports.isEmpty {
          // Its ports, from anywhere: the person at the desk, Prometheus, the other workloads.
          policies.append(
            networkPolicy(
              "allow-\(component.name.value)-ingress", in: space,
              [
                ("podSelector", ["matchLabels": .map(selector(component))]), ("policyTypes", ["Ingress"]),
                ("ingress", [["ports": ports(component)]]),
              ]))
        }
        for component in members {
          // Traffic to the Kubernetes components it requires (edges of the resolved graph), on their ports.
          let targets = (plan.component(named: component.name.value)?.requires ?? []).compactMap { byName[$0] }
            .filter { !$0.ports.isEmpty }.sorted { $0.name.value < $1.name.value }
          for target in targets {
            var peer: [(String, YAMLValue)] = []
            let elsewhere = namespace(of: target)
            if elsewhere != space {
              peer.append(("namespaceSelector", ["matchLabels": ["kubernetes.io/metadata.name": .string(elsewhere)]]))
            }
            peer.append(("podSelector", ["matchLabels": .map(selector(target))]))
            policies.append(
              networkPolicy(
                "allow-\(component.name.value)-to-\(target.name.value)", in: space,
                [
                  ("podSelector", ["matchLabels": .map(selector(component))]), ("policyTypes", ["Egress"]),
                  ("egress", [["to": [.map(peer)], "ports": ports(target)]]),
                ]))
          }
        }
      }
      return policies
    }

    /// The NVIDIA device plugin's configuration file (`version: v1`, `sharing.timeSlicing`), as the one entry
    /// (`config`) of a ConfigMap in kube-system for the plugin's Helm chart installed there
    /// (`--set config.name=nvidia-device-plugin-config`); `failRequestsGreaterThanOne` refuses a pod that asks
    /// for more than one replica, which would not get more of the GPU (https://github.com/NVIDIA/k8s-device-plugin,
    /// README "Shared Access to GPUs" and "Configuration File").
    func devicePluginConfig(_ slicing: GPUTimeSlicing) -> YAMLValue {
      let config: YAMLValue = [
        "version": "v1",
        "sharing": [
          "timeSlicing": [
            "failRequestsGreaterThanOne": true,
            "resources": [["name": "nvidia.com/gpu", "replicas": .int(slicing.replicas)]],
          ]
        ],
      ]
      return [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": metadata("nvidia-device-plugin-config", in: "kube-system"),
        "data": ["config": .string(config.body)],
      ]
    }

    /// The NVIDIA device plugin as a DaemonSet in kube-system (whose Pod Security level is the cluster's default,
    /// privileged), as NVIDIA's static manifest has it (deployments/static/, v0.20.0): the kubelet's device-plugin
    /// folder, node-critical priority, tolerating GPU taints. It runs with the `nvidia` RuntimeClass, since the
    /// toolkit's runtime is not containerd's default here, and so sees the GPUs through NVML. With the static CPU
    /// manager it is the variant NVIDIA documents for it (nvidia-device-plugin-compat-with-cpumanager.yml):
    /// `PASS_DEVICE_SPECS=true` and privileged, or containers lose their GPU when the CPU manager updates them
    /// ("Failed to initialize NVML: Unknown Error"). With time slicing it reads rig's configuration (`CONFIG_FILE`).
    func devicePlugin() -> YAMLValue {
      let name = "nvidia-device-plugin"
      let selector: [(String, YAMLValue)] = [("app.kubernetes.io/name", .string(name))]
      let compatible = kubeletConfiguration() != nil
      var env: [YAMLValue] = []
      var mounts: [YAMLValue] = [
        ["name": "device-plugins", "mountPath": .string(KubernetesEmitter.devicePluginSocketFolder)]
      ]
      var volumes: [YAMLValue] = [
        [
          "name": "device-plugins",
          "hostPath": ["path": .string(KubernetesEmitter.devicePluginSocketFolder), "type": "Directory"],
        ]
      ]
      if compatible { env.append(["name": "PASS_DEVICE_SPECS", "value": "true"]) }
      if plan.cluster != nil {
        env.append(["name": "CONFIG_FILE", "value": "/config/config.yaml"])
        mounts += [
          ["name": "available-configs", "mountPath": "/available-configs"], ["name": "config", "mountPath": "/config"],
        ]
        volumes += [
          ["name": "available-configs", "configMap": ["name": .string(KubernetesEmitter.devicePluginConfigsName)]],
          ["name": "config", "emptyDir": [:]],
        ]
      } else if plan.allocation.timeSlicing != nil {
        env.append([
          "name": "CONFIG_FILE", "value": .string(KubernetesEmitter.devicePluginConfigFolder + "/config.yaml"),
        ])
        mounts.append(
          ["name": "config", "mountPath": .string(KubernetesEmitter.devicePluginConfigFolder), "readOnly": true])
        volumes.append(
          [
            "name": "config",
            "configMap": [
              "name": "nvidia-device-plugin-config", "items": [["key": "config", "path": "config.yaml"]],
            ],
          ])
      }
      var container: [(String, YAMLValue)] = [
        ("name", .string(name)), ("image", .string(KubernetesEmitter.devicePluginImage)),
      ]
      if !env.isEmpty { container.append(("env", .list(env))) }
      container.append(
        (
          "securityContext",
          compatible
            ? ["privileged": true]
            : ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]]
        ))
      container.append(("volumeMounts", .list(mounts)))
      var pod: [(String, YAMLValue)] = [
        ("runtimeClassName", "nvidia"), ("priorityClassName", "system-node-critical"),
        ("tolerations", [["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"]]),
      ]
      if let cluster = plan.cluster {
        // Only on the nodes with GPUs, and with the config-manager beside the plugin, sharing its processes so it
        // can signal it.
        pod += [
          ("serviceAccountName", .string(name)), ("shareProcessNamespace", true),
          (
            "affinity",
            ["nodeAffinity": KubernetesEmitter.requiredNodes([onNodes(cluster.nodes.filter(\.hasGPU).map(\.name))])]
          ),
          ("initContainers", [configManager(name + "-init", oneshot: true)]),
          ("containers", [.map(container), configManager(name + "-sidecar", oneshot: false)]),
        ]
      } else {
        pod.append(("containers", [.map(container)]))
      }
      pod.append(("volumes", .list(volumes)))
      return [
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": metadata(name, in: "kube-system", labels: selector),
        "spec": [
          "selector": ["matchLabels": .map(selector)],
          "updateStrategy": ["type": "RollingUpdate"],
          "template": ["metadata": ["labels": .map(selector)], "spec": .map(pod)],
        ],
      ]
    }

    /// The kubelet unit's drop-in: kubeadm's drop-in (`10-kubeadm.conf`, from the kubeadm package) starts the
    /// kubelet with `$KUBELET_CONFIG_ARGS`, set to `--config=/var/lib/kubelet/config.yaml`; this one, read after
    /// it, sets the variable again with `--config-dir`, so the kubelet reads rig's drop-in on top of kubeadm's
    /// configuration (kubernetes/release, cmd/krel/templates/latest/kubeadm/10-kubeadm.conf).
    func kubeletUnitDropIn() -> String {
      plan.fileHeader + """
        [Service]
        Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml --config-dir=\(KubernetesEmitter.kubeletConfigFolder)"

        """
    }

    /// The kubelet's CPU manager, when a Kubernetes workload is isolated: `static` gives Guaranteed pods with
    /// whole CPUs exclusive CPUs, `full-pcpus-only` only whole physical cores, and `reservedSystemCPUs` keeps
    /// every other CPU (housekeeping, and the cores of isolated systemd services) out of that pool, so exclusive
    /// CPUs come from the Kubernetes workloads' isolated cores
    /// (https://kubernetes.io/docs/tasks/administer-cluster/cpu-management-policies/).
    func kubeletConfiguration() -> YAMLValue? {
      let cpu = plan.allocation.cpu
      let isolatedWorkloads = cpu.components.filter { $0.placement == .isolated && $0.runtime == .kubernetes }
      guard !isolatedWorkloads.isEmpty else { return nil }
      let pool = isolatedWorkloads.reduce(CPUList([])) { $0.union($1.cpus) }
      let reserved = cpu.isolated.union(cpu.housekeeping).subtracting(pool)
      return [
        "apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
        "cpuManagerPolicy": "static", "cpuManagerPolicyOptions": ["full-pcpus-only": "true"],
        "reservedSystemCPUs": .string(reserved.description),
      ]
    }
  }
}
