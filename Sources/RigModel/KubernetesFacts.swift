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
}
