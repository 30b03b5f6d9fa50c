import RigAllocation
import RigBasics
import RigModel
import RigPlan

/// What makes the alerts of `rules.yml` seen, routed and acted on, on the machine itself: Debian's `prometheus`
/// scraping the exporters the stack runs, Debian's `prometheus-alertmanager` routing the alerts by severity, and
/// rig's thermal guard, the receiver that acts on the blueprint's thermal emergency ("gpu_temp_>85C_sustained_>5min
/// → immediate_workload_suspension").
///
/// Ports are the exporters' registered defaults (https://github.com/prometheus/prometheus/wiki/Default-port-allocations):
/// Prometheus 9090, Alertmanager 9093, node_exporter 9100, dcgm-exporter 9400. Debian's prometheus package is
/// built without Kubernetes service discovery (`promtool check config` of 2.42 rejects `kubernetes_sd_configs`),
/// so every target is a static address on the machine: dcgm-exporter runs on the host network (the Kubernetes
/// target's DaemonSet), node_exporter is the host's package or a DaemonSet on the host network.
enum Alerting {
  /// How often Prometheus scrapes and evaluates the rules; Grafana's data source says the same.
  static let scrapeInterval = "15s"

  static let prometheusPort = 9090
  static let alertmanagerPort = 9093
  static let nodeExporterPort = 9100
  static let dcgmExporterPort = 9400
  /// The thermal guard's port on 127.0.0.1, free in the default-port allocations above.
  static let guardPort = 9095
  static let guardAlert = "RigGPUTemperatureCritical"
  static let guardUnit = "rig-thermal-guard.service"
  static let guardProgram = "/usr/local/lib/rig/thermal-guard"

  /// The scrape jobs: Prometheus and Alertmanager themselves, then each exporter the stack runs. The job names are
  /// the ones `rules.test.yml` gives its series.
  static func scrapeJobs(_ plan: Plan) -> [(job: String, port: Int)] {
    var jobs = [("prometheus", prometheusPort), ("alertmanager", alertmanagerPort)]
    if plan.component(named: "prometheus-node-exporter") != nil { jobs.append(("node", nodeExporterPort)) }
    if plan.component(named: "dcgm-exporter") != nil { jobs.append(("dcgm-exporter", dcgmExporterPort)) }
    return jobs
  }

  /// `prometheus.yml` for Debian's Prometheus (`/etc/prometheus/prometheus.yml`): rig's rules beside it, the local
  /// Alertmanager, and a static job per target.
  static func prometheusConfig(_ plan: Plan) -> YAMLValue {
    [
      "global": ["scrape_interval": .string(scrapeInterval), "evaluation_interval": .string(scrapeInterval)],
      "rule_files": ["rules.yml"],
      "alerting": [
        "alertmanagers": [["static_configs": [["targets": [.string("127.0.0.1:\(alertmanagerPort)")]]]]]
      ],
      "scrape_configs": .list(
        scrapeJobs(plan).map { job in
          ["job_name": .string(job.job), "static_configs": [["targets": [.string("127.0.0.1:\(job.port)")]]]]
        }),
    ]
  }

  /// `alertmanager.yml` for Debian's Alertmanager (`/etc/prometheus/alertmanager.yml`). The critical temperature
  /// alert goes to the thermal guard at once and again every 5 minutes while it fires (so a guard that restarted
  /// acts again), with its resolution; then, like every critical alert, to the operator, sooner and more often than
  /// a warning. A critical temperature silences the warning of the same GPU.
  static func alertmanagerConfig(_ plan: Plan) -> YAMLValue {
    var routes: [YAMLValue] = []
    var receivers: [YAMLValue] = [["name": "operator"]]
    if guardEnabled(plan) {
      routes.append(
        [
          "matchers": [.string("alertname=\"\(guardAlert)\"")],
          "receiver": "thermal-guard",
          "group_by": ["alertname"],
          "group_wait": "0s", "group_interval": "30s", "repeat_interval": "5m",
          "continue": true,
        ])
      receivers.append(
        [
          "name": "thermal-guard",
          "webhook_configs": [
            ["url": .string("http://127.0.0.1:\(guardPort)/alert"), "send_resolved": true, "max_alerts": 0]
          ],
        ])
    }
    routes.append(
      [
        "matchers": ["severity=\"critical\""], "receiver": "operator",
        "group_wait": "10s", "repeat_interval": "1h",
      ])
    return [
      "route": [
        "receiver": "operator",
        "group_by": ["alertname", "instance"],
        "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h",
        "routes": .list(routes),
      ],
      "inhibit_rules": [
        [
          "source_matchers": ["alertname=\"RigGPUTemperatureCritical\""],
          "target_matchers": ["alertname=\"RigGPUTemperatureWarning\""],
          "equal": ["instance", "gpu"],
        ]
      ],
      "receivers": .list(receivers),
    ]
  }

  /// The guard runs when the machine has GPUs (the critical temperature alert exists only then) and it has
  /// something to do: a GPU service to freeze or a GPU whose power range is known.
  static func guardEnabled(_ plan: Plan) -> Bool {
    let actions = guardActions(plan)
    return !plan.spec.hardware.gpus.isEmpty && !(actions.freeze.isEmpty && actions.limits.isEmpty)
  }

  /// What the guard does for the critical temperature alert: the units it freezes while the alert fires (the
  /// systemd services that use a GPU: `systemctl freeze` stops their processes where they are, and `thaw`
  /// resumes them; where the cgroup v2 freezer is missing, SIGSTOP and SIGCONT to every process of the unit), and the power limits it sets (each GPU whose range is known goes to its minimum, which slows
  /// the Kubernetes workloads too, whose cgroups belong to the kubelet; it goes back to the planned limit, else its
  /// default, else its maximum).
  static func guardActions(_ plan: Plan) -> (freeze: [String], limits: [(gpu: Int, low: Power, restore: Power)]) {
    let freeze = plan.services.filter { $0.declaration.resources.gpu != nil }.map {
      ServiceUnit(service: $0, plan: plan).unitName
    }
    var limits: [(Int, Power, Power)] = []
    for (index, gpu) in plan.spec.hardware.gpus.enumerated() {
      guard let range = gpu.power else { continue }
      let planned = plan.allocation.powerLimits.first { $0.index == index }?.limit
      limits.append((index, range.min.value, planned ?? range.defaultLimit?.value ?? range.max.value))
    }
    return (freeze, limits)
  }

  /// The guard's unit: the program rig installs, listening on 127.0.0.1 only, as root (`systemctl freeze` and
  /// `nvidia-smi --power-limit` need it) in the power unit's sandbox, with the loopback network instead of none.
  static func guardUnitText(_ plan: Plan, header: String) -> String {
    let actions = guardActions(plan)
    var arguments = ["--listen", "127.0.0.1:\(guardPort)", "--alert", guardAlert]
    for unit in actions.freeze { arguments += ["--freeze", unit] }
    for limit in actions.limits {
      arguments += ["--power-limit", "\(limit.gpu):\(limit.low.wattsText):\(limit.restore.wattsText)"]
    }
    var text = header + "[Unit]\nDescription=rig: thermal guard, Alertmanager's receiver for \(guardAlert)\n"
    text += "After=network.target\n\n[Service]\nExecStart=\(guardProgram) \(arguments.joined(separator: " "))\n"
    text += "Restart=on-failure\n"
    text += "# Root, for systemctl freeze and the power limit, with administrator rights alone; the NVIDIA devices\n"
    text += "# only; the loopback address only.\n"
    text += SystemdEmitter.rootSandbox
      .replacingOccurrences(of: "PrivateNetwork=yes\n", with: "")
      .replacingOccurrences(of: "IPAddressDeny=any\n", with: "IPAddressDeny=any\nIPAddressAllow=localhost\n")
      .replacingOccurrences(
        of: "RestrictAddressFamilies=AF_UNIX\n", with: "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n")
    text += "\n[Install]\nWantedBy=multi-user.target\n"
    return text
  }

  /// The guard: Alertmanager's webhook receiver (payload version 4,
  /// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). A notification about the guarded
  /// alert that has a firing alert suspends (freeze, power down), one whose alerts are all resolved resumes; each
  /// action is idempotent, so repeats and restarts are harmless. `--once FILE` handles one payload from a file and
  /// exits, for tests. The interpreter line, then rig's header.
  static func guardScript(header: String) -> String { "#!/usr/bin/python3\n" + header + guardProgramText }

  static let guardProgramText = #"""
    """rig's thermal guard: Alertmanager's webhook receiver for one alert. While the alert fires, it freezes the
    given systemd units and lowers the given GPUs' power limits; once it is resolved, it thaws the units and
    restores the limits. Every action is logged; a failed action does not stop the others."""
    import argparse
    import json
    import subprocess
    import sys
    from http.server import BaseHTTPRequestHandler, HTTPServer


    def options(argv):
        parser = argparse.ArgumentParser(prog="thermal-guard")
        parser.add_argument("--listen", default="127.0.0.1:9095", help="ADDRESS:PORT to serve the webhook on")
        parser.add_argument("--alert", required=True, help="the alert name that acts")
        parser.add_argument("--freeze", action="append", default=[], metavar="UNIT")
        parser.add_argument("--power-limit", action="append", default=[], metavar="GPU:LOW:RESTORE")
        parser.add_argument("--once", metavar="FILE", help="handle one payload from FILE ('-': stdin) and exit")
        parsed = parser.parse_args(argv)
        parsed.limits = []
        for item in parsed.power_limit:
            gpu, low, restore = item.split(":")
            parsed.limits.append((int(gpu), low, restore))
        return parsed


    def run(command):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            status = "ok" if done.returncode == 0 else "failed (exit %d): %s" % (done.returncode, done.stderr.strip())
        except (OSError, subprocess.TimeoutExpired) as error:
            status = "failed: %s" % error
        print("thermal-guard: %s: %s" % (" ".join(command), status), flush=True)
        return status == "ok"


    def handle(payload, opts):
        """What the guard does with one notification: 'suspend', 'resume' or 'ignore'."""
        if not isinstance(payload, dict) or payload.get("version") != "4":
            raise ValueError("not an Alertmanager webhook payload (version 4)")
        alerts = [a for a in payload.get("alerts") or [] if (a.get("labels") or {}).get("alertname") == opts.alert]
        if not alerts:
            return "ignore"
        if any(a.get("status") == "firing" for a in alerts):
            for unit in opts.freeze:
                # Without the cgroup v2 freezer (a cgroup v1 host), stop every process of the unit instead.
                if not run(["systemctl", "freeze", unit]):
                    run(["systemctl", "kill", "--signal=SIGSTOP", unit])
            for gpu, low, _ in opts.limits:
                run(["nvidia-smi", "--id=%d" % gpu, "--power-limit=%s" % low])
            return "suspend"
        for unit in opts.freeze:
            if not run(["systemctl", "thaw", unit]):
                run(["systemctl", "kill", "--signal=SIGCONT", unit])
        for gpu, _, restore in opts.limits:
            run(["nvidia-smi", "--id=%d" % gpu, "--power-limit=%s" % restore])
        return "resume"


    def serve(opts):
        host, port = opts.listen.rsplit(":", 1)

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                if self.path != "/alert" or not 0 < length <= 1 << 20:
                    self.send_error(400, "POST an Alertmanager payload to /alert")
                    return
                try:
                    outcome = handle(json.loads(self.rfile.read(length)), opts)
                except ValueError as error:
                    self.send_error(400, str(error))
                    return
                print("thermal-guard: %s" % outcome, flush=True)
                self.send_response(200)
                self.end_headers()
                self.wfile.write((outcome + "\n").encode())

            def log_message(self, *args):
                pass

        print("thermal-guard: listening on %s:%s for %s" % (host, port, opts.alert), flush=True)
        HTTPServer((host, int(port)), Receiver).serve_forever()


    def main(argv):
        opts = options(argv)
        if opts.once is None:
            serve(opts)
            return 0
        source = sys.stdin if opts.once == "-" else open(opts.once, encoding="utf-8")
        with source:
            print("thermal-guard: %s" % handle(json.load(source), opts), flush=True)
        return 0


    if __name__ == "__main__":
        sys.exit(main(sys.argv[1:]))

    """#
}
