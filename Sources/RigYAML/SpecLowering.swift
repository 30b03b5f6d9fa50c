import RigBasics
import RigModel
import RigRules

/// Lowers the merged sections of a project to a `RigSpec`.
extension Lowering {
  // MARK: Hardware

  mutating func hardware(_ value: Value) -> Hardware? {
    guard let fields = object(value, RigSchema.hardware) else { return nil }
    let cpu = fields["cpu"].flatMap { self.cpu($0) }
    let memory = fields["memory"].flatMap { bytes($0) }
    if let memory { _ = ModelRules.machineMemory(memory, &diagnostics) }
    var gpus: [GPU] = []
    if let list = fields["gpus"].flatMap({ list($0) }) {
      var names: [String: SourceRange?] = [:]
      for item in list {
        guard let gpu = gpu(item),
          isFirst(
            gpu.name, in: &names, named: "GPU '\(gpu.name.value)'", verb: "declared",
            help: ["give each GPU its own name"])
        else { continue }
        gpus.append(gpu)
      }
    }
    let os = fields["os"].flatMap { self.os($0) }
    guard let cpu, let memory, let os else { return nil }
    return Hardware(cpu: cpu, memory: memory, gpus: gpus, os: os)
  }

  mutating func cpu(_ value: Value) -> CPU? {
    guard let fields = object(value, RigSchema.cpu) else { return nil }
    let model = fields["model"].flatMap { string($0) }?.value
    var cores: [Core]?
    var topologyRange: SourceRange?
    let topology = exactlyOne(
      of: "cores", "hybrid", in: fields,
      conflictHelp: "keep one: 'cores' lists every core, 'hybrid' is a shorthand for the same list",
      missingHelp: "add 'hybrid: { performance: 8, efficiency: 12 }' or list every core under 'cores:'")
    if let (key, topologyValue) = topology {
      topologyRange = topologyValue.keyRange
      cores = key == "cores" ? self.cores(topologyValue) : hybrid(topologyValue, model: model)
    }
    var bootCPU = Located(0, at: nil)
    if let bootValue = fields["boot_cpu"] {
      guard let parsed = integer(bootValue, Limits.cpu) else { return nil }
      bootCPU = parsed
    }
    guard let cores else { return nil }
    guard ModelRules.bootCPU(bootCPU, cores: cores, topologyRange: topologyRange, &diagnostics) else { return nil }
    return CPU(model: model, cores: cores, bootCPU: bootCPU, topologyRange: topologyRange)
  }

  mutating func cores(_ value: Value) -> [Core]? {
    guard let items = list(value) else { return nil }
    guard ModelRules.notEmpty(cores: items.count, at: value.keyRange ?? value.range, &diagnostics) else { return nil }
    var cores: [Core] = []
    var owner: [Int: SourceRange?] = [:]
    var failed = false
    for item in items {
      guard let fields = object(item, RigSchema.core) else {
        failed = true
        continue
      }
      let kind = fields["type"].flatMap { enumeration($0, CoreKind.self) }
      var threads: [Int]?
      var threadRanges: [SourceRange?] = []
      if let threadsValue = fields["threads"] {
        if case .sequence = threadsValue.node {
          let numbers = (list(threadsValue) ?? []).map { integer($0, Limits.cpu) }
          if numbers.allSatisfy({ $0 != nil }) {
            threads = numbers.compactMap { $0?.value }
            threadRanges = numbers.map { $0?.range }
          }
        } else if let expression = cpuList(threadsValue) {
          switch expression.value.resolve(lastCPU: nil) {
          case .success(let list):
            threads = list.cpus
            threadRanges = list.cpus.map { _ in threadsValue.range }
          case .failure(let problem):
            diagnostics.emit(
              RuleMessage.badCPUList(problem.message), at: threadsValue.range,
              help: ["a core's threads are listed by number"])
          }
        }
        if let list = threads, !ModelRules.notEmpty(threads: list.count, at: threadsValue.range, &diagnostics) {
          threads = nil
        }
      }
      guard let kind, let threads else {
        failed = true
        continue
      }
      if !ModelRules.claim(Array(zip(threads, threadRanges)), owner: &owner, &diagnostics) { failed = true }
      cores.append(Core(kind: kind.value, threads: threads.sorted(), range: item.range))
    }
    return failed ? nil : cores
  }

  mutating func hybrid(_ value: Value, model: String?) -> [Core]? {
    guard let fields = object(value, RigSchema.hybrid) else { return nil }
    let performance = fields["performance"].flatMap { integer($0, Limits.coreCount) }
    let efficiency = fields["efficiency"].flatMap { integer($0, Limits.coreCount) }
    var threadsPerCore = Located(2, at: nil)
    if let threadsValue = fields["threads_per_performance_core"] {
      guard let parsed = integer(threadsValue, Limits.threadsPerCore) else { return nil }
      threadsPerCore = parsed
    }
    var smt: Located<SMTNumbering>?
    if let smtValue = fields["smt"] {
      guard let parsed = enumeration(smtValue, SMTNumbering.self) else { return nil }
      smt = parsed
    }
    guard let performance, let efficiency else { return nil }
    return ModelRules.hybrid(
      performance: performance, efficiency: efficiency, threadsPerPerformanceCore: threadsPerCore, smt: smt,
      model: model, at: value.keyRange ?? value.range, &diagnostics)
  }

  mutating func gpu(_ value: Value) -> GPU? {
    guard let fields = object(value, RigSchema.gpu) else { return nil }
    let name = fields["name"].flatMap { patterned($0, "dnsLabel", example: "gpu0") }
    let model = fields["model"].flatMap { string($0) }?.value
    let architecture = fields["architecture"].flatMap { enumeration($0, GPUArchitecture.self) }
    let memory = fields["memory"].flatMap { bytes($0) }
    var power: PowerRange?
    if let powerValue = fields["power"] {
      guard let parsed = powerRange(powerValue) else { return nil }
      power = parsed
    }
    guard let name, let memory else { return nil }
    return GPU(name: name, model: model, architecture: architecture, memory: memory, power: power)
  }

  mutating func powerRange(_ value: Value) -> PowerRange? {
    guard let fields = object(value, RigSchema.powerRange) else { return nil }
    let defaultLimit = fields["default"].flatMap { power($0) }
    let min = fields["min"].flatMap { power($0) }
    let max = fields["max"].flatMap { power($0) }
    guard let min, let max else { return nil }
    let range = PowerRange(defaultLimit: defaultLimit, min: min, max: max)
    return ModelRules.powerRange(range, &diagnostics) ? range : nil
  }

  mutating func os(_ value: Value) -> OperatingSystem? {
    guard let fields = object(value, RigSchema.os) else { return nil }
    let distribution = fields["distribution"].flatMap { v in
      string(v).flatMap { choice(v, $0, RigSchema.distributions) }
    }
    let release = fields["release"].flatMap { v in string(v).flatMap { choice(v, $0, RigSchema.releases) } }
    guard let distribution, let release else { return nil }
    return OperatingSystem(distribution: distribution, release: release)
  }

  // MARK: Stack and components

  mutating func sources(_ values: [Value]) -> [Located<String>] {
    var result: [Located<String>] = []
    var seen: [String: SourceRange?] = [:]
    for value in values {
      for item in list(value) ?? [] {
        guard let text = string(item), let source = choice(item, text, RigSchema.knownSources),
          isFirst(source, in: &seen, named: "source '\(source.value)'")
        else { continue }
        result.append(source)
      }
    }
    return result
  }

  /// Whether `item` is the first of its value in a list; a repeat is reported with a note at the first.
  mutating func isFirst<T: Hashable>(
    _ item: Located<T>, in seen: inout [T: SourceRange?], named name: String, verb: String = "listed",
    help: [String] = []
  ) -> Bool {
    ModelRules.isFirst(item, in: &seen, named: name, verb: verb, help: help, &diagnostics)
  }

  mutating func stack(_ values: [Value]) -> [Requirement] {
    values.flatMap { list($0) ?? [] }.compactMap { requirement($0) }
  }

  mutating func componentName(_ key: Located<String>) -> Bool {
    let lowering = self
    return ModelRules.componentName(
      key, at: { lowering.keySlice(key, offset: $0.offset, length: $0.length) }, &diagnostics)
  }

  mutating func component(name: Located<String>, _ value: Value) -> Component? {
    guard let fields = object(value, RigSchema.component) else { return nil }
    var component = Component.Fields(name: name)
    var ok = true
    component.description = fields["description"].flatMap { string($0) }?.value
    if let versionsValue = fields["versions"] {
      for (key, versionValue) in map(versionsValue) ?? [] {
        let lowering = self
        guard
          let version = ModelRules.version(
            key.value, at: { lowering.keySlice(key, offset: $0.offset, length: $0.length) }, &diagnostics)
        else {
          ok = false
          continue
        }
        var requires: [Requirement] = []
        if let versionFields = object(versionValue, RigSchema.componentVersion), let list = versionFields["requires"] {
          requires = (self.list(list) ?? []).compactMap { requirement($0) }
        }
        component.versions.append(ComponentVersion(version: Located(version, at: key.range), requires: requires))
      }
    }
    component.runtime = fields["runtime"].flatMap { enumeration($0, Runtime.self) }
    if let imageValue = fields["image"] {
      if let image = patterned(imageValue, "image", example: "ghcr.io/example/comfyui:0.3.10") {
        component.image = image
        ModelRules.checkPinned(image, &diagnostics)
      } else {
        ok = false
      }
    }
    if let execValue = fields["exec"] {
      if let exec = patterned(execValue, "absolutePath", example: "/usr/bin/llama-server") {
        component.exec = exec
      } else {
        ok = false
      }
    }
    if let argsValue = fields["args"] {
      for item in list(argsValue) ?? [] {
        if let argument = string(item) { component.args.append(argument) } else { ok = false }
      }
    }
    if let environmentValue = fields["env"] {
      for (key, value) in map(environmentValue) ?? [] {
        guard let name = patterned(key: key, "environmentName", example: "OLLAMA_HOST") else {
          ok = false
          continue
        }
        if case .scalar = value.node, let text = string(value) {
          component.environment.append(EnvironmentVariable(name: name, value: .text(text)))
        } else if case .mapping = value.node, let reference = object(value, RigSchema.secretReference),
          let secret = reference["secret"].flatMap({ patterned($0, "dnsSubdomain", example: "hf-token") }),
          let secretKey = reference["key"].flatMap({ patterned($0, "secretKey", example: "token") })
        {
          component.environment.append(EnvironmentVariable(name: name, value: .secret(name: secret, key: secretKey)))
        } else {
          if case .sequence = value.node { mismatch(value, expected: "a string or a secret reference") }
          ok = false
        }
      }
    }
    if let storageValue = fields["storage"] {
      // Path and size are both read, so that a mistake in each is reported.
      let storage = object(storageValue, RigSchema.storage)
      let path = storage?["path"].flatMap { patterned($0, "absolutePath", example: "/data") }
      let sizeValue = storage?["size"]
      let size = sizeValue.flatMap { bytes($0) }
      if let path, sizeValue == nil || size != nil {
        component.storage = Storage(path: path, size: size)
      } else {
        ok = false
      }
    }
    if let portsValue = fields["ports"] {
      var seen: [Int: SourceRange?] = [:]
      for item in list(portsValue) ?? [] {
        guard let port = integer(item, Limits.port),
          isFirst(port, in: &seen, named: "port \(port.value)")
        else { continue }
        component.ports.append(port)
      }
    }
    if let resourcesValue = fields["resources"] {
      if let resources = resources(resourcesValue) { component.resources = resources } else { ok = false }
    }
    if let groupValue = fields["exclusive_group"] {
      component.exclusiveGroup = patterned(groupValue, "dnsLabel", example: "gpu-heavy")
    }
    if let securityValue = fields["security"] {
      if let security = object(securityValue, RigSchema.security) {
        component.security = ContainerSecurity(
          user: security["user"].flatMap { integer($0, Limits.containerID) },
          group: security["group"].flatMap { integer($0, Limits.containerID) },
          rootFilesystem: security["root_filesystem"].flatMap { enumeration($0, RootFilesystem.self) })
      } else {
        ok = false
      }
    }
    let written = Component(component)
    if component.runtime?.value == .kubernetes, !ModelRules.kubernetesWorkload(written, &diagnostics) { ok = false }
    if !ModelRules.runtimeFields(written, &diagnostics) { ok = false }
    // Environment variables in name order: a mapping's key order carries no meaning, and output must not
    // depend on it.
    component.environment.sort { $0.name.value < $1.name.value }
    return ok ? Component(component) : nil
  }

  /// Each of `entries` (a `components:` mapping) lowered by `component(name:_:)` with what it reports, in order;
  /// chunks of them on all cores when there are many. A declaration's nodes are read by one thread only.
  static func components(_ entries: [(key: Located<String>, value: Value)]) -> [(Component?, [Diagnostic])] {
    let shared = Unshared(entries)
    let size = 256
    let chunks = Array(stride(from: 0, to: entries.count, by: size))
    return chunks.concurrentMap(minimum: 2) { start in
      var lowering = Lowering(diagnostics: DiagnosticEngine(limit: .max))
      var results: [(Component?, [Diagnostic])] = []
      for (key, value) in shared.value[start..<min(start + size, shared.value.count)] {
        let before = lowering.diagnostics.diagnostics.count
        let component = lowering.component(name: key, value)
        results.append((component, Array(lowering.diagnostics.diagnostics[before...])))
      }
      return results
    }.flatMap { $0 }
  }

  /// A part of a key's text, past its opening quote when it is quoted.
  func keySlice(_ key: Located<String>, offset: Int, length: Int) -> SourceRange? {
    guard let range = key.range else { return nil }
    let quoted = range.end.column - range.start.column == key.value.unicodeScalars.count + 2
    return range.slice(offset: offset + (quoted ? 1 : 0), length: max(1, length))
  }

  mutating func resources(_ value: Value) -> Resources? {
    guard let fields = object(value, RigSchema.resources) else { return nil }
    var resources = Resources()
    var ok = true
    if let cpuValue = fields["cpu"] {
      if let request = cpuRequest(cpuValue) { resources.cpu = request } else { ok = false }
    }
    if let memoryValue = fields["memory"] {
      if let memory = bytes(memoryValue) { resources.memory = memory } else { ok = false }
    }
    if let gpuValue = fields["gpu"] {
      if let request = gpuRequest(gpuValue) { resources.gpu = request } else { ok = false }
    }
    if let shmValue = fields["shm"] {
      if let shm = bytes(shmValue) { resources.shm = shm } else { ok = false }
    }
    return ok ? resources : nil
  }

  mutating func cpuRequest(_ value: Value) -> CPURequest? {
    guard let fields = object(value, RigSchema.cpuRequest) else { return nil }
    let cores = fields["cores"].flatMap { integer($0, Limits.cores) }
    let cpus = fields["cpus"].flatMap { cpuList($0) }
    var placement = Located(Placement.shared, at: nil)
    if let placementValue = fields["placement"] {
      guard let parsed = enumeration(placementValue, Placement.self) else { return nil }
      placement = parsed
    }
    guard
      ModelRules.cpuRequest(
        cores: alternative("cores", in: fields, conflictAt: false),
        cpus: alternative("cpus", in: fields, conflictAt: true), in: fields.value.displayName,
        missingAt: fields.value.keyRange ?? fields.value.range, &diagnostics), cores != nil || cpus != nil
    else { return nil }
    return CPURequest(cores: cores, cpus: cpus, placement: placement)
  }

  /// The one of two alternative keys that `fields` holds; both or neither is an error.
  mutating func exactlyOne(
    of first: String, _ second: String, in fields: Fields, conflictHelp: String, missingHelp: String
  ) -> (String, Value)? {
    guard
      ModelRules.exactlyOne(
        alternative(first, in: fields, conflictAt: false), alternative(second, in: fields, conflictAt: true),
        in: fields.value.displayName, missingAt: fields.value.keyRange ?? fields.value.range,
        conflictHelp: conflictHelp, missingHelp: missingHelp, &diagnostics)
    else { return nil }
    return fields[first].map { (first, $0) } ?? fields[second].map { (second, $0) }
  }

  /// Whether `key` is written in `fields`, and where: its key, or (for the second of a conflicting pair, where the
  /// error points) its key or value.
  func alternative(_ key: String, in fields: Fields, conflictAt: Bool) -> ModelRules.Alternative {
    let value = fields[key]
    return .init(
      key, written: value != nil, at: conflictAt ? value.flatMap { $0.keyRange ?? $0.range } : value?.keyRange)
  }

  mutating func gpuRequest(_ value: Value) -> GPURequest? {
    guard let fields = object(value, RigSchema.gpuRequest) else { return nil }
    let memory = fields["memory"].flatMap { bytes($0) }
    var sharing: Located<GPUSharing>?
    if let sharingValue = fields["sharing"] {
      guard let parsed = enumeration(sharingValue, GPUSharing.self) else { return nil }
      sharing = parsed
    }
    var count: Located<Int>?
    if let countValue = fields["count"] {
      guard let parsed = integer(countValue, Limits.gpuCount) else { return nil }
      count = parsed
    }
    guard let memory else { return nil }
    return GPURequest(memory: memory, sharing: sharing, count: count)
  }

  // MARK: Policies and targets

  mutating func policies(_ value: Value) -> Policies? {
    guard let fields = object(value, RigSchema.policies) else { return nil }
    var policies = Policies()
    if let cpu = fields["cpu"].flatMap({ object($0, RigSchema.cpuPolicy) }) {
      policies.housekeepingCores = cpu["housekeeping_cores"].flatMap { integer($0, Limits.cores) }
      policies.isolatedCPUs = cpu["isolated"].flatMap { cpuList($0) }
      policies.housekeepingCPUs = cpu["housekeeping"].flatMap { cpuList($0) }
    }
    if let memory = fields["memory"].flatMap({ object($0, RigSchema.memoryPolicy) }) {
      policies.memoryReserve = memory["reserve"].flatMap { bytes($0) }
    }
    if let gpu = fields["gpu"].flatMap({ object($0, RigSchema.gpuPolicy) }) {
      policies.gpuReserve = gpu["reserve"].flatMap { bytes($0) }
      policies.gpuPowerLimit = gpu["power_limit"].flatMap { power($0) }
      if let thermal = gpu["thermal"].flatMap({ object($0, RigSchema.thermalPolicy) }) {
        let warning = thermal["warning"].flatMap { temperature($0) }
        let critical = thermal["critical"].flatMap { temperature($0) }
        let duration = thermal["for"].flatMap { self.duration($0) }
        if let warning, let critical, let duration,
          ModelRules.thermal(warning: warning, critical: critical, &diagnostics)
        {
          policies.thermal = ThermalPolicy(warning: warning, critical: critical, duration: duration)
        }
      }
    }
    return policies
  }

  /// The targets; in a fleet (`fleet`), the Ansible target names no host (each host's plan gets its own name).
  mutating func targets(_ value: Value, fleet: Bool) -> Targets? {
    guard let fields = object(value, RigSchema.targets) else { return nil }
    var targets = Targets()
    if let ansibleValue = fields["ansible"],
      let ansible = object(ansibleValue, RigSchema.targets.nestedObject("ansible"))
    {
      let hostValue = ansible["host"]
      if fleet {
        if let hostValue {
          diagnostics.emit(
            RuleMessage.invalidValue("a fleet's inventory names its hosts under 'hosts', not 'targets.ansible.host'"),
            at: hostValue.keyRange, help: ["remove 'host' (write 'ansible: {}')"])
        } else {
          targets.ansible = .init(host: Located("all", at: ansibleValue.keyRange))
        }
      } else if let hostValue {
        if let host = patterned(hostValue, "hostName", example: "workstation"),
          ModelRules.ansibleHost(host, &diagnostics)
        {
          targets.ansible = .init(host: host)
        }
      } else {
        missing(
          RigSchema.targets.nestedObject("ansible").property("host") ?? SchemaProperty("host", .string, ""),
          in: ansibleValue)
      }
    }
    if let kubernetes = fields["kubernetes"].flatMap({ object($0, RigSchema.targets.nestedObject("kubernetes")) }) {
      let version = kubernetes["version"].flatMap { patterned($0, "kubernetesVersion", example: "1.30") }
      let namespace = kubernetes["namespace"].flatMap { patterned($0, "dnsLabel", example: "ai") }
      let allowed = namespace.map { ModelRules.kubernetesNamespace($0, &diagnostics) } ?? false
      if let version, let namespace, allowed {
        targets.kubernetes = .init(version: version, namespace: namespace)
      }
    }
    if let nix = fields["nix"].flatMap({ object($0, RigSchema.targets.nestedObject("nix")) }),
      let release = nix["release"].flatMap({ patterned($0, "nixosRelease", example: "24.11") })
    {
      targets.nix = .init(release: release)
    }
    targets.kernel = fields["kernel"].map { emptyObject($0) } ?? false
    targets.systemd = fields["systemd"].map { emptyObject($0) } ?? false
    targets.prometheus = fields["prometheus"].map { emptyObject($0) } ?? false
    return targets
  }
}

extension ObjectSchema {
  /// The object schema of property `name` (for nested objects declared inline).
  func nestedObject(_ name: String) -> ObjectSchema {
    if case .object(let schema)? = property(name)?.type { return schema }
    return ObjectSchema([])
  }
}

/// Yams nodes handed to another thread: each is then read by that thread alone, and none is written after
/// parsing. (Yams resolves a node's tag lazily, in place, when the node is hashed or compared; an alias shares its
/// anchor's tag, but lowering never hashes or compares nodes.)
struct Unshared<Wrapped>: @unchecked Sendable {
  let value: Wrapped
  init(_ value: Wrapped) { self.value = value }
}
