import RigModel
import RigPlan

/// One file an emitter produces: a path relative to the output folder, its exact bytes (UTF-8 text), the target
/// that made it, and where it belongs on the host when a configuration tool (the Ansible playbook) installs it.
public struct Artifact: Sendable, Hashable {
  /// Relative, `/`-separated, never `..` or absolute, under the folder named after its target: emitters build
  /// paths from fixed names and sanitized component names only.
  public var path: String
  public var contents: String
  /// Where the host takes this file; nil for a file that is not installed as it is (the playbook itself, a test
  /// file, a module the user imports).
  public var installation: Installation?

  public init(path: String, contents: String, installation: Installation? = nil) {
    self.path = path
    self.contents = contents
    self.installation = installation
  }

  /// The target that made the file, whose folder holds it (`kubernetes/namespace.yaml`), also within a fleet's
  /// host folder (`hosts/ws-1/kernel/cmdline.txt`).
  public var target: String {
    if path.hasPrefix("hosts/") {
      let rest = path.dropFirst("hosts/".count).drop { $0 != "/" }.dropFirst()
      return String(rest.prefix { $0 != "/" })
    }
    return String(path.prefix { $0 != "/" })
  }
}

/// Where an artifact is installed on the host, as whom, and what the host does after it changes.
public struct Installation: Sendable, Hashable {
  /// The absolute path on the host.
  public var path: String
  public var owner: String
  public var group: String
  /// Octal permissions, as `chmod` takes them.
  public var mode: String
  /// What must happen once the file changed on the host, in this order.
  public var effects: [Effect]
  /// Files of one target are installed in this order (lower first, then by path within the artifacts' order):
  /// a cluster's namespace before the objects in it, a configuration before what reads it.
  public var rank: Int
  /// Debian packages the file configures, which must be installed for it to mean anything (irqbalance for its
  /// drop-in).
  public var configures: [String]
  /// Whether what the file sets up needs a physical NVIDIA GPU to start (the power-limit unit): its start is tagged
  /// `hardware`, which a machine without one skips.
  public var needsGPU = false
  /// The service that reads the file, when the file is not a unit or a drop-in (`prometheus.service` for
  /// `/etc/prometheus/prometheus.yml`): what `restartUnit` restarts.
  public var service: String?
  /// Folders the host must have before what the file describes can work (a local volume's folder): created,
  /// owned by root, before the file is installed.
  public var folders: [String] = []

  public init(
    _ path: String, owner: String = "root", group: String = "root", mode: String = "0644", effects: [Effect] = [],
    rank: Int = 0, configures: [String] = []
  ) {
    self.configures = configures
    self.path = path
    self.owner = owner
    self.group = group
    self.mode = mode
    self.effects = effects
    self.rank = rank
  }

  /// The unit the file is, or extends when it is a drop-in (`NAME.service.d/…`), or the service that reads it; nil
  /// for other files.
  public var unit: String? {
    if let service { return service }
    let parts = path.split(separator: "/")
    guard parts.count >= 2 else { return nil }
    let folder = parts[parts.count - 2]
    if folder.hasSuffix(".service.d") || folder.hasSuffix(".slice.d") {
      return String(folder.dropLast(2))
    }
    let name = parts[parts.count - 1]
    return name.hasSuffix(".service") || name.hasSuffix(".slice") ? String(name) : nil
  }

  /// What the host does after an installed file changes.
  public enum Effect: String, Sendable, Hashable, CaseIterable {
    /// The boot loader's configuration is generated again (`update-grub`), for the next boot.
    case updateBootLoader
    /// systemd reads its unit files again (`systemctl daemon-reload`).
    case reloadSystemd
    /// The service manager re-executes itself, for its own settings (`systemctl daemon-reexec`).
    case reexecuteSystemd
    /// The unit is enabled for boot (the link its `[Install]` section asks for) and started.
    case enableAndStartUnit
    /// The unit the file is (or the drop-in extends) restarts, so that the change takes effect now.
    case restartUnit
    /// The kubelet takes a new CPU manager policy: stopped, its CPU manager state removed, started (only where the
    /// stack installs the kubelet).
    case applyKubeletCPUPolicy
    /// A Kubernetes object: applied to the cluster, after the host's own configuration.
    case applyToCluster
  }
}

/// An output target: one folder of the output, made from the plan alone.
public protocol Emitter: Sendable {
  /// The target's name: the folder its artifacts go in, and what `--target` and the output manifest call it.
  var target: String { get }
  /// Whether the project enables the target.
  func isEnabled(_ plan: Plan) -> Bool
  /// The target's files; empty when it has nothing to write.
  func artifacts(for plan: Plan) -> [Artifact]
  /// In a fleet, a host's own files of this target (under `hosts/HOST/` in the output): all of them, unless the
  /// target has cluster-wide files (`clusterArtifacts`).
  func hostArtifacts(for plan: Plan) -> [Artifact]
  /// In a fleet, the target's files for the whole cluster, from the cluster's plan (`Plan.init(cluster:merging:)`),
  /// which the control plane installs; none unless the target has cluster-wide files.
  func clusterArtifacts(for cluster: Plan) -> [Artifact]
}

extension Emitter {
  public func hostArtifacts(for plan: Plan) -> [Artifact] { artifacts(for: plan) }
  public func clusterArtifacts(for cluster: Plan) -> [Artifact] { [] }
}

/// A target that installs the others' files on the host (the Ansible playbook): it runs after every other
/// enabled target and reads their artifacts' installations, never their paths.
public protocol InstallingEmitter: Emitter {
  /// The target's files, installing `others`, the artifacts of every other enabled target in registry order.
  func artifacts(for plan: Plan, installing others: [Artifact]) -> [Artifact]
  /// A fleet's files of the target: host `i` (of `fleet.hosts`, whose plan is `plans[i]`) installs `installing[i]`.
  func fleetArtifacts(for fleet: Fleet, plans: [Plan], installing: [[Artifact]], cluster: ClusterView?) -> [Artifact]
}

extension InstallingEmitter {
  public func artifacts(for plan: Plan) -> [Artifact] { artifacts(for: plan, installing: []) }
}

/// Every target rig renders, in the order their files are made: adding a target is one emitter and one line here.
public struct EmitterRegistry: Sendable {
  public var emitters: [any Emitter]

  public init(_ emitters: [any Emitter]) { self.emitters = emitters }

  /// rig's own targets.
  public static let builtIn = EmitterRegistry([
    KernelEmitter(), SystemdEmitter(), PrometheusEmitter(), NixEmitter(), KubernetesEmitter(), AnsibleEmitter(),
  ])

  /// The names of the registered targets, in registry order.
  public var targets: [String] { emitters.map(\.target) }

  /// The names of the targets `plan` enables, in registry order.
  public func enabled(_ plan: Plan) -> [String] { emitters.filter { $0.isEnabled(plan) }.map(\.target) }

  /// The artifacts of every enabled target, or of those of them named in `targets`, sorted by path: installing
  /// emitters last, given every other enabled target's files (made for them even when not asked for).
  public func artifacts(for plan: Plan, targets: Set<String>? = nil) -> [Artifact] {
    let enabled = emitters.filter { $0.isEnabled(plan) }
    let wanted = enabled.filter { targets?.contains($0.target) ?? true }
    let installs = wanted.contains { $0 is any InstallingEmitter }
    var artifacts: [Artifact] = []
    var made: [Artifact] = []
    for emitter in enabled where !(emitter is any InstallingEmitter) {
      let asked = targets?.contains(emitter.target) ?? true
      guard asked || installs else { continue }
      let files = checked(emitter.artifacts(for: plan), of: emitter)
      if installs { made += files }
      if asked { artifacts += files }
    }
    for case let installer as any InstallingEmitter in wanted {
      artifacts += checked(installer.artifacts(for: plan, installing: made), of: installer)
    }
    // Each path is made by one emitter from fixed names and checked component names: a repeat is a bug in rig.
    precondition(Set(artifacts.map(\.path)).count == artifacts.count, "two artifacts share a path")
    return artifacts.sorted { $0.path < $1.path }
  }

  /// `artifacts`, each under the folder of `emitter`'s target (anything else is a bug in the emitter).
  private func checked(_ artifacts: [Artifact], of emitter: any Emitter) -> [Artifact] {
    precondition(
      artifacts.allSatisfy { $0.target == emitter.target && $0.path.count > emitter.target.count + 1 },
      "target '\(emitter.target)' made a file outside its folder")
    return artifacts
  }
}

extension Plan {
  /// The first line of every generated file that takes `#` comments.
  public var fileHeader: String {
    "# Generated by rig for '\(spec.name.value)'. Do not edit: 'rig render' rewrites this file.\n"
  }
}
