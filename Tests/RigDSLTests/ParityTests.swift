import RigBasics
import RigDSL
import RigYAML
import Testing

/// The same mistake written in YAML and in Swift gives the same diagnostics (ID, severity and message; locations
/// are each file's own).
@Suite struct ParityTests {
  /// A valid project around `extra`, a few lines of YAML (top-level sections, or under `hardware:` when indented).
  static func yaml(hardware: String = "", _ sections: String) -> String {
    """
    apiVersion: rig/v1
    name: parity
    hardware:
      cpu: { hybrid: { performance: 4, efficiency: 0 } }
      memory: 16GiB
      os: { distribution: debian, release: bookworm }
    \(hardware)
    \(sections)
    """
  }

  static func messages(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { "\($0.id) \($0.severity.rawValue): \($0.message)" }.sorted()
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var rig: Rig
    var testDescription: String { name }
  }

  static let machine = Hardware.cpu(.hybrid(performance: 4, efficiency: 0)).memory(.gib(16)).os(.debian(.bookworm))

  static let cases: [Case] = [
    Case(
      name: "GPU declared twice",
      yaml: yaml(hardware: "  gpus: [{ name: gpu0, memory: 8GiB }, { name: gpu0, memory: 8GiB }]", ""),
      rig: Rig("parity") { machine.gpu("gpu0", memory: .gib(8)).gpu("gpu0", memory: .gib(8)) }),
    Case(
      name: "empty power range",
      yaml: yaml(hardware: "  gpus: [{ name: gpu0, memory: 8GiB, power: { min: 200W, max: 100W } }]", ""),
      rig: Rig("parity") {
        machine.gpu("gpu0", memory: .gib(8), power: BoardPower(min: .watts(200), max: .watts(100)))
      }),
    Case(
      name: "GPU name",
      yaml: yaml(hardware: "  gpus: [{ name: GPU0, memory: 8GiB }]", ""),
      rig: Rig("parity") { machine.gpu("GPU0", memory: .gib(8)) }),
    Case(
      name: "thermal thresholds",
      yaml: yaml("policies: { gpu: { thermal: { warning: 90C, critical: 85C, for: 1m } } }"),
      rig: Rig("parity") {
        machine
        Policies {
          GPUPolicy(thermal: Thermal(warning: .celsius(90), critical: .celsius(85), for: .minutes(1)))
        }
      }),
    Case(
      name: "isolated workload without memory",
      yaml: yaml(
        "components: { web: { runtime: kubernetes, resources: { cpu: { cores: 1, placement: isolated } } } }"),
      rig: Rig("parity") {
        machine
        Component("web") {
          Runs(.kubernetes)
          CPU(cores: 1, placement: .isolated)
        }
      }),
    Case(
      name: "port listed twice and out of range",
      yaml: yaml("components: { web: { ports: [80, 80, 70000] } }"),
      rig: Rig("parity") {
        machine
        Component("web") { Ports(80, 80, 70000) }
      }),
    Case(
      name: "inventory group as host",
      yaml: yaml("targets: { ansible: { host: all } }"),
      rig: Rig("parity") {
        machine
        Targets { Ansible(host: "all") }
      }),
    Case(
      name: "boot CPU outside the topology",
      yaml: """
        apiVersion: rig/v1
        name: parity
        hardware:
          cpu: { hybrid: { performance: 4, efficiency: 0 }, boot_cpu: 12 }
          memory: 16GiB
          os: { distribution: debian, release: bookworm }
        """,
      rig: Rig("parity") {
        Hardware.cpu(.hybrid(performance: 4, efficiency: 0), bootCPU: 12).memory(.gib(16)).os(.debian(.bookworm))
      }),
    Case(
      name: "image on the latest tag",
      yaml: yaml("components: { web: { image: 'docker.io/library/web:latest' } }"),
      rig: Rig("parity") {
        machine
        Component("web") { Image("docker.io/library/web:latest") }
      }),
    Case(
      name: "container security: root, a writable root, and on a systemd service",
      yaml: yaml(
        """
        components:
          app: { runtime: kubernetes, image: 'ghcr.io/example/app:1.0', security: { user: 0, root_filesystem: writable } }
          web: { runtime: systemd, exec: /usr/bin/busybox, security: { user: 1000 } }
        targets: { kubernetes: { version: "1.30", namespace: lab } }
        """),
      rig: Rig("parity") {
        machine
        Component("app") {
          Runs(.kubernetes)
          Image("ghcr.io/example/app:1.0")
          Security(user: 0, rootFilesystem: .writable)
        }
        Component("web") {
          Runs(.systemd)
          Exec("/usr/bin/busybox")
          Security(user: 1000)
        }
        Targets { Kubernetes(version: "1.30", namespace: "lab") }
      }),
    Case(
      name: "shared memory beyond the memory, and on a systemd service",
      yaml: yaml(
        """
        components:
          app: { runtime: kubernetes, image: 'ghcr.io/example/app:1.0', resources: { memory: 1GiB, shm: 2GiB } }
          web: { runtime: systemd, exec: /usr/bin/busybox, resources: { shm: 1GiB } }
        """),
      rig: Rig("parity") {
        machine
        Component("app") {
          Runs(.kubernetes)
          Image("ghcr.io/example/app:1.0")
          Memory(.gib(1))
          SharedMemory(.gib(2))
        }
        Component("web") {
          Runs(.systemd)
          Exec("/usr/bin/busybox")
          SharedMemory(.gib(1))
        }
      }),
    Case(
      name: "environment variable name and secret",
      yaml: yaml("components: { web: { runtime: kubernetes, env: { 1ST: x, TOKEN: { secret: Store, key: token } } } }"),
      rig: Rig("parity") {
        machine
        Component("web") {
          Runs(.kubernetes)
          Env("1ST", "x")
          Env("TOKEN", secret: "Store", key: "token")
        }
      }),
    Case(
      name: "hybrid counts",
      yaml: """
        apiVersion: rig/v1
        name: parity
        hardware:
          cpu: { hybrid: { performance: 0, efficiency: 0 } }
          memory: 16GiB
          os: { distribution: debian, release: bookworm }
        """,
      rig: Rig("parity") {
        Hardware.cpu(.hybrid(performance: 0, efficiency: 0)).memory(.gib(16)).os(.debian(.bookworm))
      }),
    Case(
      name: "requirement text",
      yaml: yaml("stack: ['Ollama >= 0.5', 'git 2', 'kubelet >= 1.30,']"),
      rig: Rig("parity") {
        machine
        Stack {
          "Ollama >= 0.5"
          "git 2"
          "kubelet >= 1.30,"
        }
      }),
    Case(
      name: "storage path, size limit, exclusive group",
      yaml: yaml(
        "components: { db: { runtime: kubernetes, storage: { path: data, size: 2048TiB }, exclusive_group: Heavy } }"),
      rig: Rig("parity") {
        machine
        Component("db") {
          Runs(.kubernetes)
          Storage(path: "data", size: .tib(2048))
          ExclusiveGroup("Heavy")
        }
      }),
    Case(
      name: "fields a runtime cannot honour",
      yaml: yaml(
        """
        components:
          svc: { runtime: systemd, image: "a/b:1", storage: { path: /srv/svc, size: 1GiB } }
          tool: { exec: /usr/bin/tool, args: [x], ports: [80] }
          vol: { runtime: kubernetes, storage: { path: /data } }
        """),
      rig: Rig("parity") {
        machine
        Component("svc") {
          Runs(.systemd)
          Image("a/b:1")
          Storage(path: "/srv/svc", size: .gib(1))
        }
        Component("tool") {
          Exec("/usr/bin/tool", "x")
          Ports(80)
        }
        Component("vol") {
          Runs(.kubernetes)
          Storage(path: "/data")
        }
      }),
    Case(
      name: "targets",
      yaml: yaml("targets: { kubernetes: { version: '1.30.1', namespace: AI }, nix: { release: '24.10' } }"),
      rig: Rig("parity") {
        machine
        Targets {
          Kubernetes(version: "1.30.1", namespace: "AI")
          Nix(release: "24.10")
        }
      }),
    Case(
      name: "component declared twice, name",
      yaml: yaml("components: { Web: {} }"),
      rig: Rig("parity") {
        machine
        Component("Web")
      }),
    Case(
      name: "core threads",
      yaml: """
        apiVersion: rig/v1
        name: parity
        hardware:
          cpu: { cores: [{ type: performance, threads: [0, 1] }, { type: efficiency, threads: [1] }] }
          memory: 16GiB
          os: { distribution: debian, release: bookworm }
        """,
      rig: Rig("parity") {
        Hardware.cpu(
          .cores {
            Core(.performance, threads: 0, 1)
            Core(.efficiency, threads: 1)
          }
        ).memory(.gib(16)).os(.debian(.bookworm))
      }),
  ]

  @Test(arguments: cases)
  func sameMistakeSameDiagnostics(_ parity: Case) {
    let yaml = FrontEnd.load(text: parity.yaml, file: "rig.yaml").diagnostics.diagnostics
    let swift = parity.rig.lower().diagnostics.diagnostics
    #expect(!yaml.isEmpty)
    #expect(Self.messages(swift) == Self.messages(yaml))
  }
}
