import RigModel
import RigPlan

/// Where a fleet's files are in the output folder: each host's own targets' files under `hosts/HOST/`, its part
/// of the playbook (tasks, variables, the files it copies) under `ansible/`, the cluster's objects in
/// `kubernetes/`.
public enum FleetLayout {
  /// The folder of a host's own targets' files (`hosts/ws-1/kernel/…`).
  public static func hostFolder(_ host: String) -> String { "hosts/\(host)/" }
  /// The host's tasks, which the fleet's play includes.
  public static func tasksFile(_ host: String) -> String { "ansible/tasks/\(host).yml" }
  /// The host's inventory variables.
  public static func hostVarsFile(_ host: String) -> String { "ansible/host_vars/\(host).yml" }
  /// The folder under `ansible/files/` of the files the host's tasks copy.
  public static func filesFolder(_ host: String) -> String { "\(host)/" }

  /// Whether the file at `path` is one of `host`'s own (what `--host` limits a plan or a render to).
  public static func belongs(_ path: String, to host: String) -> Bool {
    path.hasPrefix(hostFolder(host)) || path == tasksFile(host) || path == hostVarsFile(host)
      || path.hasPrefix("ansible/files/" + filesFolder(host))
  }
}

extension EmitterRegistry {
  /// A fleet's artifacts, sorted by path: each host's files of every enabled target under `hosts/HOST/`, the
  /// cluster's Kubernetes objects (from `cluster`, the merged plan) in `kubernetes/`, and the installing targets'
  /// files (the one playbook, which installs each host's files on that host and the cluster's on the control
  /// plane). With `targets`, only the files of those targets (installers still get every other target's files).
  public func artifacts(for fleet: Fleet, plans: [Plan], cluster: Plan?, targets: Set<String>? = nil) -> [Artifact] {
    guard let first = plans.first else { return [] }
    let enabled = emitters.filter { $0.isEnabled(first) }
    let wanted = enabled.filter { targets?.contains($0.target) ?? true }
    let installs = wanted.contains { $0 is any InstallingEmitter }
    let making = enabled.filter { !($0 is any InstallingEmitter) && (installs || targets?.contains($0.target) ?? true) }
    // Each host's own files, the hosts spread over the cores.
    let hostFiles: [[Artifact]] = plans.concurrentMap { plan in making.flatMap { $0.hostArtifacts(for: plan) } }
    let shared: [Artifact] = cluster.map { plan in making.flatMap { $0.clusterArtifacts(for: plan) } } ?? []
    var artifacts: [Artifact] = []
    for (host, files) in zip(fleet.hosts, hostFiles) {
      let folder = FleetLayout.hostFolder(host.name.value)
      for file in files where targets?.contains(file.target) ?? true {
        var moved = file
        moved.path = folder + file.path
        artifacts.append(moved)
      }
    }
    artifacts += shared.filter { targets?.contains($0.target) ?? true }
    if installs {
      let installing = zip(fleet.hosts, hostFiles).map { host, files in
        host.name.value == cluster?.cluster?.controlPlane ? files + shared : files
      }
      for case let installer as any InstallingEmitter in wanted {
        artifacts += installer.fleetArtifacts(
          for: fleet, plans: plans, installing: installing, cluster: cluster?.cluster)
      }
    }
    precondition(Set(artifacts.map(\.path)).count == artifacts.count, "two artifacts share a path")
    return artifacts.sorted { $0.path < $1.path }
  }
}
