import RigBasics
import RigCompiler
import RigModel
import RigPlan

extension Reports {
  /// What `rig plan` prints of a fleet: a section per host (`resolutionReport` of its own result), then the
  /// cluster's nodes and where each workload runs; with `host`, that host's section alone.
  public static func fleetReport(_ fleet: FleetCheck, host: String? = nil) -> String {
    var out = "Fleet '\(fleet.fleet.name.value)': \(hostCount(fleet.hosts.count))"
    if let controlPlane = fleet.fleet.controlPlane?.value { out += ", control plane '\(controlPlane)'" }
    out += ".\n"
    for (member, result) in zip(fleet.fleet.hosts, fleet.hosts) where host == nil || member.name.value == host {
      var title = "Host '\(member.name.value)'"
      var facts: [String] = []
      if let address = member.address?.value { facts.append(address) }
      if !member.groups.isEmpty { facts.append("groups: " + member.groups.map(\.value).joined(separator: ", ")) }
      facts.append(member.spec.hardware.os.release.value)
      title += " (" + facts.joined(separator: "; ") + ")"
      out += "\n== \(title) ==\n\n" + resolutionReport(result)
    }
    if host == nil, let cluster = fleet.cluster?.cluster {
      out += "\n== Cluster ==\n\n"
      let nodes = cluster.nodes.map { node -> [String] in
        let label = { (key: String) in node.labels.first { $0.key == key }?.value ?? "" }
        let memory = label(ClusterView.gpuMemoryLabel)
        return [
          node.name + (node.name == cluster.controlPlane ? " (control plane)" : ""), label(ClusterView.gpuProductLabel),
          memory.isEmpty ? "" : memory + " MiB", node.devicePluginConfig ?? "",
        ]
      }
      out += table(header: ["node", "GPU", "GPU memory", "device plugin"], rows: nodes)
      let workloads = cluster.placement.keys.sorted().map { name in
        let nodes = cluster.placement[name] ?? []
        return [name, String(nodes.count), nodes.joined(separator: ", ")]
      }
      if !workloads.isEmpty {
        out += "\n" + table(header: ["workload", "replicas", "nodes"], rows: workloads)
      }
    }
    return out
  }

  static func hostCount(_ count: Int) -> String { count == 1 ? "1 host" : "\(count) hosts" }

  /// A fleet's plan as JSON: each host's resolution and allocation (`resolutionJSON`'s members) under `hosts`,
  /// and the cluster; nil for a single machine.
  static func fleetJSON(_ result: CheckResult) -> JSONValue? {
    guard let fleet = result.fleet else { return nil }
    let hosts = zip(fleet.fleet.hosts, fleet.hosts).map { member, checked -> JSONValue in
      var members: [(String, JSONValue)] = [("name", .string(member.name.value))]
      if case .object(let own) = resolutionJSON(checked) {
        members += own.filter { ["components", "install_order", "allocation"].contains($0.0) }
      }
      return .object(members)
    }
    var extra: [(String, JSONValue)] = [
      ("command", .string("plan")), ("file", .string(result.file)), ("valid", .bool(!result.hasErrors)),
      ("hosts", .array(hosts)),
    ]
    if let cluster = fleet.cluster?.cluster {
      extra.append(
        (
          "cluster",
          .object([
            ("control_plane", .string(cluster.controlPlane)),
            (
              "nodes",
              .array(
                cluster.nodes.map { node in
                  .object([
                    ("name", .string(node.name)),
                    ("labels", .object(node.labels.map { ($0.key, JSONValue.string($0.value)) })),
                  ])
                })
            ),
            (
              "workloads",
              .object(
                cluster.placement.keys.sorted().map { name in
                  (name, JSONValue.array((cluster.placement[name] ?? []).map(JSONValue.string)))
                })
            ),
          ])
        ))
    }
    return result.diagnostics.json(extra: extra)
  }
}
