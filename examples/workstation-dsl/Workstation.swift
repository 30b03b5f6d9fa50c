import RigDSL

/// The workstation of `examples/workstation/rig.yaml`, written in Swift: rendered, both give the same bytes.
let workstation = Rig("ai-workstation") {
  Hardware.cpu(
    // What `lscpu -e` shows on an i7-14700K: 8 performance cores with two threads each (CPUs 0-15, siblings
    // numbered next to each other), then 12 efficiency cores with one thread each (16-27).
    .cores {
      for first in stride(from: 0, to: 16, by: 2) { Core(.performance, threads: first, first + 1) }
      for cpu in 16...27 { Core(.efficiency, threads: cpu) }
    },
    model: "Intel Core i7-14700K", bootCPU: 0
  )
  .memory(.gib(32))
  .gpu(
    "gpu0", model: "NVIDIA GeForce RTX 4070", architecture: .ada, memory: .gib(12),
    power: BoardPower(default: .watts(200), min: .watts(100), max: .watts(215))
  )
  .os(.debian(.bookworm))

  Sources(.debianBookworm, .nvidiaCuda, .nvidiaContainerToolkit, .kubernetes, .upstream)

  Stack {
    // Command-line tools
    for tool in ["git", "curl", "tmux", "ripgrep", "htop"] { tool }
    // GPU platform
    Require("nvidia-driver", .atLeast("550.54.14"))
    Require("cuda-toolkit", .caret("12"))
    "nvidia-container-toolkit"
    "containerd"
    Require("kubelet", .atLeast("1.30"), .below("1.31"))
    // Applications
    "comfyui"
    Require("ollama", .atLeast("0.5"))
    "steam"
    "blender"
    "freecad"
    "lazyvim"
    // Monitoring
    "prometheus-node-exporter"
    "dcgm-exporter"
  }

  Component("comfyui") {
    Description("Node-based Stable Diffusion workbench")
    Version("0.3.10") {
      "cuda-runtime >= 12.4"
      "nvidia-container-toolkit"
    }
    Runs(.kubernetes)
    Image("ghcr.io/example/comfyui:0.3.10")
    Ports(8188)
    Env("COMFYUI_PORT", "8188")
    Env("HF_TOKEN", secret: "huggingface", key: "token")  // a reference: the token itself never enters rig
    CPU(cores: 4, placement: .isolated)
    Memory(.gib(12))
    GPU(memory: .gib(8), sharing: .timeSliced)
    ExclusiveGroup("gpu-heavy")
  }

  Component("ollama") {
    Description("Local LLM server")
    Runs(.kubernetes)
    Image("docker.io/ollama/ollama:0.21.0")
    Ports(11434)
    Env("OLLAMA_MODELS", "/models")
    Storage(path: "/models", size: .gib(200))  // models survive restarts: a StatefulSet
    CPU(cores: 4)
    Memory(.gib(8))
    GPU(memory: .gib(10), sharing: .timeSliced)
    ExclusiveGroup("gpu-heavy")
  }

  Component("lazyvim") {
    Description("Neovim distribution (configuration on top of neovim)")
    Runs(.host)
  }

  Component("dcgm-exporter") {
    Description("NVIDIA DCGM exporter for Prometheus")
    Version("3.3.9-3.6.1") { Require("nvidia-driver", .atLeast("535")) }
    Runs(.kubernetes)
    Image("nvcr.io/nvidia/k8s/dcgm-exporter:3.3.9-3.6.1-ubuntu22.04")
    Ports(9400)
    CPU(cores: 1)
    Memory(.mib(512))
  }

  Policies {
    CPUPolicy(housekeepingCores: 1)
    MemoryPolicy(reserve: .gib(4))
    GPUPolicy(
      reserve: .gib(1),  // display and desktop
      powerLimit: .watts(180),
      thermal: Thermal(warning: .celsius(80), critical: .celsius(85), for: .minutes(5)))
  }

  Targets {
    Ansible(host: "workstation")
    Kubernetes(version: "1.30", namespace: "ai")
    Nix(release: "24.11")
    Kernel()
    Systemd()
    Prometheus()
  }
}
