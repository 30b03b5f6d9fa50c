import RigAllocation
import RigBasics
import RigModel
import RigPlan

/// The machine's Grafana dashboard and the provisioning files that load it (Grafana, "Provision Grafana":
/// https://grafana.com/docs/grafana/latest/administration/provisioning/). rig installs no Grafana (Debian ships
/// none); a person copies these into theirs, as the README says.
///
/// The dashboard reads only the Prometheus that `prometheus.yml` configures, through the data source the
/// provisioning file names (uid `rig-prometheus`), and only metrics a GeForce card and a stock exporter export
/// (the same as the rules, `PrometheusEmitter`): dcgm-exporter's `DCGM_FI_DEV_GPU_UTIL` (%),
/// `DCGM_FI_DEV_FB_USED`/`DCGM_FI_DEV_FB_FREE` (MiB), `DCGM_FI_DEV_GPU_TEMP` (°C), `DCGM_FI_DEV_POWER_USAGE` (W) and
/// `DCGM_FI_DEV_XID_ERRORS` (the last XID), each with the label `gpu` (NVIDIA/dcgm-exporter
/// `etc/default-counters.csv`; with `DCGM_EXPORTER_KUBERNETES` also `namespace`, `pod` and `container`), never
/// `DCGM_FI_PROF_*`; node_exporter's `node_cpu_seconds_total` (labels `cpu`, `mode`) and
/// `node_memory_MemAvailable_bytes`. Panels key on `gpu` and `instance`, never on the host label, whose name
/// dcgm-exporter is changing (`Hostname` → `hostname`).
///
/// Thresholds are the plan's: the thermal policy's warning and critical temperatures, the GPU memory pressure of
/// the rules, the planned power limit, the memory reserve; each component's GPU memory budget.
enum Dashboard {
  static let dashboardPath = "prometheus/grafana/rig.json"
  static let datasourcePath = "prometheus/grafana/datasource.yaml"
  static let providerPath = "prometheus/grafana/dashboards.yaml"
  /// Where the provider reads dashboards, and so where `rig.json` goes on the Grafana host.
  static let dashboardFolder = "/var/lib/grafana/dashboards/rig"
  static let datasourceUID = "rig-prometheus"
  /// Grafana's limit on a dashboard uid.
  static let uidLimit = 40

  static let datasource: JSONValue = ["type": "prometheus", "uid": .string(datasourceUID)]

  /// The dashboard: a row of GPU panels (with GPUs), a row for the host's CPUs and memory, and a row per component
  /// that has CPUs of its own or GPU memory whose use a metric shows.
  static func document(_ plan: Plan) -> JSONValue {
    var layout = Layout()
    if !plan.spec.hardware.gpus.isEmpty { gpuRow(plan, &layout) }
    hostRow(plan, &layout)
    for component in plan.spec.components.sorted(by: { $0.name.value < $1.name.value }) {
      componentRow(component, plan, &layout)
    }
    let name = plan.spec.name.value
    return [
      "uid": .string(String("rig-\(name)".prefix(uidLimit))),
      "title": .string("rig: \(name)"),
      "description": .string(
        "Written by rig from the plan of \(name): GPUs, isolated and housekeeping CPUs, memory, and each "
          + "component's share. Thresholds are the plan's."),
      "tags": ["rig"],
      "timezone": "browser",
      "editable": false,
      "graphTooltip": 1,
      "time": ["from": "now-6h", "to": "now"],
      "refresh": "30s",
      "schemaVersion": 39,
      "annotations": ["list": []],
      "templating": ["list": []],
      "panels": .array(layout.panels),
    ]
  }

  // MARK: - Rows

  static func gpuRow(_ plan: Plan, _ layout: inout Layout) {
    layout.row("GPUs")
    let legend = "GPU {{gpu}} {{modelName}}"
    layout.add(
      timeSeries(
        "GPU utilisation", "The share of time a kernel ran on each GPU.", unit: "percent", range: (0, 100),
        targets: [("DCGM_FI_DEV_GPU_UTIL", legend)]))
    layout.add(
      timeSeries(
        "GPU memory used",
        "Memory used on each GPU, as a share of its memory; the line is the rules' memory pressure.",
        unit: "percent", range: (0, 100),
        targets: [("100 * DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)", legend)],
        thresholds: [("red", .int(PrometheusEmitter.gpuMemoryPressurePercent))]))
    let thermal = PrometheusEmitter.thermal(plan)
    layout.add(
      timeSeries(
        "GPU temperature",
        "The lines are the thermal policy: warning at \(thermal.warning), critical (the guard acts) at "
          + "\(thermal.critical), each held for \(thermal.hold).",
        unit: "celsius", range: nil, targets: [("DCGM_FI_DEV_GPU_TEMP", legend)],
        thresholds: [
          ("orange", .number(PrometheusEmitter.decimal(thermal.warning.millicelsius))),
          ("red", .number(PrometheusEmitter.decimal(thermal.critical.millicelsius))),
        ]))
    let limits = Set(plan.allocation.powerLimits.map(\.limit))
    var power = "Board power of each GPU."
    var powerLine: [(String, JSONValue)] = []
    if limits.count == 1, let limit = limits.first {
      power += " The line is the planned power limit, \(limit)."
      powerLine = [("red", .number(limit.wattsText))]
    }
    layout.add(
      timeSeries(
        "GPU power", power, unit: "watt", range: nil, targets: [("DCGM_FI_DEV_POWER_USAGE", legend)],
        thresholds: powerLine))
    layout.add(
      stat(
        "Last XID error", "The last XID error each GPU reported (0: none); the rules warn on any other.",
        expr: "DCGM_FI_DEV_XID_ERRORS", legend: legend, thresholds: [("red", 1)]))
  }

  static func hostRow(_ plan: Plan, _ layout: inout Layout) {
    layout.row("Host")
    let cpu = plan.allocation.cpu
    var targets: [(String, String)] = []
    if !cpu.isolated.isEmpty { targets.append((busy(cpu.isolated, by: "instance"), "isolated (\(cpu.isolated))")) }
    targets.append((busy(cpu.housekeeping, by: "instance"), "housekeeping (\(cpu.housekeeping))"))
    layout.add(
      timeSeries(
        "CPU busy: isolated and housekeeping",
        "The share of time the isolated CPUs (rig's workloads only) and the housekeeping CPUs (the system) were busy.",
        unit: "percentunit", range: (0, 1), targets: targets))
    let floor: ByteCount
    let why: String
    if let reserve = PrometheusEmitter.memoryReserve(plan) {
      floor = reserve
      why = "the memory reserve, \(reserve)"
    } else {
      floor = ByteCount(bytes: plan.spec.hardware.memory.value.bytes / 10)
      why = "a tenth of the machine's memory"
    }
    layout.add(
      timeSeries(
        "Memory available", "Memory the kernel can give without swapping; below the line (\(why)) the rules warn.",
        unit: "bytes", range: nil, targets: [("node_memory_MemAvailable_bytes", "{{instance}}")],
        thresholds: [("green", .int(floor.bytes))], base: "red"))
  }

  /// A component's row: how busy its own CPUs are (isolated cores, or CPUs it names), and for a Kubernetes workload
  /// with a GPU, the GPU memory its container uses against its budget. Nothing for a component on the shared
  /// housekeeping CPUs without one: no metric tells its share apart.
  static func componentRow(_ component: Component, _ plan: Plan, _ layout: inout Layout) {
    let name = component.name.value
    var panels: [JSONValue] = []
    if let cpu = plan.cpu(of: name),
      cpu.placement == .isolated || component.resources.cpu?.cpus != nil
    {
      panels.append(
        timeSeries(
          "\(name): its CPUs", "How busy each of the CPUs \(name) runs on (\(cpu.cpus)) was.",
          unit: "percentunit", range: (0, 1), targets: [(busy(cpu.cpus, by: "instance, cpu"), "CPU {{cpu}}")]))
    }
    if component.effectiveRuntime == .kubernetes, KubernetesFacts.nodeAgents[name] == nil,
      let budget = component.resources.gpu?.memory.value, let stack = plan.spec.targets.kubernetes?.namespace.value
    {
      let namespace = KubernetesFacts.namespace(of: component, stack: stack)
      panels.append(
        timeSeries(
          "\(name): GPU memory",
          "GPU memory the container \(name) uses on each of its GPUs (dcgm-exporter's pod mapping); the line "
            + "is its budget, \(budget).",
          unit: "bytes", range: nil,
          targets: [
            (
              "sum by (gpu) (DCGM_FI_DEV_FB_USED{namespace=\"\(namespace)\", container=\"\(name)\"}) * 1048576",
              "GPU {{gpu}}"
            )
          ],
          thresholds: [("red", .int(budget.bytes))]))
    }
    guard !panels.isEmpty else { return }
    layout.row(name)
    for panel in panels { layout.add(panel) }
  }

  /// The share of time the CPUs of `cpus` were busy, averaged by `labels`.
  static func busy(_ cpus: CPUList, by labels: String) -> String {
    let list = cpus.cpus.map(String.init).joined(separator: "|")
    return "1 - avg by (\(labels)) (rate(node_cpu_seconds_total{mode=\"idle\", cpu=~\"\(list)\"}[$__rate_interval]))"
  }

  // MARK: - Panels

  /// Panels in Grafana's 24-column grid: a full-width row header, then panels two to a line.
  struct Layout {
    var panels: [JSONValue] = []
    var nextID = 1
    var y = 0
    var column = 0

    mutating func row(_ title: String) {
      if column > 0 { y += 8 }
      column = 0
      panels.append(
        [
          "id": .int(nextID), "type": "row", "title": .string(title), "collapsed": false,
          "gridPos": ["h": 1, "w": 24, "x": 0, "y": .int(y)], "panels": [],
        ])
      nextID += 1
      y += 1
    }

    mutating func add(_ panel: JSONValue) {
      guard case .object(let members) = panel else { return }
      let placed: [(String, JSONValue)] =
        [("id", .int(nextID))] + members + [
          ("gridPos", ["h": 8, "w": 12, "x": .int(column * 12), "y": .int(y)])
        ]
      panels.append(.object(placed))
      nextID += 1
      column += 1
      if column == 2 {
        column = 0
        y += 8
      }
    }
  }

  static func thresholdSteps(_ steps: [(String, JSONValue)], base: String) -> JSONValue {
    [
      "mode": "absolute",
      "steps": .array(
        [["color": .string(base), "value": nil]] + steps.map { ["color": .string($0.0), "value": $0.1] }),
    ]
  }

  static func timeSeries(
    _ title: String, _ description: String, unit: String, range: (Int, Int)?, targets: [(String, String)],
    thresholds: [(String, JSONValue)] = [], base: String = "green"
  ) -> JSONValue {
    var defaults: [(String, JSONValue)] = [("unit", .string(unit))]
    if let range { defaults += [("min", .int(range.0)), ("max", .int(range.1))] }
    defaults.append(("thresholds", thresholdSteps(thresholds, base: base)))
    defaults.append(
      ("custom", ["thresholdsStyle": ["mode": thresholds.isEmpty ? "off" : "line"], "fillOpacity": 10]))
    return [
      "type": "timeseries", "title": .string(title), "description": .string(description), "datasource": datasource,
      "fieldConfig": ["defaults": .object(defaults), "overrides": []],
      "options": [
        "legend": ["displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": []],
        "tooltip": ["mode": "multi", "sort": "none"],
      ],
      "targets": .array(
        targets.enumerated().map { index, target in
          [
            "datasource": datasource, "refId": .string(String(UnicodeScalar(UInt8(65 + index)))),
            "expr": .string(target.0), "legendFormat": .string(target.1),
          ]
        }),
    ]
  }

  static func stat(
    _ title: String, _ description: String, expr: String, legend: String, thresholds: [(String, JSONValue)]
  ) -> JSONValue {
    [
      "type": "stat", "title": .string(title), "description": .string(description), "datasource": datasource,
      "fieldConfig": [
        "defaults": ["unit": "none", "thresholds": thresholdSteps(thresholds, base: "green")], "overrides": [],
      ],
      "options": [
        "reduceOptions": ["calcs": ["lastNotNull"], "fields": "", "values": false],
        "colorMode": "background", "graphMode": "none", "textMode": "auto", "orientation": "auto",
        "justifyMode": "auto",
      ],
      "targets": [["datasource": datasource, "refId": "A", "expr": .string(expr), "legendFormat": .string(legend)]],
    ]
  }

  // MARK: - Provisioning

  /// The data source: this machine's Prometheus, as Grafana on the machine reaches it.
  static func datasourceDocument(_ plan: Plan) -> YAMLValue {
    [
      "apiVersion": 1,
      "datasources": [
        [
          "name": .string("rig Prometheus (\(plan.spec.name.value))"), "type": "prometheus",
          "uid": .string(datasourceUID), "access": "proxy",
          "url": .string("http://127.0.0.1:\(Alerting.prometheusPort)"), "isDefault": false,
          "editable": false, "jsonData": ["timeInterval": .string(Alerting.scrapeInterval)],
        ]
      ],
    ]
  }

  /// The dashboard provider: the folder `rig.json` goes in, shown in Grafana's folder `rig`, not editable there.
  static func providerDocument() -> YAMLValue {
    [
      "apiVersion": 1,
      "providers": [
        [
          "name": "rig", "type": "file", "folder": "rig", "disableDeletion": true, "allowUiUpdates": false,
          "updateIntervalSeconds": 60, "options": ["path": .string(dashboardFolder)],
        ]
      ],
    ]
  }
}
