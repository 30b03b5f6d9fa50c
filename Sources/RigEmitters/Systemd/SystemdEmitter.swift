import RigAllocation
import RigBasics
import RigCatalog
import RigModel
import RigPlan

/// systemd configuration for CPU isolation and the GPU's power limit, for `/etc/systemd/system/` (and
/// `/etc/systemd/system.conf.d/`):
/// - `AllowedCPUs=` drop-ins that keep system.slice, user.slice and init.scope on the housekeeping CPUs, and
///   `CPUAffinity=` for the manager itself (systemd.resource-control(5), systemd-system.conf(5));
/// - one slice per isolated systemd component with its own CPUs and `MemoryMax=`;
/// - a hardened unit per service rig starts itself (`ServiceUnit`), or a drop-in for the unit a service's package
///   ships, with the service's environment, CPUs, memory or slice;
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
      var irqbalance = Self.unitFile(
        "irqbalance.service.d/60-rig-banned-cpus.conf",
        contents: header + "# irqbalance never moves interrupts onto the isolated CPUs.\n"
          + "[Service]\nEnvironment=IRQBALANCE_BANNED_CPULIST=\(cpu.isolated)\n",
        effects: [.reloadSystemd, .restartUnit])
      irqbalance.installation?.configures = ["irqbalance"]
      artifacts.append(irqbalance)
      let memory = Dictionary(
        plan.allocation.memory.items.map { ($0.component, $0.amount) }, uniquingKeysWith: { a, _ in a })
      for component in cpu.components where component.placement == .isolated && component.runtime == .systemd {
        var text = header + "[Unit]\nDescription=rig: isolated CPUs for \(Self.serviceName(component.name))\n\n"
        text += "[Slice]\nAllowedCPUs=\(component.cpus)\n"
        if let bytes = memory[component.name] { text += "MemoryMax=\(bytes.bytes)\n" }
        artifacts.append(Self.unitFile(Self.sliceName(component.name), contents: text))
      }
    }
    for service in plan.services {
      let unit = ServiceUnit(service: service, plan: plan)
      switch service.start {
      case .program:
        artifacts.append(
          Self.unitFile(
            unit.unitName, contents: unit.text(header: header),
            effects: [.reloadSystemd, .enableAndStartUnit, .restartUnit]))
      case .packaged:
        artifacts.append(
          Self.unitFile(
            "\(unit.unitName).d/60-rig.conf", contents: unit.text(header: header),
            effects: [.reloadSystemd, .restartUnit]))
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
      unit += "# Root, for the power limit, with administrator rights alone; the NVIDIA devices only (named as\n"
      unit += "# /proc/devices lists them); nvidia-persistenced over its local socket, no network.\n"
      unit += Self.rootSandbox
      unit += "\n[Install]\nWantedBy=multi-user.target\n"
      var power = Self.unitFile(
        "rig-gpu-power.service", contents: unit, effects: [.reloadSystemd, .enableAndStartUnit])
      power.installation?.needsGPU = true
      artifacts.append(power)
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

  /// The sandbox of the power unit, which runs nvidia-smi as root (systemd.exec(5)).
  static let rootSandbox = """
    CapabilityBoundingSet=CAP_SYS_ADMIN
    NoNewPrivileges=yes
    ProtectSystem=strict
    ProtectHome=yes
    PrivateTmp=yes
    PrivateNetwork=yes
    IPAddressDeny=any
    RestrictAddressFamilies=AF_UNIX
    DevicePolicy=closed
    DeviceAllow=char-nvidia-frontend rw
    DeviceAllow=char-nvidia-caps r
    ProtectHostname=yes
    ProtectClock=yes
    ProtectKernelTunables=yes
    ProtectKernelModules=yes
    ProtectKernelLogs=yes
    ProtectControlGroups=yes
    RestrictNamespaces=yes
    RestrictRealtime=yes
    RestrictSUIDSGID=yes
    LockPersonality=yes
    SystemCallArchitectures=native
    SystemCallFilter=@system-service
    SystemCallErrorNumber=EPERM
    UMask=0077

    """

  /// User text for a unit's `Description=`: on one line (a line break would start a new directive) and with `%`
  /// doubled (systemd expands specifiers there, systemd.unit(5) "Specifiers").
  static func unitText(_ text: String) -> String {
    Nix.comment(text).replacingOccurrences(of: "%", with: "%%")
  }

  /// `+`, which unit names cannot hold, written as systemd-escape writes it (`\x2b`).
  static func escaped(_ name: String) -> String { name.replacingOccurrences(of: "+", with: "\\x2b") }
}
