import RigBasics

/// Limits and budgets that apply to the whole machine.
public struct Policies: Sendable, Hashable {
  /// Whole cores kept for the kernel, IRQs and everything not isolated (at least 1 when not written).
  public var housekeepingCores: Located<Int>?
  /// An isolated CPU set written by hand (`isolcpus=`'s list); rig computes it when absent.
  public var isolatedCPUs: Located<CPUListExpression>?
  /// A housekeeping CPU set written by hand; the CPUs not isolated when absent.
  public var housekeepingCPUs: Located<CPUListExpression>?
  /// RAM kept back from every budget.
  public var memoryReserve: Located<ByteCount>?
  /// GPU memory kept back for the display and desktop.
  public var gpuReserve: Located<ByteCount>?
  public var gpuPowerLimit: Located<Power>?
  public var thermal: ThermalPolicy?

  public init(
    housekeepingCores: Located<Int>? = nil, isolatedCPUs: Located<CPUListExpression>? = nil,
    housekeepingCPUs: Located<CPUListExpression>? = nil, memoryReserve: Located<ByteCount>? = nil,
    gpuReserve: Located<ByteCount>? = nil, gpuPowerLimit: Located<Power>? = nil, thermal: ThermalPolicy? = nil
  ) {
    self.housekeepingCores = housekeepingCores
    self.isolatedCPUs = isolatedCPUs
    self.housekeepingCPUs = housekeepingCPUs
    self.memoryReserve = memoryReserve
    self.gpuReserve = gpuReserve
    self.gpuPowerLimit = gpuPowerLimit
    self.thermal = thermal
  }
}

/// GPU temperature thresholds and how long they must hold before an alert fires.
public struct ThermalPolicy: Sendable, Hashable {
  public var warning: Located<Temperature>
  public var critical: Located<Temperature>
  public var duration: Located<TimeSpan>

  public init(warning: Located<Temperature>, critical: Located<Temperature>, duration: Located<TimeSpan>) {
    self.warning = warning
    self.critical = critical
    self.duration = duration
  }
}

/// Which artifacts to emit, with each target's settings; a nil target is not emitted.
public struct Targets: Sendable, Hashable {
  public struct Ansible: Sendable, Hashable {
    public var host: Located<String>
    public init(host: Located<String>) { self.host = host }
  }
  public struct Kubernetes: Sendable, Hashable {
    public var version: Located<String>
    public var namespace: Located<String>
    public init(version: Located<String>, namespace: Located<String>) {
      self.version = version
      self.namespace = namespace
    }
  }
  public struct Nix: Sendable, Hashable {
    public var release: Located<String>
    public init(release: Located<String>) { self.release = release }
  }

  public var ansible: Ansible?
  public var kubernetes: Kubernetes?
  public var nix: Nix?
  public var kernel: Bool
  public var systemd: Bool
  public var prometheus: Bool

  public init(
    ansible: Ansible? = nil, kubernetes: Kubernetes? = nil, nix: Nix? = nil, kernel: Bool = false,
    systemd: Bool = false, prometheus: Bool = false
  ) {
    self.ansible = ansible
    self.kubernetes = kubernetes
    self.nix = nix
    self.kernel = kernel
    self.systemd = systemd
    self.prometheus = prometheus
  }

  /// A target by name, as written under `targets:` and as the first folder of its files.
  public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
    case ansible
    case kernel
    case kubernetes
    case nix
    case prometheus
    case systemd

    public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
  }

  /// The targets this project enables, by name.
  public var enabled: [Kind] {
    Kind.allCases.filter { kind in
      switch kind {
      case .ansible: ansible != nil
      case .kernel: kernel
      case .kubernetes: kubernetes != nil
      case .nix: nix != nil
      case .prometheus: prometheus
      case .systemd: systemd
      }
    }
  }
}

/// Everything one `rig.yaml` (with its includes) or one DSL description says.
public struct RigSpec: Sendable, Hashable {
  public var apiVersion: Located<String>
  public var name: Located<String>
  public var hardware: Hardware
  /// Catalog sources whose versions may be used, in the order written.
  public var sources: [Located<String>]
  public var stack: [Requirement]
  /// The stack's own component declarations, in the order written.
  public var components: [Component]
  public var policies: Policies
  public var targets: Targets

  public init(
    apiVersion: Located<String>, name: Located<String>, hardware: Hardware, sources: [Located<String>],
    stack: [Requirement], components: [Component], policies: Policies, targets: Targets
  ) {
    self.apiVersion = apiVersion
    self.name = name
    self.hardware = hardware
    self.sources = sources
    self.stack = stack
    self.components = components
    self.policies = policies
    self.targets = targets
  }

  /// The only input format version this rig reads.
  public static let apiVersion = "rig/v1"
}
