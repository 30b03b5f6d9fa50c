import RigAllocation
import RigBasics
import RigCatalog
import RigModel
import RigPlan

/// systemd configuration for CPU isolation and the GPU's power limit, for `/etc/systemd/system/` (and
/// `/etc/systemd/system.conf.d/`):
/// - `AllowedCPUs=` drop-ins that keep system.slice, user.slice and init.scope on the housekeeping CPUs, and
///   `CPUAffinity=` for the manager itself (systemd.resource-control(5), systemd-system.conf(5));
/// - one slice per isolated systemd component with its own CPUs and `MemoryMax=`, and a drop-in that puts the
///   component's service in it;
/// - irqbalance's banned list, so it never moves interrupts onto isolated CPUs (irqbalance(1),
///   `IRQBALANCE_BANNED_CPULIST`, irqbalance 1.8 and later);
/// - a oneshot unit that turns on persistence mode and applies the power limit with `nvidia-smi`.
public struct SystemdEmitter: Emitter {
  public init() {}
  public var target: String { "systemd" }
  public func isEnabled(_ plan: Plan) -> Bool { plan.spec.targets.systemd }

  public func artifacts(for plan: Plan) -> [Artifact] {
    let cpu = plan.allocation.cpu
    let header = plan.fileHeader
    var artifacts: [Artifact] = []
    if !cpu.isolated.isEmpty {
      let housekeeping = cpu.housekeeping.description
      for (unit, section) in [("init.scope", "Scope"), ("system.slice", "Slice"), ("user.slice", "Slice")] {
        artifacts.append(
          Self.unitFile(
            "\(unit).d/60-rig-housekeeping.conf",
            contents: header + "# Keep \(unit) on the housekeeping CPUs.\n[\(section)]\nAllowedCPUs=\(housekeeping)\n"))
      }
      artifacts.append(
        Self.unitFile(
          "system.conf.d/60-rig-cpu-affinity.conf",
          contents: header + "# The service manager and what it starts default to the housekeeping CPUs.\n"
            + "[Manager]\nCPUAffinity=\(housekeeping)\n"))
      artifacts.append(
        Self.unitFile(
          "irqbalance.service.d/60-rig-banned-cpus.conf",
          contents: header + "# irqbalance never moves interrupts onto the isolated CPUs.\n"
            + "[Service]\nEnvironment=IRQBALANCE_BANNED_CPULIST=\(cpu.isolated)\n"))
      let memory = Dictionary(
        plan.allocation.memory.items.map { ($0.component, $0.amount) }, uniquingKeysWith: { a, _ in a })
      for component in cpu.components where component.placement == .isolated && component.runtime == .systemd {
        let service = Self.serviceName(component.name)
        let slice = Self.sliceName(component.name)
        var text = header + "[Unit]\nDescription=rig: isolated CPUs for \(service)\n\n[Slice]\n"
        text += "AllowedCPUs=\(component.cpus)\n"
        if let bytes = memory[component.name] { text += "MemoryMax=\(bytes.bytes)\n" }
        artifacts.append(Self.unitFile(slice, contents: text))
        artifacts.append(
          Self.unitFile(
            "\(service).d/60-rig-slice.conf",
            contents: header + "# Run in the slice that holds its isolated CPUs.\n[Service]\nSlice=\(slice)\n"))
      }
    }
    let limits = plan.allocation.powerLimits
    if !limits.isEmpty {
      var unit = header + "[Unit]\nDescription=rig: GPU persistence mode and power limit\n"
      unit += "After=systemd-modules-load.service nvidia-persistenced.service\n\n"
      unit += "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/usr/bin/nvidia-smi --persistence-mode=1\n"
      for limit in limits {
        unit += "ExecStart=/usr/bin/nvidia-smi --id=\(limit.index) --power-limit=\(limit.limit.wattsText)\n"
      }
      unit += "\n[Install]\nWantedBy=multi-user.target\n"
      artifacts.append(
        Self.unitFile("rig-gpu-power.service", contents: unit, effects: [.reloadSystemd, .enableAndStartUnit]))
    }
    return artifacts
  }

  /// A file of `/etc/systemd/system/` (`name` relative to it), which systemd reads after a daemon-reload; the
  /// manager's own settings (`system.conf.d/`) sit in `/etc/systemd/` and take a re-execution.
  static func unitFile(
    _ name: String, contents: String, effects: [Installation.Effect] = [.reloadSystemd]
  ) -> Artifact {
    let manager = name.hasPrefix("system.conf.d/")
    return Artifact(
      path: "systemd/" + name, contents: contents,
      installation: Installation(
        (manager ? "/etc/systemd/" : "/etc/systemd/system/") + name,
        effects: manager ? [.reexecuteSystemd] : effects))
  }

  /// The service a systemd component runs as: its name (component names are `[a-z0-9][a-z0-9+.-]*`), escaped.
  static func serviceName(_ component: String) -> String { escaped(component) + ".service" }

  /// The slice of an isolated component: `rig-NAME.slice`, with `-` in the name written `_` (which component
  /// names never hold), since a `-` would make it a child slice (`rig-a-b.slice` lives in `rig-a.slice`).
  static func sliceName(_ component: String) -> String {
    "rig-" + escaped(component.replacingOccurrences(of: "-", with: "_")) + ".slice"
  }

  /// `+`, which unit names cannot hold, written as systemd-escape writes it (`\x2b`).
  static func escaped(_ name: String) -> String { name.replacingOccurrences(of: "+", with: "\\x2b") }
}
