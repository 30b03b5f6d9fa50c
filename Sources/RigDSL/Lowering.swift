import RigBasics
import RigModel
import RigRules

/// Lowers a `Rig` to the model: what Swift's types leave open (names, counts, grammars) is checked by the same
/// rules as YAML (`ModelRules`), with the diagnostics located in the Swift files.
struct Lowering {
  var diagnostics = DiagnosticEngine()
  var lines = SourceLines()

  /// The range of `site`, at the name called.
  mutating func range(_ site: Site) -> SourceRange { lines.range(of: site) }

  mutating func lower(_ rig: Rig) -> RigSpec? {
    let rigRange = range(Site(position: rig.position, callee: "Rig"))
    var hardware: Hardware?
    var sources: [Located<String>] = []
    var stack: [RigModel.Requirement] = []
    var components: [RigModel.Component] = []
    var policies: Policies?
    var targets: Targets?
    var seen: [String: SourceRange?] = [:]
    let help = "keep one; only 'Sources', 'Stack' and 'Component' add up"
    for part in rig.parts {
      switch part.kind {
      case .hardware(let declared):
        if once("hardware", range(declared.site), in: &seen, help: help) { hardware = declared }
      case .sources(let declared):
        let written = range(declared.site)
        sources += declared.sources.map { Located($0.rawValue, at: written) }
      case .stack(let declared):
        stack += declared.items.compactMap { requirement($0) }
      case .component(let declared):
        if let component = component(declared) { components.append(component) }
      case .policies(let declared):
        if once("policies", range(declared.site), in: &seen, help: help) { policies = declared }
      case .targets(let declared):
        if once("targets", range(declared.site), in: &seen, help: help) { targets = declared }
      }
    }
    let machine = hardware.flatMap { self.hardware($0) }
    if hardware == nil {
      diagnostics.emit(
        RuleMessage.missingKey(key: "hardware", context: "at the top level"), at: rigRange,
        help: ["add 'Hardware.cpu(…).memory(…).os(…)' to the Rig"])
    }
    // Without a machine the rest is still checked, so that one run reports every mistake.
    let spec = RigSpec(
      apiVersion: Located(RigSpec.apiVersion, at: rigRange), name: Located(rig.name, at: rigRange),
      hardware: machine ?? Self.noMachine, sources: sources, stack: stack, components: components,
      policies: policies.map { self.policies($0) } ?? .init(), targets: targets.map { self.targets($0) } ?? .init())
    ModelRules.check(spec, checkingHardware: machine != nil, into: &diagnostics)
    return machine == nil ? nil : spec
  }

  /// Stands in for a machine that is missing or wrong while the rest of the model is checked.
  static let noMachine = RigModel.Hardware(
    cpu: RigModel.CPU(model: nil, cores: [], bootCPU: Located(0, at: nil)), memory: Located(.gib(1), at: nil),
    gpus: [],
    os: OperatingSystem(distribution: Located("debian", at: nil), release: Located("bookworm", at: nil)))

  /// Whether `key` is written for the first time; a repeat is an error pointing at both.
  mutating func once(_ key: String, _ written: SourceRange, in seen: inout [String: SourceRange?], help: String)
    -> Bool
  {
    ModelRules.isFirst(
      Located(key, at: written), in: &seen, named: "'\(key)'", verb: "written", help: [help], &diagnostics)
  }

  // MARK: Hardware

  mutating func hardware(_ hardware: Hardware) -> RigModel.Hardware? {
    let written = range(hardware.site)
    let cpu = self.cpu(hardware.cpu)
    var seen: [String: SourceRange?] = [:]
    let help = "keep one"
    let memory = hardware.memory.map { (size: $0.size, range: range($0.site)) }.filter {
      once("hardware.memory", $0.range, in: &seen, help: help)
    }.first
    let os = hardware.os.map { (os: $0.os, range: range($0.site)) }.filter {
      once("hardware.os", $0.range, in: &seen, help: help)
    }.first
    let gpus = hardware.gpus.map { gpu -> RigModel.GPU in
      let at = range(gpu.site)
      return RigModel.GPU(
        name: Located(gpu.name, at: at), model: gpu.model, architecture: gpu.architecture.map { Located($0, at: at) },
        memory: Located(gpu.memory, at: at),
        power: gpu.power.map {
          PowerRange(
            defaultLimit: $0.defaultLimit.map { Located($0, at: at) }, min: Located($0.min, at: at),
            max: Located($0.max, at: at))
        })
    }
    if memory == nil {
      diagnostics.emit(
        RuleMessage.missingKey(key: "memory", context: "in 'hardware'"), at: written,
        help: ["add '.memory(.gib(32))' with the machine's RAM"])
    }
    if os == nil {
      diagnostics.emit(
        RuleMessage.missingKey(key: "os", context: "in 'hardware'"), at: written,
        help: ["add '.os(.debian(.bookworm))'"])
    }
    guard let cpu, let memory, let os else { return nil }
    return RigModel.Hardware(
      cpu: cpu, memory: Located(memory.size, at: memory.range), gpus: gpus,
      os: OperatingSystem(
        distribution: Located(os.os.distribution, at: os.range), release: Located(os.os.release, at: os.range)))
  }

  mutating func cpu(_ cpu: CPUDeclaration) -> RigModel.CPU? {
    let written = range(cpu.site)
    let cores: [RigModel.Core]
    switch cpu.topology.kind {
    case .hybrid(let performance, let efficiency, let threads, let smt):
      guard
        let hybrid = ModelRules.hybrid(
          performance: Located(performance, at: written), efficiency: Located(efficiency, at: written),
          threadsPerPerformanceCore: Located(threads, at: written), smt: smt.map { Located($0, at: written) },
          model: cpu.model, at: written, &diagnostics)
      else { return nil }
      cores = hybrid
    case .cores(let declared):
      cores = declared.map { RigModel.Core(kind: $0.kind, threads: $0.threads.sorted(), range: range($0.site)) }
    }
    // The boot CPU has a location only when written, as in YAML: notes about it then point at it.
    return RigModel.CPU(
      model: cpu.model, cores: cores, bootCPU: Located(cpu.bootCPU ?? 0, at: cpu.bootCPU == nil ? nil : written),
      topologyRange: written)
  }

  // MARK: Stack and components

  /// A requirement: YAML's grammar for text, with problems located inside the string literal when it is a plain
  /// one (else at the expression); typed clauses checked one by one.
  mutating func requirement(_ require: Require) -> RigModel.Requirement? {
    switch require.form {
    case .text(let text):
      let whole: SourceRange
      var at: (Int, Int) -> SourceRange
      if require.atLiteral {
        whole = lines.start(of: require.position)
        at = { _, _ in whole }
        if let inside = lines.literal(at: require.position, text: text) { at = inside }
      } else {
        whole = range(Site(position: require.position, callee: "Require"))
        at = { _, _ in whole }
      }
      return ModelRules.requirement(text, range: at(0, text.unicodeScalars.count), at: at, &diagnostics)
    case .typed(let name, let constraints):
      let call = range(Site(position: require.position, callee: "Require"))
      var clauses: [VersionClause] = []
      for constraint in constraints {
        guard let version = version(constraint.version, at: call) else { return nil }
        clauses.append(VersionClause(constraint.op, version))
      }
      if clauses.count > 1, clauses.contains(where: { $0.op == .caret }) {
        diagnostics.emit(
          RuleMessage.badConstraint("invalid requirement: '^' cannot be combined with other clauses"), at: call,
          help: ["'.caret(\"12\")' allows 12.x; write '.atLeast' and '.below' for another range"])
        return nil
      }
      return RigModel.Requirement(
        name: Located(name, at: call), constraint: VersionConstraint(clauses), range: call)
    }
  }

  mutating func version(_ text: String, at written: SourceRange) -> RigModel.Version? {
    ModelRules.version(text, at: { _ in written }, &diagnostics)
  }

  mutating func cpus(_ selection: CPUSelection, at written: SourceRange) -> Located<CPUListExpression>? {
    let text: String
    switch selection.form {
    case .text(let written): text = written
    case .range(let range):
      guard cpuNumbers([range.lowerBound, range.upperBound], at: written) else { return nil }
      text = range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
    case .list(let list):
      guard cpuNumbers(list, at: written) else { return nil }
      if list.isEmpty {
        diagnostics.emit(RuleMessage.badCPUList("empty CPU list"), at: written, help: ["list at least one CPU"])
        return nil
      }
      text = CPUList(list).description
    }
    switch CPUListExpression.parse(text) {
    case .success(var expression):
      for index in expression.items.indices { expression.items[index].range = written }
      return Located(expression, at: written)
    case .failure(let problem):
      diagnostics.emit(RuleMessage.badCPUList(problem.message), at: written, help: problem.help)
      return nil
    }
  }

  /// Whether every number can be a logical CPU.
  mutating func cpuNumbers(_ numbers: [Int], at written: SourceRange) -> Bool {
    guard let bad = numbers.first(where: { !Limits.cpu.contains($0) }) else { return true }
    diagnostics.emit(
      RuleMessage.badCPUList("CPU \(bad) is outside 0...\(CPUList.maxCPU), the CPUs Linux numbers"), at: written)
    return false
  }

  mutating func component(_ declared: Component) -> RigModel.Component? {
    let name = Located(declared.name, at: range(Site(position: declared.position, callee: "Component")))
    var component = RigModel.Component.Fields(name: name)
    var seen: [String: SourceRange?] = [:]
    var ok = true
    let help = "keep one; only 'Version', 'Ports' and 'Env' add up"
    for part in declared.parts {
      let at = range(part.site)
      switch part.kind {
      case .version, .ports, .environment: break
      default:
        guard once("components.\(declared.name).\(part.key)", at, in: &seen, help: help) else {
          ok = false
          continue
        }
      }
      switch part.kind {
      case .description(let text): component.description = text
      case .version(let version):
        guard let parsed = self.version(version.version, at: at) else {
          ok = false
          continue
        }
        let requires = version.requires.map { requirement($0) }
        if requires.contains(where: { $0 == nil }) { ok = false }
        component.versions.append(
          ComponentVersion(version: Located(parsed, at: at), requires: requires.compactMap { $0 }))
      case .runtime(let runtime): component.runtime = Located(runtime, at: at)
      case .image(let image): component.image = Located(image, at: at)
      case .exec(let program, let arguments):
        component.exec = Located(program, at: at)
        component.args = arguments.map { Located($0, at: at) }
      case .ports(let ports): component.ports += ports.map { Located($0, at: at) }
      case .environment(let variable):
        let value: EnvironmentValue =
          switch variable.value {
          case .text(let text): .text(Located(text, at: at))
          case .secret(let secret, let key): .secret(name: Located(secret, at: at), key: Located(key, at: at))
          }
        component.environment.append(EnvironmentVariable(name: Located(variable.name, at: at), value: value))
      case .storage(let path, let size):
        component.storage = RigModel.Storage(path: Located(path, at: at), size: size.map { Located($0, at: at) })
      case .cpu(let cpu):
        var cpus: Located<CPUListExpression>?
        if let selection = cpu.cpus {
          guard let parsed = self.cpus(selection, at: at) else {
            ok = false
            continue
          }
          cpus = parsed
        }
        component.resources.cpu = CPURequest(
          cores: cpu.cores.map { Located($0, at: at) }, cpus: cpus,
          placement: Located(cpu.placement ?? .shared, at: cpu.placement == nil ? nil : at))
      case .memory(let size): component.resources.memory = Located(size, at: at)
      case .sharedMemory(let size): component.resources.shm = Located(size, at: at)
      case .gpu(let memory, let sharing, let count):
        component.resources.gpu = GPURequest(
          memory: Located(memory, at: at), sharing: sharing.map { Located($0, at: at) },
          count: count.map { Located($0, at: at) })
      case .exclusiveGroup(let group): component.exclusiveGroup = Located(group, at: at)
      case .security(let user, let group, let rootFilesystem):
        component.security = ContainerSecurity(
          user: user.map { Located($0, at: at) }, group: group.map { Located($0, at: at) },
          rootFilesystem: rootFilesystem.map { Located($0, at: at) })
      }
    }
    // Environment variables in name order, as the YAML front end keeps them: output does not depend on the order
    // they are written in.
    component.environment.sort { $0.name.value < $1.name.value }
    return ok ? RigModel.Component(component) : nil
  }

  // MARK: Policies and targets

  mutating func policies(_ declared: Policies) -> RigModel.Policies {
    var policies = RigModel.Policies()
    var seen: [String: SourceRange?] = [:]
    for part in declared.parts {
      let at = range(part.site)
      guard once(part.key, at, in: &seen, help: "keep one of each policy") else { continue }
      switch part.kind {
      case .cpu(let cpu):
        policies.housekeepingCores = cpu.housekeepingCores.map { Located($0, at: at) }
        policies.isolatedCPUs = cpu.isolated.flatMap { cpus($0, at: at) }
        policies.housekeepingCPUs = cpu.housekeeping.flatMap { cpus($0, at: at) }
      case .memory(let memory):
        policies.memoryReserve = Located(memory.reserve, at: at)
      case .gpu(let gpu):
        policies.gpuReserve = gpu.reserve.map { Located($0, at: at) }
        policies.gpuPowerLimit = gpu.powerLimit.map { Located($0, at: at) }
        policies.thermal = gpu.thermal.map {
          ThermalPolicy(
            warning: Located($0.warning, at: at), critical: Located($0.critical, at: at),
            duration: Located($0.duration, at: at))
        }
      }
    }
    return policies
  }

  mutating func targets(_ declared: Targets) -> RigModel.Targets {
    var targets = RigModel.Targets()
    var seen: [String: SourceRange?] = [:]
    for part in declared.parts {
      let at = range(part.site)
      guard once("targets.\(part.target.rawValue)", at, in: &seen, help: "keep one of each target") else { continue }
      switch part.kind {
      case .ansible(let host): targets.ansible = .init(host: Located(host, at: at))
      case .kubernetes(let version, let namespace):
        targets.kubernetes = .init(version: Located(version, at: at), namespace: Located(namespace, at: at))
      case .nix(let release): targets.nix = .init(release: Located(release, at: at))
      case .kernel: targets.kernel = true
      case .systemd: targets.systemd = true
      case .prometheus: targets.prometheus = true
      }
    }
    return targets
  }
}
