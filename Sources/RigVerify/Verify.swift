import Foundation
import RigBasics
import RigEmitters
import RigModel
import RigPlan
import RigProbe

/// One fact of the plan compared with the machine.
public struct VerifyItem: Sendable, Hashable {
  public enum State: String, Sendable, Hashable {
    case asPlanned = "as planned"
    case drifted
    /// The boot loader has the planned kernel command line; the running kernel was booted without it.
    case rebootPending = "reboot pending"
    /// What this run cannot read (a captured tree has no running services; no nvidia-smi).
    case notRead = "not read"
  }

  /// What is compared: `package git`, `file /etc/systemd/system/rig-x.slice`, `kernel nohz_full`, …
  public var subject: String
  public var planned: String
  public var actual: String
  public var state: State

  public var counts: Bool { state == .drifted || state == .rebootPending }
}

/// Runs a command on the live machine: its exit status and standard output.
public typealias CommandRunner = @Sendable ([String]) throws -> (status: Int32, output: String)

/// What `rig verify` compares: the plan's files, packages, kernel command line, isolated CPUs, slices, units, GPU
/// settings and the kubelet's CPU manager, each read from the machine (or from a captured tree, where what only
/// a running machine can say is not read).
public struct Verification: Sendable {
  public var items: [VerifyItem]

  public var drifted: [VerifyItem] { items.filter(\.counts) }
  public var asPlanned: Int { items.filter { $0.state == .asPlanned }.count }
  public var notRead: Int { items.filter { $0.state == .notRead }.count }

  /// Compares `plan` and its `artifacts` with the machine under `tree`. `run` runs commands on the live machine
  /// (systemctl); nil for a captured tree. `gpus` is the machine's `nvidia-smi -q -x`, when read.
  public static func verify(
    plan: Plan, artifacts: [Artifact], tree: MachineTree, gpus: ProbedGPUs?, run: CommandRunner?
  ) throws(ProbeError) -> Verification {
    var items: [VerifyItem] = []
    let installed = installedFiles(artifacts)
    items += try files(installed, tree)
    if artifacts.contains(where: { $0.target == "ansible" }) { items += try packages(plan.aptPins, tree) }
    items += try kernel(plan, artifacts, tree)
    items += try slices(installed, run: run)
    items += try units(artifacts, gpus: gpus, run: run)
    items += gpuSettings(plan, gpus)
    items += try kubelet(artifacts, tree)
    return Verification(items: items)
  }

  /// Every file the host takes, by host path: the installed artifacts of each target, and the playbook's copies
  /// (`ansible/files/PATH` is `/PATH`), which include its apt sources.
  static func installedFiles(_ artifacts: [Artifact]) -> [(path: String, contents: String)] {
    var files: [String: String] = [:]
    for artifact in artifacts {
      if let installation = artifact.installation {
        files[installation.path] = artifact.contents
      } else if artifact.path.hasPrefix("ansible/files/") {
        files["/" + artifact.path.dropFirst("ansible/files/".count)] = artifact.contents
      }
    }
    return files.keys.sorted().map { ($0, files[$0] ?? "") }
  }

  static func files(_ installed: [(path: String, contents: String)], _ tree: MachineTree) throws(ProbeError)
    -> [VerifyItem]
  {
    try installed.map { file throws(ProbeError) in
      let subject = "file \(file.path)"
      guard let text = try tree.text(file.path) else {
        return VerifyItem(subject: subject, planned: "rig's content", actual: "missing", state: .drifted)
      }
      if text == file.contents {
        return VerifyItem(subject: subject, planned: "rig's content", actual: "rig's content", state: .asPlanned)
      }
      return VerifyItem(
        subject: subject, planned: "rig's content", actual: "changed: " + firstDifference(file.contents, text),
        state: .drifted)
    }
  }

  /// The first line that differs, as `line N: "planned" is "actual"`.
  static func firstDifference(_ planned: String, _ actual: String) -> String {
    let a = planned.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, b.count) {
      let left = index < a.count ? String(a[index]) : "(end of file)"
      let right = index < b.count ? String(b[index]) : "(end of file)"
      if left != right { return "line \(index + 1) is '\(right)', planned '\(left)'" }
    }
    return "line endings differ"
  }

  /// Installed packages from dpkg's database (/var/lib/dpkg/status, the file `dpkg-query -W` reads; read directly so
  /// a captured tree needs no dpkg).
  static func packages(_ pins: [AptPin], _ tree: MachineTree) throws(ProbeError) -> [VerifyItem] {
    guard !pins.isEmpty else { return [] }
    let status = try tree.required("/var/lib/dpkg/status", for: "the installed packages (dpkg's database)")
    var installed: [String: String] = [:]
    for stanza in status.components(separatedBy: "\n\n") {
      var fields: [String: String] = [:]
      for line in stanza.split(separator: "\n") where !line.hasPrefix(" ") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
      guard let name = fields["Package"], let version = fields["Version"],
        fields["Status"]?.hasSuffix(" installed") == true
      else { continue }
      let architecture = fields["Architecture"] ?? "amd64"
      installed["\(name):\(architecture)"] = version
    }
    return pins.map { pin in
      let subject = "package \(pin.package)\(pin.architecture == "amd64" ? "" : ":" + pin.architecture)"
      let actual =
        installed["\(pin.package):\(pin.architecture)"]
        ?? (pin.architecture == "amd64" ? installed["\(pin.package):all"] : nil)
      return VerifyItem(
        subject: subject, planned: pin.version.description, actual: actual ?? "not installed",
        state: actual == pin.version.description ? .asPlanned : .drifted)
    }
  }

  /// The kernel command line (/proc/cmdline) holds every planned parameter, or the boot loader's drop-in does and a
  /// reboot is pending; the isolated CPUs the kernel reports (`isolated`: the CPUs out of scheduler domains, only
  /// with `isolcpus=domain`; `nohz_full`) are the planned ones once it runs with them.
  static func kernel(_ plan: Plan, _ artifacts: [Artifact], _ tree: MachineTree) throws(ProbeError) -> [VerifyItem] {
    let parameters = plan.allocation.cpu.kernelParameters
    guard !parameters.isEmpty else { return [] }
    // A machine's root read from outside it (a container's folder on its host) has an empty /proc: not read.
    guard let cmdline = try tree.text("/proc/cmdline") else {
      if tree.root == "/" { _ = try tree.required("/proc/cmdline", for: "the running kernel's command line") }
      return parameters.map {
        VerifyItem(
          subject: "kernel command line", planned: $0, actual: "the tree has no /proc/cmdline", state: .notRead)
      }
    }
    let running = Set(cmdline.split(whereSeparator: \.isWhitespace).map(String.init))
    let missing = parameters.filter { !running.contains($0) }
    if !missing.isEmpty {
      // The boot loader's configuration: the installed file whose change regenerates it (the GRUB drop-in).
      let bootLoader = artifacts.first { $0.installation?.effects.contains(.updateBootLoader) == true }
      var staged = false
      if let bootLoader, let installation = bootLoader.installation {
        staged = try tree.text(installation.path) == bootLoader.contents
      }
      return missing.map { parameter in
        VerifyItem(
          subject: "kernel command line", planned: parameter,
          actual: staged
            ? "not in /proc/cmdline; the GRUB drop-in has it (run update-grub if needed, then reboot)"
            : "not in /proc/cmdline",
          state: staged ? .rebootPending : .drifted)
      }
    }
    var items = parameters.map {
      VerifyItem(subject: "kernel command line", planned: $0, actual: $0, state: .asPlanned)
    }
    let isolated = plan.allocation.cpu.isolated
    var reads = [("nohz_full", "/sys/devices/system/cpu/nohz_full")]
    if plan.allocation.cpu.isolationFlags.contains("domain") {
      reads.insert(("isolated", "/sys/devices/system/cpu/isolated"), at: 0)
    }
    for (name, path) in reads {
      guard let actual = try tree.cpuList(path) else {
        throw ProbeError(file: tree.location(path), "missing; it is where Linux lists the \(name) CPUs")
      }
      items.append(
        VerifyItem(
          subject: "kernel \(name) CPUs (\(path))", planned: isolated.description,
          actual: actual.isEmpty ? "none" : actual.description, state: actual == isolated ? .asPlanned : .drifted))
    }
    return items
  }

  /// Each slice rig writes, as systemd has loaded it (`systemctl show`): its AllowedCPUs= and MemoryMax=.
  static func slices(_ installed: [(path: String, contents: String)], run: CommandRunner?) throws(ProbeError)
    -> [VerifyItem]
  {
    var items: [VerifyItem] = []
    for file in installed where file.path.hasPrefix("/etc/systemd/system/") && file.path.hasSuffix(".slice") {
      let name = String(file.path.split(separator: "/").last ?? "")
      let planned = settings(file.contents, ["AllowedCPUs", "MemoryMax"])
      guard let run else {
        items.append(
          VerifyItem(
            subject: "slice \(name)", planned: planned.map { "\($0.0)=\($0.1)" }.joined(separator: " "),
            actual: "a captured tree has no running systemd", state: .notRead))
        continue
      }
      let shown = try show(name, planned.map(\.0), run)
      for (key, value) in planned {
        let actual = shown[key] ?? ""
        let same =
          key == "AllowedCPUs"
          ? cpus(actual) == cpus(value) : bytes(actual) == bytes(value)
        items.append(
          VerifyItem(
            subject: "slice \(name) \(key)", planned: value, actual: actual.isEmpty ? "unset" : actual,
            state: same ? .asPlanned : .drifted))
      }
    }
    return items
  }

  /// `Key=value` lines of a unit file's text, for `keys`, the last one of each winning.
  static func settings(_ text: String, _ keys: [String]) -> [(String, String)] {
    var found: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "=") else { continue }
      let key = String(line[..<equals])
      if keys.contains(key) { found[key] = String(line[line.index(after: equals)...]) }
    }
    return keys.compactMap { key in found[key].map { (key, $0) } }
  }

  static func show(_ unit: String, _ properties: [String], _ run: CommandRunner) throws(ProbeError) -> [String: String]
  {
    let arguments = ["systemctl", "show", unit] + properties.flatMap { ["-p", $0] }
    let result: (status: Int32, output: String)
    do { result = try run(arguments) } catch {
      throw ProbeError(file: arguments.joined(separator: " "), "could not run: \(error)")
    }
    guard result.status == 0 else {
      throw ProbeError(file: arguments.joined(separator: " "), "exited with \(result.status)")
    }
    return Dictionary(
      result.output.split(separator: "\n").compactMap { line in
        line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
      }, uniquingKeysWith: { $1 })
  }

  static func cpus(_ text: String) -> CPUList? {
    if case .success(let list) = CPUList.parse(text.replacingOccurrences(of: " ", with: ","), lastCPU: nil) {
      return list
    }
    return nil
  }

  /// A MemoryMax= value as bytes (systemctl shows bytes; a unit file may say `16G`); `infinity` as nil.
  static func bytes(_ text: String) -> Int? {
    let suffixes: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    if let last = text.last, let scale = suffixes[last], let number = Int(text.dropLast()) { return number * scale }
    return Int(text)
  }

  /// Every unit the playbook starts is active (`systemctl is-active`); units that need a GPU are not read on a
  /// machine whose GPUs were not read.
  static func units(_ artifacts: [Artifact], gpus: ProbedGPUs?, run: CommandRunner?) throws(ProbeError)
    -> [VerifyItem]
  {
    var seen = Set<String>()
    var items: [VerifyItem] = []
    for artifact in artifacts {
      guard let installation = artifact.installation, installation.effects.contains(.enableAndStartUnit),
        let unit = installation.unit, seen.insert(unit).inserted
      else { continue }
      guard let run else {
        items.append(
          VerifyItem(
            subject: "unit \(unit)", planned: "active", actual: "a captured tree has no running systemd",
            state: .notRead))
        continue
      }
      if installation.needsGPU, gpus?.gpus.isEmpty ?? true {
        items.append(
          VerifyItem(
            subject: "unit \(unit)", planned: "active", actual: "needs a GPU, and none was read", state: .notRead))
        continue
      }
      let state: String
      do {
        state = try run(["systemctl", "is-active", unit]).output.trimmingCharacters(in: .whitespacesAndNewlines)
      } catch { throw ProbeError(file: "systemctl is-active \(unit)", "could not run: \(error)") }
      items.append(
        VerifyItem(
          subject: "unit \(unit)", planned: "active", actual: state.isEmpty ? "unknown" : state,
          state: state == "active" ? .asPlanned : .drifted))
    }
    return items
  }

  /// Each GPU with a planned power limit runs with it and with persistence mode on (what rig's oneshot unit
  /// sets), from `nvidia-smi -q -x`.
  static func gpuSettings(_ plan: Plan, _ gpus: ProbedGPUs?) -> [VerifyItem] {
    var items: [VerifyItem] = []
    for limit in plan.allocation.powerLimits {
      guard let gpus else {
        items.append(
          VerifyItem(
            subject: "\(limit.gpu) power limit", planned: limit.limit.description, actual: "nvidia-smi was not read",
            state: .notRead))
        continue
      }
      guard let gpu = gpus.gpus.first(where: { $0.index == limit.index }) else {
        items.append(
          VerifyItem(
            subject: "\(limit.gpu) power limit", planned: limit.limit.description,
            actual: "nvidia-smi lists no GPU \(limit.index)", state: .drifted))
        continue
      }
      let current = gpu.power?.current
      items.append(
        VerifyItem(
          subject: "\(limit.gpu) power limit", planned: limit.limit.description,
          actual: current?.description ?? "not reported", state: current == limit.limit ? .asPlanned : .drifted))
      let persistence = gpu.persistenceMode
      items.append(
        VerifyItem(
          subject: "\(limit.gpu) persistence mode", planned: "Enabled",
          actual: persistence.map { $0 ? "Enabled" : "Disabled" } ?? "not reported",
          state: persistence == true ? .asPlanned : .drifted))
    }
    return items
  }

  /// Where rig configures the kubelet's static CPU manager, the kubelet's state file names that policy (the kubelet
  /// writes /var/lib/kubelet/cpu_manager_state when it starts with a policy; a stale one stops it from starting).
  static func kubelet(_ artifacts: [Artifact], _ tree: MachineTree) throws(ProbeError) -> [VerifyItem] {
    guard
      artifacts.contains(where: {
        $0.installation?.effects.contains(.applyKubeletCPUPolicy) == true
          && $0.contents.contains("cpuManagerPolicy: static")
      })
    else { return [] }
    let path = "/var/lib/kubelet/cpu_manager_state"
    let subject = "kubelet CPU manager (\(path))"
    guard let text = try tree.text(path) else {
      return [
        VerifyItem(subject: subject, planned: "static", actual: "no state: the kubelet has not run", state: .drifted)
      ]
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
      let policy = object["policyName"] as? String
    else { throw ProbeError(file: tree.location(path), "is not the kubelet's JSON state (no policyName)") }
    return [
      VerifyItem(subject: subject, planned: "static", actual: policy, state: policy == "static" ? .asPlanned : .drifted)
    ]
  }
}
