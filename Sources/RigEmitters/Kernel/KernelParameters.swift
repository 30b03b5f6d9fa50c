import RigAllocation
import RigModel

/// The kernel command line of a CPU allocation, which the kernel target writes for GRUB and the NixOS module sets
/// as `boot.kernelParams`.
extension CPUAllocation {
  /// `isolcpus=` flags: `managed_irq` always (keeps managed interrupts off isolated CPUs where the kernel can);
  /// `domain` too when every user of the isolated set is a systemd service, which pins its own threads — a
  /// Kubernetes or host workload relies on the scheduler balancing it across its CPUs, which `domain` removes
  /// (Documentation/admin-guide/kernel-parameters.txt, `isolcpus=`).
  public var isolationFlags: [String] {
    let users = components.filter { $0.placement == .isolated }
    if !users.isEmpty, users.allSatisfy({ $0.runtime == .systemd }) { return ["domain", "managed_irq"] }
    return ["managed_irq"]
  }

  /// The kernel command line that isolates the set: nothing at all when nothing is isolated. Never
  /// `intel_pstate=disable`, which would take frequency control of a hybrid CPU's cores away from the hardware.
  public var kernelParameters: [String] {
    guard !isolated.isEmpty else { return [] }
    return [
      "isolcpus=" + (isolationFlags + [isolated.description]).joined(separator: ","), "nohz_full=\(isolated)",
      "rcu_nocbs=\(isolated)", "irqaffinity=\(housekeeping)",
    ]
  }
}
