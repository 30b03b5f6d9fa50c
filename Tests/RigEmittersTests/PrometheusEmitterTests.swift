import Foundation
import RigAllocation
import RigBasics
import RigCatalog
import RigCompiler
import RigPlan
import RigResolver
import Testing
import Yams

@testable import RigEmitters

/// The Prometheus rules and their promtool tests: which alerts a plan gets, their thresholds from the policies,
/// determinism, and that no user text reaches an annotation (which Prometheus runs as a Go template).
@Suite struct PrometheusEmitterTests {
  static let machine = """
    apiVersion: rig/v1
    name: t
    hardware:
      cpu:
        hybrid: { performance: 4, efficiency: 4 }
      memory: 16GiB
    %GPUS%
      os: { distribution: debian, release: bookworm }

    """

  func plan(_ body: String, gpus: Bool = true) throws -> Plan {
    let gpuSection = gpus ? "  gpus:\n    - { name: gpu0, memory: 12GiB }" : ""
    let text = Self.machine.replacingOccurrences(of: "%GPUS%", with: gpuSection) + body
    return try compiledPlan(text)
  }

  func example(_ name: String) throws -> Plan {
    let result = RigCompiler.check(path: packageRoot + "/examples/\(name)")
    #expect(result.diagnostics.diagnostics.map(\.message) == [])
    return try #require(result.plan)
  }

  func contents(_ plan: Plan, _ path: String) throws -> String {
    try #require(PrometheusEmitter().artifacts(for: plan).first { $0.path == path }?.contents)
  }

  /// Prometheus scrapes itself, Alertmanager and each exporter the stack runs, at their default ports, and loads
  /// rig's rules; without GPUs there is no dcgm-exporter job, no thermal guard and no route to it.
  @Test func scrapeJobsAndRoutesFollowTheStack() throws {
    let host = try plan("stack: [prometheus-node-exporter]\ntargets: { prometheus: {} }\n", gpus: false)
    let config = try #require(try Yams.load(yaml: try contents(host, PrometheusEmitter.configPath)) as? [String: Any])
    #expect(config["rule_files"] as? [String] == ["rules.yml"])
    let jobs = (config["scrape_configs"] as? [[String: Any]])?.compactMap { $0["job_name"] as? String }
    #expect(jobs == ["prometheus", "alertmanager", "node"])
    #expect(!PrometheusEmitter().artifacts(for: host).contains { $0.path == PrometheusEmitter.guardPath })
    let routes = try #require(
      try Yams.load(yaml: try contents(host, PrometheusEmitter.alertmanagerPath)) as? [String: Any])
    #expect((routes["receivers"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["operator"])

    let workstation = try example("workstation")
    let all = try #require(
      try Yams.load(yaml: try contents(workstation, PrometheusEmitter.configPath)) as? [String: Any])
    let targets = (all["scrape_configs"] as? [[String: Any]])?.map { job in
      "\(job["job_name"] ?? "")=\(((job["static_configs"] as? [[String: Any]])?.first?["targets"] as? [String]) ?? [])"
    }
    #expect(
      targets == [
        "prometheus=[\"127.0.0.1:9090\"]", "alertmanager=[\"127.0.0.1:9093\"]", "node=[\"127.0.0.1:9100\"]",
        "dcgm-exporter=[\"127.0.0.1:9400\"]",
      ])
    let manager = try #require(
      try Yams.load(yaml: try contents(workstation, PrometheusEmitter.alertmanagerPath)) as? [String: Any])
    let guardRoute = try #require((value(manager, "route.routes") as? [[String: Any]])?.first)
    #expect(guardRoute["matchers"] as? [String] == ["alertname=\"RigGPUTemperatureCritical\""])
    #expect(guardRoute["receiver"] as? String == "thermal-guard" && guardRoute["continue"] as? Bool == true)
    #expect(value(manager, "receivers.1.webhook_configs.0.url") as? String == "http://127.0.0.1:9095/alert")
    #expect(value(manager, "receivers.1.webhook_configs.0.send_resolved") as? Bool == true)
  }

  /// The guard freezes the systemd services that use a GPU and lowers each GPU with a known range to its minimum,
  /// restoring the planned limit, else the default, else the maximum.
  @Test func thermalGuardActsOnTheGPUWorkloads() throws {
    let plan = try compiledPlan(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 4, efficiency: 4 }
        memory: 16GiB
        gpus:
          - { name: a, memory: 8GiB, power: { min: 100W, max: 200W } }
          - { name: b, memory: 8GiB, power: { default: 170W, min: 120W, max: 220W } }
          - { name: c, memory: 8GiB }
        os: { distribution: debian, release: bookworm }
      stack: [llama, web]
      components:
        llama:
          versions: { "1": {} }
          runtime: systemd
          exec: /usr/bin/llama-server
          resources: { gpu: { memory: 4GiB } }
        web:
          versions: { "1": {} }
          runtime: systemd
          exec: /usr/bin/busybox
      targets: { prometheus: {} }
      """)
    let actions = Alerting.guardActions(plan)
    #expect(actions.freeze == ["llama.service"])
    #expect(
      actions.limits.map { "\($0.gpu):\($0.low.wattsText):\($0.restore.wattsText)" } == ["0:100:200", "1:120:170"])
    let unit = try contents(plan, PrometheusEmitter.guardUnitPath)
    #expect(
      unit.contains(
        "ExecStart=/usr/local/lib/rig/thermal-guard --listen 127.0.0.1:9095 --alert RigGPUTemperatureCritical "
          + "--freeze llama.service --power-limit 0:100:200 --power-limit 1:120:170\n"))
    #expect(unit.contains("IPAddressAllow=localhost\n") && !unit.contains("PrivateNetwork"))
  }

  func value(_ object: Any?, _ path: String) -> Any? {
    var current = object
    for key in path.split(separator: ".") {
      if let index = Int(key), let list = current as? [Any] {
        current = index < list.count ? list[index] : nil
      } else {
        current = (current as? [String: Any])?[String(key)]
      }
    }
    return current
  }

  @Test func workstationGetsEveryRuleWithItsPolicyThresholds() throws {
    let plan = try example("workstation")
    let artifacts = PrometheusEmitter().artifacts(for: plan)
    #expect(
      artifacts.map(\.path) == [
        "prometheus/rules.yml", "prometheus/rules.test.yml", "prometheus/prometheus.yml",
        "prometheus/alertmanager.yml", "prometheus/grafana/rig.json", "prometheus/grafana/datasource.yaml",
        "prometheus/grafana/dashboards.yaml", "prometheus/thermal-guard", "prometheus/rig-thermal-guard.service",
      ])
    // Installed where Debian's packages read them, with the packages, restarting their services.
    let installed = artifacts.compactMap(\.installation)
    #expect(
      installed.map(\.path) == [
        "/etc/prometheus/rules.yml", "/etc/prometheus/prometheus.yml", "/etc/prometheus/alertmanager.yml",
        "/usr/local/lib/rig/thermal-guard", "/etc/systemd/system/rig-thermal-guard.service",
      ])
    #expect(
      installed.map(\.unit) == [
        "prometheus.service", "prometheus.service", "prometheus-alertmanager.service", "rig-thermal-guard.service",
        "rig-thermal-guard.service",
      ])
    #expect(installed.map(\.configures) == [["prometheus"], ["prometheus"], ["prometheus-alertmanager"], [], []])
    #expect(installed[3].mode == "0755")
    let rules = PrometheusEmitter.rules(plan)
    #expect(
      rules.map(\.alert) == [
        "RigGPUTemperatureWarning", "RigGPUTemperatureCritical", "RigGPUMemoryPressure", "RigGPUXidError",
        "RigGPUMetricsAbsent", "RigHostMemoryLow", "RigHostDiskFillingUp",
      ])
    #expect(rules.map(\.group) == Array(repeating: "rig-gpu", count: 5) + ["rig-host", "rig-host"])
    #expect(rules.allSatisfy { ["warning", "critical"].contains($0.severity) })
    #expect(rules[0].expr == "DCGM_FI_DEV_GPU_TEMP >= 80")
    #expect(rules[1].expr == "DCGM_FI_DEV_GPU_TEMP >= 85")
    #expect(rules[0].hold == .minutes(5) && rules[1].hold == .minutes(5))
    #expect(rules[5].expr == "node_memory_MemAvailable_bytes < 4294967296")

    let yaml = try contents(plan, PrometheusEmitter.rulesPath)
    #expect(yaml.hasPrefix(plan.fileHeader + "---\ngroups:\n"))
    #expect(
      yaml.contains(
        """
              - alert: RigGPUTemperatureWarning
                expr: DCGM_FI_DEV_GPU_TEMP >= 80
                for: '5m'
                labels:
                  severity: warning
                annotations:
                  summary: GPU temperature at or above the warning threshold of 80C for 5m
                  description: GPU {{ $labels.gpu }} on {{ $labels.instance }} has been at or above 80C for 5m (now {{ $value }}C).
        """))
    #expect(
      yaml.contains(
        "      - alert: RigGPUTemperatureCritical\n        expr: DCGM_FI_DEV_GPU_TEMP >= 85\n        for: '5m'\n"))
    #expect(yaml.contains("expr: node_memory_MemAvailable_bytes < 4294967296\n        for: '5m'\n"))
    #expect(yaml.contains("reserve of 4GiB (4294967296 bytes) for 5m."))

    let tests = try contents(plan, PrometheusEmitter.testsPath)
    #expect(tests.hasPrefix(plan.fileHeader + "---\nrule_files:\n  - rules.yml\nevaluation_interval: '1m'\n"))
    #expect(tests.contains("values: '80+0x15'\n"))
    #expect(tests.contains("values: '79+0x15'\n"))
    #expect(tests.contains("values: '85+0x15'\n"))
    #expect(tests.contains("values: '4293918720+0x15'\n"))
    #expect(tests.contains("values: '4294967296+0x15'\n"))
    // Every alert has a test that fires and one where it stays silent.
    for rule in rules {
      let checks = rule.tests.flatMap(\.checks)
      #expect(checks.contains { !$0.alerts.isEmpty }, "\(rule.alert)")
      #expect(checks.contains { $0.alerts.isEmpty }, "\(rule.alert)")
    }
  }

  /// The dashboard draws the plan: the thermal policy's thresholds, the planned power limit, the memory reserve,
  /// the isolated and housekeeping CPUs; a row for a component with CPUs of its own (how busy they are) and for a
  /// Kubernetes workload with GPU memory (its container's use against its budget); none for a shared one.
  @Test func theDashboardDrawsThePlan() throws {
    let result = RigCompiler.check(
      text: EmitterTests.machine
        + """
        sources: [debian-bookworm]
        stack: [trainer, web]
        components:
          trainer:
            versions: { "1.0": {} }
            runtime: kubernetes
            image: ghcr.io/example/trainer:1.0
            security: { user: 0 }
            resources: { cpu: { cores: 2, placement: isolated }, memory: 4GiB, gpu: { memory: 6GiB } }
          web:
            versions: { "1.0": {} }
            runtime: kubernetes
            image: ghcr.io/example/web:1.0
            resources: { cpu: { cores: 1 } }
        policies:
          memory: { reserve: 2GiB }
          gpu: { power_limit: 150W, thermal: { warning: 70.5C, critical: 78C, for: 2m } }
        targets: { kubernetes: { version: "1.30", namespace: lab }, prometheus: {} }
        """, file: "rig.yaml")
    #expect(result.diagnostics.diagnostics.map(\.id) == ["security-relaxed"])
    let plan = try #require(result.plan)
    let text = try contents(plan, "prometheus/grafana/rig.json")
    let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(dashboard["uid"] as? String == "rig-t")
    let panels = try #require(dashboard["panels"] as? [[String: Any]])
    let ids = panels.compactMap { $0["id"] as? Int }
    #expect(ids == Array(1...panels.count))
    func panel(_ title: String) -> [String: Any]? { panels.first { $0["title"] as? String == title } }
    func steps(_ title: String) -> [Double] {
      (value(panel(title), "fieldConfig.defaults.thresholds.steps") as? [[String: Any]])?
        .compactMap { ($0["value"] as? NSNumber)?.doubleValue } ?? []
    }
    #expect(
      panels.filter { $0["type"] as? String == "row" }.compactMap { $0["title"] as? String } == [
        "GPUs", "Host", "trainer",
      ])
    #expect(steps("GPU temperature") == [70.5, 78])
    #expect(steps("GPU power") == [150])
    #expect(steps("GPU memory used") == [Double(PrometheusEmitter.gpuMemoryPressurePercent)])
    #expect(steps("Memory available") == [Double(2 << 30)])
    let cpus = plan.allocation.cpu
    let hostTargets = value(panel("CPU busy: isolated and housekeeping"), "targets") as? [[String: Any]]
    #expect(
      hostTargets?.compactMap { $0["legendFormat"] as? String } == [
        "isolated (\(cpus.isolated))", "housekeeping (\(cpus.housekeeping))",
      ])
    let own = cpus.components.first { $0.name == "trainer" }?.cpus.cpus.map(String.init).joined(separator: "|")
    #expect((value(panel("trainer: its CPUs"), "targets.0.expr") as? String)?.contains("cpu=~\"\(own ?? "")\"") == true)
    // Root: its container runs in the baseline namespace, and dcgm-exporter labels its series there.
    #expect(
      (value(panel("trainer: GPU memory"), "targets.0.expr") as? String)?.contains(
        "{namespace=\"lab-baseline\", container=\"trainer\"}") == true)
    #expect(steps("trainer: GPU memory") == [Double(6 << 30)])
    #expect(panels.allSatisfy { ($0["title"] as? String)?.hasPrefix("web") != true })
    // Every panel reads the provisioned data source; the provider reads the folder the README names.
    let datasource = try #require(
      try Yams.load(yaml: try contents(plan, "prometheus/grafana/datasource.yaml")) as? [String: Any])
    let uid = try #require(value(datasource, "datasources.0.uid") as? String)
    #expect(
      panels.filter { $0["type"] as? String != "row" }.allSatisfy { value($0, "datasource.uid") as? String == uid })
    let provider = try Yams.load(yaml: try contents(plan, "prometheus/grafana/dashboards.yaml")) as? [String: Any]
    #expect(value(provider, "providers.0.options.path") as? String == "/var/lib/grafana/dashboards/rig")
    // Without GPUs, no GPU row.
    let host = try self.plan("stack: []\ntargets: { prometheus: {} }\n", gpus: false)
    #expect(!(try contents(host, "prometheus/grafana/rig.json")).contains("DCGM"))
  }

  @Test func noGPURulesWithoutGPUs() throws {
    let plan = try plan("stack: []\npolicies:\n  memory: { reserve: 2GiB }\n", gpus: false)
    let rules = PrometheusEmitter.rules(plan)
    #expect(rules.map(\.alert) == ["RigHostMemoryLow", "RigHostDiskFillingUp"])
    #expect(rules.map(\.group) == ["rig-host", "rig-host"])
    let yaml = try contents(plan, PrometheusEmitter.rulesPath)
    #expect(!yaml.contains("DCGM"))
    #expect(!yaml.contains("rig-gpu"))
    #expect(!(try contents(plan, PrometheusEmitter.testsPath)).contains("DCGM"))
  }

  /// Without a thermal policy, the blueprint's 80C/85C for 5m; without a reserve, 10% of the total.
  @Test func defaultsWithoutPolicies() throws {
    let plan = try plan("stack: []\n")
    let rules = PrometheusEmitter.rules(plan)
    #expect(rules.map(\.expr).prefix(2) == ["DCGM_FI_DEV_GPU_TEMP >= 80", "DCGM_FI_DEV_GPU_TEMP >= 85"])
    #expect(rules[0].hold == .minutes(5))
    let memory = try #require(rules.first { $0.alert == "RigHostMemoryLow" })
    #expect(memory.expr == "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.1")
    // 16GiB: a tenth is 1717986918.4 bytes; 1717986919 is not below it, 1 MiB less is.
    let tests = try contents(plan, PrometheusEmitter.testsPath)
    #expect(tests.contains("values: '1716938342+0x15'\n"))
    #expect(tests.contains("values: '1717986919+0x15'\n"))
    #expect(tests.contains("values: '17179869184+0x15'\n"))
  }

  @Test func thermalPolicyChangesExpressionsAndTestSeries() throws {
    let plan = try plan(
      """
      stack: []
      policies:
        gpu:
          thermal: { warning: 75.5C, critical: 90C, for: 90s }
      """)
    let rules = PrometheusEmitter.rules(plan)
    #expect(rules[0].expr == "DCGM_FI_DEV_GPU_TEMP >= 75.5")
    #expect(rules[1].expr == "DCGM_FI_DEV_GPU_TEMP >= 90")
    let yaml = try contents(plan, PrometheusEmitter.rulesPath)
    #expect(yaml.contains("expr: DCGM_FI_DEV_GPU_TEMP >= 75.5\n        for: '1m30s'\n"))
    #expect(!yaml.contains(">= 80"))
    let tests = try contents(plan, PrometheusEmitter.testsPath)
    // 90s is covered by the evaluation at 2m, and not yet at 1m.
    #expect(tests.contains("values: '75.5+0x12'\n"))
    #expect(tests.contains("values: '74.5+0x12'\n"))
    #expect(tests.contains("values: '90+0x12'\n"))
    #expect(tests.contains("values: '89+0x12'\n"))
    #expect(rules[0].tests[0].checks.map(\.at) == [.minutes(1), .minutes(2)])
    #expect(!tests.contains("values: '80+0x"))
  }

  @Test func outputIsDeterministic() throws {
    let first = PrometheusEmitter().artifacts(for: try example("workstation"))
    let second = PrometheusEmitter().artifacts(for: try example("workstation"))
    #expect(first == second)
  }

  /// A spec name (possible from the Swift DSL) or a component description holding a Go template never reaches the
  /// rules or their tests, beyond the header's comment line. The Grafana files are Grafana's, which runs no Go
  /// template: its dashboard names the machine (a DNS label in both front ends) and never holds a description.
  @Test func userTextNeverReachesAnnotations() throws {
    var plan = try plan(
      """
      stack: [app]
      components:
        app:
          description: "{{ .Value }} {{ $labels.x }}"
          versions: { "1.0": {} }
      """)
    plan.spec.name = Located("{{ .Value }}", at: nil)
    for artifact in PrometheusEmitter().artifacts(for: plan) {
      if artifact.path.hasPrefix("prometheus/grafana/") {
        #expect(!artifact.contents.contains("$labels.x"))
        continue
      }
      var lines = artifact.contents.split(separator: "\n", omittingEmptySubsequences: false)
      if artifact.path == PrometheusEmitter.guardPath { #expect(lines.removeFirst() == "#!/usr/bin/python3") }
      #expect(lines.first == "# Generated by rig for '{{ .Value }}'. Do not edit: 'rig render' rewrites this file.")
      let body = lines.dropFirst().joined(separator: "\n")
      #expect(!body.contains(".Value"))
      #expect(!body.contains("$labels.x"))
    }
  }

  @Test func durationsAreWrittenInPrometheusSyntax() {
    #expect(PrometheusEmitter.minutesCeiling(.seconds(90)) == 2)
    #expect(PrometheusEmitter.minutesCeiling(.minutes(5)) == 5)
    #expect(PrometheusEmitter.minutesCeiling(TimeSpan(milliseconds: 0)) == 0)
    #expect(TimeSpan(milliseconds: 5_400_000).description == "1h30m")
    #expect(PrometheusEmitter.decimal(80000) == "80")
    #expect(PrometheusEmitter.decimal(75500) == "75.5")
    #expect(PrometheusEmitter.decimal(-250) == "-0.25")
  }
}
