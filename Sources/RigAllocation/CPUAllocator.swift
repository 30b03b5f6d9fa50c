import RigBasics
import RigModel
import RigResolver

/// Splits the CPUs into an isolated set and a housekeeping set from the machine's real topology, following the
/// kernel's isolation parameters (Documentation/admin-guide/kernel-parameters.txt: `isolcpus=`, `nohz_full=`),
/// tuned's cpu-partitioning profile and OpenShift's PerformanceProfile (`cpu.isolated` / `cpu.reserved`):
/// isolated components get whole physical cores (every SMT sibling), performance cores first, highest-numbered
/// first, never the boot CPU's core; at least `housekeeping_cores` whole cores stay for everything else.
struct CPUAllocator {
  let cpu: CPU
  let policies: Policies
  var diagnostics = DiagnosticEngine()
  /// Every logical CPU.
  let all: CPUList
  let bootCore: Core?

  init(cpu: CPU, policies: Policies) {
    self.cpu = cpu
    self.policies = policies
    all = cpu.logicalCPUs
    bootCore = cpu.core(of: cpu.bootCPU.value)
  }

  var housekeepingCores: Int { policies.housekeepingCores?.value ?? 1 }

  /// Cores in the order isolation takes them: performance before efficiency, highest-numbered first.
  static func preferenceOrder(_ cores: [Core]) -> [Core] {
    cores.sorted { a, b in
      if a.kind != b.kind { return a.kind == .performance }
      return (a.threads.last ?? 0) > (b.threads.last ?? 0)
    }
  }

  func isBootCore(_ core: Core) -> Bool { core.threads == bootCore?.threads }

  /// The machine's cores for people: `8 performance cores with 2 threads (0-15), 12 efficiency cores (16-27)`.
  var topologySummary: String {
    CoreKind.allCases.compactMap { kind -> String? in
      let cores = cpu.cores.filter { $0.kind == kind }
      guard !cores.isEmpty else { return nil }
      let threads = Set(cores.map(\.threads.count))
      let perCore = threads.count == 1 && (threads.first ?? 1) > 1 ? " with \(threads.first ?? 1) threads" : ""
      let noun = cores.count == 1 ? "core" : "cores"
      return "\(cores.count) \(kind.rawValue) \(noun)\(perCore) (\(CPUList(cores.flatMap(\.threads))))"
    }.joined(separator: ", ")
  }

  /// A whole-core CPU list of `count` cores in isolation order, for help texts.
  func exampleCores(_ count: Int) -> String {
    let pool = Self.preferenceOrder(cpu.cores.filter { !isBootCore($0) })
    let chosen = pool.prefix(max(1, min(count, pool.count)))
    let kinds = Set(chosen.map(\.kind))
    let kind = kinds.count == 1 ? " " + (kinds.first?.rawValue ?? "") : ""
    let noun = chosen.count == 1 ? "core" : "cores"
    return "'\(CPUList(chosen.flatMap(\.threads)))' for \(chosen.count) whole\(kind) \(noun)"
  }

  static func plural(_ count: Int, _ singular: String, _ plural: String) -> String {
    "\(count) \(count == 1 ? singular : plural)"
  }

  // MARK: Written lists

  /// A CPU list the user wrote, resolved on this machine; CPUs the machine does not have are an error that
  /// points at the item naming them. `isolating` lists also explain how their CPUs group into cores.
  mutating func resolve(_ written: Located<CPUListExpression>, what: String, isolating: Bool) -> CPUList? {
    let list: CPUList
    switch written.value.resolve(lastCPU: cpu.lastCPU) {
    case .success(let resolved): list = resolved
    case .failure(let problem):
      diagnostics.emit(AllocationMessage.badCPUList(problem.message), at: written.range)
      return nil
    }
    let missing = list.subtracting(all)
    guard missing.isEmpty else {
      let naming = written.value.items.filter { item in
        guard case .success(let cpus) = CPUListExpression(items: [item], isAll: false).resolve(lastCPU: cpu.lastCPU)
        else { return false }
        return cpus.cpus.contains(where: missing.contains)
      }
      let range = naming.count == 1 ? (naming[0].range ?? written.range) : written.range
      let subject =
        missing.count == 1
        ? "\(what) names CPU \(missing), which this machine does not have"
        : "\(what) names CPUs \(missing), which this machine does not have"
      var notes = [DiagnosticNote("this machine has CPUs \(all): \(topologySummary)", at: cpu.topologyRange)]
      var help = ["write CPUs between 0 and \(cpu.lastCPU ?? 0), as 'lscpu -e' lists them for this machine"]
      if isolating {
        let existing = list.intersection(all)
        let cores = cpu.cores.touching(existing)
        if !existing.isEmpty, cores.count != existing.count {
          let groups = cores.map { "\(CPUList($0.threads))" }
          notes.append(
            DiagnosticNote(
              "\(existing) is \(Self.plural(cores.count, "physical core", "physical cores")), not \(existing.count): "
                + "\(groups.joined(separator: " and ")) are the SMT siblings of one core each"))
        }
        let threads = max(1, cpu.cores.map(\.threads.count).max() ?? 1)
        help = [
          "isolate whole cores, such as \(exampleCores((list.count + threads - 1) / threads)), or give components "
            + "'cores:' with 'placement: isolated' and let rig choose"
        ]
      }
      diagnostics.emit(AllocationMessage.cpuOutOfRange(subject), at: range, notes: notes, help: help)
      return nil
    }
    return list
  }

  /// Whether `set` holds whole cores only; a split core is an error naming each thread left behind.
  mutating func checkWholeCores(_ set: CPUList, what: String, at range: SourceRange?) -> Bool {
    var split: [(inside: CPUList, outside: CPUList)] = []
    for core in cpu.cores.touching(set) {
      let threads = CPUList(core.threads)
      let outside = threads.subtracting(set)
      if !outside.isEmpty { split.append((threads.intersection(set), outside)) }
    }
    guard !split.isEmpty else { return true }
    let parts = split.map { "CPU \($0.inside) is isolated without its SMT sibling \($0.outside)" }
    let widened = split.reduce(set) { $0.union($1.outside) }
    let narrowed = split.reduce(set) { $0.subtracting($1.inside) }
    var help = ["isolate whole cores: '\(widened)' adds the siblings"]
    if !narrowed.isEmpty { help[0] += ", '\(narrowed)' leaves those cores out" }
    diagnostics.emit(
      AllocationMessage.splitSiblings("\(what) splits a core: " + parts.joined(separator: ", ")), at: range,
      notes: [
        DiagnosticNote(
          "a sibling left to the scheduler shares its core's caches and execution units with the isolated thread")
      ], help: help)
    return false
  }

  /// Whether `set` leaves the boot CPU's core alone.
  mutating func checkBoot(_ set: CPUList, what: String, at range: SourceRange?) -> Bool {
    guard let bootCore, bootCore.threads.contains(where: set.contains) else { return true }
    let boot = cpu.bootCPU.value
    let text =
      set.contains(boot)
      ? "\(what) isolates the boot CPU \(boot)"
      : "\(what) isolates CPU \(CPUList(bootCore.threads).intersection(set)), a sibling of the boot CPU \(boot)"
    diagnostics.emit(
      AllocationMessage.bootCPUIsolated(text), at: range,
      notes: cpu.bootCPU.range.map { [DiagnosticNote("the boot CPU is set here", at: $0)] } ?? [],
      help: [
        "leave out \(CPUList(bootCore.threads)): the boot CPU's core stays housekeeping, as it takes the timer "
          + "and the interrupts the kernel cannot move"
      ])
    return false
  }

  // MARK: Allocation

  /// The isolated and housekeeping sets and each component's CPUs; nil when a rule is broken (see `diagnostics`).
  mutating func allocate(_ components: [Component]) -> CPUAllocation? {
    var ok = true
    let policyIsolated = policies.isolatedCPUs.flatMap { written in
      let list = resolve(written, what: "'policies.cpu.isolated'", isolating: true)
      if list == nil { ok = false }
      return list
    }
    let policyHousekeeping = policies.housekeepingCPUs.flatMap { written in
      let list = resolve(written, what: "'policies.cpu.housekeeping'", isolating: false)
      if list == nil { ok = false }
      return list
    }
    var written: [String: CPUList] = [:]
    for component in components {
      guard let request = component.resources.cpu, let cpus = request.cpus else { continue }
      if let list = resolve(
        cpus, what: "'\(component.name.value)'", isolating: request.placement.value == .isolated)
      {
        written[component.name.value] = list
      } else {
        ok = false
      }
    }
    guard ok else { return nil }

    // The partition written by hand, if any: either list, the other being the rest.
    var isolatedSet: CPUList?
    var housekeepingSet: CPUList?
    let setRange = policies.isolatedCPUs?.range ?? policies.housekeepingCPUs?.range
    if policyIsolated != nil || policyHousekeeping != nil {
      let isolated = policyIsolated ?? all.subtracting(policyHousekeeping ?? CPUList([]))
      let housekeeping = policyHousekeeping ?? all.subtracting(isolated)
      if let policyIsolated, let policyHousekeeping {
        let both = policyIsolated.intersection(policyHousekeeping)
        if !both.isEmpty {
          diagnostics.emit(
            AllocationMessage.overlap("CPUs \(both) are both isolated and housekeeping"),
            at: policies.housekeepingCPUs?.range,
            notes: [DiagnosticNote("the isolated set is written here", at: policies.isolatedCPUs?.range)],
            help: ["a CPU is either isolated or housekeeping; remove \(both) from one of the lists"])
          ok = false
        }
        let neither = all.subtracting(policyIsolated).subtracting(policyHousekeeping)
        if !neither.isEmpty {
          diagnostics.emit(
            AllocationMessage.unassigned("CPUs \(neither) are neither isolated nor housekeeping"),
            at: policies.housekeepingCPUs?.range,
            help: ["add \(neither) to one of the lists, or leave out 'housekeeping' to make it every CPU not isolated"])
          ok = false
        }
      }
      let what =
        policyIsolated != nil
        ? "'policies.cpu.isolated'" : "the isolated set (every CPU not in 'policies.cpu.housekeeping')"
      if !isolated.isEmpty {
        ok = checkWholeCores(isolated, what: what, at: setRange) && ok
        ok = checkBoot(isolated, what: what, at: setRange) && ok
      }
      if housekeeping.isEmpty {
        diagnostics.emit(
          AllocationMessage.emptySet("the housekeeping set is empty"), at: setRange,
          help: [
            "keep at least one whole core, such as \(CPUList(bootCore?.threads ?? [0])), for the kernel and "
              + "everything not isolated"
          ])
        ok = false
      }
      isolatedSet = isolated
      housekeepingSet = housekeeping
    }

    // Isolated components with CPUs written by hand.
    let isolating = components.filter { $0.resources.cpu?.placement.value == .isolated }
    var taken = CPUList([])
    var owners: [(name: String, cpus: CPUList, range: SourceRange?)] = []
    for component in isolating {
      let name = component.name.value
      guard let cpus = written[name] else { continue }
      let range = component.resources.cpu?.cpus?.range
      let what = "'\(name)'"
      ok = checkWholeCores(cpus, what: what, at: range) && ok
      ok = checkBoot(cpus, what: what, at: range) && ok
      for owner in owners {
        let both = cpus.intersection(owner.cpus)
        guard !both.isEmpty else { continue }
        diagnostics.emit(
          AllocationMessage.overlap("'\(owner.name)' and '\(name)' both ask for isolated CPUs \(both)"), at: range,
          notes: [DiagnosticNote("'\(owner.name)' asks for \(owner.cpus) here", at: owner.range)],
          help: ["each isolated component needs cores of its own; give one of them other CPUs or 'cores:'"])
        ok = false
      }
      if let isolatedSet {
        let outside = cpus.subtracting(isolatedSet)
        if !outside.isEmpty {
          diagnostics.emit(
            AllocationMessage.notIsolated("CPUs \(outside) of '\(name)' are not in the isolated set \(isolatedSet)"),
            at: range, notes: [DiagnosticNote("the isolated set is written here", at: setRange)],
            help: ["choose CPUs within \(isolatedSet), or widen the isolated set"])
          ok = false
        }
      }
      owners.append((name, cpus, range))
      taken = taken.union(cpus)
    }
    if let isolatedSet, isolatedSet.isEmpty, let first = isolating.first {
      diagnostics.emit(
        AllocationMessage.emptySet("the isolated set is empty, but '\(first.name.value)' asks for isolated cores"),
        at: setRange,
        notes: [DiagnosticNote("'\(first.name.value)' asks here", at: first.resources.cpu?.placement.range)],
        help: ["leave CPUs out of 'policies.cpu.housekeeping' for isolation, or make the component 'placement: shared'"]
      )
      ok = false
    }
    guard ok else { return nil }

    // Isolated components asking for a number of cores: the preferred free cores, in name order.
    let counting = isolating.filter { written[$0.name.value] == nil }
    let wanted = counting.reduce(0) { $0 + ($1.resources.cpu?.cores?.value ?? 0) }
    let pool = Self.preferenceOrder(
      cpu.cores.filter { core in
        !isBootCore(core) && !core.threads.contains(where: taken.contains)
          && (isolatedSet.map { set in core.threads.allSatisfy(set.contains) } ?? true)
      })
    let limit =
      isolatedSet != nil
      ? pool.count : max(0, min(pool.count, cpu.cores.count - housekeepingCores - cpu.cores.touching(taken).count))
    if wanted > limit {
      notEnoughCores(wanted: wanted, limit: limit, counting: counting, taken: taken, isolatedSet: isolatedSet)
      return nil
    }
    var assigned = written
    var next = 0
    for component in counting {
      let count = component.resources.cpu?.cores?.value ?? 0
      assigned[component.name.value] = CPUList(pool[next..<next + count].flatMap(\.threads))
      next += count
    }

    let isolated = isolatedSet ?? CPUList(isolating.flatMap { assigned[$0.name.value]?.cpus ?? [] })
    let housekeeping = housekeepingSet ?? all.subtracting(isolated)
    if isolatedSet != nil || housekeepingSet != nil {
      let whole = cpu.cores.whole(in: housekeeping).count
      if whole < housekeepingCores, !housekeeping.isEmpty {
        diagnostics.emit(
          AllocationMessage.notEnoughCores(
            "the housekeeping set \(housekeeping) has \(Self.plural(whole, "whole core", "whole cores")), "
              + "but 'policies.cpu.housekeeping_cores' asks for \(housekeepingCores)"), at: setRange,
          notes: policies.housekeepingCores.map { [DiagnosticNote("the minimum is set here", at: $0.range)] } ?? [],
          help: ["leave more whole cores out of the isolated set"])
        return nil
      }
    }

    // A set of both kinds of core runs isolated work at two speeds.
    let kinds = cpu.cores.touching(isolated)
    let performance = CPUList(kinds.filter { $0.kind == .performance }.flatMap(\.threads))
    let efficiency = CPUList(kinds.filter { $0.kind == .efficiency }.flatMap(\.threads))
    if !performance.isEmpty, !efficiency.isEmpty {
      let spilled = isolating.first { component in
        assigned[component.name.value]?.cpus.contains(where: efficiency.contains) ?? false
      }
      diagnostics.emit(
        AllocationMessage.mixedCores(
          "the isolated set \(isolated) mixes performance cores (\(performance)) and efficiency cores (\(efficiency))"),
        at: setRange ?? spilled?.resources.cpu?.cores?.range ?? spilled?.resources.cpu?.cpus?.range,
        help: [
          "isolated work runs at different speeds on each kind of core; ask for fewer isolated cores, or isolate "
            + "cores of one kind"
        ])
    }

    // Shared components run on the housekeeping set, or on their own CPUs within it.
    var result: [ComponentCPU] = []
    for component in components {
      guard let request = component.resources.cpu else { continue }
      let name = component.name.value
      let runtime = component.effectiveRuntime
      if request.placement.value == .isolated {
        let cpus = assigned[name] ?? CPUList([])
        result.append(
          ComponentCPU(
            name: name, runtime: runtime, placement: .isolated, cpus: cpus, count: cpus.count))
        continue
      }
      var cpus = housekeeping
      if let own = written[name] {
        let both = own.intersection(isolated)
        if !both.isEmpty {
          diagnostics.emit(
            AllocationMessage.overlap("'\(name)' runs on shared CPUs but asks for isolated CPUs \(both)"),
            at: request.cpus?.range,
            help: ["choose CPUs within the housekeeping set \(housekeeping), or make it 'placement: isolated'"])
          ok = false
        }
        cpus = own
      }
      result.append(
        ComponentCPU(
          name: name, runtime: runtime, placement: .shared, cpus: cpus, count: request.cores?.value ?? cpus.count))
    }
    guard ok else { return nil }
    return CPUAllocation(isolated: isolated, housekeeping: housekeeping, components: result, cores: cpu.cores)
  }

  /// More isolated cores asked for than the machine can give: the count, every contributor, and the limits.
  mutating func notEnoughCores(
    wanted: Int, limit: Int, counting: [Component], taken: CPUList, isolatedSet: CPUList?
  ) {
    var lines: [ExplanationLine] = []
    if let isolatedSet {
      let whole = cpu.cores.whole(in: isolatedSet).filter { !isBootCore($0) }
      lines.append(
        ExplanationLine(
          "the isolated set \(isolatedSet) has \(Self.plural(whole.count, "whole core", "whole cores"))",
          at: policies.isolatedCPUs?.range ?? policies.housekeepingCPUs?.range))
    } else {
      lines.append(
        ExplanationLine(
          "this CPU has \(Self.plural(cpu.cores.count, "core", "cores")): \(topologySummary)", at: cpu.topologyRange))
      lines.append(
        ExplanationLine(
          "\(Self.plural(housekeepingCores, "whole core stays", "whole cores stay")) for housekeeping, the boot "
            + "CPU's among them",
          at: policies.housekeepingCores?.range,
          reference: policies.housekeepingCores == nil ? "default of 'policies.cpu.housekeeping_cores'" : nil))
    }
    let takenCores = cpu.cores.touching(taken).count
    if takenCores > 0 {
      lines.append(
        ExplanationLine(
          "\(Self.plural(takenCores, "core is", "cores are")) isolated by CPUs written by hand (\(taken))"))
    }
    for component in counting {
      let count = component.resources.cpu?.cores?.value ?? 0
      lines.append(
        ExplanationLine(
          "'\(component.name.value)' asks for \(Self.plural(count, "isolated core", "isolated cores"))",
          at: component.resources.cpu?.cores?.range))
    }
    var help = ["ask for fewer isolated cores"]
    if isolatedSet != nil {
      help[0] += ", or widen the isolated set"
    } else if housekeepingCores > 1 {
      help[0] += ", or keep fewer 'housekeeping_cores'"
    }
    var diagnostic = Diagnostic(
      AllocationMessage.notEnoughCores(
        "isolated components ask for \(Self.plural(wanted, "core", "cores")), but \(limit) can be isolated"),
      at: counting.first?.resources.cpu?.cores?.range, help: help)
    diagnostic.explanation = lines
    diagnostics.emit(diagnostic)
  }
}
