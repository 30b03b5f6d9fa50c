import RigBasics

/// One machine of a fleet: its name in the inventory, how Ansible reaches it, the inventory groups it belongs to,
/// and the complete description of the machine, as a single-host project would write it (the shared sections, its
/// groups' and its own, merged).
public struct FleetHost: Sendable, Hashable {
  /// The inventory host name; also the name of its folder under `hosts/` in the output.
  public var name: Located<String>
  /// The address Ansible connects to (`ansible_host`); the name itself when absent.
  public var address: Located<String>?
  /// The inventory groups it is a member of, in the order written.
  public var groups: [Located<String>]
  public var spec: RigSpec

  public init(name: Located<String>, address: Located<String>?, groups: [Located<String>], spec: RigSpec) {
    self.name = name
    self.address = address
    self.groups = groups
    self.spec = spec
  }
}

/// Several machines described in one project and, when the project has a Kubernetes target, one cluster made of
/// them: rig resolves and allocates each host on its own and emits one inventory and one set of manifests.
public struct Fleet: Sendable, Hashable {
  public var name: Located<String>
  /// Every host, groups' members expanded, in the order written.
  public var hosts: [FleetHost]
  /// The host that runs the cluster's control plane and applies its manifests.
  public var controlPlane: Located<String>?

  public init(name: Located<String>, hosts: [FleetHost], controlPlane: Located<String>?) {
    self.name = name
    self.hosts = hosts
    self.controlPlane = controlPlane
  }

  /// The host called `name`, if any.
  public func host(named name: String) -> FleetHost? { hosts.first { $0.name.value == name } }
}

extension Policies {
  /// These policies with every setting `other` writes taking the place of this one's: a group's or a host's
  /// policies over the shared ones.
  public func overridden(by other: Policies) -> Policies {
    Policies(
      housekeepingCores: other.housekeepingCores ?? housekeepingCores,
      isolatedCPUs: other.isolatedCPUs ?? isolatedCPUs, housekeepingCPUs: other.housekeepingCPUs ?? housekeepingCPUs,
      memoryReserve: other.memoryReserve ?? memoryReserve, gpuReserve: other.gpuReserve ?? gpuReserve,
      gpuPowerLimit: other.gpuPowerLimit ?? gpuPowerLimit, thermal: other.thermal ?? thermal)
  }
}

/// What one project describes: one machine, or a fleet of them.
public enum ProjectModel: Sendable, Hashable {
  case host(RigSpec)
  case fleet(Fleet)
}
