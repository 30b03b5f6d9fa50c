import RigBasics
import RigModel

/// Every range of whole numbers rig accepts, written once: the YAML lowering and the model check test values
/// against these, and the JSON Schema carries them as `minimum` and `maximum`.
public enum Limits {
  /// The TCP ports a component serves.
  /// GPUs one component may ask for; the machine's GPUs bound it further.
  public static let gpuCount = 1...64
  public static let port = 1...65535
  /// A user or group ID in a container (`runAsUser`, `runAsGroup`: 0 to 2^31 - 1).
  public static let containerID = 0...2_147_483_647
  /// Cores asked for: a component's `cores`, `policies.cpu.housekeeping_cores`.
  public static let cores = 1...4096
  /// Cores of one kind in `hardware.cpu.hybrid`.
  public static let coreCount = 0...4096
  /// SMT threads of one performance core in `hardware.cpu.hybrid`.
  public static let threadsPerCore = 1...8
  /// The logical CPUs Linux numbers.
  public static let cpu = 0...CPUList.maxCPU
  /// Identical machines one group of a fleet declares with `count:`.
  public static let groupCount = 1...1000
  /// The hosts of one fleet, groups' members included.
  public static let fleetHosts = 1...5000
}

/// A quantity with the range rig accepts: wide enough for any real machine, narrow enough that sums and unit
/// conversions cannot overflow.
package protocol Limited: Comparable, CustomStringConvertible, Sendable {
  static var limits: ClosedRange<Self> { get }
}
extension ByteCount: Limited {
  /// Up to 1024TiB (2^50 bytes): thousands of such sizes still add up within 64 bits.
  package static var limits: ClosedRange<ByteCount> { ByteCount(bytes: 0)...ByteCount.tib(1024) }
}
extension Power: Limited {
  /// Up to 100kW, far above any GPU board.
  package static var limits: ClosedRange<Power> { Power.watts(0)...Power.watts(100_000) }
}
extension Temperature: Limited {
  /// From absolute zero, rounded up, to 1000C.
  package static var limits: ClosedRange<Temperature> { Temperature.celsius(-273)...Temperature.celsius(1000) }
}
extension TimeSpan: Limited {
  /// Up to a year.
  package static var limits: ClosedRange<TimeSpan> { TimeSpan.seconds(0)...TimeSpan.seconds(365 * 86_400) }
}
