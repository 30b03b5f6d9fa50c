import RigBasics
import RigModel

/// The artifacts to emit (`targets:` in YAML); each target at most once, none emitted unless listed.
public struct Targets: Sendable {
  let parts: [TargetPart]
  let site: Site

  /// The targets `content` lists.
  public init(
    fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column,
    @TargetsBuilder _ content: () -> [TargetPart]
  ) {
    self.parts = content()
    self.site = callRange("Targets", fileID, filePath, line, column)
  }
}

/// One target of `Targets`.
public struct TargetPart: Sendable {
  enum Kind: Sendable {
    case ansible(host: String)
    case kubernetes(version: String, namespace: String)
    case nix(release: String)
    case kernel
    case systemd
    case prometheus
  }
  let kind: Kind
  let site: Site

  var target: RigModel.Targets.Kind {
    switch kind {
    case .ansible: .ansible
    case .kubernetes: .kubernetes
    case .nix: .nix
    case .kernel: .kernel
    case .systemd: .systemd
    case .prometheus: .prometheus
    }
  }
}

/// Collects the targets of `Targets`.
@resultBuilder
public enum TargetsBuilder: ListBuilder {
  /// What this builder collects.
  public typealias Element = TargetPart
  /// An Ansible playbook and inventory.
  public static func buildExpression(_ target: Ansible) -> [TargetPart] { [target.part] }
  /// Kubernetes manifests.
  public static func buildExpression(_ target: Kubernetes) -> [TargetPart] { [target.part] }
  /// A NixOS module.
  public static func buildExpression(_ target: Nix) -> [TargetPart] { [target.part] }
  /// Kernel command-line parameters.
  public static func buildExpression(_ target: Kernel) -> [TargetPart] { [target.part] }
  /// systemd slices and drop-ins.
  public static func buildExpression(_ target: Systemd) -> [TargetPart] { [target.part] }
  /// Prometheus alerting rules.
  public static func buildExpression(_ target: Prometheus) -> [TargetPart] { [target.part] }
}

/// An Ansible playbook and inventory for one host (`targets.ansible`).
public struct Ansible: Sendable {
  let part: TargetPart

  /// A playbook for the inventory host `host`.
  public init(
    host: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    part = TargetPart(kind: .ansible(host: host), site: callRange("Ansible", fileID, filePath, line, column))
  }
}

/// Kubernetes manifests for one minor version, in one namespace (`targets.kubernetes`).
public struct Kubernetes: Sendable {
  let part: TargetPart

  /// Manifests for Kubernetes `version` (a minor version such as `"1.30"`) in `namespace`.
  public init(
    version: String, namespace: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    part = TargetPart(
      kind: .kubernetes(version: version, namespace: namespace),
      site: callRange("Kubernetes", fileID, filePath, line, column))
  }
}

/// A NixOS module for one release (`targets.nix`).
public struct Nix: Sendable {
  let part: TargetPart

  /// A module for NixOS `release`, such as `"24.11"`.
  public init(
    release: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    part = TargetPart(kind: .nix(release: release), site: callRange("Nix", fileID, filePath, line, column))
  }
}

/// Kernel command-line parameters that isolate the CPUs (`targets.kernel`).
public struct Kernel: Sendable {
  let part: TargetPart

  /// The kernel target.
  public init(fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) {
    part = TargetPart(kind: .kernel, site: callRange("Kernel", fileID, filePath, line, column))
  }
}

/// systemd slices and drop-ins that confine the machine's work to its CPUs (`targets.systemd`).
public struct Systemd: Sendable {
  let part: TargetPart

  /// The systemd target.
  public init(fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) {
    part = TargetPart(kind: .systemd, site: callRange("Systemd", fileID, filePath, line, column))
  }
}

/// Prometheus alerting rules for the machine's budgets, GPU power and temperature (`targets.prometheus`).
public struct Prometheus: Sendable {
  let part: TargetPart

  /// The Prometheus target.
  public init(fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) {
    part = TargetPart(kind: .prometheus, site: callRange("Prometheus", fileID, filePath, line, column))
  }
}
