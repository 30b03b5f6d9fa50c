import Foundation
import Testing

/// The real consumers of every artifact, over every example's golden output (which `ArtifactTests` proves equal to
/// what rig emits), through scripts/validate/: Debian's `grub-mkconfig` in a private mount namespace,
/// `systemd-analyze verify` / `systemd --test`, `ansible-playbook` (syntax, check mode) and `ansible-lint`,
/// `kubernetes-validate`, `nix-instantiate`, `promtool`. A missing tool fails; nothing is skipped.
@Suite struct ValidatorTests {
  static let scripts = packageRoot + "/scripts/validate"

  /// The examples whose golden output holds files of `target` (a folder under `golden/EXAMPLE/`): the YAML ones and
  /// the DSL ones with output of their own (`workstation-dsl` renders the bytes of `workstation`).
  static func examplesWith(_ target: String) -> [String] {
    // A fleet's hosts each have a folder of their own targets' files, checked like an example's.
    let hosts = examples.flatMap { example in
      ((try? FileManager.default.contentsOfDirectory(atPath: Golden.root + "/\(example)/hosts")) ?? []).sorted().map {
        "\(example)/hosts/\($0)"
      }
    }
    return (examples + ["gpu-lab-dsl"] + hosts).filter {
      FileManager.default.fileExists(atPath: Golden.root + "/\($0)/\(target)")
    }
  }

  @Test func everyTargetOfTheExamplesIsChecked() {
    let fleetHosts = ["fleet/hosts/server", "fleet/hosts/ws-4070", "fleet/hosts/ws-4090"]
    let debianFleetHosts = ["debian-fleet/hosts/gateway", "debian-fleet/hosts/web-1", "debian-fleet/hosts/web-2"]
    #expect(
      Self.examplesWith("kernel") == ["debian-services", "llm-server", "workstation", "gpu-lab-dsl"] + debianFleetHosts
        + fleetHosts)
    // A host with nothing isolated has an empty command line and no GRUB drop-in: nothing for GRUB to read.
    #expect(
      Self.examplesWith("kernel/grub.d") == [
        "debian-services", "llm-server", "workstation", "gpu-lab-dsl", "debian-fleet/hosts/gateway",
        "fleet/hosts/ws-4090",
      ])
    #expect(
      Self.examplesWith("systemd") == [
        "ai-lab", "debian-services", "llm-server", "workstation", "gpu-lab-dsl",
      ] + debianFleetHosts + ["fleet/hosts/ws-4090"])
    #expect(
      Self.examplesWith("ansible") == [
        "ai-lab", "debian-fleet", "debian-host", "debian-host-trixie", "debian-services", "fleet", "llm-server",
        "workstation", "gpu-lab-dsl",
      ])
    #expect(
      Self.examplesWith("prometheus") == [
        "ai-lab", "debian-host", "debian-host-trixie", "debian-services", "llm-server", "workstation", "gpu-lab-dsl",
      ] + fleetHosts)
    #expect(Self.examplesWith("nix") == ["llm-server", "workstation"] + fleetHosts)
    #expect(
      Self.examplesWith("kubernetes") == ["ai-lab", "fleet", "workstation", "gpu-lab-dsl", "fleet/hosts/ws-4090"])
  }

  /// Each target's checker, and what it prints when everything passed.
  static let checkers: [(target: String, script: String, success: String)] = [
    ("kernel", "check-kernel.sh", "check-kernel: OK: grub.d drop-in sources cleanly"),
    ("systemd", "check-systemd.sh", "check-systemd: OK: verify clean"),
    ("ansible", "check-ansible.sh", "syntax-check; ansible-lint (production); check mode"),
    ("kubernetes", "check-kubernetes.sh", "(strict)"),
    ("nix", "check-nix.sh", "check-nix: OK: rig.nix parses and evaluates strictly"),
    ("prometheus", "check-prometheus.sh", "unit tests pass"),
  ]

  /// One target of one example.
  struct Case: Sendable, CustomTestStringConvertible {
    var target: String
    var script: String
    var success: String
    var example: String
    var testDescription: String { "\(target) of \(example)" }
  }

  static let cases = checkers.flatMap { checker in
    examplesWith(checker.target == "kernel" ? "kernel/grub.d" : checker.target).map {
      Case(target: checker.target, script: checker.script, success: checker.success, example: $0)
    }
  }

  @Test(arguments: cases)
  func consumerAcceptsTheArtifacts(_ check: Case) throws {
    var arguments = [Golden.root + "/" + check.example]
    if check.target == "kubernetes" {
      // The version the example targets, as kubernetes-validate names it.
      let example = check.example.prefix { $0 != "/" }
      let yaml = packageRoot + "/examples/\(example)/rig.yaml"
      let version: Substring
      if FileManager.default.fileExists(atPath: yaml) {
        let text = try String(contentsOfFile: yaml, encoding: .utf8)
        version = try #require(text.firstMatch(of: /kubernetes: \{ version: "([0-9.]+)"/)?.1)
      } else {
        let text = try String(contentsOfFile: packageRoot + "/examples/gpu-lab-dsl/GPULab.swift", encoding: .utf8)
        version = try #require(text.firstMatch(of: /Kubernetes\(version: "([0-9.]+)"/)?.1)
      }
      arguments.append("\(version).0")
    }
    let result = try run(Self.scripts + "/" + check.script, arguments)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains(check.success), "\(result.stdout)")
  }

  /// A component description that would run a command if Ansible ever evaluated it reaches the machine as
  /// text, in the manifest the playbook copies, and the check-mode run never runs the command. A control run
  /// proves the canary works: the same text in a task name does run it.
  @Test func descriptionsNeverRunAsJinja() throws {
    let canary = "/tmp/rig-pwned"
    try? FileManager.default.removeItem(atPath: canary)
    defer { try? FileManager.default.removeItem(atPath: canary) }
    let payload = "{{ lookup('pipe', 'touch \(canary)') }}"
    let directory = NSTemporaryDirectory() + "rig-injection-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try """
    apiVersion: rig/v1
    name: injection
    hardware:
      cpu: { hybrid: { performance: 2, efficiency: 2 } }
      memory: 8GiB
      os: { distribution: debian, release: bookworm }
    stack: [web, git]
    components:
      web:
        description: "\(payload)"
        versions: { "1.0": {} }
        runtime: kubernetes
        image: ghcr.io/example/web:1.0
        ports: [8080]
    targets:
      ansible: { host: box }
      kubernetes: { version: "1.30", namespace: web }
    """.write(toFile: directory + "/rig.yaml", atomically: true, encoding: .utf8)
    let render = try run(try rigBinary(), ["render", directory, "--out", directory + "/out"])
    #expect(render.status == 0, "\(render.stderr)")
    let check = try run(Self.scripts + "/check-ansible.sh", [directory + "/out"])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    // The text is in a file the playbook copies as it is (the run above copied it in check mode).
    let manifest = try String(
      contentsOfFile: directory + "/out/ansible/files/etc/rig/kubernetes/workload-web.yaml", encoding: .utf8)
    #expect(manifest.contains("kubernetes.io/description: '{{ lookup(''pipe'', ''touch \(canary)'') }}'"))
    #expect(!FileManager.default.fileExists(atPath: canary))

    // Control: in a task name, where Ansible evaluates templates, the same text runs its command.
    try """
    - name: Control
      hosts: localhost
      gather_facts: false
      tasks:
        - name: "\(payload)"
          ansible.builtin.debug:
            msg: control
    """.write(toFile: directory + "/control.yml", atomically: true, encoding: .utf8)
    let control = try run(
      try validator("ansible-playbook"), ["-i", "localhost,", "-c", "local", "--check", directory + "/control.yml"],
      environment: ["ANSIBLE_HOME": directory + "/.ansible", "ANSIBLE_LOCAL_TEMP": directory + "/.ansible/tmp"])
    #expect(control.status == 0, "\(control.stdout)\(control.stderr)")
    #expect(FileManager.default.fileExists(atPath: canary), "the control run must trip the canary")
  }

  /// The validators themselves reject broken copies of a good output folder (a bad CPU list, an unknown key, a
  /// dropped kernel parameter, a shell syntax error, …) and accept the good one.
  @Test func validatorsRejectBrokenArtifacts() throws {
    let result = try run(Self.scripts + "/selftest.sh", [])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasSuffix("97 passed, 0 failed\n"))
  }
}
