import Foundation
import Testing

/// `rig mcp` driven by a real MCP client, the official Python SDK (PyPI `mcp`, in the test venv), through
/// scripts/agent/mcp_client.py: the tools and their annotations, plan's JSON against the CLI's, render declined and
/// accepted through elicitation, stale and edited plans, a conflict that needs a person, paths outside the project,
/// unknown tools and malformed JSON-RPC; then the output folder and the audit log here.
@Suite struct MCPTests {
  @Test func anAgentPlansAndAPersonApproves() throws {
    let scratch = try KillScratch("mcp")
    let project = try scratch.project("proj", SavedPlanTests.project)
    try SavedPlanTests.more.write(toFile: project + "/more.yaml", atomically: true, encoding: .utf8)
    _ = try scratch.project("proj/conflict", Self.conflict)
    // A captured machine for probe and verify, inside the project folder.
    let untar = try run(
      "/usr/bin/env",
      [
        "tar", "-xf", ProbeCommandTests.fixtures + "/sysfs/nri-plugins-pkg-sysfs-test-data-sample1.tar.xz", "-C",
        project,
      ])
    try #require(untar.status == 0, "\(untar.stderr)")
    try FileManager.default.moveItem(atPath: project + "/sample1", toPath: project + "/machine")
    try FileManager.default.createDirectory(atPath: project + "/machine/etc", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: ProbeCommandTests.fixtures + "/os-release/python-distro-debian13-etc-os-release",
      toPath: project + "/machine/etc/os-release")
    // Nothing installed: an empty dpkg database.
    try FileManager.default.createDirectory(
      atPath: project + "/machine/var/lib/dpkg", withIntermediateDirectories: true)
    try "".write(toFile: project + "/machine/var/lib/dpkg/status", atomically: true, encoding: .utf8)
    let out = scratch.path + "/out"

    let client = try run(
      try validator("python3"),
      [packageRoot + "/scripts/agent/mcp_client.py", "--rig", try rigBinary(), "--project", project, "--out", out])
    #expect(client.status == 0, "\(client.stderr)")
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(client.stdout.utf8)) as? [String: Any], "\(client.stdout)")
    let calls = try #require(summary["calls"] as? Int)
    let plans = try #require(summary["plans"] as? [String])
    let asked = try #require(summary["asked"] as? [String])

    // The person saw the plan's summary and its kernel lines.
    #expect(asked.count == 2)
    #expect(asked.first?.contains("+ kernel/cmdline.txt (kernel parameters)") == true, "\(asked)")

    // One audit line per call, each whole JSON; the renders with their plan and answer.
    let log = try String(contentsOfFile: scratch.path + "/.out.rig-audit.jsonl", encoding: .utf8)
    let lines = log.split(separator: "\n").map(String.init)
    #expect(lines.count == calls)
    let entries = try lines.map { line in
      try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
    }
    let renders = entries.filter { $0["tool"] as? String == "render" }
    let answers = renders.map { ($0["approval"] as? [String: Any])?["answer"] as? String ?? "-" }
    #expect(answers == ["declined", "accepted", "-", "-", "-", "-"], "\(renders)")
    #expect(renders.prefix(3).allSatisfy { $0["plan"] as? String == plans.first })
    #expect(
      renders.map { $0["outcome"] as? String ?? "" } == ["declined", "ok", "refused", "refused", "refused", "refused"])
    #expect(entries.contains { $0["outcome"] as? String == "needs-person" })

    // The conflict's document is check's, with the escalation the plan schema describes.
    let conflict = try JSONSerialization.data(withJSONObject: try #require(summary["conflict"]))
    try conflict.write(to: URL(fileURLWithPath: scratch.path + "/conflict.json"))
    let schema = try run(
      try validator("check-jsonschema"),
      ["--schemafile", packageRoot + "/schemas/plan.schema.json", scratch.path + "/conflict.json"])
    #expect(schema.status == 0, "\(schema.stdout)\(schema.stderr)")

    // The plan a client without a person could not render, a person renders in a terminal: rig and rig-mcp are
    // one build of rig.
    let last = try #require(plans.last)
    let rendered = try run(try rigBinary(), ["render", "--plan", scratch.path + "/.out.rig-plans/\(last).json"])
    #expect(rendered.status == 0, "\(rendered.stderr)")
    #expect(rendered.stdout.contains("'\(out)' is up to date"), "\(rendered.stdout)")

    // rig audit prints it as a table, a row per call.
    let audit = try run(try rigBinary(), ["audit", "--out", out])
    #expect(audit.status == 0, "\(audit.stderr)")
    #expect(audit.stdout.contains("\(calls) calls in"))
    #expect(audit.stdout.contains("accepted"))
  }

  /// Four cores, and a service that asks for eight isolated ones: only a person can choose what gives.
  static let conflict = """
    apiVersion: rig/v1
    name: conflict
    hardware:
      cpu:
        hybrid: { performance: 4, efficiency: 0 }
      memory: 16GiB
      os: { distribution: debian, release: bookworm }
    sources: [debian-bookworm]
    stack: [prometheus-node-exporter]
    components:
      prometheus-node-exporter:
        runtime: systemd
        resources:
          cpu: { cores: 8, placement: isolated }
    targets:
      systemd: {}
    """
}
