import Foundation
import Testing

/// Applied, not only accepted: each Debian example's playbook, and the GPU server's,, rendered by rig, runs for real on a fresh machine of
/// its release (a debootstrapped root booted with systemd-nspawn, `scripts/validate/apply.sh`): the first run
/// converges, the second changes nothing, every pinned package is installed at its version and the services are
/// active. The releases run one after the other: both machines share the host's network, and so its ports.
@Suite(.serialized) struct ApplyTests {
  /// An example, its release, and the units that must be active besides those the playbook starts.
  static let machines: [(example: String, release: String, units: [String])] = [
    ("debian-host", "bookworm", ["prometheus-node-exporter.service"] + monitoring),
    ("debian-host-trixie", "trixie", ["prometheus-node-exporter.service"] + monitoring),
    // Every runtime: a host package, a package's own unit in an isolated slice, and a unit rig writes (busybox's
    // web server with arguments, environment, a secret and a state directory), each a real process.
    ("debian-services", "bookworm", ["prometheus-node-exporter.service", "static-web.service"] + monitoring),
    // Debian's NVIDIA driver from contrib, non-free and non-free-firmware, and Ollama from its release archive (a
    // stand-in from the harness's mirror) as a sandboxed service in its isolated slice; the power-limit unit needs
    // the GPU (tag `hardware`, skipped). Its thermal guard is fed a critical temperature alert through
    // Alertmanager and suspends Ollama.
    ("llm-server", "bookworm", ["ollama.service"] + monitoring),
  ]

  /// The prometheus target's servers, Debian's packages running rig's configuration.
  static let monitoring = ["prometheus.service", "prometheus-alertmanager.service"]

  /// A fleet: three machines booted at once, each with its own name and, in a network namespace the harness makes,
  /// its inventory address; the one playbook runs over all of them at once, twice (the second changes nothing on
  /// any), and each machine has its own packages and units.
  @Test func theDebianFleetConvergesOnThreeMachinesAtOnce() throws {
    let folder = NSTemporaryDirectory() + "rig-apply-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let rendered = try run(try rigBinary(), ["render", "examples/debian-fleet", "--out", folder])
    try #require(rendered.status == 0, "\(rendered.stderr)")
    let applied = try run(
      "/bin/bash", [packageRoot + "/scripts/validate/apply.sh", "bookworm", folder],
      environment: ["RIG_APPLY_PROJECT": "examples/debian-fleet"])
    #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
    #expect(
      applied.stdout.contains(
        "apply: OK: bookworm fleet of 3 machines (web-1 web-2 gateway) converged in one run, changed nothing in the "
          + "second"), "\(applied.stdout)")
    for (host, address) in [("web-1", "10.10.0.11"), ("web-2", "10.10.0.12"), ("gateway", "10.10.0.10")] {
      #expect(applied.stdout.contains("booted \(host) (systemd PID "), "\(applied.stdout)")
      #expect(applied.stdout.contains(", address \(address))"), "\(applied.stdout)")
      #expect(applied.stdout.contains("apply: run 2: \(host) "), "\(applied.stdout)")
      // Each machine is as its host's plan says, read from its root by rig verify.
      #expect(
        applied.stdout.contains("apply: ok: rig verify --host \(host): Verify: 0 drifted, "), "\(applied.stdout)")
    }
    // Each machine has what its own tasks install and start, and only that.
    let sections = applied.stdout.components(separatedBy: "apply: machine ")
    let web = try #require(sections.first { $0.hasPrefix("web-2\n") })
    #expect(web.contains("apply: ok: static-web.service active") && web.contains("apply: ok: busybox "))
    #expect(!web.contains("prometheus-node-exporter"))
    let gateway = try #require(sections.first { $0.hasPrefix("gateway\n") })
    // Debian's own unit, started by its package, runs in the isolated slice rig gives it.
    #expect(gateway.contains("apply: ok: prometheus-node-exporter 1.5.0-1+b6"))
    #expect(gateway.contains("apply: ok: prometheus-node-exporter.service in rig-prometheus_node_exporter.slice"))
    #expect(gateway.contains("apply: ok: rig-prometheus_node_exporter.slice AllowedCPUs=2-3"))
    #expect(!gateway.contains("static-web"))
  }

  @Test func everyReleaseHasAMachine() {
    #expect(Set(Self.machines.map(\.release)) == ["bookworm", "trixie"])
  }

  @Test func theDebianExamplesConvergeOnFreshMachines() throws {
    for machine in Self.machines {
      let folder = NSTemporaryDirectory() + "rig-apply-" + UUID().uuidString
      defer { try? FileManager.default.removeItem(atPath: folder) }
      let rendered = try run(try rigBinary(), ["render", "examples/" + machine.example, "--out", folder])
      try #require(rendered.status == 0, "\(rendered.stderr)")
      // rig verify reads the applied machine's root from the host: every file and package as planned, and the
      // slice edited afterwards named alone.
      let applied = try run(
        "/bin/bash", [packageRoot + "/scripts/validate/apply.sh", machine.release, folder] + machine.units,
        environment: ["RIG_APPLY_PROJECT": "examples/" + machine.example])
      #expect(applied.status == 0, "\(machine.example): \(applied.stdout)\(applied.stderr)")
      #expect(applied.stdout.contains("apply: OK: \(machine.release) converged"), "\(applied.stdout)")
      for unit in machine.units { #expect(applied.stdout.contains("apply: ok: \(unit) active")) }
      #expect(applied.stdout.contains("apply: ok: rig verify: Verify: 0 drifted, "), "\(applied.stdout)")
      if machine.example == "debian-services" || machine.example == "llm-server" {
        #expect(applied.stdout.contains("apply: ok: rig verify names the edited /etc/systemd/system/rig-"))
      }
      if machine.example == "llm-server" {
        #expect(applied.stdout.contains("apply: ok: nvidia-driver 535.309.01-0+deb12u1"), "\(applied.stdout)")
        #expect(applied.stdout.contains("apply: ok: rig-ollama.slice AllowedCPUs=12-15,28-31"), "\(applied.stdout)")
        for line in [
          "apply: ok: rig-thermal-guard.service active", "apply: ok: Prometheus evaluates rig's 7 alert rule(s)",
          "apply: ok: the critical temperature alert froze ollama.service",
          "apply: ok: its resolution thawed ollama.service",
        ] {
          #expect(applied.stdout.contains(line), "\(applied.stdout)")
        }
      }
      if machine.example == "debian-services" {
        for line in [
          "apply: ok: Prometheus evaluates rig's 2 alert rule(s)",
          "apply: ok: static-web.service runs with GREETING=…",
          "apply: ok: static-web.service has the secret static-web.token in its environment",
          "apply: ok: prometheus-node-exporter.service in rig-prometheus_node_exporter.slice",
          "apply: ok: rig-prometheus_node_exporter.slice AllowedCPUs=6-7",
        ] {
          #expect(applied.stdout.contains(line), "\(applied.stdout)")
        }
      }
    }
  }
}
