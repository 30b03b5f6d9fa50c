import RigBasics
import RigModel

/// Limits and budgets for the whole machine (`policies:` in YAML); each kind at most once.
public struct Policies: Sendable {
  let parts: [PolicyPart]
  let site: Site

  /// The policies `content` lists.
  public init(
    fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column,
    @PoliciesBuilder _ content: () -> [PolicyPart]
  ) {
    self.parts = content()
    self.site = callRange("Policies", fileID, filePath, line, column)
  }
}

/// One element of `Policies`.
public struct PolicyPart: Sendable {
  enum Kind: Sendable {
    case cpu(CPUPolicy)
    case memory(MemoryPolicy)
    case gpu(GPUPolicy)
  }
  let kind: Kind
  let site: Site

  var key: String {
    switch kind {
    case .cpu: "policies.cpu"
    case .memory: "policies.memory"
    case .gpu: "policies.gpu"
    }
  }
}

/// Collects the elements of `Policies`.
@resultBuilder
public enum PoliciesBuilder: ListBuilder {
  /// What this builder collects.
  public typealias Element = PolicyPart
  /// CPU isolation.
  public static func buildExpression(_ policy: CPUPolicy) -> [PolicyPart] {
    [PolicyPart(kind: .cpu(policy), site: policy.site)]
  }
  /// RAM kept back.
  public static func buildExpression(_ policy: MemoryPolicy) -> [PolicyPart] {
    [PolicyPart(kind: .memory(policy), site: policy.site)]
  }
  /// GPU memory kept back, power and temperature.
  public static func buildExpression(_ policy: GPUPolicy) -> [PolicyPart] {
    [PolicyPart(kind: .gpu(policy), site: policy.site)]
  }
}

/// How CPUs are split between housekeeping and isolated work (`policies.cpu`).
public struct CPUPolicy: Sendable {
  let housekeepingCores: Int?
  let isolated: CPUSelection?
  let housekeeping: CPUSelection?
  let site: Site

  /// Whole cores kept for the kernel and everything not isolated (at least 1 when nil); the isolated and
  /// housekeeping CPU sets when chosen by hand (rig computes them when nil).
  public init(
    housekeepingCores: Int? = nil, isolated: CPUSelection? = nil, housekeeping: CPUSelection? = nil,
    fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    self.housekeepingCores = housekeepingCores
    self.isolated = isolated
    self.housekeeping = housekeeping
    self.site = callRange("CPUPolicy", fileID, filePath, line, column)
  }
}

/// RAM kept back from every budget (`policies.memory`).
public struct MemoryPolicy: Sendable {
  let reserve: ByteCount
  let site: Site

  /// Keeps `reserve` of RAM for the system.
  public init(
    reserve: ByteCount, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    self.reserve = reserve
    self.site = callRange("MemoryPolicy", fileID, filePath, line, column)
  }
}

/// GPU memory kept back, the board power limit and temperature alerts (`policies.gpu`).
public struct GPUPolicy: Sendable {
  let reserve: ByteCount?
  let powerLimit: Power?
  let thermal: Thermal?
  let site: Site

  /// Keeps `reserve` of GPU memory for the display, limits each GPU to `powerLimit`, alerts per `thermal`.
  public init(
    reserve: ByteCount? = nil, powerLimit: Power? = nil, thermal: Thermal? = nil, fileID: String = #fileID,
    filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    self.reserve = reserve
    self.powerLimit = powerLimit
    self.thermal = thermal
    self.site = callRange("GPUPolicy", fileID, filePath, line, column)
  }
}

/// GPU temperature thresholds and how long they must hold before an alert fires.
public struct Thermal: Sendable {
  let warning: Temperature
  let critical: Temperature
  let duration: TimeSpan

  /// Warn at `warning`, page at `critical`, each once it has held `for` a while.
  public init(warning: Temperature, critical: Temperature, for duration: TimeSpan) {
    self.warning = warning
    self.critical = critical
    self.duration = duration
  }
}
