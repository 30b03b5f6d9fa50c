import RigBasics
import RigModel

/// The rules every project satisfies whichever front end wrote it: the YAML lowering applies each rule as it
/// reads a value (where it knows the finest location), and `check(_:into:)` applies them all to a model built
/// in Swift (the DSL), which the type system alone cannot hold to them (a name is a `String`, a count an `Int`).
public enum ModelRules {
  /// Checks the whole model; what it reports is what the YAML front end reports for the same mistake.
  public static func check(_ spec: RigSpec, into diagnostics: inout DiagnosticEngine) {
    check(spec, checkingHardware: true, into: &diagnostics)
  }

  /// Checks the model, leaving out its hardware when that is a stand-in for a machine that was missing or wrong.
  package static func check(_ spec: RigSpec, checkingHardware: Bool, into diagnostics: inout DiagnosticEngine) {
    var checker = Checker(diagnostics: diagnostics)
    checker.check(spec, checkingHardware: checkingHardware)
    diagnostics = checker.diagnostics
  }

  // MARK: Rules shared with the YAML lowering

  /// The input format version this rig reads.
  package static func apiVersion(_ text: Located<String>, _ diagnostics: inout DiagnosticEngine) -> Bool {
    guard text.value != RigSpec.apiVersion else { return true }
    diagnostics.emit(
      RuleMessage.invalidValue("unsupported apiVersion '\(text.value.excerpt)'"), at: text.range,
      help: ["this rig reads 'apiVersion: \(RigSpec.apiVersion)'"])
    return false
  }

  /// The machine's RAM, which cannot be nothing.
  package static func machineMemory(_ memory: Located<ByteCount>, _ diagnostics: inout DiagnosticEngine) -> Bool {
    guard memory.value.bytes == 0 else { return true }
    diagnostics.emit(RuleMessage.invalidValue("'hardware.memory' must be more than 0"), at: memory.range)
    return false
  }

  /// A power range that is not empty, with its default inside.
  package static func powerRange(_ range: PowerRange, _ diagnostics: inout DiagnosticEngine) -> Bool {
    let (min, max) = (range.min, range.max)
    if min.value > max.value {
      diagnostics.emit(
        RuleMessage.invalidValue("power range is empty: min \(min.value) is above max \(max.value)"), at: min.range,
        notes: [DiagnosticNote("max is written here", at: max.range)])
      return false
    }
    if let defaultLimit = range.defaultLimit, defaultLimit.value < min.value || defaultLimit.value > max.value {
      diagnostics.emit(
        RuleMessage.invalidValue("default power \(defaultLimit.value) is outside \(min.value)...\(max.value)"),
        at: defaultLimit.range, help: ["copy the range from 'nvidia-smi -q -d POWER'"])
      return false
    }
    return true
  }

  /// A warning threshold below the critical one.
  package static func thermal(
    warning: Located<Temperature>, critical: Located<Temperature>, _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    guard warning.value >= critical.value else { return true }
    diagnostics.emit(
      RuleMessage.invalidValue("thermal warning \(warning.value) must be below critical \(critical.value)"),
      at: warning.range, notes: [DiagnosticNote("critical is written here", at: critical.range)])
    return false
  }

  /// A boot CPU that is one of the topology's logical CPUs.
  package static func bootCPU(
    _ bootCPU: Located<Int>, cores: [Core], topologyRange: SourceRange?, _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    let all = CPUList(cores.flatMap(\.threads))
    guard !all.contains(bootCPU.value) else { return true }
    diagnostics.emit(
      RuleMessage.topology("boot CPU \(bootCPU.value) is not one of this CPU's logical CPUs (\(all))"),
      at: bootCPU.range ?? topologyRange, help: ["set 'boot_cpu' to the CPU the kernel boots on, usually 0"])
    return false
  }

  /// A key of two that exclude each other, and whether and where it is written.
  package struct Alternative {
    package var key: String
    package var written: Bool
    package var range: SourceRange?

    package init(_ key: String, written: Bool, at range: SourceRange?) {
      self.key = key
      self.written = written
      self.range = range
    }
  }

  /// Exactly one of two alternative keys in the value `name` (a quoted path): both is an error at the second, with
  /// a note at the first; neither is an error at `missingAt`.
  package static func exactlyOne(
    _ first: Alternative, _ second: Alternative, in name: String, missingAt: SourceRange?, conflictHelp: String,
    missingHelp: String, _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    switch (first.written, second.written) {
    case (true, true):
      diagnostics.emit(
        RuleMessage.conflictingKeys("\(name) has both '\(first.key)' and '\(second.key)'"), at: second.range,
        notes: [DiagnosticNote("'\(first.key)' is written here", at: first.range)], help: [conflictHelp])
      return false
    case (false, false):
      diagnostics.emit(
        RuleMessage.missingKey(key: "\(first.key)' or '\(second.key)", context: "in \(name)"), at: missingAt,
        help: [missingHelp])
      return false
    default: return true
    }
  }

  /// A CPU request names its CPUs one way: `cores` for rig to choose, or `cpus` by hand.
  package static func cpuRequest(
    cores: Alternative, cpus: Alternative, in name: String, missingAt: SourceRange?,
    _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    exactlyOne(
      cores, cpus, in: name, missingAt: missingAt,
      conflictHelp: "keep 'cores' to let rig choose the CPUs, or 'cpus' to choose them yourself",
      missingHelp: "add 'cores: 4' or 'cpus: \"8-15\"'", &diagnostics)
  }

  /// A topology with cores, each with a thread: an empty list is an error at `range`.
  package static func notEmpty(cores count: Int, at range: SourceRange?, _ diagnostics: inout DiagnosticEngine) -> Bool
  {
    guard count == 0 else { return true }
    diagnostics.emit(RuleMessage.topology("'hardware.cpu.cores' is empty"), at: range)
    return false
  }

  /// A core with at least one thread.
  package static func notEmpty(threads count: Int, at range: SourceRange?, _ diagnostics: inout DiagnosticEngine)
    -> Bool
  {
    guard count == 0 else { return true }
    diagnostics.emit(RuleMessage.topology("a core needs at least one thread"), at: range)
    return false
  }

  /// The cores of the hybrid shorthand, when the counts describe a CPU Linux can run. Adjacent SMT numbering unless
  /// written; an AMD model with SMT and no numbering written is refused, since Linux numbers its siblings apart.
  package static func hybrid(
    performance: Located<Int>, efficiency: Located<Int>, threadsPerPerformanceCore: Located<Int>,
    smt: Located<SMTNumbering>?, model: String?, at range: SourceRange?, _ diagnostics: inout DiagnosticEngine
  ) -> [Core]? {
    let path = "hardware.cpu.hybrid"
    guard inRange(performance, Limits.coreCount, "'\(path).performance'", &diagnostics),
      inRange(efficiency, Limits.coreCount, "'\(path).efficiency'", &diagnostics),
      inRange(threadsPerPerformanceCore, Limits.threadsPerCore, "'\(path).threads_per_performance_core'", &diagnostics)
    else { return nil }
    let total = performance.value * threadsPerPerformanceCore.value + efficiency.value
    if total > CPUList.maxCPU + 1 {
      diagnostics.emit(
        RuleMessage.topology("'\(path)' describes \(total) logical CPUs, more than Linux's 8192"), at: range)
      return nil
    }
    if performance.value + efficiency.value == 0 {
      diagnostics.emit(RuleMessage.topology("'\(path)' describes a CPU with no cores"), at: range)
      return nil
    }
    if smt == nil, threadsPerPerformanceCore.value > 1, CPU.namesAMD(model) {
      diagnostics.emit(
        RuleMessage.topology(
          "'\(path)' does not say how '\(model ?? "")' numbers its SMT siblings; Linux numbers an AMD part's "
            + "apart (CPU n and n+\(performance.value) on one core), not next to each other"),
        at: range,
        help: [
          "add 'smt: split' to '\(path)', or run 'rig probe' on the machine and use the 'cores:' list it prints"
        ])
      return nil
    }
    return CPU.hybridTopology(
      performance: performance.value, efficiency: efficiency.value,
      threadsPerPerformanceCore: threadsPerPerformanceCore.value, smt: smt?.value ?? .adjacent)
  }

  /// A whole number within `bounds`; `name` is how the message names it (a YAML path in quotes).
  package static func inRange(
    _ number: Located<Int>, _ bounds: ClosedRange<Int>, _ name: String, _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    guard !bounds.contains(number.value) else { return true }
    diagnostics.emit(
      RuleMessage.invalidValue(
        "\(name) must be between \(bounds.lowerBound) and \(bounds.upperBound), not \(number.value)"),
      at: number.range)
    return false
  }

  /// Whether `text` matches the schema's pattern `pattern`; the message names the value `name` (a YAML path in
  /// quotes) or, when nil, calls it a key the user chose (an environment variable's name).
  package static func matches(
    _ text: Located<String>, _ pattern: String, named name: String?, example: String,
    _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    if RigSchema.compiledPatterns[pattern]?.matches(text.value) == true { return true }
    let summary = RigSchema.patterns.first { $0.0 == pattern }?.2 ?? pattern
    let message =
      name.map { "\($0) must be \(summary), not '\(text.value.excerpt)'" }
      ?? "key '\(text.value.excerpt)' must be \(summary)"
    diagnostics.emit(RuleMessage.invalidValue(message), at: text.range, help: ["for example '\(example)'"])
    return false
  }

  /// Whether `text` is one of `allowed`; the message names the value `name` and suggests the closest.
  package static func choice(
    _ text: Located<String>, _ allowed: [String], named name: String, _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    guard !allowed.contains(text.value) else { return true }
    let list = allowed.map { "'\($0)'" }.joined(separator: ", ")
    let help = Suggestion.didYouMean(text.value, among: allowed).map { [$0] } ?? []
    diagnostics.emit(
      RuleMessage.invalidValue("\(name) must be one of \(list); not '\(text.value.excerpt)'"), at: text.range,
      help: help)
    return false
  }

  /// A quantity within what rig accepts (`Limited.limits`); `name` is how the message names it.
  package static func withinLimits<Q: Limited>(
    _ value: Located<Q>, _ name: String, _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    guard !Q.limits.contains(value.value) else { return true }
    diagnostics.emit(
      RuleMessage.invalidValue(
        "\(name) must be between \(Q.limits.lowerBound) and \(Q.limits.upperBound), not \(value.value)"),
      at: value.range)
    return false
  }

  /// Records one core's logical CPUs (each with where it is written) in `owner`; a CPU an earlier core or this one
  /// already holds is an error, one per core however many of its CPUs are taken, so a long list cannot flood the
  /// output.
  package static func claim(
    _ threads: [(cpu: Int, range: SourceRange?)], owner: inout [Int: SourceRange?],
    _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    var taken: [Int] = []
    var firstTaken: (range: SourceRange?, first: SourceRange?)?
    for (cpu, range) in threads {
      if let first = owner[cpu] {
        taken.append(cpu)
        if firstTaken == nil { firstTaken = (range, first) }
      } else {
        owner[cpu] = range
      }
    }
    guard let firstTaken else { return true }
    let list = CPUList(taken)
    diagnostics.emit(
      RuleMessage.topology(
        list.count == 1 ? "CPU \(list) belongs to two cores" : "CPUs \(list) belong to two cores"),
      at: firstTaken.range, notes: [DiagnosticNote("first listed here", at: firstTaken.first)],
      help: ["each logical CPU is a thread of exactly one core; see 'lscpu -e' for the machine's topology"])
    return false
  }

  /// Groups every Ansible inventory has: as a host name, `hosts: all` would target every host.
  package static let inventoryGroups: Set<String> = ["all", "ungrouped"]

  /// An Ansible host name that is not one of the groups every inventory has.
  package static func ansibleHost(_ host: Located<String>, _ diagnostics: inout DiagnosticEngine) -> Bool {
    guard inventoryGroups.contains(host.value) else { return true }
    diagnostics.emit(
      RuleMessage.invalidValue("'\(host.value)' is an Ansible inventory group, not a host name"),
      at: host.range, help: ["name the machine, such as 'workstation'"])
    return false
  }

  /// What Kubernetes needs of a workload: a name it accepts for objects, containers and Services (a DNS-1035
  /// label), and, for an isolated one, memory, without which the pod is not Guaranteed and the static CPU manager
  /// gives it no exclusive cores.
  package static func kubernetesWorkload(_ component: Component, _ diagnostics: inout DiagnosticEngine) -> Bool {
    var ok = true
    let name = component.name.value
    if !KubernetesFacts.isDNS1035Label(name) {
      diagnostics.emit(
        RuleMessage.invalidValue(
          "'\(name.excerpt)' cannot name a Kubernetes workload: it must be a DNS-1035 label (a lowercase letter, "
            + "then lowercase letters, digits and '-', at most 63 characters)"),
        at: component.name.range, help: ["rename it, or run it with 'runtime: systemd' or 'runtime: host'"])
      ok = false
    }
    if component.storage != nil, name.count > KubernetesFacts.statefulSetNameLimit {
      diagnostics.emit(
        RuleMessage.invalidValue(
          "'\(name.excerpt)' keeps state, so it runs as a StatefulSet, whose name may have at most "
            + "\(KubernetesFacts.statefulSetNameLimit) characters; this one has \(name.count)"),
        at: component.name.range,
        notes: [
          DiagnosticNote(
            "Kubernetes labels each pod 'controller-revision-hash: NAME-HASH', and a label value has at most 63 "
              + "characters: a longer name makes pods that can never be created")
        ],
        help: ["shorten the name to \(KubernetesFacts.statefulSetNameLimit) characters or fewer"])
      ok = false
    }
    if let storage = component.storage,
      let taken = KubernetesFacts.scratchMounts.first(where: { $0.path == storage.path.value })
    {
      diagnostics.emit(
        RuleMessage.invalidValue(
          "the volume of '\(name.excerpt)' is mounted at '\(taken.path)', where another volume is: \(taken.why)"),
        at: storage.path.range, notes: [DiagnosticNote("the API server refuses a pod with two mounts at one path")],
        help: ["mount it at a folder of its own, such as '/data'"])
      ok = false
    }
    if let shm = component.resources.shm, let memory = component.resources.memory, shm.value > memory.value {
      diagnostics.emit(
        RuleMessage.invalidValue(
          "the shared memory of '\(name.excerpt)' (\(shm.value)) is larger than its memory (\(memory.value))"),
        at: shm.range,
        notes: [
          DiagnosticNote(
            "Kubernetes counts what a container writes to a memory-backed /dev/shm in its memory limit",
            at: memory.range)
        ],
        help: ["lower 'shm:' to \(memory.value) or less, or raise 'memory:'"])
      ok = false
    }
    if let cpu = component.resources.cpu, cpu.placement.value == .isolated, component.resources.memory == nil {
      diagnostics.emit(
        RuleMessage.invalidValue("isolated Kubernetes workload '\(name.excerpt)' has no memory request"),
        at: cpu.placement.range,
        notes: [
          DiagnosticNote(
            "only a Guaranteed pod (memory and CPU requests equal to limits) gets whole cores from the kubelet's "
              + "static CPU manager")
        ],
        help: ["add 'memory:' under 'resources:', such as 'memory: 8GiB'"])
      ok = false
    }
    return ok
  }

  /// A namespace for the stack's workloads that is not one of the cluster's own: rig denies all traffic in its
  /// namespace but what the stack needs.
  package static func kubernetesNamespace(_ namespace: Located<String>, _ diagnostics: inout DiagnosticEngine) -> Bool {
    guard KubernetesFacts.reservedNamespaces.contains(namespace.value) else { return true }
    diagnostics.emit(
      RuleMessage.invalidValue("'\(namespace.value)' is one of the cluster's own namespaces"), at: namespace.range,
      notes: [
        DiagnosticNote(
          "rig denies every connection in its namespace but the stack's own; in '\(namespace.value)' that would cut "
            + "off the cluster's services (CoreDNS, the API server)")
      ],
      help: ["name a namespace of the stack's own, such as 'ai'"])
    return false
  }

  /// Every field of a component is one its runtime honours; a field it cannot honour is an error at the field,
  /// never dropped. Kubernetes takes them all (a volume needs its size); a systemd service runs a program on the
  /// host, so no image, and keeps its state in a directory under `/var/lib/`, which systemd cannot cap; a component
  /// installed on the host runs under nobody's control, so nothing that describes a running process applies (its
  /// `resources:` stay: they are reservations in the machine's budgets, isolated cores one starts it on by hand).
  package static func runtimeFields(_ component: Component, _ diagnostics: inout DiagnosticEngine) -> Bool {
    let name = component.name.value.excerpt
    var ok = true
    func refuse(_ message: String, at range: SourceRange?, help: String) {
      diagnostics.emit(RuleMessage.notForRuntime(message), at: range, help: [help])
      ok = false
    }
    switch component.effectiveRuntime {
    case .kubernetes:
      if KubernetesFacts.nodeAgents[component.name.value] != nil {
        let why = "'\(name)' runs on every node as rig's node agent (a DaemonSet on the host network)"
        if let storage = component.storage {
          refuse(
            "\(why), which keeps no volume", at: storage.path.range,
            help: "remove 'storage:'; the exporter reads the host and keeps nothing")
        }
        if let shm = component.resources.shm {
          refuse(
            "\(why), whose /dev/shm rig does not size", at: shm.range,
            help: "remove 'shm:' under 'resources:'; the exporter shares no memory")
        }
        if let gpu = component.resources.gpu {
          refuse(
            "\(why), which sees every GPU through the NVIDIA runtime without taking one", at: gpu.memory.range,
            help: "remove 'gpu:' under 'resources:', so no workload loses a GPU to the exporter")
        }
      }
      if let storage = component.storage, storage.size == nil {
        refuse(
          "the volume of Kubernetes workload '\(name)' has no size", at: storage.path.range,
          help: "add 'size:' under 'storage:', such as 'size: 100GiB'")
      }
    case .systemd:
      if let security = component.security,
        let range = security.user?.range ?? security.group?.range
          ?? security.rootFilesystem?.range
      {
        refuse(
          "'\(name)' runs as a systemd service, under a dynamic user in systemd's sandbox: 'security' describes a "
            + "container", at: range, help: "remove 'security:', or run it with 'runtime: kubernetes'")
      }
      if let shm = component.resources.shm {
        refuse(
          "'\(name)' runs as a systemd service, which shares the host's /dev/shm: systemd cannot size it per unit",
          at: shm.range, help: "remove 'shm:' under 'resources:', or run it with 'runtime: kubernetes'")
      }
      if let image = component.image {
        refuse(
          "'\(name)' runs as a systemd service, a program on the host: it cannot run a container image",
          at: image.range, help: "name its program with 'exec:', or run it with 'runtime: kubernetes'")
      }
      if let first = component.ports.first {
        refuse(
          "'\(name)' runs as a systemd service, and systemd does not publish or limit the ports a service "
            + "listens on", at: first.range,
          help: "remove 'ports:' and pass the port to the program in 'args:', such as '--port', '8081'")
      }
      if let storage = component.storage {
        if let size = storage.size {
          refuse(
            "systemd cannot cap the size of the state directory of '\(name)'", at: size.range,
            help: "remove 'size:', or run it with 'runtime: kubernetes', whose volume has a size")
        }
        let folder = storage.path.value
        if !folder.hasPrefix("/var/lib/") || folder.dropFirst("/var/lib/".count).isEmpty {
          refuse(
            "'\(name)' runs as a systemd service, which keeps its state in a directory under /var/lib/ "
              + "(StateDirectory=), not at '\(folder.excerpt)'",
            at: storage.path.range, help: "use a folder such as '/var/lib/\(name)'")
        }
      }
    case .host:
      let why =
        component.runtime == nil
        ? "'\(name)' has no 'runtime:', so rig installs it on the host and runs nothing"
        : "'\(name)' is installed on the host ('runtime: host'), and rig runs nothing"
      let help = "run it with 'runtime: systemd' (a service) or 'runtime: kubernetes', or remove"
      var fields: [(String, SourceRange?)] = []
      if let image = component.image { fields.append(("image", image.range)) }
      if let exec = component.exec { fields.append(("exec", exec.range)) }
      if let first = component.args.first { fields.append(("args", first.range)) }
      if let first = component.environment.first { fields.append(("env", first.name.range)) }
      if let storage = component.storage { fields.append(("storage", storage.path.range)) }
      if let first = component.ports.first { fields.append(("ports", first.range)) }
      if let shm = component.resources.shm { fields.append(("shm", shm.range)) }
      if let security = component.security {
        fields.append(("security", security.user?.range ?? security.group?.range ?? security.rootFilesystem?.range))
      }
      for (field, range) in fields {
        refuse("\(why): its '\(field)' would have no effect", at: range, help: "\(help) '\(field)'")
      }
    }
    return ok
  }

  /// Warns where a Kubernetes component leaves rig's restricted defaults: root moves it to the stack's `baseline`
  /// namespace; a writable root filesystem keeps it where it is (restricted allows it) but loses what it writes.
  package static func checkSecurity(_ component: Component, namespace: String?, _ diagnostics: inout DiagnosticEngine) {
    guard component.effectiveRuntime == .kubernetes, let security = component.security else { return }
    let name = component.name.value.excerpt
    if let user = security.user, user.value == 0 {
      let target =
        namespace.map { "'\(KubernetesFacts.namespace(of: component, stack: $0))'" } ?? "the stack's baseline namespace"
      diagnostics.emit(
        RuleMessage.securityRelaxed(
          "'\(name)' runs as root, which Pod Security 'restricted' forbids: it runs in \(target), at 'baseline'"),
        at: user.range,
        notes: [
          DiagnosticNote(
            "a process that escapes a root container is root on the node; its Secrets and the services it "
              + "reaches follow it to that namespace")
        ],
        help: ["run it as a user of its own, such as 'user: 1000', where the image allows it"])
    }
    if let root = security.rootFilesystem, root.value == .writable {
      diagnostics.emit(
        RuleMessage.securityRelaxed("'\(name)' may write to its container's root filesystem"), at: root.range,
        notes: [DiagnosticNote("what it writes there is lost when the container restarts; 'storage:' keeps state")],
        help: ["keep 'read-only' and give what it writes a volume ('storage:') where the image allows it"])
    }
  }

  /// Warns about an image that names no version: no tag and no digest, or the tag `latest`, which moves.
  package static func checkPinned(_ image: Located<String>, _ diagnostics: inout DiagnosticEngine) {
    let reference = image.value
    if reference.utf8.contains(UInt8(ascii: "@")), reference.contains("@sha256:") { return }
    let lastComponent = reference.split(separator: "/").last ?? ""
    let tag = lastComponent.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
    guard tag == nil || tag == "latest" else { return }
    let repository = tag == nil ? reference : String(reference.dropLast(":latest".count))
    diagnostics.emit(
      RuleMessage.imageNotPinned(
        tag == nil
          ? "image '\(reference.excerpt)' has no tag" : "image '\(reference.excerpt)' uses the moving tag 'latest'"),
      at: image.range,
      notes: [DiagnosticNote("the artifacts pin the image as written, so what runs can change without a change here")],
      help: ["pin a version tag or a digest, such as '\(repository.excerpt):1.2.3' or '\(repository.excerpt)@sha256:…'"]
    )
  }

  /// Whether `item` is the first of its value in a list; a repeat is reported with a note at the first.
  package static func isFirst<T: Hashable>(
    _ item: Located<T>, in seen: inout [T: SourceRange?], named name: String, verb: String = "listed",
    help: [String] = [], _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    if let first = seen[item.value] {
      diagnostics.emit(
        RuleMessage.duplicateDefinition("\(name) is \(verb) twice"), at: item.range,
        notes: [DiagnosticNote("first \(verb) here", at: first)], help: help)
      return false
    }
    seen[item.value] = item.range
    return true
  }

  /// A requirement written as text (SPEC §2: `name`, `name >= 1.2, < 2`, `name ^12`): `at` turns an offset and a
  /// length in the text into where they are written, for the name and for a problem; `range` is the whole text's.
  package static func requirement(
    _ text: String, range: SourceRange?, at: (Int, Int) -> SourceRange?, _ diagnostics: inout DiagnosticEngine
  ) -> Requirement? {
    switch Requirement.parse(text) {
    case .success(let parsed):
      return Requirement(
        name: Located(parsed.name, at: at(parsed.nameOffset, parsed.nameLength)), constraint: parsed.constraint,
        range: range)
    case .failure(let problem):
      diagnostics.emit(
        RuleMessage.badConstraint("invalid requirement: " + problem.message),
        at: at(problem.offset, max(1, problem.length)), help: problem.help)
      return nil
    }
  }

  /// A version in Debian's syntax; `at` locates a problem in it.
  package static func version(
    _ text: String, at: (SyntaxProblem) -> SourceRange?, _ diagnostics: inout DiagnosticEngine
  ) -> Version? {
    switch Version.parse(text) {
    case .success(let version): return version
    case .failure(let problem):
      diagnostics.emit(
        RuleMessage.badVersion("invalid version '\(text.excerpt)': \(problem.message)"), at: at(problem),
        help: problem.help)
      return nil
    }
  }

  /// A component name that follows Debian's package-name rule.
  package static func componentName(
    _ name: Located<String>, at range: (SyntaxProblem) -> SourceRange?, _ diagnostics: inout DiagnosticEngine
  ) -> Bool {
    guard let problem = Requirement.checkName(name.value) else { return true }
    diagnostics.emit(
      RuleMessage.invalidValue("invalid component name '\(name.value.excerpt)': \(problem.message)"),
      at: range(problem), help: problem.help)
    return false
  }
}

/// Walks a whole model, applying every rule; names values by their YAML path, the one vocabulary both front ends
/// share (`'components.comfyui.image'`).
private struct Checker {
  var diagnostics: DiagnosticEngine

  init(diagnostics: DiagnosticEngine) { self.diagnostics = diagnostics }

  mutating func check(_ spec: RigSpec, checkingHardware: Bool) {
    _ = ModelRules.apiVersion(spec.apiVersion, &diagnostics)
    pattern(spec.name, "dnsLabel", "name", example: "ai-workstation")
    if checkingHardware { hardware(spec.hardware) }
    var seenSources: [String: SourceRange?] = [:]
    for source in spec.sources {
      if choice(source, RigSchema.knownSources, "sources") {
        _ = ModelRules.isFirst(source, in: &seenSources, named: "source '\(source.value)'", &diagnostics)
      }
    }
    for requirement in spec.stack { self.requirement(requirement) }
    var seenComponents: [String: SourceRange?] = [:]
    for component in spec.components {
      guard ModelRules.componentName(component.name, at: { _ in component.name.range }, &diagnostics),
        ModelRules.isFirst(
          component.name, in: &seenComponents, named: "component '\(component.name.value.excerpt)'", verb: "declared",
          help: ["merge the two declarations into one"], &diagnostics)
      else { continue }
      self.component(component)
    }
    policies(spec.policies)
    targets(spec.targets)
    for component in spec.components {
      ModelRules.checkSecurity(component, namespace: spec.targets.kubernetes?.namespace.value, &diagnostics)
    }
  }

  // MARK: Hardware

  mutating func hardware(_ hardware: Hardware) {
    if ModelRules.machineMemory(hardware.memory, &diagnostics) { limited(hardware.memory, "hardware.memory") }
    cpu(hardware.cpu)
    var names: [String: SourceRange?] = [:]
    for (index, gpu) in hardware.gpus.enumerated() {
      let path = "hardware.gpus[\(index)]"
      guard pattern(gpu.name, "dnsLabel", "\(path).name", example: "gpu0"),
        ModelRules.isFirst(
          gpu.name, in: &names, named: "GPU '\(gpu.name.value)'", verb: "declared",
          help: ["give each GPU its own name"],
          &diagnostics)
      else { continue }
      limited(gpu.memory, "\(path).memory")
      if let power = gpu.power {
        for (key, value) in [("default", power.defaultLimit), ("min", power.min), ("max", power.max)] {
          if let value { limited(value, "\(path).power.\(key)") }
        }
        _ = ModelRules.powerRange(power, &diagnostics)
      }
    }
    _ = choice(hardware.os.distribution, RigSchema.distributions, "hardware.os.distribution")
    _ = choice(hardware.os.release, RigSchema.releases, "hardware.os.release")
  }

  mutating func cpu(_ cpu: CPU) {
    guard ModelRules.notEmpty(cores: cpu.cores.count, at: cpu.topologyRange, &diagnostics) else { return }
    var owner: [Int: SourceRange?] = [:]
    for core in cpu.cores {
      guard ModelRules.notEmpty(threads: core.threads.count, at: core.range, &diagnostics) else { continue }
      if let bad = core.threads.first(where: { !Limits.cpu.contains($0) }) {
        diagnostics.emit(
          RuleMessage.invalidValue("CPU \(bad) is outside 0...\(CPUList.maxCPU), the CPUs Linux numbers"),
          at: core.range)
        continue
      }
      _ = ModelRules.claim(core.threads.map { ($0, core.range) }, owner: &owner, &diagnostics)
    }
    _ = ModelRules.bootCPU(cpu.bootCPU, cores: cpu.cores, topologyRange: cpu.topologyRange, &diagnostics)
  }

  // MARK: Stack and components

  mutating func requirement(_ requirement: Requirement) {
    _ = ModelRules.componentName(requirement.name, at: { _ in requirement.name.range }, &diagnostics)
  }

  mutating func component(_ component: Component) {
    let path = "components.\(component.name.value)"
    var versions: [Version: SourceRange?] = [:]
    for version in component.versions {
      _ = ModelRules.isFirst(
        version.version, in: &versions, named: "version \(version.version.value) of '\(component.name.value)'",
        verb: "declared", &diagnostics)
      for requirement in version.requires { self.requirement(requirement) }
    }
    if let image = component.image, pattern(image, "image", "\(path).image", example: "ghcr.io/example/comfyui:0.3.10")
    {
      ModelRules.checkPinned(image, &diagnostics)
    }
    var names: [String: SourceRange?] = [:]
    for variable in component.environment {
      guard pattern(variable.name, "environmentName", nil, example: "OLLAMA_HOST"),
        ModelRules.isFirst(
          variable.name, in: &names, named: "environment variable '\(variable.name.value)'", verb: "set",
          &diagnostics)
      else { continue }
      if case .secret(let name, let key) = variable.value {
        pattern(name, "dnsSubdomain", "\(path).env.\(variable.name.value).secret", example: "hf-token")
        pattern(key, "secretKey", "\(path).env.\(variable.name.value).key", example: "token")
      }
    }
    if let exec = component.exec { pattern(exec, "absolutePath", "\(path).exec", example: "/usr/bin/llama-server") }
    if let storage = component.storage {
      pattern(storage.path, "absolutePath", "\(path).storage.path", example: "/data")
      if let size = storage.size { limited(size, "\(path).storage.size") }
    }
    if let security = component.security {
      if let user = security.user { _ = inRange(user, Limits.containerID, "\(path).security.user") }
      if let group = security.group { _ = inRange(group, Limits.containerID, "\(path).security.group") }
    }
    var ports: [Int: SourceRange?] = [:]
    for (index, port) in component.ports.enumerated() where inRange(port, Limits.port, "\(path).ports[\(index)]") {
      _ = ModelRules.isFirst(port, in: &ports, named: "port \(port.value)", &diagnostics)
    }
    if let cpu = component.resources.cpu,
      ModelRules.cpuRequest(
        cores: .init("cores", written: cpu.cores != nil, at: cpu.cores?.range),
        cpus: .init("cpus", written: cpu.cpus != nil, at: cpu.cpus?.range), in: "'\(path).resources.cpu'",
        missingAt: cpu.placement.range ?? component.name.range, &diagnostics),
      let cores = cpu.cores
    {
      _ = inRange(cores, Limits.cores, "\(path).resources.cpu.cores")
    }
    if let memory = component.resources.memory { limited(memory, "\(path).resources.memory") }
    if let gpu = component.resources.gpu {
      limited(gpu.memory, "\(path).resources.gpu.memory")
      if let count = gpu.count { _ = inRange(count, Limits.gpuCount, "\(path).resources.gpu.count") }
    }
    if let shm = component.resources.shm { limited(shm, "\(path).resources.shm") }
    if let group = component.exclusiveGroup {
      pattern(group, "dnsLabel", "\(path).exclusive_group", example: "gpu-heavy")
    }
    if component.runtime?.value == .kubernetes { _ = ModelRules.kubernetesWorkload(component, &diagnostics) }
    _ = ModelRules.runtimeFields(component, &diagnostics)
  }

  // MARK: Policies and targets

  mutating func policies(_ policies: Policies) {
    if let cores = policies.housekeepingCores { _ = inRange(cores, Limits.cores, "policies.cpu.housekeeping_cores") }
    if let reserve = policies.memoryReserve { limited(reserve, "policies.memory.reserve") }
    if let reserve = policies.gpuReserve { limited(reserve, "policies.gpu.reserve") }
    if let limit = policies.gpuPowerLimit { limited(limit, "policies.gpu.power_limit") }
    if let thermal = policies.thermal {
      limited(thermal.warning, "policies.gpu.thermal.warning")
      limited(thermal.critical, "policies.gpu.thermal.critical")
      _ = ModelRules.thermal(warning: thermal.warning, critical: thermal.critical, &diagnostics)
      limited(thermal.duration, "policies.gpu.thermal.for")
    }
  }

  mutating func targets(_ targets: Targets) {
    if let ansible = targets.ansible, pattern(ansible.host, "hostName", "targets.ansible.host", example: "workstation")
    {
      _ = ModelRules.ansibleHost(ansible.host, &diagnostics)
    }
    if let kubernetes = targets.kubernetes {
      pattern(kubernetes.version, "kubernetesVersion", "targets.kubernetes.version", example: "1.30")
      if pattern(kubernetes.namespace, "dnsLabel", "targets.kubernetes.namespace", example: "ai") {
        _ = ModelRules.kubernetesNamespace(kubernetes.namespace, &diagnostics)
      }
    }
    if let nix = targets.nix { pattern(nix.release, "nixosRelease", "targets.nix.release", example: "24.11") }
  }

  // MARK: Values

  /// Whether `text` matches the schema's pattern `name`; the message names a value at `path`, or without a path a
  /// key the user chose.
  @discardableResult
  mutating func pattern(_ text: Located<String>, _ name: String, _ path: String?, example: String) -> Bool {
    ModelRules.matches(
      text, name, named: path.map { "'\($0)'" }, example: example, &diagnostics)
  }

  mutating func choice(_ text: Located<String>, _ allowed: [String], _ path: String) -> Bool {
    ModelRules.choice(text, allowed, named: "'\(path)'", &diagnostics)
  }

  mutating func inRange(_ number: Located<Int>, _ bounds: ClosedRange<Int>, _ path: String) -> Bool {
    ModelRules.inRange(number, bounds, "'\(path)'", &diagnostics)
  }

  mutating func limited<Q: Limited>(_ value: Located<Q>, _ path: String) {
    _ = ModelRules.withinLimits(value, "'\(path)'", &diagnostics)
  }
}
