import RigAllocation
import RigCatalog
import RigPlan

/// The kernel command line that isolates CPUs: `kernel/cmdline.txt` (the parameters on one line, for any boot
/// loader) and a GRUB drop-in for Debian's `/etc/default/grub.d/`, which `/etc/default/grub` sources and
/// `update-grub` turns into the `linux` lines of `grub.cfg`.
public struct KernelEmitter: Emitter {
  public static let commandLinePath = "kernel/cmdline.txt"
  public static let grubDropInPath = "kernel/grub.d/60-rig-cpu-isolation.cfg"
  /// Where Debian's `/etc/default/grub` sources drop-ins from.
  static let grubDropInInstallPath = "/etc/default/grub.d/60-rig-cpu-isolation.cfg"

  public init() {}
  public var target: String { "kernel" }
  public func isEnabled(_ plan: Plan) -> Bool { plan.spec.targets.kernel }

  public func artifacts(for plan: Plan) -> [Artifact] {
    let cpu = plan.allocation.cpu
    let parameters = cpu.kernelParameters
    // Nothing isolated: no parameters at all, and no drop-in (an empty file for the command line).
    guard !parameters.isEmpty else { return [Artifact(path: Self.commandLinePath, contents: "")] }
    let line = parameters.joined(separator: " ")
    let grub =
      plan.fileHeader
      + "# CPU isolation: isolated \(cpu.isolated) (\(cpu.coreSummary(cpu.isolated)) cores), housekeeping "
      + "\(cpu.housekeeping).\n"
      + "# Install as \(Self.grubDropInInstallPath), then run update-grub.\n"
      // Parameters are digits, letters, '=', ',' and '-' only: nothing here needs shell quoting beyond the quotes.
      + "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} \(line)\"\n"
    return [
      Artifact(path: Self.commandLinePath, contents: line + "\n"),
      Artifact(
        path: Self.grubDropInPath, contents: grub,
        installation: Installation(Self.grubDropInInstallPath, effects: [.updateBootLoader])),
    ]
  }
}
