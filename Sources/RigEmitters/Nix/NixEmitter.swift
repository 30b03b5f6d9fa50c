import RigAllocation
import RigBasics
import RigCatalog
import RigModel
import RigPlan

/// The NixOS target: `nix/rig.nix`, a NixOS module (`{ config, lib, pkgs, ... }: { … }`) to import from
/// `configuration.nix`, written for the release of `targets.nix.release`:
/// - the kernel parameters that isolate CPUs (`boot.kernelParams`);
/// - the NVIDIA driver, graphics and container toolkit options, when the machine has a GPU and the stack
///   resolves `nvidia-driver`;
/// - packages (`environment.systemPackages`) and NixOS modules (`programs.steam`, `services.ollama`, …) for the
///   components that run on the host; Kubernetes workloads are left to the cluster;
/// - the systemd side of the CPU allocation and the GPU power limit, as the systemd emitter writes them, in
///   NixOS options.
///
/// Release-dependent option names and nixpkgs attributes live in `NixOSFacts`, each with its source. Every
/// string goes through `Nix.string(_:)`; nothing from the input is written as code.
public struct NixEmitter: Emitter {
  public static let path = "nix/rig.nix"

  public init() {}
  public var target: String { "nix" }
  public func isEnabled(_ plan: Plan) -> Bool { plan.spec.targets.nix != nil }

  /// The module, or nothing when the plan does not enable the NixOS target.
  public func artifacts(for plan: Plan) -> [Artifact] {
    guard let target = plan.spec.targets.nix else { return [] }
    let written = target.release.value
    let release = NixOSRelease(written) ?? .fallback
    var header = plan.fileHeader
    header += "# NixOS module for NixOS \(release): add it to the imports of configuration.nix.\n"
    if NixOSRelease(written) == nil {
      header += "# \(Nix.comment("'\(written)'")) is not a NixOS release (YY.05 or YY.11): written for \(release).\n"
    }
    header += "# Package versions are those of that release's nixpkgs; rig's resolution pins Debian packages.\n"
    let module = ModuleBuilder(plan: plan, release: release)
    return [Artifact(path: Self.path, contents: NixRenderer.module(header: header, sections: module.sections()))]
  }
}

/// Builds the module's sections from a plan, in a fixed order; every list is sorted before it is written.
private struct ModuleBuilder {
  let plan: Plan
  let release: NixOSRelease

  func runtime(_ name: String) -> Runtime { plan.runtime(of: name) }

  func declaration(_ name: String) -> Component? { plan.declaration(of: name) }

  /// The NVIDIA driver's major version when the machine has a GPU and the stack resolves `nvidia-driver`.
  var nvidiaDriver: (version: String, major: Int)? {
    guard !plan.spec.hardware.gpus.isEmpty, let driver = plan.component(named: "nvidia-driver"),
      runtime("nvidia-driver") != .kubernetes
    else { return nil }
    return (driver.version.text, Self.major(driver.version.text))
  }

  /// `1:535.261.03-1` → 535: the upstream version's first number (the driver branch).
  static func major(_ version: String) -> Int {
    let upstream = version.split(separator: ":", maxSplits: 1).last.map(String.init) ?? version
    return Int(String(upstream.prefix { ("0"..."9").contains($0) })) ?? 0
  }

  func sections() -> [NixSection] {
    var sections: [NixSection] = []
    sections.append(kernel())
    let hosted = hostedComponents()
    sections.append(unfree(hosted))
    sections.append(contentsOf: nvidia())
    sections.append(packages(hosted))
    sections.append(contentsOf: services(hosted))
    sections.append(contentsOf: systemServices(hosted))
    sections.append(contentsOf: cpuIsolation())
    sections.append(contentsOf: isolatedComponents(hosted))
    sections.append(gpuPower())
    return sections
  }

  // MARK: Kernel

  func kernel() -> NixSection {
    let cpu = plan.allocation.cpu
    let parameters = cpu.kernelParameters
    guard !parameters.isEmpty else { return NixSection() }
    return NixSection(
      comments: [
        "CPU isolation: isolated \(cpu.isolated) (\(cpu.coreSummary(cpu.isolated)) cores), housekeeping "
          + "\(cpu.housekeeping)."
      ],
      bindings: [NixBinding(["boot", "kernelParams"], .list(parameters.map(NixValue.string)))])
  }

  // MARK: Components on the host

  /// What NixOS does for each resolved component that is not a Kubernetes workload.
  struct Hosted {
    /// nixpkgs attribute paths for `environment.systemPackages`, with the component each comes from.
    var packages: [(path: [String], component: String, unfree: Bool)] = []
    /// Components that become NixOS modules (`steam`, `ollama`, …), sorted.
    var services: [String] = []
    /// "NAME: provided by OTHER" notes.
    var provided: [(component: String, by: String)] = []
    var notMapped: [String] = []
    var kubernetes: [String] = []
  }

  func hostedComponents() -> Hosted {
    var hosted = Hosted()
    let nvidia = nvidiaDriver != nil
    // The plan's components are sorted by name, so every list below is too.
    for component in plan.components {
      let name = component.name
      if runtime(name) == .kubernetes {
        hosted.kubernetes.append(name)
        continue
      }
      switch NixOSFacts.provisions[name] {
      case .package(let path, let unfree)?:
        hosted.packages.append((path, name, unfree))
      case .service?:
        if name == "ollama", !NixOSFacts.hasOllamaService(release) {
          hosted.notMapped.append("\(name) (services.ollama is new in NixOS 24.05)")
        } else {
          hosted.services.append(name)
        }
      case .providedBy(let other)?:
        let otherHosted = plan.component(named: other) != nil && runtime(other) != .kubernetes
        if other == "nvidia-driver" ? nvidia : otherHosted {
          hosted.provided.append((name, other))
        } else {
          hosted.notMapped.append(name)
        }
      case nil:
        if name == "nvidia-driver" {
          if !nvidia { hosted.notMapped.append("\(name) (no GPU in hardware.gpus)") }
        } else {
          hosted.notMapped.append(name)
        }
      }
    }
    return hosted
  }

  /// `nixpkgs.config.allowUnfree`: the NVIDIA driver, Steam and CUDA are unfree in nixpkgs (their `meta.license`),
  /// and NixOS refuses to evaluate them without it.
  func unfree(_ hosted: Hosted) -> NixSection {
    var reasons: [String] = []
    if nvidiaDriver != nil { reasons.append("nvidia-driver") }
    reasons += hosted.packages.filter(\.unfree).map(\.component)
    if hosted.services.contains("steam") { reasons.append("steam") }
    guard !reasons.isEmpty else { return NixSection() }
    return NixSection(
      comments: ["Unfree in nixpkgs: " + reasons.sorted().joined(separator: ", ") + "."],
      bindings: [NixBinding(["nixpkgs", "config", "allowUnfree"], .bool(true))])
  }

  func packages(_ hosted: Hosted) -> NixSection {
    var comments: [String] = []
    for note in hosted.provided.sorted(by: { $0.component < $1.component }) {
      comments.append("\(note.component): provided by the options for \(note.by)")
    }
    if !hosted.kubernetes.isEmpty {
      comments.append("runs in Kubernetes, not installed by NixOS: " + hosted.kubernetes.joined(separator: ", "))
    }
    comments += hosted.notMapped.sorted().map { "not mapped to nixpkgs: \($0)" }
    let references = hosted.packages.map { ["pkgs"] + $0.path }.sorted {
      NixRenderer.reference($0) < NixRenderer.reference($1)
    }
    guard !references.isEmpty else { return NixSection(comments: comments) }
    return NixSection(
      comments: ["Components installed as packages; versions come from nixpkgs."] + comments,
      bindings: [NixBinding(["environment", "systemPackages"], .list(references.map(NixValue.reference)))])
  }

  /// One section per component that NixOS runs through a module, in name order.
  func services(_ hosted: Hosted) -> [NixSection] {
    hosted.services.compactMap { name in
      switch name {
      case "containerd":
        return NixSection(bindings: [NixBinding(["virtualisation", "containerd", "enable"], .bool(true))])
      case "ollama": return ollama()
      case "prometheus-node-exporter":
        return NixSection(
          bindings: [NixBinding(["services", "prometheus", "exporters", "node", "enable"], .bool(true))])
      case "steam":
        return NixSection(bindings: [NixBinding(["programs", "steam", "enable"], .bool(true))])
      default: return nil
      }
    }
  }

  /// The services rig writes a unit for (`runtime: systemd` with a program) that no NixOS module runs: the same
  /// `[Service]` directives as `SystemdEmitter`'s unit, sandbox included, as `serviceConfig` (a directive written
  /// several times becomes a list); the slice of an isolated one is set with its slice, below.
  func systemServices(_ hosted: Hosted) -> [NixSection] {
    plan.services.compactMap { service in
      guard case .program(let program, let arguments) = service.start, !hosted.services.contains(service.name)
      else { return nil }
      let unit = ServiceUnit(service: service, plan: plan)
      var keys: [String] = []
      var values: [String: [String]] = [:]
      for line in unit.service(program, arguments, slice: false) {
        guard let key = line.key else { continue }
        if values[key] == nil { keys.append(key) }
        values[key, default: []].append(line.value)
      }
      let config = keys.map { key in
        let written = values[key] ?? []
        return NixBinding([key], written.count == 1 ? .string(written[0]) : .list(written.map(NixValue.string)))
      }
      let name = String(SystemdEmitter.serviceName(service.name).dropLast(".service".count))
      return NixSection(
        comments: [
          "\(service.name): the unit rig's systemd target writes. ExecStart names the program as written; on NixOS",
          "that is a path in the store or under /run/current-system/sw/bin.",
        ],
        bindings: [
          NixBinding(
            ["systemd", "services", name],
            .attrs([
              NixBinding(["description"], .string(SystemdEmitter.unitText(unit.description))),
              NixBinding(["wantedBy"], .list([.string("multi-user.target")])),
              NixBinding(["after"], .list([.string("network.target")])),
              NixBinding(["serviceConfig"], .attrs(config)),
            ]))
        ])
    }
  }

  /// `services.ollama`, with CUDA when the component asks for GPU memory and the NVIDIA driver is configured.
  func ollama() -> NixSection {
    var bindings = [NixBinding(["enable"], .bool(true))]
    var comments: [String] = []
    if declaration("ollama")?.resources.gpu != nil {
      if nvidiaDriver != nil {
        if NixOSFacts.ollamaCUDAUsesPackage(release) {
          bindings.append(NixBinding(["package"], .reference(["pkgs", "ollama-cuda"])))
        } else {
          bindings.append(NixBinding(["acceleration"], .string("cuda")))
        }
      } else {
        comments.append("ollama asks for GPU memory, but no NVIDIA driver is configured: it runs on the CPU.")
      }
    }
    return NixSection(comments: comments, bindings: [NixBinding(["services", "ollama"], .attrs(bindings))])
  }

  // MARK: NVIDIA

  func nvidia() -> [NixSection] {
    guard let driver = nvidiaDriver else { return [] }
    var options: [NixBinding] = [NixBinding(["modesetting", "enable"], .bool(true))]
    if NixOSFacts.hasOpenOption(release) {
      let open = NixOSFacts.useOpenKernelModules(driverMajor: driver.major, gpus: plan.spec.hardware.gpus)
      options.append(
        NixBinding(
          ["open"], .bool(open),
          comments: [
            open
              ? "Open kernel modules: NVIDIA's default from the 560 series, for Turing and newer GPUs."
              : driver.major >= 560
                ? "Proprietary kernel modules: a GPU here is older than Turing, which the open modules do not drive."
                : "Proprietary kernel modules: the \(driver.major) series predates NVIDIA's switch to the open ones."
          ]))
    }
    var comments = ["NVIDIA driver (rig resolved nvidia-driver \(driver.version))."]
    if let attribute = NixOSFacts.nvidiaPackage(driverMajor: driver.major, release: release) {
      options.append(
        NixBinding(["package"], .reference(["config", "boot", "kernelPackages", "nvidiaPackages", attribute])))
    } else {
      comments += [
        "hardware.nvidia.package keeps NixOS \(release)'s default (nvidiaPackages.stable), which decides the",
        "driver version: rig knows no other nvidiaPackages attribute for the \(driver.major) series there.",
      ]
    }
    let graphics = NixOSFacts.graphicsOptions(release)
    var graphicsBindings = [NixBinding(graphics.enable, .bool(true))]
    if let steam = plan.component(named: "steam"), runtime(steam.name) != .kubernetes {
      graphicsBindings.append(NixBinding(graphics.enable32Bit, .bool(true), comments: ["32-bit drivers for Steam."]))
    }
    var sections = [
      NixSection(
        comments: comments,
        bindings: [
          NixBinding(["services", "xserver", "videoDrivers"], .list([.string("nvidia")])),
          NixBinding(["hardware", "nvidia"], .attrs(options)),
        ] + graphicsBindings)
    ]
    if plan.component(named: "nvidia-container-toolkit") != nil,
      runtime("nvidia-container-toolkit") != .kubernetes
    {
      let option = NixOSFacts.containerToolkitOption(release)
      let comment =
        release >= .r2405
        ? "GPUs in containers through CDI specs generated at boot (nvidia-container-toolkit)."
        : "GPUs in Docker containers (before NixOS 24.05 the only NVIDIA container option)."
      sections.append(NixSection(comments: [comment], bindings: [NixBinding(option, .bool(true))]))
    }
    return sections
  }

  // MARK: systemd

  /// The housekeeping side of CPU isolation: system.slice, user.slice and init.scope on the housekeeping CPUs,
  /// the service manager's CPUAffinity, and irqbalance's banned list, as `SystemdEmitter` writes them.
  func cpuIsolation() -> [NixSection] {
    let cpu = plan.allocation.cpu
    guard !cpu.isolated.isEmpty else { return [] }
    let housekeeping = cpu.housekeeping.description
    var slices: [NixBinding] = []
    for slice in ["system", "user"] {
      // asDropin: an `overrides.conf` drop-in for systemd's own unit, never a replacement unit file. The slice
      // options merge with other modules' (nixos/modules/system/boot/systemd/oomd.nix sets
      // `systemd.slices."system".sliceConfig` the same way).
      var options = [NixBinding(["sliceConfig", "AllowedCPUs"], .string(housekeeping))]
      if NixOSFacts.hasOverrideStrategy(release) {
        options.insert(NixBinding(["overrideStrategy"], .string("asDropin")), at: 0)
      }
      slices.append(NixBinding(["systemd", "slices", slice], .attrs(options)))
    }
    if NixOSFacts.hasOverrideStrategy(release) {
      // NixOS has no scope options; a raw unit with asDropin becomes init.scope.d/overrides.conf.
      slices.append(
        NixBinding(
          ["systemd", "units", "init.scope"],
          .attrs([
            NixBinding(["overrideStrategy"], .string("asDropin")),
            NixBinding(["text"], .string("[Scope]\nAllowedCPUs=\(housekeeping)\n")),
          ])))
    }
    let affinity =
      NixOSFacts.managerSettingsAreStructured(release)
      ? NixBinding(["systemd", "settings", "Manager", "CPUAffinity"], .string(housekeeping))
      : NixBinding(["systemd", "extraConfig"], .string("CPUAffinity=\(housekeeping)"))
    // The irqbalance module only installs the upstream unit (systemd.packages); the environment becomes a
    // drop-in for it, written only when irqbalance is enabled so no stray unit appears otherwise.
    let irqbalance = NixBinding(
      ["systemd", "services", "irqbalance"],
      .apply(
        ["lib", "mkIf"],
        [
          .reference(["config", "services", "irqbalance", "enable"]),
          .attrs([NixBinding(["environment", "IRQBALANCE_BANNED_CPULIST"], .string(cpu.isolated.description))]),
        ]))
    return [
      NixSection(
        comments: ["Keep system.slice, user.slice and init.scope on the housekeeping CPUs."], bindings: slices),
      NixSection(
        comments: ["The service manager and what it starts default to the housekeeping CPUs."], bindings: [affinity]),
      NixSection(
        comments: [
          "irqbalance never moves interrupts onto the isolated CPUs (IRQBALANCE_BANNED_CPULIST, irqbalance 1.8+)."
        ],
        bindings: [irqbalance]),
    ]
  }

  /// A slice per isolated systemd component with its CPUs and memory, and the component's service in it: merged
  /// into the unit of the NixOS module this file enables for it, else into a unit defined elsewhere.
  func isolatedComponents(_ hosted: Hosted) -> [NixSection] {
    let cpu = plan.allocation.cpu
    guard !cpu.isolated.isEmpty else { return [] }
    let memory = Dictionary(
      plan.allocation.memory.items.map { ($0.component, $0.amount) }, uniquingKeysWith: { a, _ in a })
    var sections: [NixSection] = []
    for component in cpu.components where component.placement == .isolated && component.runtime == .systemd {
      let service = SystemdEmitter.serviceName(component.name)
      let slice = SystemdEmitter.sliceName(component.name)
      var description = "rig: isolated CPUs for \(service)"
      if let text = declaration(component.name)?.description { description += ": " + SystemdEmitter.unitText(text) }
      var config = [NixBinding(["AllowedCPUs"], .string(component.cpus.description))]
      if let bytes = memory[component.name] { config.append(NixBinding(["MemoryMax"], .int(bytes.bytes))) }
      var comments = ["\(component.name): isolated CPUs \(component.cpus)."]
      let written = plan.services.contains {
        guard case .program = $0.start else { return false }
        return $0.name == component.name
      }
      if !hosted.services.contains(component.name), !written {
        comments.append("\(service) itself comes from elsewhere in the configuration (a module or systemd.packages).")
      }
      sections.append(
        NixSection(
          comments: comments,
          bindings: [
            NixBinding(
              ["systemd", "slices", String(slice.dropLast(".slice".count))],
              .attrs([NixBinding(["description"], .string(description)), NixBinding(["sliceConfig"], .attrs(config))])),
            NixBinding(
              ["systemd", "services", String(service.dropLast(".service".count)), "serviceConfig", "Slice"],
              .string(slice)),
          ]))
    }
    return sections
  }

  /// The oneshot unit that turns on persistence mode and applies each GPU's power limit, as `SystemdEmitter`
  /// writes it; `nvidia-smi` from the system profile, where the NVIDIA module installs the driver's tools.
  func gpuPower() -> NixSection {
    let limits = plan.allocation.powerLimits
    guard !limits.isEmpty else { return NixSection() }
    let smi = "/run/current-system/sw/bin/nvidia-smi"
    let commands =
      ["\(smi) --persistence-mode=1"] + limits.map { "\(smi) --id=\($0.index) --power-limit=\($0.limit.wattsText)" }
    var comments = [
      "GPU persistence mode and power limit: " + limits.map { "\($0.gpu) \($0.limit)" }.joined(separator: ", ") + "."
    ]
    if nvidiaDriver == nil {
      comments.append(
        "nvidia-smi comes with the NVIDIA driver, which this module does not configure (no nvidia-driver).")
    }
    return NixSection(
      comments: comments,
      bindings: [
        NixBinding(
          ["systemd", "services", "rig-gpu-power"],
          .attrs([
            NixBinding(["description"], .string("rig: GPU persistence mode and power limit")),
            NixBinding(
              ["after"], .list([.string("systemd-modules-load.service"), .string("nvidia-persistenced.service")])),
            NixBinding(["wantedBy"], .list([.string("multi-user.target")])),
            NixBinding(
              ["serviceConfig"],
              .attrs([
                NixBinding(["Type"], .string("oneshot")),
                NixBinding(["RemainAfterExit"], .bool(true)),
                NixBinding(["ExecStart"], .list(commands.map(NixValue.string))),
              ])),
          ]))
      ])
  }
}
