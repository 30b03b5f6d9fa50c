import RigAllocation
import RigBasics
import RigCatalog
import RigModel
import RigPlan

/// Prometheus alerting rules for the machine, `prometheus/rules.yml`, and the promtool unit tests that prove every
/// rule, `prometheus/rules.test.yml` (`promtool test rules`): each alert fires at its threshold once its `for:`
/// has elapsed, not before, and stays silent just on the other side of the threshold.
///
/// Only metrics that a GeForce card and a stock exporter actually expose:
/// - dcgm-exporter's default collectors (NVIDIA/dcgm-exporter `etc/default-counters.csv`, installed as
///   `/etc/dcgm-exporter/default-counters.csv`): `DCGM_FI_DEV_GPU_TEMP` (gauge, °C), `DCGM_FI_DEV_FB_USED` and
///   `DCGM_FI_DEV_FB_FREE` (gauges, MiB), `DCGM_FI_DEV_XID_ERRORS` (gauge: "value of the last XID error
///   encountered"). Every series carries `gpu`, `UUID`, `device`, `modelName`, `Hostname` (and the scrape's
///   `instance`, `job`); since dcgm-exporter PR #309 the XID series also carries `err_code` and `err_msg`
///   (`gpu_collector.go`, `ToMetric`). The profiling fields `DCGM_FI_PROF_*` need a datacenter board (on GeForce
///   only from Blackwell on: NVIDIA/DCGM#234, NVIDIA/dcgm-exporter#404), so no rule reads them.
/// - node_exporter: `node_memory_MemAvailable_bytes` and `node_memory_MemTotal_bytes` (meminfo collector), and
///   `node_filesystem_avail_bytes` with `device`, `fstype`, `mountpoint` (filesystem collector). The disk rule is
///   node_exporter's own `NodeFilesystemSpaceFillingUp` trend (`docs/node-mixin/alerts/alerts.libsonnet`:
///   `predict_linear(node_filesystem_avail_bytes[6h], 24*60*60) < 0`, `for: 1h`).
///
/// Annotations hold rig's own fixed text and numbers and Prometheus templates over labels and the value, never
/// user text: Prometheus executes annotations as Go templates, so a spec name or a component description holding
/// `{{ }}` must not reach them.
public struct PrometheusEmitter: Emitter {
  public static let rulesPath = "prometheus/rules.yml"
  public static let testsPath = "prometheus/rules.test.yml"

  public init() {}
  public var target: String { "prometheus" }
  public func isEnabled(_ plan: Plan) -> Bool { plan.spec.targets.prometheus }

  public static let configPath = "prometheus/prometheus.yml"
  public static let alertmanagerPath = "prometheus/alertmanager.yml"
  public static let guardPath = "prometheus/thermal-guard"
  public static let guardUnitPath = "prometheus/" + Alerting.guardUnit

  /// The rules and their tests; Prometheus' and Alertmanager's configurations, installed where Debian's packages
  /// read them (`/etc/prometheus/`), with the packages; with GPUs, the thermal guard and its unit.
  public func artifacts(for plan: Plan) -> [Artifact] {
    let rules = Self.rules(plan)
    let header = plan.fileHeader
    func reads(_ path: String, _ package: String, _ service: String) -> Installation {
      var installation = Installation(path, effects: [.restartUnit], configures: [package])
      installation.service = service
      return installation
    }
    let prometheus = ("prometheus", "prometheus.service")
    let alertmanager = ("prometheus-alertmanager", "prometheus-alertmanager.service")
    var artifacts = [
      Artifact(
        path: Self.rulesPath, contents: header + Self.rulesDocument(rules).document,
        installation: reads("/etc/prometheus/rules.yml", prometheus.0, prometheus.1)),
      Artifact(path: Self.testsPath, contents: header + Self.testsDocument(rules).document),
      Artifact(
        path: Self.configPath, contents: header + Alerting.prometheusConfig(plan).document,
        installation: reads("/etc/prometheus/prometheus.yml", prometheus.0, prometheus.1)),
      Artifact(
        path: Self.alertmanagerPath, contents: header + Alerting.alertmanagerConfig(plan).document,
        installation: reads("/etc/prometheus/alertmanager.yml", alertmanager.0, alertmanager.1)),
    ]
    artifacts += [
      Artifact(path: Dashboard.dashboardPath, contents: Dashboard.document(plan).serialized()),
      Artifact(path: Dashboard.datasourcePath, contents: header + Dashboard.datasourceDocument(plan).document),
      Artifact(path: Dashboard.providerPath, contents: header + Dashboard.providerDocument().document),
    ]
    if Alerting.guardEnabled(plan) {
      var program = Installation(Alerting.guardProgram, mode: "0755", effects: [.restartUnit])
      program.service = Alerting.guardUnit
      artifacts.append(
        Artifact(path: Self.guardPath, contents: Alerting.guardScript(header: header), installation: program))
      artifacts.append(
        Artifact(
          path: Self.guardUnitPath, contents: Alerting.guardUnitText(plan, header: header),
          installation: Installation(
            "/etc/systemd/system/" + Alerting.guardUnit, effects: [.reloadSystemd, .enableAndStartUnit, .restartUnit],
            rank: 1)))
    }
    return artifacts
  }

  // MARK: - The rules

  /// The blueprint's thermal limits, used when `policies.gpu.thermal` is not written: its optimization trigger
  /// `thermal_limit: 80C` as the warning and its escalation condition `gpu_temp_>85C_sustained_>5min` as the
  /// critical threshold and the duration.
  static let defaultThermal = (
    warning: Temperature.celsius(80), critical: Temperature.celsius(85), hold: TimeSpan.minutes(5)
  )

  /// The blueprint's `memory_pressure: 90%` trigger, for GPU memory.
  static let gpuMemoryPressurePercent = 90

  /// The thermal thresholds in force: `policies.gpu.thermal`, else the blueprint's. The rules alert on them and
  /// the dashboard draws them.
  static func thermal(_ plan: Plan) -> (warning: Temperature, critical: Temperature, hold: TimeSpan) {
    let thermal = plan.spec.policies.thermal
    return (
      thermal?.warning.value ?? defaultThermal.warning, thermal?.critical.value ?? defaultThermal.critical,
      thermal?.duration.value ?? defaultThermal.hold
    )
  }

  /// The RAM `policies.memory.reserve` keeps back, when it keeps any: available memory below it is low; without
  /// it, below a tenth of the machine's.
  static func memoryReserve(_ plan: Plan) -> ByteCount? {
    plan.spec.policies.memoryReserve.map(\.value).flatMap { $0.bytes > 0 ? $0 : nil }
  }

  /// The rules for this machine, in output order: GPU rules (only with GPUs), then host rules.
  static func rules(_ plan: Plan) -> [Rule] {
    var rules: [Rule] = []
    if !plan.spec.hardware.gpus.isEmpty {
      let thermal = thermal(plan)
      rules.append(
        gpuTemperature(
          "RigGPUTemperatureWarning", severity: "warning", kind: "warning", threshold: thermal.warning,
          hold: thermal.hold))
      rules.append(
        gpuTemperature(
          "RigGPUTemperatureCritical", severity: "critical", kind: "critical", threshold: thermal.critical,
          hold: thermal.hold))
      rules.append(gpuMemoryPressure())
      rules.append(gpuXid())
      rules.append(gpuMetricsAbsent())
    }
    if let reserve = memoryReserve(plan) {
      rules.append(hostMemoryBelowReserve(reserve))
    } else {
      rules.append(hostMemoryBelowTenPercent(total: plan.spec.hardware.memory.value))
    }
    rules.append(hostDiskFillingUp())
    return rules
  }

  /// GPU temperature at or above a threshold of the thermal policy for its whole duration.
  static func gpuTemperature(_ alert: String, severity: String, kind: String, threshold: Temperature, hold: TimeSpan)
    -> Rule
  {
    let degrees = decimal(threshold.millicelsius)
    let below = decimal(threshold.millicelsius - 1000)
    let steps = minutesCeiling(hold)
    var firing = [Check(at: .minutes(steps), alerts: [Expected(labels: gpuLabels(0), value: degrees)])]
    if steps > 0 { firing.insert(Check(at: .minutes(steps - 1), alerts: []), at: 0) }
    return Rule(
      group: "rig-gpu", alert: alert, expr: "DCGM_FI_DEV_GPU_TEMP >= \(degrees)", hold: hold, severity: severity,
      summary: "GPU temperature at or above the \(kind) threshold of \(degrees)C for \(hold)",
      valueTemplate: "{{ $value }}",
      description: { label, value in
        "GPU \(label("gpu")) on \(label("instance")) has been at or above \(degrees)C for \(hold) (now \(value)C)."
      },
      tests: [
        RuleTest(
          name: "\(alert): fires at \(degrees)C after \(hold), only for the hot GPU",
          series: [
            gpuSeries(0, "DCGM_FI_DEV_GPU_TEMP", constant(degrees, steps + 10)),
            gpuSeries(1, "DCGM_FI_DEV_GPU_TEMP", constant(below, steps + 10)),
          ],
          checks: firing),
        RuleTest(
          name: "\(alert): silent at \(below)C",
          series: [gpuSeries(0, "DCGM_FI_DEV_GPU_TEMP", constant(below, steps + 10))],
          checks: [Check(at: .minutes(steps + 5), alerts: [])]),
      ])
  }

  /// GPU memory in use above the blueprint's memory-pressure trigger. `DCGM_FI_DEV_FB_TOTAL` is not a default
  /// counter, so the total is used + free (which leaves out the driver's small reserved part).
  static func gpuMemoryPressure() -> Rule {
    let alert = "RigGPUMemoryPressure"
    let hold = TimeSpan.minutes(5)
    let percent = gpuMemoryPressurePercent
    return Rule(
      group: "rig-gpu", alert: alert,
      expr: "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > \(decimal(percent * 10))",
      hold: hold, severity: "warning", summary: "GPU memory use above \(percent)% for \(hold)",
      valueTemplate: "{{ $value | humanizePercentage }}",
      description: { label, value in
        "GPU \(label("gpu")) on \(label("instance")) has had \(value) of its memory in use for \(hold), above "
          + "the \(percent)% memory-pressure threshold."
      },
      tests: [
        // 901 MiB of 1000 MiB in use: 90.1%.
        RuleTest(
          name: "\(alert): fires above \(percent)% after \(hold)",
          series: [
            gpuSeries(0, "DCGM_FI_DEV_FB_USED", constant("901", 15)),
            gpuSeries(0, "DCGM_FI_DEV_FB_FREE", constant("99", 15)),
          ],
          checks: [
            Check(at: .minutes(4), alerts: []),
            Check(at: .minutes(5), alerts: [Expected(labels: gpuLabels(0), value: "90.1%")]),
          ]),
        RuleTest(
          name: "\(alert): silent just below \(percent)%",
          series: [
            gpuSeries(0, "DCGM_FI_DEV_FB_USED", constant("899", 15)),
            gpuSeries(0, "DCGM_FI_DEV_FB_FREE", constant("101", 15)),
          ],
          checks: [Check(at: .minutes(10), alerts: [])]),
      ])
  }

  /// A new XID error. `DCGM_FI_DEV_XID_ERRORS` is a gauge holding the code of the last XID (0 before any), not a
  /// count, and it sticks until dcgm-exporter restarts (NVIDIA/dcgm-exporter#500): `> 0` alone would fire forever
  /// after one XID, so the rule asks for a value that is new within 10 minutes. Older exporters change the value
  /// of one series (`changes(...[10m]) > 0`); since dcgm-exporter PR #309 each code is its own series
  /// (`err_code`, `err_msg` labels), which a new XID makes appear (`unless ... offset 10m`). A restart that puts
  /// the value back to 0 is not an XID (`> 0`). The same code twice in a row cannot be told apart, and a code
  /// left from before a Prometheus without history counts as new for its first 10 minutes.
  static func gpuXid() -> Rule {
    let alert = "RigGPUXidError"
    let metric = "DCGM_FI_DEV_XID_ERRORS"
    let codeLabels: [(String, String)] = [("err_code", "43"), ("err_msg", "GPU stopped processing")]
    return Rule(
      group: "rig-gpu", alert: alert,
      expr: "\(metric) > 0 and (changes(\(metric)[10m]) > 0 or (\(metric) unless \(metric) offset 10m))",
      hold: TimeSpan(milliseconds: 0), severity: "warning", summary: "GPU reported an XID error",
      valueTemplate: "{{ $value }}",
      description: { label, value in
        "GPU \(label("gpu")) on \(label("instance")) reported XID \(value) within the last 10m; look the code up "
          + "in NVIDIA's XID catalog (https://docs.nvidia.com/deploy/xid-errors/)."
      },
      tests: [
        RuleTest(
          name: "\(alert): a new XID on one series fires for 10m, only for that GPU",
          series: [
            gpuSeries(0, metric, "0+0x10 43+0x20"),
            gpuSeries(1, metric, constant("0", 30)),
          ],
          checks: [
            Check(at: .minutes(10), alerts: []),
            Check(at: .minutes(11), alerts: [Expected(labels: gpuLabels(0), value: "43")]),
            Check(at: .minutes(19), alerts: [Expected(labels: gpuLabels(0), value: "43")]),
            Check(at: .minutes(25), alerts: []),
          ]),
        RuleTest(
          name: "\(alert): a new XID as a new err_code series fires for 10m",
          series: [
            gpuSeries(0, metric, "0+0x10", extra: [("err_code", "0"), ("err_msg", "No Error")]),
            gpuSeries(0, metric, "_x11 43+0x20", extra: codeLabels),
          ],
          checks: [
            Check(at: .minutes(10), alerts: []),
            Check(at: .minutes(11), alerts: [Expected(labels: gpuLabels(0) + codeLabels, value: "43")]),
            Check(at: .minutes(20), alerts: [Expected(labels: gpuLabels(0) + codeLabels, value: "43")]),
            Check(at: .minutes(21), alerts: []),
          ]),
        RuleTest(
          name: "\(alert): silent without XIDs and when the last XID goes back to 0",
          series: [
            gpuSeries(0, metric, "43+0x10 0+0x20"),
            gpuSeries(1, metric, constant("0", 30)),
          ],
          checks: [Check(at: .minutes(12), alerts: []), Check(at: .minutes(25), alerts: [])]),
      ])
  }

  /// No GPU metrics at all: dcgm-exporter is down or not scraped, and no GPU alert can fire.
  static func gpuMetricsAbsent() -> Rule {
    let alert = "RigGPUMetricsAbsent"
    let hold = TimeSpan.minutes(10)
    return Rule(
      group: "rig-gpu", alert: alert, expr: "absent(DCGM_FI_DEV_GPU_TEMP)", hold: hold, severity: "warning",
      summary: "No GPU metrics from dcgm-exporter for \(hold)", valueTemplate: "{{ $value }}",
      description: { _, _ in
        "No DCGM_FI_DEV_GPU_TEMP series for \(hold): dcgm-exporter is down, not scraped or lost its GPUs, so no GPU "
          + "alert can fire."
      },
      tests: [
        RuleTest(
          name: "\(alert): fires when no GPU series exist for \(hold)",
          series: [Series(metric: "node_memory_MemAvailable_bytes", labels: nodeLabels, values: constant("0", 20))],
          checks: [
            Check(at: .minutes(9), alerts: []), Check(at: .minutes(10), alerts: [Expected(labels: [], value: "1")]),
          ]),
        RuleTest(
          name: "\(alert): silent while GPU temperatures arrive",
          series: [gpuSeries(0, "DCGM_FI_DEV_GPU_TEMP", constant("40", 20))],
          checks: [Check(at: .minutes(15), alerts: [])]),
      ])
  }

  /// Available RAM below `policies.memory.reserve`: components are eating into what the system keeps.
  static func hostMemoryBelowReserve(_ reserve: ByteCount) -> Rule {
    let alert = "RigHostMemoryLow"
    let hold = TimeSpan.minutes(5)
    let mebibyte = 1 << 20
    let below = max(0, reserve.bytes - mebibyte)
    return Rule(
      group: "rig-host", alert: alert, expr: "node_memory_MemAvailable_bytes < \(reserve.bytes)", hold: hold,
      severity: "warning", summary: "Available memory below the reserve of \(reserve) for \(hold)",
      valueTemplate: "{{ $value }}",
      description: { label, _ in
        "Available memory on \(label("instance")) has been below rig's policies.memory.reserve of \(reserve) "
          + "(\(reserve.bytes) bytes) for \(hold)."
      },
      tests: [
        RuleTest(
          name: "\(alert): fires below \(reserve.bytes) bytes after \(hold)",
          series: [
            Series(metric: "node_memory_MemAvailable_bytes", labels: nodeLabels, values: constant("\(below)", 15))
          ],
          checks: [
            Check(at: .minutes(4), alerts: []),
            Check(at: .minutes(5), alerts: [Expected(labels: nodeLabels, value: "\(below)")]),
          ]),
        RuleTest(
          name: "\(alert): silent at exactly the reserve",
          series: [
            Series(
              metric: "node_memory_MemAvailable_bytes", labels: nodeLabels, values: constant("\(reserve.bytes)", 15))
          ],
          checks: [Check(at: .minutes(10), alerts: [])]),
      ])
  }

  /// Without a memory reserve: available RAM below 10% of the total.
  static func hostMemoryBelowTenPercent(total: ByteCount) -> Rule {
    let alert = "RigHostMemoryLow"
    let hold = TimeSpan.minutes(5)
    let tenth = total.bytes / 10
    let below = max(0, tenth - (1 << 20))
    let atTenth = total.bytes % 10 == 0 ? tenth : tenth + 1
    func series(_ available: Int) -> [Series] {
      [
        Series(metric: "node_memory_MemAvailable_bytes", labels: nodeLabels, values: constant("\(available)", 15)),
        Series(metric: "node_memory_MemTotal_bytes", labels: nodeLabels, values: constant("\(total.bytes)", 15)),
      ]
    }
    return Rule(
      group: "rig-host", alert: alert, expr: "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.1",
      hold: hold, severity: "warning", summary: "Available memory below 10% for \(hold)",
      valueTemplate: "{{ $value }}",
      description: { label, _ in
        "Available memory on \(label("instance")) has been below 10% of the total for \(hold) (no "
          + "policies.memory.reserve is set)."
      },
      tests: [
        RuleTest(
          name: "\(alert): fires below 10% of \(total.bytes) bytes after \(hold)",
          series: series(below),
          checks: [
            Check(at: .minutes(4), alerts: []),
            Check(at: .minutes(5), alerts: [Expected(labels: nodeLabels, value: "")]),
          ]),
        RuleTest(
          name: "\(alert): silent at 10%", series: series(atTenth), checks: [Check(at: .minutes(10), alerts: [])]),
      ])
  }

  /// A filesystem that the last 6h's trend empties within 24h (node_exporter's mixin), leaving out memory-backed
  /// and container-layer filesystems, whose space is not the disk's.
  static func hostDiskFillingUp() -> Rule {
    let alert = "RigHostDiskFillingUp"
    let hold = TimeSpan.minutes(60)
    let metric = "node_filesystem_avail_bytes"
    let root: [(String, String)] = [("device", "/dev/nvme0n1p2"), ("fstype", "ext4"), ("mountpoint", "/")]
    let mebibyte = 1 << 20
    // Falling 1 MiB a minute from 1440 MiB: empty exactly 24h after the first sample, so the prediction is below
    // 0 from the first two samples on (pending at 1m, firing at 61m). From 1502 MiB it still has 1 MiB left
    // in 24h at 61m, and more before.
    func falling(from start: Int) -> String { "\(start * mebibyte)-\(mebibyte)x90" }
    return Rule(
      group: "rig-host", alert: alert,
      expr: "predict_linear(\(metric){fstype!~\"tmpfs|overlay\"}[6h], 86400) < 0", hold: hold,
      severity: "warning", summary: "Filesystem predicted to run out of space within 24h",
      valueTemplate: "{{ $value }}",
      description: { label, _ in
        "Filesystem \(label("mountpoint")) (\(label("device"))) on \(label("instance")) runs out of space within "
          + "24h at the rate of the last 6h, for \(hold) now."
      },
      tests: [
        RuleTest(
          name: "\(alert): fires for a disk emptying within 24h after \(hold), never for tmpfs or overlay",
          series: [
            Series(metric: metric, labels: root + nodeLabels, values: falling(from: 1440)),
            Series(
              metric: metric, labels: [("device", "tmpfs"), ("fstype", "tmpfs"), ("mountpoint", "/run")] + nodeLabels,
              values: falling(from: 1440)),
            Series(
              metric: metric,
              labels: [("device", "overlay"), ("fstype", "overlay"), ("mountpoint", "/var/lib/containerd/rootfs")]
                + nodeLabels, values: falling(from: 1440)),
          ],
          checks: [
            Check(at: .minutes(60), alerts: []),
            Check(at: .minutes(61), alerts: [Expected(labels: root + nodeLabels, value: "")]),
          ]),
        RuleTest(
          name: "\(alert): silent for a disk with space left after 24h",
          series: [Series(metric: metric, labels: root + nodeLabels, values: falling(from: 1502))],
          checks: [Check(at: .minutes(61), alerts: [])]),
      ])
  }

  // MARK: - Test data

  /// The labels dcgm-exporter puts on GPU `index`'s series, and the scrape's.
  static func gpuLabels(_ index: Int) -> [(String, String)] {
    [
      ("gpu", "\(index)"), ("UUID", "GPU-00000000-0000-0000-0000-00000000000\(index)"), ("device", "nvidia\(index)"),
      ("Hostname", "rig-test"), ("instance", "rig-test:9400"), ("job", "dcgm-exporter"),
    ]
  }

  static func gpuSeries(_ index: Int, _ metric: String, _ values: String, extra: [(String, String)] = []) -> Series {
    Series(metric: metric, labels: gpuLabels(index) + extra, values: values)
  }

  /// The scrape labels of node_exporter's series.
  static let nodeLabels: [(String, String)] = [("instance", "rig-test:9100"), ("job", "node")]

  /// `value` at every one of `steps` + 1 samples, in promtool's series notation.
  static func constant(_ value: String, _ steps: Int) -> String { "\(value)+0x\(steps)" }

  /// Whole minutes that cover `span`: the evaluation at which a `for:` of `span` has elapsed.
  static func minutesCeiling(_ span: TimeSpan) -> Int { (span.milliseconds + 59_999) / 60_000 }

  /// Thousandths as a decimal number without trailing zeros: `80000` → `80`, `80500` → `80.5`.
  static func decimal(_ thousandths: Int) -> String {
    let sign = thousandths < 0 ? "-" : ""
    let magnitude = abs(thousandths)
    var fraction = String(magnitude % 1000)
    fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return sign + String(magnitude / 1000) + (fraction.isEmpty ? "" : "." + fraction)
  }

  // MARK: - Documents

  static func rulesDocument(_ rules: [Rule]) -> YAMLValue {
    var groups: [String] = []
    for rule in rules where !groups.contains(rule.group) { groups.append(rule.group) }
    return [
      "groups": .list(
        groups.map { group in
          ["name": .string(group), "rules": .list(rules.filter { $0.group == group }.map(ruleValue))]
        })
    ]
  }

  static func ruleValue(_ rule: Rule) -> YAMLValue {
    var pairs: [(String, YAMLValue)] = [("alert", .string(rule.alert)), ("expr", .string(rule.expr))]
    if rule.hold.milliseconds > 0 { pairs.append(("for", .string(rule.hold.description))) }
    pairs.append(("labels", ["severity": .string(rule.severity)]))
    pairs.append(
      (
        "annotations",
        [
          "summary": .string(rule.summary),
          "description": .string(rule.description({ "{{ $labels.\($0) }}" }, rule.valueTemplate)),
        ]
      ))
    return .map(pairs)
  }

  static func testsDocument(_ rules: [Rule]) -> YAMLValue {
    [
      "rule_files": ["rules.yml"],
      "evaluation_interval": "1m",
      "tests": .list(rules.flatMap { rule in rule.tests.map { testValue($0, rule) } }),
    ]
  }

  static func testValue(_ test: RuleTest, _ rule: Rule) -> YAMLValue {
    [
      "name": .string(test.name),
      "interval": "1m",
      "input_series": .list(
        test.series.map { ["series": .string($0.notation), "values": .string($0.values)] }),
      "alert_rule_test": .list(
        test.checks.map { check in
          [
            "eval_time": .string(check.at.description),
            "alertname": .string(rule.alert),
            "exp_alerts": .list(check.alerts.map { expectedValue($0, rule) }),
          ]
        }),
    ]
  }

  static func expectedValue(_ expected: Expected, _ rule: Rule) -> YAMLValue {
    let labels = expected.labels
    let label: (String) -> String = { name in labels.first { $0.0 == name }?.1 ?? "" }
    return [
      "exp_labels": .map([("severity", .string(rule.severity))] + labels.map { ($0.0, .string($0.1)) }),
      "exp_annotations": [
        "summary": .string(rule.summary),
        "description": .string(rule.description(label, expected.value)),
      ],
    ]
  }

  // MARK: - Model

  /// One alerting rule and the promtool tests that prove it.
  struct Rule {
    var group: String
    var alert: String
    var expr: String
    /// `for:`; none when zero.
    var hold: TimeSpan
    var severity: String
    /// Fixed text: no templates, no user text.
    var summary: String
    /// How the description shows the value: a Prometheus template.
    var valueTemplate: String
    /// The description from how a label and the value read: Prometheus templates in the rule, the expanded
    /// text in its tests. Only rig's own text and numbers otherwise.
    var description: (_ label: (String) -> String, _ value: String) -> String
    var tests: [RuleTest]
  }

  /// One promtool test group: synthetic series at a 1m interval and what the alert does at some times.
  struct RuleTest {
    var name: String
    var series: [Series]
    var checks: [Check]
  }

  struct Series {
    var metric: String
    var labels: [(String, String)]
    /// promtool's expanding notation (`80+0x10`, `_x11 43+0x20`).
    var values: String

    /// `metric{name="value",…}`; every label value is rig's own fixed text.
    var notation: String {
      metric + "{" + labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }
  }

  /// The alerts firing at one evaluation time.
  struct Check {
    var at: TimeSpan
    var alerts: [Expected]
  }

  /// One firing alert: the labels of the series it comes from (without `severity`) and its value as the
  /// description shows it.
  struct Expected {
    var labels: [(String, String)]
    var value: String
  }
}
