import RigDSL

/// A GPU as `nvidia-smi` reports it.
struct Card {
  var name: String
  var model: String
  var memoryGiB: Int
}

/// This machine's GPUs, in `nvidia-smi -L` order. Add a card here and the stack follows.
let cards = [
  Card(name: "gpu0", model: "NVIDIA GeForce RTX 4090", memoryGiB: 24),
  Card(name: "gpu1", model: "NVIDIA GeForce RTX 4060", memoryGiB: 8),
]

/// Whether a card can hold a 13B model quantised to 4 bits with its context (about 10 GiB) next to the desktop.
func holdsLargeModels(_ card: Card) -> Bool { card.memoryGiB >= 12 }

/// A render farm: a ComfyUI worker per GPU (a loop), and an Ollama server only when some GPU has 12 GiB or more
/// (a conditional). rig budgets GPU memory across the machine; Kubernetes time-slices the GPUs between workers.
let gpuLab = Rig("gpu-lab") {
  cards.reduce(
    Hardware.cpu(
      // AMD Ryzen 9 7950X: 16 cores, each core's second thread numbered 16 higher (`lscpu -e`).
      .cores { for core in 0..<16 { Core(.performance, threads: core, core + 16) } },
      model: "AMD Ryzen 9 7950X"
    )
    .memory(.gib(128))
    .os(.debian(.bookworm))
  ) { hardware, card in
    hardware.gpu(card.name, model: card.model, architecture: .ada, memory: .gib(card.memoryGiB))
  }

  Sources(.debianBookworm, .nvidiaCuda, .nvidiaContainerToolkit, .kubernetes, .upstream)

  Stack {
    Require("nvidia-driver", .atLeast("550"))
    "nvidia-container-toolkit"
    "containerd"
    Require("kubelet", .atLeast("1.30"), .below("1.31"))
    for card in cards { "comfyui-\(card.name)" }
    if cards.contains(where: holdsLargeModels) { Require("ollama", .atLeast("0.5")) }
    "dcgm-exporter"
  }

  for (index, card) in cards.enumerated() {
    Component("comfyui-\(card.name)") {
      Description("ComfyUI worker sized for \(card.model)")
      Version("0.3.10") {
        "cuda-runtime >= 12.4"
        "nvidia-container-toolkit"
      }
      Runs(.kubernetes)
      Image("ghcr.io/example/comfyui:0.3.10")
      Ports(8188 + index)
      CPU(cores: 2)
      Memory(.gib(16))
      GPU(memory: .gib(card.memoryGiB / 2), sharing: .timeSliced)
    }
  }

  if cards.contains(where: holdsLargeModels) {
    Component("ollama") {
      Description("Local LLM server")
      Runs(.kubernetes)
      Image("docker.io/ollama/ollama:0.21.0")
      Ports(11434)
      Storage(path: "/models", size: .gib(500))
      CPU(cores: 8, placement: .isolated)
      Memory(.gib(48))
      GPU(memory: .gib(10), sharing: .timeSliced)
    }
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
    CPUPolicy(housekeepingCores: 2)
    MemoryPolicy(reserve: .gib(8))
    GPUPolicy(reserve: .gib(1), thermal: Thermal(warning: .celsius(80), critical: .celsius(87), for: .minutes(2)))
  }

  Targets {
    Ansible(host: "gpu-lab")
    Kubernetes(version: "1.30", namespace: "lab")
    Kernel()
    Systemd()
    Prometheus()
  }
}
