import RigCatalog
import RigModel
import RigPlan

/// One Debian package the host gets at an exact version: what the playbook's apt task installs and what
/// `rig verify` looks for in dpkg's database.
public struct AptPin: Sendable, Hashable {
  public var component: String
  public var package: String
  /// The Debian architecture (`amd64`, or `i386` for a multiarch library).
  public var architecture: String
  public var version: Version

  /// As apt takes it: `name=version`, or `name:arch=version` for a foreign architecture.
  public var aptArgument: String {
    "\(package)\(architecture == "amd64" ? "" : ":" + architecture)=\(version)"
  }
}

extension Plan {
  /// The components the host installs (every resolved component but the Kubernetes workloads), in install order.
  public var hostInstallOrder: [PlannedComponent] {
    installOrder.filter { runtime(of: $0) != .kubernetes }.compactMap { component(named: $0) }
  }

  /// The apt packages of `component` at its version: its package, then the companions pinned with it; nil when it
  /// does not come from an apt repository.
  public func aptPins(_ component: PlannedComponent) -> [AptPin]? {
    guard let (source, entry) = catalogEntry(component), !source.apt.isEmpty else { return nil }
    return ([entry.package] + entry.companions).map {
      AptPin(component: component.name, package: $0, architecture: entry.architecture, version: component.version)
    }
  }

  /// Every apt package the host installs, in install order.
  public var aptPins: [AptPin] { hostInstallOrder.flatMap { aptPins($0) ?? [] } }
}
