import RigDSL
import RigRules
import RigYAML
import Testing

/// Every DSL element lowers to what its YAML counterpart lowers to: the same `RigSpec`, source locations aside.
@Suite struct LoweringTests {
  @Test func everyElementLowersAsItsYAMLCounterpart() {
    let rig = Rig("every-element") {
      Hardware.cpu(
        .cores {
          for first in stride(from: 0, to: 8, by: 2) { Core(.performance, threads: first + 1, first) }
          Core(.efficiency, threads: 8)
        }, model: "Some CPU", bootCPU: 1
      )
      .memory(.gib(64))
      .gpu(
        "gpu0", model: "NVIDIA GeForce RTX 4090", architecture: .ada, memory: .gib(24),
        power: BoardPower(default: .watts(450), min: .watts(150), max: .watts(600))
      )
      .gpu("gpu1", memory: .mib(8192), power: BoardPower(min: .watts(100), max: .watts(125)))
      .os(.debian(.trixie))
      Sources(.debianTrixie, .upstream)
      Sources(.kubernetes)
      Stack {
        "git"
        "kubelet >= 1.30, < 1.31"
        Require("a", .atLeast("1.0"), .below("2"))
        Require("b", .above("1"), .atMost("3"))
        Require("c", .exactly("1:2.0~rc1-1"))
        Require("d", .caret("12"))
      }
      Stack { Require(parsing: "e ^4") }
      Component("worker") {
        Description("every element of a component")
        Version("1.0") {
          "git"
          Require("a", .atLeast("1.0"))
        }
        Version("2.0")
        Runs(.kubernetes)
        Image("ghcr.io/example/worker:1.0")
        Ports(8080, 8081)
        Ports(9090)
        Env("PLAIN", "text")
        Env("A_SECRET", secret: "store", key: "token")
        Storage(path: "/data", size: .gib(100))
        CPU(cpus: .cpus("2-3"), placement: .isolated)
        Memory(.gib(8))
        GPU(memory: .gib(6), count: 2, sharing: .exclusive)
        SharedMemory(.gib(2))
        ExclusiveGroup("heavy")
        Security(user: 1000, group: 100, rootFilesystem: .writable)
      }
      Component("service") {
        Runs(.systemd)
        CPU(cores: 2, placement: .shared)
        GPU(memory: .gib(1))
      }
      Component("tool") { CPU(cores: 1) }
      Policies {
        CPUPolicy(housekeepingCores: 2, isolated: .cpus(2...7), housekeeping: .cpus([0, 1, 8]))
        MemoryPolicy(reserve: .gib(4))
        GPUPolicy(
          reserve: .mib(512), powerLimit: .watts(300),
          thermal: Thermal(warning: .celsius(80), critical: .celsius(85), for: .seconds(90)))
      }
      Targets {
        Ansible(host: "box")
        Kubernetes(version: "1.30", namespace: "ai")
        Nix(release: "24.11")
        Kernel()
        Systemd()
        Prometheus()
      }
    }
    let yaml = """
      apiVersion: rig/v1
      name: every-element
      hardware:
        cpu:
          model: Some CPU
          cores:
            - { type: performance, threads: [0, 1] }
            - { type: performance, threads: [2, 3] }
            - { type: performance, threads: [4, 5] }
            - { type: performance, threads: [6, 7] }
            - { type: efficiency, threads: [8] }
          boot_cpu: 1
        memory: 64GiB
        gpus:
          - name: gpu0
            model: NVIDIA GeForce RTX 4090
            architecture: ada
            memory: 24GiB
            power: { default: 450W, min: 150W, max: 600W }
          - { name: gpu1, memory: 8GiB, power: { min: 100W, max: 125W } }
        os: { distribution: debian, release: trixie }
      sources: [debian-trixie, upstream, kubernetes]
      stack:
        - git
        - kubelet >= 1.30, < 1.31
        - a >= 1.0, < 2
        - b > 1, <= 3
        - c = 1:2.0~rc1-1
        - d ^12
        - e ^4
      components:
        worker:
          description: every element of a component
          versions:
            "1.0": { requires: [git, a >= 1.0] }
            "2.0": {}
          runtime: kubernetes
          image: ghcr.io/example/worker:1.0
          ports: [8080, 8081, 9090]
          env:
            PLAIN: text
            A_SECRET: { secret: store, key: token }
          storage: { path: /data, size: 100GiB }
          resources:
            cpu: { cpus: "2-3", placement: isolated }
            memory: 8GiB
            gpu: { memory: 6GiB, count: 2, sharing: exclusive }
            shm: 2GiB
          exclusive_group: heavy
          security: { user: 1000, group: 100, root_filesystem: writable }
        service:
          runtime: systemd
          resources:
            cpu: { cores: 2, placement: shared }
            gpu: { memory: 1GiB }
        tool:
          resources: { cpu: { cores: 1 } }
      policies:
        cpu: { housekeeping_cores: 2, isolated: "2-7", housekeeping: "0-1,8" }
        memory: { reserve: 4GiB }
        gpu:
          reserve: 512MiB
          power_limit: 300W
          thermal: { warning: 80C, critical: 85C, for: 90s }
      targets:
        ansible: { host: box }
        kubernetes: { version: "1.30", namespace: ai }
        nix: { release: "24.11" }
        kernel: {}
        systemd: {}
        prometheus: {}
      """
    let lowered = dslModel(rig)
    #expect(!lowered.hasPrefix("errors"), "\(lowered)")
    #expect(lowered == yamlModel(yaml))
  }

  @Test func hybridTopologyLowersAsYAMLHybrid() {
    let rig = Rig("hybrid") {
      Hardware.cpu(.hybrid(performance: 2, efficiency: 3, threadsPerPerformanceCore: 1)).memory(.gib(8))
        .os(.debian(.bookworm))
    }
    let yaml = """
      apiVersion: rig/v1
      name: hybrid
      hardware:
        cpu: { hybrid: { performance: 2, efficiency: 3, threads_per_performance_core: 1 } }
        memory: 8GiB
        os: { distribution: debian, release: bookworm }
      """
    #expect(dslModel(rig) == yamlModel(yaml))
  }

  /// Environment variables come out in name order whatever order they are written in, as YAML's mapping keys do.
  @Test func environmentIsInNameOrder() throws {
    let rig = Rig("env") {
      Hardware.cpu(.hybrid(performance: 1, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Component("app") {
        Runs(.kubernetes)
        Env("ZED", "1")
        Env("ALPHA", "2")
        Env("MIDDLE", "3")
      }
    }
    let spec = try #require(rig.lower().spec)
    #expect(spec.components[0].environment.map(\.name.value) == ["ALPHA", "MIDDLE", "ZED"])
  }

  /// The DSL's closed sets are the schema's: a source, release or target added on one side fails here.
  @Test func enumerationsMatchTheSchema() {
    #expect(Source.allCases.map(\.rawValue) == RigSchema.knownSources)
    #expect(DebianRelease.allCases.map(\.rawValue) == RigSchema.releases)
  }
}

/// `if`, `if`/`else`, `if let`, `switch`, `for` and builder functions work in every builder (they share
/// `ListBuilder`).
@Suite struct ControlFlowTests {
  enum Flavor { case small, large }

  @StackBuilder static func tools(_ names: [String]) -> [Require] {
    for name in names { name }
  }

  @Test(arguments: [(Flavor.small, false), (.large, true)])
  func stackControlFlow(flavor: Flavor, withExtra: Bool) throws {
    let optional: String? = withExtra ? "extra" : nil
    let rig = Rig("flow") {
      Hardware.cpu(.hybrid(performance: 1, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Stack {
        "first"
        if withExtra { "only-when-true" }
        if withExtra { "then-branch" } else { "else-branch" }
        if let optional { optional }
        switch flavor {
        case .small: "small"
        case .large: Require("large", .atLeast("2"))
        }
        for index in 1...3 { "loop-\(index)" }
        Self.tools(["tool-a", "tool-b"])
      }
    }
    let spec = try #require(rig.lower().spec)
    let expected =
      withExtra
      ? [
        "first", "only-when-true", "then-branch", "extra", "large >= 2", "loop-1", "loop-2", "loop-3", "tool-a",
        "tool-b",
      ]
      : ["first", "else-branch", "small", "loop-1", "loop-2", "loop-3", "tool-a", "tool-b"]
    #expect(spec.stack.map(\.description) == expected)
  }

  @Test(arguments: [1, 3])
  func rigComponentPolicyAndTargetControlFlow(gpus: Int) throws {
    let machine = Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
    let hardware = (0..<gpus).reduce(machine) { $0.gpu("gpu\($1)", memory: .gib(8)) }
    let rig = Rig("flow") {
      hardware
      for index in 0..<gpus {
        Component("worker\(index)") {
          if index == 0 { Description("the first") } else { Description("worker \(index)") }
          Runs(.kubernetes)
          for port in [8000, 9000] { Ports(port + index) }
          switch index {
          case 0: Memory(.gib(1))
          default: Memory(.gib(2))
          }
        }
      }
      if gpus > 1 {
        Policies { GPUPolicy(reserve: .gib(1)) }
      }
      Targets {
        Kernel()
        if gpus > 1 { Prometheus() }
      }
    }
    let spec = try #require(rig.lower().spec)
    #expect(spec.hardware.gpus.map(\.name.value) == (0..<gpus).map { "gpu\($0)" })
    #expect(spec.components.map(\.name.value) == (0..<gpus).map { "worker\($0)" })
    #expect(spec.components[0].description == "the first")
    #expect(spec.components.last?.ports.map(\.value) == [8000 + gpus - 1, 9000 + gpus - 1])
    #expect(spec.components.last?.resources.memory?.value == (gpus > 1 ? .gib(2) : .gib(1)))
    #expect(spec.policies.gpuReserve?.value == (gpus > 1 ? .gib(1) : nil))
    #expect(spec.targets.enabled.map(\.rawValue) == (gpus > 1 ? ["kernel", "prometheus"] : ["kernel"]))
  }

  @Test func coresFromALoop() throws {
    let rig = Rig("cores") {
      Hardware.cpu(.cores { for core in 0..<4 { Core(.performance, threads: core, core + 4) } }).memory(.gib(8))
        .os(.debian(.bookworm))
    }
    let spec = try #require(rig.lower().spec)
    #expect(spec.hardware.cpu.cores.map(\.threads) == [[0, 4], [1, 5], [2, 6], [3, 7]])
  }
}
