import Foundation
import RigBasics
import RigCompiler
import RigEmitters
import RigModel
import RigPlan
import Testing

/// The fleet example's text with `edit` applied, checked as if it were the example.
func fleetExample(_ edit: (String) -> String = { $0 }) throws -> CheckResult {
  let path = packageRoot + "/examples/fleet/rig.yaml"
  return RigCompiler.check(text: edit(try String(contentsOfFile: path, encoding: .utf8)), file: "rig.yaml")
}

/// A fleet: each host resolved and allocated on its own, diagnostics naming the hosts, and one cluster.
@Suite struct FleetCompilerTests {
  @Test func aProblemSeveralHostsShareIsReportedOnceWithTheirNames() throws {
    // ollama comes from 'upstream', which only the GPU workers' stack needs.
    let result = try fleetExample {
      $0.replacingOccurrences(
        of: "sources: [debian-bookworm, nvidia-container-toolkit, kubernetes, upstream]",
        with: "sources: [debian-bookworm, nvidia-container-toolkit, kubernetes]")
    }
    let errors = result.diagnostics.diagnostics.filter { $0.severity == .error }
    #expect(errors.map(\.id.rawValue) == ["unresolvable"])
    #expect(errors.first?.notes.first?.message == "on hosts 'ws-4070' and 'ws-4090'")
  }

  @Test func hostListsNameTheFirstThreeAndCountTheRest() {
    #expect(RigCompiler.hostsNote(["a"], of: 3) == "on host 'a'")
    #expect(RigCompiler.hostsNote(["a", "b"], of: 3) == "on hosts 'a' and 'b'")
    #expect(RigCompiler.hostsNote(["a", "b", "c"], of: 3) == "on every host")
    #expect(RigCompiler.hostsNote(["a", "b", "c", "d", "e"], of: 9) == "on hosts 'a', 'b', 'c' and 2 more")
    #expect(RigCompiler.hostsNote(["a"], of: 1) == "on host 'a'")
  }

  @Test func aHostOverItsGPUBudgetIsNamedWithTheContributors() throws {
    // The RTX 4070 (12GiB, 1GiB reserved) cannot hold ComfyUI's 12GiB beside Ollama's 8GiB.
    let result = try fleetExample {
      $0.replacingOccurrences(
        of: "    groups: [gpu_workers]\n    hardware:\n      cpu: { model: Intel Core i7-14700K",
        with: "    groups: [gpu_workers]\n    stack: [comfyui]\n    hardware:\n      cpu: { model: Intel Core i7-14700K"
      )
    }
    let text = renderedDiagnostics(result)
    #expect(result.hasErrors)
    #expect(text.contains("note: on host 'ws-4070'"), "\(text)")
    #expect(text.contains("comfyui") && text.contains("ollama"), "\(text)")
    #expect(!text.contains("ws-4090"), "\(text)")
  }

  @Test func aWorkloadDeclaredDifferentlyOnTwoHostsIsRefused() throws {
    let result = try fleetExample {
      $0.replacingOccurrences(
        of: "    stack: [comfyui]         # only the large GPU runs ComfyUI next to Ollama\n",
        with: """
              stack: [comfyui]
              components:
                ollama:
                  runtime: kubernetes
                  image: docker.io/ollama/ollama:0.21.0
                  resources: { memory: 8GiB, gpu: { memory: 10GiB, sharing: time-sliced } }

          """)
    }
    let errors = result.diagnostics.diagnostics.filter { $0.severity == .error }
    #expect(errors.map(\.id.rawValue) == ["cluster-conflict"])
    #expect(errors.first?.message == "component 'ollama' is not the same on hosts 'ws-4070' and 'ws-4090'")
    #expect(result.fleet?.cluster == nil)
  }

  @Test func aLocalVolumeOnTwoHostsIsRefused() throws {
    let result = try fleetExample {
      $0.replacingOccurrences(
        of: "    ports: [11434]\n", with: "    ports: [11434]\n    storage: { path: /models, size: 10GiB }\n")
    }
    let errors = result.diagnostics.diagnostics.filter { $0.severity == .error }
    #expect(errors.map(\.id.rawValue) == ["cluster-volume"])
    #expect(
      errors.first?.message
        == "component 'ollama' keeps its state on a local volume, and the stacks of hosts 'ws-4070' and 'ws-4090' hold it"
    )
  }

  @Test func theClusterPlacesEachWorkloadOnTheHostsWhoseStacksHoldIt() throws {
    let result = try fleetExample()
    let cluster = try #require(result.fleet?.cluster?.cluster)
    #expect(cluster.controlPlane == "server")
    #expect(cluster.placement == ["ollama": ["ws-4070", "ws-4090"], "comfyui": ["ws-4090"]])
    #expect(cluster.nodes.map(\.devicePluginConfig) == [nil, "exclusive", "time-sliced-2"])
    let artifacts = RigCompiler.artifacts(result)
    let ollama = try #require(artifacts.first { $0.path == "kubernetes/workload-ollama.yaml" }?.contents)
    #expect(ollama.contains("  replicas: 2\n"))
    #expect(ollama.contains("                      - ws-4070\n                      - ws-4090\n"))
    #expect(ollama.contains("podAntiAffinity"))
    // 8GiB of GPU memory: nodes whose GPU has more than 8191 MiB.
    #expect(
      ollama.contains(
        "key: nvidia.com/gpu.memory\n                    operator: Gt\n                    values:\n                      - '8191'"
      ))
    let comfyui = try #require(artifacts.first { $0.path == "kubernetes/workload-comfyui.yaml" }?.contents)
    #expect(comfyui.contains("  replicas: 1\n") && !comfyui.contains("podAntiAffinity"))
    // The cluster's objects are installed and applied by the control plane alone; each node has its kubelet's.
    let controlPlaneTasks = try #require(artifacts.first { $0.path == "ansible/tasks/server.yml" }?.contents)
    #expect(controlPlaneTasks.contains("Apply workload-ollama.yaml"))
    let workerTasks = try #require(artifacts.first { $0.path == "ansible/tasks/ws-4090.yml" }?.contents)
    #expect(!workerTasks.contains("Apply workload-ollama.yaml"))
    #expect(workerTasks.contains("/etc/kubernetes/kubelet.conf.d/60-rig-cpu-manager.conf"))
    #expect(!artifacts.contains { $0.path.hasPrefix("kubernetes/kubelet") })
  }

  @Test func nodeLabelValuesAreTheModelsWordsJoined() {
    #expect(ClusterView.labelValue("NVIDIA GeForce RTX 4070") == "NVIDIA-GeForce-RTX-4070")
    #expect(ClusterView.labelValue("Intel(R) Xeon(R) E-2388G @ 3.2GHz") == "IntelR-XeonR-E-2388G-3.2GHz")
    #expect(ClusterView.labelValue("  (x)  ") == "x")
    #expect(ClusterView.labelValue("@@") == nil)
    #expect(ClusterView.labelValue(String(repeating: "a", count: 62) + "-b") == String(repeating: "a", count: 62))
  }

  @Test func hostLimitsThePlanToThatHostsFiles() throws {
    let result = try fleetExample()
    let planned = RigCompiler.changes(result, out: nil, host: "ws-4070")
    let paths = try #require(planned.output).changes.map(\.path).filter { $0 != ".rig-manifest.json" }
    #expect(!paths.isEmpty)
    #expect(paths.allSatisfy { FleetLayout.belongs($0, to: "ws-4070") })
    #expect(paths.contains("ansible/tasks/ws-4070.yml") && paths.contains("hosts/ws-4070/kernel/cmdline.txt"))
    let unknown = RigCompiler.changes(result, out: nil, host: "ws-4071")
    #expect(unknown.check.diagnostics.diagnostics.map(\.id.rawValue) == ["unknown-host"])
    #expect(unknown.check.diagnostics.diagnostics.first?.help == ["did you mean 'ws-4070'?"])
    let single = RigCompiler.changes(
      RigCompiler.check(path: packageRoot + "/examples/workstation"), out: nil, host: "workstation")
    #expect(single.check.diagnostics.diagnostics.map(\.id.rawValue) == ["unknown-host"])
  }

  /// `graph` and `verify` read one machine: a fleet's needs `--host`, and its files are the host's own (and the
  /// cluster's objects on the control plane).
  @Test func oneMachineOfAFleet() throws {
    let result = try fleetExample()
    let unnamed = RigCompiler.machine(result, host: nil)
    #expect(
      unnamed.diagnostics.diagnostics.map(\.message) == [
        "the project describes a fleet, and this command reads one machine"
      ])
    #expect(
      unnamed.diagnostics.diagnostics.first?.help == ["name one of its hosts with '--host': server, ws-4070, ws-4090"])
    let worker = RigCompiler.machine(result, host: "ws-4090")
    #expect(!worker.hasErrors)
    #expect(worker.plan?.spec.hardware.gpus.first?.model == "NVIDIA GeForce RTX 4090")
    let workerFiles = RigCompiler.machineArtifacts(result, host: "ws-4090").map(\.path)
    #expect(workerFiles.contains("hosts/ws-4090/kubernetes/kubelet-config.yaml"))
    #expect(workerFiles.allSatisfy { $0.hasPrefix("hosts/ws-4090/") })
    let serverFiles = RigCompiler.machineArtifacts(result, host: "server").map(\.path)
    #expect(serverFiles.contains("kubernetes/nodes.yaml") && serverFiles.contains("hosts/server/kernel/cmdline.txt"))
    #expect(!serverFiles.contains { $0.hasPrefix("hosts/ws-") || $0.hasPrefix("ansible/") })
    let single = RigCompiler.check(path: packageRoot + "/examples/workstation")
    #expect(!RigCompiler.machine(single, host: nil).hasErrors)
    #expect(RigCompiler.machine(single, host: "ws").diagnostics.diagnostics.map(\.id.rawValue) == ["unknown-host"])
  }

  @Test func renderingOneHostLeavesTheOthersFilesAsTheyAre() throws {
    let out = NSTemporaryDirectory() + "rig-fleet-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(!RigCompiler.render(try fleetExample(), out: out).hasErrors)
    // A shared change: every host's node-exporter alerts would change; only ws-4070's are rewritten.
    let changed = try fleetExample {
      $0.replacingOccurrences(of: "memory: { reserve: 4GiB }", with: "memory: { reserve: 6GiB }")
    }
    let rendered = RigCompiler.render(changed, out: out, host: "ws-4070")
    #expect(!rendered.hasErrors)
    let touched = try #require(rendered.output).changes.filter { $0.action != .unchanged }.map(\.path)
    #expect(!touched.filter { $0 != ".rig-manifest.json" }.isEmpty)
    #expect(touched.allSatisfy { $0 == ".rig-manifest.json" || FleetLayout.belongs($0, to: "ws-4070") }, "\(touched)")
    let whole = RigCompiler.changes(changed, out: out)
    let pending = try #require(whole.output).changes.filter { $0.action != .unchanged }.map(\.path)
    #expect(pending.contains { FleetLayout.belongs($0, to: "ws-4090") })
    #expect(!pending.contains { FleetLayout.belongs($0, to: "ws-4070") })
  }
}
