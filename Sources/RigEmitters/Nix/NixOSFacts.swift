import RigModel

/// A NixOS release, `YY.05` or `YY.11` (`targets.nix.release`), ordered by date.
struct NixOSRelease: Comparable, CustomStringConvertible {
  var year: Int
  var month: Int

  init(year: Int, month: Int) {
    self.year = year
    self.month = month
  }

  /// `24.11` → 24.11; nil for anything else (the front end's schema only lets `^[0-9]{2}\.(05|11)$` through).
  init?(_ text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
      parts.allSatisfy({ $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }),
      let year = Int(parts[0]), let month = Int(parts[1]), month == 5 || month == 11
    else { return nil }
    self.init(year: year, month: month)
  }

  var description: String { "\(year).\(month < 10 ? "0" : "")\(month)" }

  static func < (a: NixOSRelease, b: NixOSRelease) -> Bool { (a.year, a.month) < (b.year, b.month) }

  static let r2205 = NixOSRelease(year: 22, month: 5)
  static let r2211 = NixOSRelease(year: 22, month: 11)
  static let r2305 = NixOSRelease(year: 23, month: 5)
  static let r2405 = NixOSRelease(year: 24, month: 5)
  static let r2411 = NixOSRelease(year: 24, month: 11)
  static let r2511 = NixOSRelease(year: 25, month: 11)
  static let r2605 = NixOSRelease(year: 26, month: 5)

  /// What a module is written for when the release cannot be read (only a plan built without the front end).
  static let fallback = r2411
}

/// The NixOS options and nixpkgs attributes rig writes, by release. Each fact names where it was read.
enum NixOSFacts {
  /// `hardware.graphics.{enable,enable32Bit}` from 24.11; before, `hardware.opengl.{enable,driSupport32Bit}`.
  /// nixpkgs nixos/modules/hardware/graphics.nix: `mkRenamedOptionModule [ "hardware" "opengl" "enable" ]
  /// [ "hardware" "graphics" "enable" ]` and `… "driSupport32Bit" ] [ "hardware" "graphics" "enable32Bit" ]`;
  /// NixOS wiki "OpenGL" and "Graphics": "hardware.opengl was renamed to hardware.graphics in NixOS 24.11".
  static func graphicsOptions(_ release: NixOSRelease) -> (enable: [String], enable32Bit: [String]) {
    release >= .r2411
      ? (["hardware", "graphics", "enable"], ["hardware", "graphics", "enable32Bit"])
      : (["hardware", "opengl", "enable"], ["hardware", "opengl", "driSupport32Bit"])
  }

  /// `hardware.nvidia.open` exists from 22.05 (nixpkgs rl-2205 release notes: "hardware.nvidia has a new
  /// option open", PR #172660). From 24.11 it must be set whenever the driver is 560 or newer: nixpkgs
  /// nixos/modules/hardware/video/nvidia.nix asserts "`hardware.nvidia.open` must be defined when using driver
  /// versions >= 560" (PR #339025, merged 2024-09, before the 24.11 branch-off); rig always sets it.
  static func hasOpenOption(_ release: NixOSRelease) -> Bool { release >= .r2205 }

  /// The open kernel modules are NVIDIA's default from the 560 series and drive Turing and newer GPUs only
  /// (NVIDIA/open-gpu-kernel-modules README "Compatible GPUs"; the `hardware.nvidia.open` option text: "Support
  /// is limited to the Turing and later architectures"). Open for a 560+ driver when every GPU whose
  /// architecture is written is Turing or newer; proprietary otherwise.
  static func useOpenKernelModules(driverMajor: Int, gpus: [GPU]) -> Bool {
    driverMajor >= 560 && gpus.allSatisfy { ($0.architecture?.value ?? .turing) >= .turing }
  }

  /// The `boot.kernelPackages.nvidiaPackages` attribute for a driver branch that the release's default package
  /// (`nvidiaPackages.stable`, the option's default) does not follow; nil where rig knows none, and the default
  /// stays. nixpkgs pkgs/os-specific/linux/nvidia-x11/default.nix:
  /// - `legacy_535` ("Last one without the bug reported here: bbs.archlinux.org …pid=2155426"): present before
  ///   the 24.11 branch-off (PR #352468, 2024-10-30, updated it from 535.154.05 to 535.216.01), in 25.05 (at
  ///   535.216.01) and kept for 25.11 (PR #451618, 2025-10, "technically within the support window of NixOS
  ///   25.11"). Whether 24.05 has it could not be confirmed, nor whether 26.05 keeps it (535 reaches end of life
  ///   in June 2026, and the same PR weighed removing it), so rig writes it for 24.11 to 25.11 only.
  /// - `legacy_470` ("Last one supporting Kepler architecture"): present since before 23.05 (PR #222762,
  ///   2023-03, builds `nvidia_x11_legacy470`) and still in the file of the 25.11 period (with legacy_535 at
  ///   535.274.02, PR #451618); written for 23.05 to 25.11.
  /// Outside those ranges the module leaves `hardware.nvidia.package` at its default and says so.
  static func nvidiaPackage(driverMajor: Int, release: NixOSRelease) -> String? {
    switch driverMajor {
    case 535 where release >= .r2411 && release <= .r2511: "legacy_535"
    case 470 where release >= .r2305 && release <= .r2511: "legacy_470"
    default: nil
    }
  }

  /// `hardware.nvidia-container-toolkit.enable` from 24.05: nixpkgs rl-2405 release notes,
  /// "`virtualisation.docker.enableNvidia` and `virtualisation.podman.enableNvidia` options are deprecated.
  /// `hardware.nvidia-container-toolkit.enable` should be used instead" (CDI specs for Docker 25, Podman, any
  /// CDI runtime). Before, the only NVIDIA container option was Docker's `virtualisation.docker.enableNvidia`.
  static func containerToolkitOption(_ release: NixOSRelease) -> [String] {
    release >= .r2405
      ? ["hardware", "nvidia-container-toolkit", "enable"] : ["virtualisation", "docker", "enableNvidia"]
  }

  /// The service manager's `[Manager]` settings: the freeform `systemd.settings.Manager` from 25.11, where
  /// nixpkgs nixos/modules/system/boot/systemd.nix has `mkRemovedOptionModule [ "systemd" "extraConfig" ]
  /// "Use systemd.settings.Manager instead."` (the 25.11 RFC 42 migration of systemd.extraConfig); before, the
  /// lines of `systemd.extraConfig`, which NixOS appends to system.conf's `[Manager]` section.
  static func managerSettingsAreStructured(_ release: NixOSRelease) -> Bool { release >= .r2511 }

  /// `services.ollama` is new in 24.05 (rl-2405 "New Services": "ollama, server for running large language
  /// models locally"). Its `acceleration = "cuda"` option is removed in 26.05: nixos/modules/services/misc/
  /// ollama.nix there has `mkRemovedOptionModule [ "services" "ollama" "acceleration" ] "Set
  /// `services.ollama.package` to one of `pkgs.ollama[,-vulkan,-rocm,-cuda,-cpu]` instead."`. Before 26.05 the
  /// module rebuilds its package with `cfg.package.override { inherit (cfg) acceleration; }`, so a CUDA package
  /// alone would be overridden back to the default; the option is the way there.
  /// `overrideStrategy = "asDropin"` on any unit makes NixOS write an `overrides.conf` drop-in instead of a unit
  /// file, so systemd's own unit stays in force: nixos/lib/systemd-unit-options.nix `sharedOptions`
  /// ("`asDropin` creates a drop-in file named `overrides.conf`"), added by PR #186314 for 22.11 (rl-2211 note,
  /// PR #198336).
  static func hasOverrideStrategy(_ release: NixOSRelease) -> Bool { release >= .r2211 }

  static func hasOllamaService(_ release: NixOSRelease) -> Bool { release >= .r2405 }
  static func ollamaCUDAUsesPackage(_ release: NixOSRelease) -> Bool { release >= .r2605 }
}

/// How NixOS provides one rig component.
enum NixProvision {
  /// A package in `environment.systemPackages`: its nixpkgs attribute path under `pkgs`.
  case package([String], unfree: Bool)
  /// A NixOS module rig enables (`programs.steam`, `services.ollama`, …).
  case service
  /// Provided by the options of another component (`runc` by `virtualisation.containerd`).
  case providedBy(String)
}

extension NixOSFacts {
  /// rig component → how NixOS provides it. Attribute names are nixpkgs' (pkgs/top-level/all-packages.nix and
  /// pkgs/by-name, as search.nixos.org/packages lists them); `cudaPackages.cudatoolkit` is the toolkit wrapper
  /// rl-2405 describes and `cudaPackages.cuda_cudart` the CUDA runtime library; both are unfree (CUDA EULA),
  /// like `steam`. Looked up by name only, never iterated.
  static let provisions: [String: NixProvision] = [
    "blender": .package(["blender"], unfree: false),
    "containerd": .service,  // virtualisation.containerd (nixos/modules/virtualisation/containerd.nix)
    "cuda-runtime": .package(["cudaPackages", "cuda_cudart"], unfree: true),
    "cuda-toolkit": .package(["cudaPackages", "cudatoolkit"], unfree: true),
    "curl": .package(["curl"], unfree: false),
    "freecad": .package(["freecad"], unfree: false),
    "git": .package(["git"], unfree: false),
    "htop": .package(["htop"], unfree: false),
    "kubectl": .package(["kubectl"], unfree: false),
    "neovim": .package(["neovim"], unfree: false),
    "nvidia-container-toolkit": .providedBy("nvidia-driver"),
    "ollama": .service,  // services.ollama (nixos/modules/services/misc/ollama.nix)
    // services.prometheus.exporters.node (nixos/modules/services/monitoring/prometheus/exporters/node.nix),
    // whose unit is prometheus-node-exporter.service, the component's own name.
    "prometheus-node-exporter": .service,
    "python3": .package(["python3"], unfree: false),
    "ripgrep": .package(["ripgrep"], unfree: false),
    // The containerd module puts runc on containerd's path (its default runtime).
    "runc": .providedBy("containerd"),
    "steam": .service,  // programs.steam (nixos/modules/programs/steam.nix): FHS environment, 32-bit libraries
    // programs.steam builds the Steam runtime's libraries into its FHS environment and turns on
    // hardware.steam-hardware, which installs the controller udev rules that steam-devices ships on Debian.
    "steam-devices": .providedBy("steam"),
    "steam-libs": .providedBy("steam"),
    "steam-libs-i386": .providedBy("steam"),
    // cudaPackages.tensorrt: TensorRT's libraries, unfree (NVIDIA's TensorRT licence) like the CUDA packages.
    "tensorrt": .package(["cudaPackages", "tensorrt"], unfree: true),
    "tmux": .package(["tmux"], unfree: false),
    "zstd": .package(["zstd"], unfree: false),
  ]
}
