/// Kubernetes' own rules that decide whether an object rig writes can be created, written once: the model rules
/// refuse a project that breaks them, and the Kubernetes emitter writes the objects they describe.
public enum KubernetesFacts {
  /// The namespaces every cluster starts with, which belong to the cluster itself: rig's default-deny network
  /// policy there would cut off CoreDNS and the control plane, and `default` holds the API server's Service
  /// (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces).
  public static let reservedNamespaces: Set<String> = ["default", "kube-node-lease", "kube-public", "kube-system"]

  /// The longest name of a StatefulSet whose pods can be created: the controller labels each pod
  /// `controller-revision-hash: NAME-HASH`, a label value (at most 63 characters) with a hash of up to 10
  /// characters and its hyphen (https://github.com/kubernetes/kubernetes/issues/64023).
  public static let statefulSetNameLimit = 52

  /// The longest DNS-1035 label: names of Services, containers and the namespaces rig writes.
  public static let labelLimit = 63

  /// Paths in a container where rig mounts its own volumes: a writable `/tmp` on the read-only root, and the
  /// shared-memory folder when a component sizes it. The API server refuses two mounts at one path.
  public static let scratchMounts: [(path: String, why: String)] = [
    ("/tmp", "rig mounts a writable /tmp in every container, whose root filesystem is read-only"),
    ("/dev/shm", "rig mounts the shared-memory folder there ('shm:')"),
  ]

  /// Text as Kubernetes reads it in `env[].value`, `command` and `args`: it expands `$(NAME)` to a variable's value
  /// and `$$` to `$`, so text holding either gets every `$` doubled, which Kubernetes reads back as the text
  /// (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/).
  public static func literal(_ text: String) -> String {
    guard text.contains("$(") || text.contains("$$") else { return text }
    return String(text.flatMap { $0 == "$" ? "$$" : String($0) })
  }
  /// The exporters rig runs as node agents when the stack runs them on Kubernetes: a DaemonSet on the host network
  /// (so Prometheus on the node scrapes them at 127.0.0.1, `prometheus.yml`), with the host access each needs, in
  /// the namespace `NAMESPACE-monitoring`, whose Pod Security level is `privileged`: host network, host PID and
  /// hostPath volumes are forbidden at `baseline` already
  /// (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
  public static let nodeAgents: [String: NodeAgent] = [
    // NVIDIA/dcgm-exporter, deployment/templates/daemonset.yaml and its Helm values: it runs as root, reads the
    // GPUs through the NVIDIA runtime (NVIDIA_VISIBLE_DEVICES=all, no nvidia.com/gpu of its own, so it takes no
    // GPU from a workload) and maps each GPU to the pod that holds it through the kubelet's pod-resources socket
    // (DCGM_EXPORTER_KUBERNETES). CAP_SYS_ADMIN is only for the profiling metrics (DCGM_FI_PROF_*), which no
    // rule or panel reads, so it keeps no capability.
    "dcgm-exporter": NodeAgent(
      root: true, hostPID: false, usesGPU: true,
      hostPaths: [("pod-resources", "/var/lib/kubelet/pod-resources", "/var/lib/kubelet/pod-resources")],
      arguments: [], environment: [("DCGM_EXPORTER_KUBERNETES", "true"), ("NVIDIA_VISIBLE_DEVICES", "all")],
      why: "the GPUs through the NVIDIA runtime as root, and the kubelet's pod-resources folder"),
    // prometheus/node_exporter README, "Docker": host network and PID namespace, the host's root read-only at
    // /host with --path.rootfs (and /proc, /sys through it).
    "prometheus-node-exporter": NodeAgent(
      root: false, hostPID: true, usesGPU: false, hostPaths: [("root", "/", "/host")],
      arguments: ["--path.rootfs=/host"], environment: [],
      why: "the host's PID namespace and its root filesystem, read-only"),
  ]

  /// What the namespace of the stack's root workloads adds to its name: `ai` → `ai-baseline`.
  public static let baselineNamespaceSuffix = "-baseline"

  /// The StorageClass of the volumes rig makes on the node: a kubeadm cluster has no default StorageClass and no
  /// provisioner, so a claim would never bind; rig writes one local PersistentVolume per claim instead
  /// (https://kubernetes.io/docs/concepts/storage/volumes/#local: `no-provisioner`, `WaitForFirstConsumer`).
  public static let localStorageClass = "rig-local"
  /// Where those volumes live on the node: `/var/lib/rig/volumes/NAMESPACE/NAME`.
  public static let localVolumeRoot = "/var/lib/rig/volumes"

  /// What the agents' namespace adds to the stack's namespace: `ai` → `ai-monitoring`.
  public static let agentNamespaceSuffix = "-monitoring"

  /// Where a workload of the stack's namespace `stack` runs: that `restricted` namespace, or its `baseline` one when
  /// it runs as root.
  public static func namespace(of component: Component, stack: String) -> String {
    component.security?.runsAsRoot == true ? stack + baselineNamespaceSuffix : stack
  }

  /// Whether `name` is a DNS-1035 label, as Kubernetes names Services and containers: a lowercase letter, then
  /// lowercase letters, digits and `-`, not ending in `-`, at most 63 characters
  /// (k8s.io/apimachinery/pkg/util/validation: `IsDNS1035Label`).
  public static func isDNS1035Label(_ name: String) -> Bool {
    let bytes = name.utf8
    guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, (0x61...0x7A).contains(first),
      last != UInt8(ascii: "-")
    else { return false }
    return bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
  }
}

/// How rig runs one exporter on every node.
public struct NodeAgent: Sendable {
  /// Runs as root (else as nobody, 65534).
  public var root: Bool
  public var hostPID: Bool
  /// Sees every GPU through the NVIDIA runtime, without requesting one.
  public var usesGPU: Bool
  /// Host folders it reads: volume name, host path, mount path; all read-only.
  public var hostPaths: [(name: String, host: String, mount: String)]
  public var arguments: [String]
  public var environment: [(name: String, value: String)]
  /// What host access it needs, for the namespace's description.
  public var why: String
}
