import RigBasics
import RigEmitters
import RigModel
import RigPlan

/// A fleet, checked: each host through every phase on its own, then the cluster they form.
public struct FleetCheck: Sendable {
  public var fleet: Fleet
  /// Each host's result, in the fleet's order; its diagnostics are also the project's (with the host named).
  public var hosts: [CheckResult]
  /// The cluster's plan (its nodes, and every host's Kubernetes workloads with where each runs); nil without the
  /// Kubernetes target, or when a host or the cluster has an error.
  public var cluster: Plan?

  /// Every host's plan, in the fleet's order; nil when any host has an error.
  public var plans: [Plan]? {
    let plans = hosts.compactMap(\.plan)
    return plans.count == hosts.count ? plans : nil
  }
}

extension RigCompiler {
  /// Each host of `fleet` resolved and allocated on its own (spread over the cores), then the cluster checked.
  /// A diagnostic that several hosts share (a shared component's, found on each) is reported once, with a note
  /// naming the hosts.
  static func resolve(
    fleet: Fleet, diagnostics: DiagnosticEngine, sources: SourceFiles, file: String
  ) -> CheckResult {
    var result = CheckResult(progress: .unread, diagnostics: diagnostics, sources: sources, file: file, origin: .yaml)
    let hosts = fleet.hosts.concurrentMap { host in
      resolve(host.spec, diagnostics: DiagnosticEngine(limit: .max), sources: sources, file: file, origin: .yaml)
    }
    var order: [Diagnostic] = []
    var hostsOf: [Diagnostic: [String]] = [:]
    for (host, checked) in zip(fleet.hosts, hosts) {
      for diagnostic in checked.diagnostics.diagnostics {
        if hostsOf[diagnostic] == nil { order.append(diagnostic) }
        hostsOf[diagnostic, default: []].append(host.name.value)
      }
    }
    for diagnostic in order {
      var named = diagnostic
      named.notes.insert(DiagnosticNote(Self.hostsNote(hostsOf[diagnostic] ?? [], of: fleet.hosts.count)), at: 0)
      result.diagnostics.emit(named)
    }
    var checked = FleetCheck(fleet: fleet, hosts: hosts)
    if !result.hasErrors, let plans = checked.plans, let controlPlane = fleet.controlPlane?.value,
      plans[0].spec.targets.kubernetes != nil
    {
      let cluster = ClusterView(
        hosts: fleet.hosts, plans: plans, controlPlane: controlPlane,
        workloads: { KubernetesEmitter.workloadNames($0) })
      let found = clusterDiagnostics(fleet, plans: plans, cluster: cluster)
      for diagnostic in found { result.diagnostics.emit(diagnostic) }
      if found.isEmpty { checked.cluster = Plan(cluster: cluster, merging: plans) }
    }
    result.fleet = checked
    return result
  }

  /// What one cluster cannot run: a workload declared differently on two of its hosts (a Deployment has one pod
  /// template), and a workload with a local volume on more than one host (its volume is one node's folder).
  static func clusterDiagnostics(_ fleet: Fleet, plans: [Plan], cluster: ClusterView) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    // Workloads on more than one host are compared as the objects each host's plan makes of them (declaration,
    // version, CPUs, a standby member of an exclusive group): equal declarations written in two places are the
    // same workload. Each host's are made once, its plan's context shared by all of them.
    let shared = Set(cluster.placement.filter { $0.value.count > 1 }.keys)
    let texts = shared.isEmpty ? [] : plans.concurrentMap { KubernetesEmitter.workloadTexts(in: $0, named: shared) }
    let position = Dictionary(fleet.hosts.enumerated().map { ($1.name.value, $0) }, uniquingKeysWith: { a, _ in a })
    for name in shared.sorted() {
      let nodes = cluster.placement[name] ?? []
      let hosting = nodes.compactMap { position[$0] }
      guard let firstIndex = hosting.first, let first = plans[firstIndex].declaration(of: name) else { continue }
      let firstHost = fleet.hosts[firstIndex]
      for index in hosting.dropFirst() {
        let host = fleet.hosts[index]
        guard let other = plans[index].declaration(of: name) else { continue }
        if texts[index][name] != texts[firstIndex][name] {
          diagnostics.append(
            Diagnostic(
              FleetMessage.clusterConflict(
                "component '\(name)' is not the same on hosts '\(firstHost.name.value)' and '\(host.name.value)'"),
              at: other.name.range,
              notes: [
                DiagnosticNote("the cluster runs one workload of it, with one pod template, on every host that has it"),
                DiagnosticNote("host '\(firstHost.name.value)' has this declaration", at: first.name.range),
              ],
              help: ["declare it once for every host, or give the variant its own name"]))
          break
        }
      }
      if first.storage != nil {
        diagnostics.append(
          Diagnostic(
            FleetMessage.clusterVolume(
              "component '\(name)' keeps its state on a local volume, and the stacks of \(hostList(nodes)) hold it"
            ),
            at: first.name.range,
            notes: [DiagnosticNote("a local volume is a folder on one node: a second replica would have none")],
            help: ["keep it in the stack of one host"]))
      }
    }
    return diagnostics
  }

  /// `on host 'a'`, `on hosts 'a' and 'b'`, `on hosts 'a', 'b', 'c' and 4 more`, `on every host`.
  package static func hostsNote(_ names: [String], of total: Int) -> String {
    names.count == total && total > 1 ? "on every host" : "on " + hostList(names)
  }

  /// `host 'a'`, `hosts 'a' and 'b'`, `hosts 'a', 'b', 'c' and 4 more`.
  static func hostList(_ names: [String]) -> String {
    let quoted = names.prefix(3).map { "'\($0)'" }
    let noun = names.count == 1 ? "host" : "hosts"
    if names.count > 3 { return "\(noun) \(quoted.joined(separator: ", ")) and \(names.count - 3) more" }
    if quoted.count == 1 { return "\(noun) \(quoted[0])" }
    return "\(noun) \(quoted.dropLast().joined(separator: ", ")) and \(quoted.last ?? "")"
  }
}

/// What a fleet's cluster refuses.
enum FleetMessage: DiagnosticMessage {
  case clusterConflict(String)
  case clusterVolume(String)

  var id: DiagnosticID {
    switch self {
    case .clusterConflict: "cluster-conflict"
    case .clusterVolume: "cluster-volume"
    }
  }

  var severity: Severity { .error }

  var text: String {
    switch self {
    case .clusterConflict(let text), .clusterVolume(let text): text
    }
  }
}

extension RigCompiler {
  /// The one machine a command about a single machine (`graph`, `verify`) reads: the project itself, or the fleet's
  /// host `host`. A fleet without `host`, and a `host` the project does not have, are errors added to `result`.
  public static func machine(_ result: CheckResult, host: String?) -> CheckResult {
    var checked = result
    if let refusal = hostRefusal(result, host: host, required: true) {
      checked.diagnostics.emit(refusal)
      return checked
    }
    guard let fleet = result.fleet, let host, !result.hasErrors,
      let index = fleet.fleet.hosts.firstIndex(where: { $0.name.value == host })
    else { return checked }
    var machine = fleet.hosts[index]
    machine.sources = result.sources
    return machine
  }

  /// Why `--host host` does not fit the project: a single machine named a host, a host the fleet does not have,
  /// or (when `required`) a fleet without one; nil when it fits.
  static func hostRefusal(_ result: CheckResult, host: String?, required: Bool) -> Diagnostic? {
    guard let fleet = result.fleet else {
      return host.map {
        Diagnostic(
          OutputMessage.unknownHost($0), at: nil, help: ["'\(result.file)' describes one machine: leave out '--host'"])
      }
    }
    let names = fleet.fleet.hosts.map(\.name.value)
    guard let host else {
      guard required else { return nil }
      return Diagnostic(
        OutputMessage.hostNeeded, at: nil,
        help: [
          "name one of its hosts with '--host': " + names.prefix(5).joined(separator: ", ")
            + (names.count > 5 ? ", …" : "")
        ])
    }
    guard !names.contains(host) else { return nil }
    return Diagnostic(
      OutputMessage.unknownHost(host), at: nil,
      help: [Suggestion.didYouMean(host, among: names) ?? "name one of the hosts under 'hosts:'"])
  }

  /// The files a fleet's host `host` installs (its own, and the cluster's objects on the control plane), from the
  /// fleet's artifacts; the project's artifacts for a single machine.
  public static func machineArtifacts(_ result: CheckResult, host: String?) -> [Artifact] {
    let all = artifacts(result)
    guard let fleet = result.fleet, let host else { return all }
    let controlPlane = fleet.cluster?.cluster?.controlPlane == host
    return all.filter { artifact in
      artifact.path.hasPrefix(FleetLayout.hostFolder(host))
        || (controlPlane && artifact.target == "kubernetes" && !artifact.path.hasPrefix("hosts/"))
    }
  }
}
