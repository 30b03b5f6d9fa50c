import Foundation
import RigBasics
import RigModel

/// Everything `rig probe` read from one machine.
public struct MachineFacts: Sendable, Hashable {
  public var cpu: ProbedCPU
  public var memory: ProbedMemory
  public var os: ProbedOS
  /// nil when no `nvidia-smi -q -x` document was read (no NVIDIA driver, or a captured tree without one).
  public var gpus: ProbedGPUs?
  /// Where the machine was read: `/` or the captured tree's folder.
  public var root: String

  /// Reads the machine under `tree`; `gpus` is the parsed `nvidia-smi -q -x` document, when there is one.
  public static func read(_ tree: MachineTree, gpus: ProbedGPUs?) throws(ProbeError) -> MachineFacts {
    MachineFacts(
      cpu: try ProbedCPU.read(tree), memory: try ProbedMemory.read(tree), os: try ProbedOS.read(tree), gpus: gpus,
      root: tree.root)
  }
}

// MARK: Output

extension MachineFacts {
  /// A `hardware:` block for rig.yaml (or, with `starter`, a whole rig.yaml around it), each fact with a comment
  /// saying where it came from. The topology is the `hybrid:` shorthand only when the shorthand yields exactly
  /// the cores read; otherwise every core is listed.
  public func yaml(starter: Bool = false, name: String = "workstation") -> String {
    var lines: [String] = []
    lines.append("# Read by rig probe from \(root == "/" ? "this machine" : root).")
    if starter {
      lines += ["apiVersion: rig/v1", "name: \(name)", ""]
    }
    lines.append("hardware:")
    lines.append("  cpu:")
    if let model = cpu.model {
      lines.append("    model: \(quoted(model))  # model name in /proc/cpuinfo")
    } else {
      lines.append("    # no model: /proc/cpuinfo names none")
    }
    let packages = cpu.packages.map { ", \($0) package\($0 == 1 ? "" : "s")" } ?? ""
    lines.append(
      "    # \(cpu.online.count) online CPUs (\(cpu.online)) in \(cpu.cores.count) cores\(packages); siblings from "
        + "\(cpu.siblingsSource)")
    lines.append("    # core types: \(cpu.kindsSource)")
    if !cpu.offline.isEmpty {
      lines.append("    # CPUs \(cpu.offline) are offline (/sys/devices/system/cpu/offline) and not listed")
    }
    if let shorthand = cpu.shorthand {
      let threads = shorthand.threads == 2 ? "" : ", threads_per_performance_core: \(shorthand.threads)"
      let smt = shorthand.threads > 1 ? ", smt: \(shorthand.smt.rawValue)" : ""
      lines.append(
        "    hybrid: { performance: \(shorthand.performance), efficiency: \(shorthand.efficiency)\(threads)\(smt) }")
    } else {
      lines.append("    cores:")
      for core in cpu.cores {
        lines.append(
          "      - { type: \(core.kind.rawValue), threads: [\(core.threads.map(String.init).joined(separator: ", "))] }"
        )
      }
    }
    lines.append("    boot_cpu: 0  # Linux numbers the processor it boots on 0")
    lines.append("  memory: \(memory.total)  # \(memory.source)")
    if let gpus, !gpus.gpus.isEmpty {
      let driver = gpus.driverVersion.map { ", driver \($0)" } ?? ""
      lines.append("  # nvidia-smi -q -x (\(gpus.source)\(driver))")
      for note in gpus.notes { lines.append("  # \(note)") }
      lines.append("  gpus:")
      for gpu in gpus.gpus {
        lines.append(
          "    - name: gpu\(gpu.index)  # nvidia-smi index \(gpu.index)\(gpu.busID.map { ", bus \($0)" } ?? "")")
        lines.append("      model: \(quoted(gpu.model))  # product_name")
        if let architecture = gpu.architecture {
          lines.append("      architecture: \(architecture.rawValue)  # \(gpu.architectureSource)")
        } else {
          lines.append("      # architecture \(gpu.architectureSource)")
        }
        var memoryNote = "fb_memory_usage total"
        if let instances = gpu.migInstances {
          memoryNote +=
            ", the whole card's: MIG is enabled, with \(instances.count) instance\(instances.count == 1 ? "" : "s") "
            + "(\(instances.map(\.description).joined(separator: ", "))), and rig places workloads on whole GPUs"
        }
        lines.append("      memory: \(gpu.memory)  # \(memoryNote)")
        if let power = gpu.power {
          let defaultLimit = power.defaultLimit.map { "default: \($0), " } ?? ""
          let current = power.current.map { "; the limit in force is \($0)" } ?? ""
          lines.append(
            "      power: { \(defaultLimit)min: \(power.min), max: \(power.max) }  # *_power_limit\(current)")
        } else {
          lines.append("      # no power range: the driver reports no min_power_limit and max_power_limit")
        }
      }
    } else if gpus != nil {
      lines.append("  # nvidia-smi -q -x lists no GPU")
    } else {
      lines.append("  # no GPUs: no nvidia-smi -q -x was read")
    }
    lines.append("  os: { distribution: \(os.distribution), release: \(os.release) }  # \(os.source)")
    if starter {
      lines += [
        "", "# Catalogs whose versions may be used, and what to install or run.",
        "sources: [debian-\(os.release)]", "stack: []",
      ]
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The facts as JSON, with the source of each.
  public var json: JSONValue {
    var object: [(String, JSONValue)] = [("root", .string(root))]
    object.append(
      (
        "cpu",
        .object([
          ("model", cpu.model.map(JSONValue.string) ?? .null),
          (
            "cores",
            .array(
              cpu.cores.map {
                .object([("type", .string($0.kind.rawValue)), ("threads", .array($0.threads.map(JSONValue.int)))])
              })
          ),
          ("online", .string(cpu.online.description)), ("offline", .string(cpu.offline.description)),
          ("packages", cpu.packages.map(JSONValue.int) ?? .null),
          ("smt", cpu.shorthand.map { .string($0.smt.rawValue) } ?? .null),
          ("siblings_source", .string(cpu.siblingsSource)), ("types_source", .string(cpu.kindsSource)),
        ])
      ))
    object.append(
      (
        "memory",
        .object([
          ("bytes", .int(memory.total.bytes)), ("text", .string(memory.total.description)),
          ("source", .string(memory.source)),
        ])
      ))
    object.append(
      (
        "os",
        .object([
          ("distribution", .string(os.distribution)), ("release", .string(os.release)), ("source", .string(os.source)),
        ])
      ))
    if let gpus {
      object.append(
        (
          "gpus",
          .object([
            ("source", .string(gpus.source)), ("driver", gpus.driverVersion.map(JSONValue.string) ?? .null),
            ("cuda", gpus.cudaVersion.map(JSONValue.string) ?? .null),
            ("notes", .array(gpus.notes.map(JSONValue.string))),
            ("devices", .array(gpus.gpus.map(\.json))),
          ])
        ))
    } else {
      object.append(("gpus", .null))
    }
    return .object(object)
  }

  func quoted(_ text: String) -> String {
    JSONValue.string(text).serialized().trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

extension ProbedGPU {
  var json: JSONValue {
    var power: JSONValue = .null
    if let limits = self.power {
      power = .object([
        ("default", limits.defaultLimit.map { .string($0.description) } ?? .null),
        ("min", .string(limits.min.description)), ("max", .string(limits.max.description)),
        ("current", limits.current.map { .string($0.description) } ?? .null),
      ])
    }
    return .object([
      ("name", .string("gpu\(index)")), ("model", .string(model)),
      ("architecture", architecture.map { .string($0.rawValue) } ?? .null),
      ("architecture_source", .string(architectureSource)),
      ("memory", .string(memory.description)), ("power", power),
      ("persistence_mode", persistenceMode.map(JSONValue.bool) ?? .null),
      ("mig_instances", migInstances.map { .array($0.map { .string($0.description) }) } ?? .null),
      ("uuid", uuid.map(JSONValue.string) ?? .null), ("bus", busID.map(JSONValue.string) ?? .null),
    ])
  }
}
