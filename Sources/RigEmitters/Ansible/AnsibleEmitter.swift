import RigAllocation
import RigBasics
import RigCatalog
import RigModel
import RigPlan

/// An Ansible playbook that brings the host to the plan (`ansible/site.yml`, `ansible/inventory.yml`, and
/// `ansible/files/`, a tree of the files it copies laid out as on the host): apt sources for the catalogs the
/// packages come from, the i386 architecture when an i386 package is needed, every package at its resolved
/// version, upstream release archives, every file of the other targets that has an `Installation` (at its host
/// path, with the handlers its effects name), the NVIDIA runtime for containerd, and the Kubernetes objects
/// (tagged `kubernetes`, so a run without a cluster can skip them).
///
/// Every task is named and idempotent and uses fully qualified module names. User text (component
/// descriptions) never enters the playbook, where Ansible would evaluate `{{ … }}` in it: it reaches the host
/// only inside copied files, which `ansible.builtin.copy` writes byte for byte.
public struct AnsibleEmitter: InstallingEmitter {
  public init() {}
  public var target: String { "ansible" }
  public func isEnabled(_ plan: Plan) -> Bool { plan.spec.targets.ansible != nil }

  /// The playbook and its files; `others` are the artifacts of the plan's other targets, which it installs.
  public func artifacts(for plan: Plan, installing others: [Artifact]) -> [Artifact] {
    guard let target = plan.spec.targets.ansible else { return [] }
    var builder = Builder(plan: plan, others: others)
    builder.build()
    let host = target.host.value
    var play: [(String, YAMLValue)] = [
      ("name", .string("Set up \(plan.spec.name.value)")), ("hosts", .string(host)), ("become", true),
      // A run that fails after a file changed still reloads and restarts what the change needs.
      ("force_handlers", true),
    ]
    let mirrors = Self.mirrors.filter { builder.mirrorsUsed.contains($0.variable) }
    if !mirrors.isEmpty {
      play.append(("vars", .map(mirrors.map { ($0.variable, .string($0.base)) })))
    }
    play += [("tasks", .list(builder.tasks)), ("handlers", .list(builder.handlers()))]
    var header = plan.fileHeader
    header +=
      "# Run: ansible-playbook -i inventory.yml site.yml. Tags: 'kubernetes' (needs the cluster's API server),\n"
    header += "# 'download' (fetches signing keys and release archives; Ansible fetches even with --check),\n"
    header += "# 'hardware' (needs a physical NVIDIA GPU). Downloads come from the play's rig_mirror_* variables:\n"
    header += "# -e rig_mirror_github=https://mirror.example/github points them at a mirror.\n"
    if !builder.notInstalled.isEmpty {
      header += "# Not installed by this playbook (no apt package or release archive in the catalog): "
      header += builder.notInstalled.joined(separator: ", ") + ".\n"
    }
    let inventory: YAMLValue = ["all": ["hosts": .map([(host, YAMLValue.map([]))])]]
    return [
      Artifact(path: "ansible/inventory.yml", contents: plan.fileHeader + inventory.document),
      Artifact(path: "ansible/site.yml", contents: header + YAMLValue.documents([.list([.map(play)])])),
    ] + builder.files
  }

  /// A fleet's playbook: one inventory (`inventory.yml`, its groups, and `host_vars/HOST.yml` with each host's
  /// address and node labels), each host's tasks in `tasks/HOST.yml` with its files under `files/HOST/`, and one
  /// play over every host that includes each host's own tasks. The play's `free` strategy lets every host go on at
  /// its own pace (up to Ansible's forks at once), so a fleet converges in the time of its slowest host.
  /// `installing[i]` are the files host `i` installs: its own targets' and, for the control plane, the cluster's.
  public func fleetArtifacts(for fleet: Fleet, plans: [Plan], installing: [[Artifact]], cluster: ClusterView?)
    -> [Artifact]
  {
    let builders = Array(zip(plans, installing)).enumerated().map { index, pair in
      var builder = Builder(
        plan: pair.0, others: pair.1, filesFolder: FleetLayout.filesFolder(fleet.hosts[index].name.value))
      builder.build()
      return builder
    }
    var artifacts: [Artifact] = []
    var header = plans[0].fileHeader
    header += "# Run: ansible-playbook -i inventory.yml site.yml. Each host runs its own tasks (tasks/HOST.yml), all\n"
    header += "# hosts at once. Tags: 'kubernetes' (the control plane applies the cluster's objects), 'download',\n"
    header += "# 'hardware' (needs a physical NVIDIA GPU); -e rig_mirror_github=https://mirror.example/github points\n"
    header += "# downloads at a mirror.\n"
    var merged = Builder(plan: plans[0], others: [])
    for (host, builder) in zip(fleet.hosts, builders) {
      merged.notified.formUnion(builder.notified)
      for unit in builder.restarted where !merged.restarted.contains(unit) { merged.restarted.append(unit) }
      merged.mirrorsUsed.formUnion(builder.mirrorsUsed)
      if !builder.notInstalled.isEmpty {
        header += "# Not installed on \(host.name.value) (no apt package or release archive in the catalog): "
        header += builder.notInstalled.joined(separator: ", ") + ".\n"
      }
      artifacts.append(
        Artifact(
          path: FleetLayout.tasksFile(host.name.value),
          contents: plans[0].fileHeader + YAMLValue.documents([.list(builder.tasks)])))
      artifacts += builder.files
      var variables: [(String, YAMLValue)] = []
      if let address = host.address { variables.append(("ansible_host", .string(address.value))) }
      if let node = cluster?.nodes.first(where: { $0.name == host.name.value }) {
        variables.append(("rig_node_labels", .map(node.labels.map { ($0.key, .string($0.value)) })))
      }
      artifacts.append(
        Artifact(
          path: FleetLayout.hostVarsFile(host.name.value),
          contents: plans[0].fileHeader + YAMLValue.map(variables).document))
    }
    let handlers = merged.handlers()
    var play: [(String, YAMLValue)] = [
      ("name", .string("Set up \(fleet.name.value)")), ("hosts", "all"), ("become", true), ("force_handlers", true),
      ("strategy", "free"),
    ]
    let mirrors = Self.mirrors.filter { merged.mirrorsUsed.contains($0.variable) }
    if !mirrors.isEmpty { play.append(("vars", .map(mirrors.map { ($0.variable, .string($0.base)) }))) }
    play += [
      (
        "tasks",
        [
          Self.task(
            "Set up this host", "ansible.builtin.include_tasks", [("file", "tasks/{{ inventory_hostname }}.yml")])
        ]
      ),
      ("handlers", .list(handlers)),
    ]
    var groups: [(String, YAMLValue)] = []
    var members: [String: [String]] = [:]
    var order: [String] = []
    for host in fleet.hosts {
      for group in host.groups {
        if members[group.value] == nil { order.append(group.value) }
        members[group.value, default: []].append(host.name.value)
      }
    }
    for group in order {
      groups.append((group, ["hosts": .map((members[group] ?? []).map { ($0, YAMLValue.map([])) })]))
    }
    var all: [(String, YAMLValue)] = [("hosts", .map(fleet.hosts.map { ($0.name.value, YAMLValue.map([])) }))]
    if !groups.isEmpty { all.append(("children", .map(groups))) }
    let inventory: YAMLValue = ["all": .map(all)]
    artifacts += [
      Artifact(path: "ansible/inventory.yml", contents: plans[0].fileHeader + inventory.document),
      Artifact(path: "ansible/site.yml", contents: header + YAMLValue.documents([.list([.map(play)])])),
    ]
    return artifacts
  }

  /// Where downloads come from, each origin behind a play variable (`-e rig_mirror_github=…` points it at a
  /// mirror with the same layout). The only Jinja rig writes: catalog addresses, never user text.
  static let mirrors: [(variable: String, base: String)] = [
    ("rig_mirror_github", "https://github.com"),
    ("rig_mirror_nvidia", "https://developer.download.nvidia.com"),
    ("rig_mirror_nvidia_github", "https://nvidia.github.io"),
    ("rig_mirror_kubernetes", "https://pkgs.k8s.io"),
  ]

  /// Tasks that need a physical NVIDIA GPU (a container or a CI machine has none): `--skip-tags hardware`.
  static let hardwareTag: [(String, YAMLValue)] = [("tags", ["hardware"])]

  /// Tasks that fetch from the network (keys, release archives) and those that need what they fetch: Ansible
  /// downloads even in check mode, so a check run without the network skips them with `--skip-tags download`.
  static let downloadTag: [(String, YAMLValue)] = [("tags", ["download"])]

  /// Tasks that talk to a running systemd: skipped where the service manager is not systemd (a container or a
  /// chroot being prepared as an image), where the files and links are all there is to do.
  static let whenSystemd: [(String, YAMLValue)] = [("when", "ansible_facts['service_mgr'] == 'systemd'")]

  /// A named task: `name`, then the module and its arguments, then task keywords.
  static func task(
    _ name: String, _ module: String, _ arguments: [(String, YAMLValue)], _ keywords: [(String, YAMLValue)] = []
  )
    -> YAMLValue
  {
    .map([("name", .string(name)), (module, .map(arguments))] + keywords)
  }

  struct Builder {
    let plan: Plan
    /// The other targets' installed artifacts, a group per target in registry order, each in install order.
    let others: [[Artifact]]
    /// Components installed from apt, upstream archives, or not at all, in install order: every resolved
    /// component but the Kubernetes workloads.
    let installOrder: [PlannedComponent]
    var tasks: [YAMLValue] = []
    var files: [Artifact] = []
    var notInstalled: [String] = []
    var notified: Set<String> = []
    /// Units restarted after their files changed, in the order first notified.
    var restarted: [String] = []
    /// Packages installed because a file configures them.
    var configured: Set<String> = []
    /// The mirror variables the tasks use.
    var mirrorsUsed: Set<String> = []
    /// The folder under `files/` that holds this host's copies: empty for one machine, `HOST/` in a fleet.
    var filesFolder = ""

    /// `url` with its origin replaced by the origin's mirror variable, when it has one.
    mutating func mirrored(_ url: String) -> String {
      guard let mirror = AnsibleEmitter.mirrors.first(where: { url.hasPrefix($0.base + "/") }) else { return url }
      mirrorsUsed.insert(mirror.variable)
      return "{{ \(mirror.variable) }}" + url.dropFirst(mirror.base.count)
    }

    init(plan: Plan, others: [Artifact], filesFolder: String = "") {
      self.plan = plan
      self.filesFolder = filesFolder
      var groups: [[Artifact]] = []
      for artifact in others where artifact.installation != nil {
        if let last = groups.last?.last, last.target == artifact.target {
          groups[groups.count - 1].append(artifact)
        } else {
          groups.append([artifact])
        }
      }
      // By rank within a target, keeping the emitter's order among equals.
      self.others = groups.map { group in
        group.enumerated().sorted { a, b in
          (a.element.installation?.rank ?? 0, a.offset) < (b.element.installation?.rank ?? 0, b.offset)
        }.map(\.element)
      }
      installOrder = plan.hostInstallOrder
    }

    /// Folders that exist on every Debian system; the playbook creates the others before copying into them.
    var existing: Set<String> = ["/etc/apt/sources.list.d", "/etc/systemd/system"]

    /// A file of `contents` under `files/`, and the task that installs it as `installation` says, after the task
    /// creating its folder when that may be missing.
    mutating func copy(_ contents: String, as installation: Installation, notify: [String]) {
      let destination = installation.path
      directory(String(destination[..<(destination.lastIndex(of: "/") ?? destination.endIndex)]))
      let source = filesFolder + String(destination.dropFirst())  // files/etc/... mirrors the host
      files.append(Artifact(path: "ansible/files/" + source, contents: contents))
      var keywords: [(String, YAMLValue)] = []
      if !notify.isEmpty {
        keywords.append(("notify", .list(notify.map { .string($0) })))
        notified.formUnion(notify)
      }
      tasks.append(
        AnsibleEmitter.task(
          "Install \(destination)", "ansible.builtin.copy",
          [
            ("src", .string(source)), ("dest", .string(destination)),
            ("owner", .string(installation.owner)), ("group", .string(installation.group)),
            ("mode", .string(installation.mode)),
          ], keywords))
    }

    mutating func directory(_ path: String) {
      guard existing.insert(path).inserted else { return }
      tasks.append(
        AnsibleEmitter.task(
          "Create \(path)", "ansible.builtin.file",
          [("path", .string(path)), ("state", "directory"), ("owner", "root"), ("group", "root"), ("mode", "0755")]))
    }

    mutating func build() {
      aptSources()
      packages()
      archives()
      otherTargets()
    }

    // MARK: apt

    /// The apt sources of every catalog a package comes from, one deb822 file per source, with the areas the
    /// packages need; signing keys that are not on the machine yet are downloaded to /etc/apt/keyrings.
    mutating func aptSources() {
      var areas: [String: Set<String>] = [:]
      var minors: [String: Set<String>] = [:]
      for component in installOrder {
        guard let (source, entry) = plan.catalogEntry(component), !source.apt.isEmpty else { continue }
        areas[source.name, default: []].formUnion(entry.areas)
        let numbers = component.version.parts.upstream.split(separator: ".")
        minors[source.name, default: []].insert(numbers.prefix(2).joined(separator: "."))
      }
      guard !areas.isEmpty else { return }
      let order = ["main", "contrib", "non-free", "non-free-firmware"]
      for name in areas.keys.sorted() {
        guard let source = plan.catalog.sources[name] else { continue }
        // The system's own archive (no key of its own) already lists main: only the areas beyond it.
        let systemArchive = source.apt.allSatisfy { $0.keyring == nil && $0.key == nil }
        let sourceAreas = order.filter { (areas[name]?.contains($0) ?? false) && !(systemArchive && $0 == "main") }
        if systemArchive, sourceAreas.isEmpty { continue }
        var stanzas: [String] = []
        var keys: [(url: String, path: String)] = []
        for repository in source.apt {
          let variants = repository.uris.contains("{minor}") ? (minors[name] ?? []).sorted() : [""]
          for minor in variants {
            let fill = { (text: String) in text.replacingOccurrences(of: "{minor}", with: minor) }
            var stanza =
              "Types: deb\nURIs: \(fill(repository.uris))\nSuites: \(repository.suites.joined(separator: " "))\n"
            if repository.hasComponents { stanza += "Components: \(sourceAreas.joined(separator: " "))\n" }
            if let keyring = repository.keyring {
              stanza += "Signed-By: \(keyring)\n"
            } else if let key = repository.key {
              let suffix = minor.isEmpty ? "" : "-" + minor
              let path = "/etc/apt/keyrings/rig-\(name)\(suffix).asc"
              keys.append((fill(key), path))
              stanza += "Signed-By: \(path)\n"
            }
            stanzas.append(stanza)
          }
        }
        // apt's folder for keyrings of additional repositories (sources.list(5)).
        if !keys.isEmpty { directory("/etc/apt/keyrings") }
        for key in keys {
          tasks.append(
            AnsibleEmitter.task(
              "Download the signing key of \(name) to \(key.path)", "ansible.builtin.get_url",
              [
                ("url", .string(mirrored(key.url))), ("dest", .string(key.path)), ("owner", "root"), ("group", "root"),
                ("mode", "0644"),
              ], AnsibleEmitter.downloadTag))
        }
        let text =
          plan.fileHeader + "# \(source.title)\n" + stanzas.joined(separator: "\n")
        copy(text, as: Installation("/etc/apt/sources.list.d/rig-\(name).sources"), notify: [])
      }
    }

    /// The apt arguments of a component's packages (`name=version`), nil when it is not installed from apt.
    func aptNames(_ component: PlannedComponent) -> [String]? { plan.aptPins(component)?.map(\.aptArgument) }

    mutating func packages() {
      let apt = installOrder.flatMap { component in (aptNames(component) ?? []).map { (component, $0) } }
      guard !apt.isEmpty else { return }
      let foreign = Set(
        apt.compactMap { component, _ in plan.catalogEntry(component)?.component.architecture }.filter {
          $0 != "amd64"
        }
      ).sorted()
      if !foreign.isEmpty {
        tasks.append(
          AnsibleEmitter.task(
            "Read dpkg's foreign architectures", "ansible.builtin.command",
            [("cmd", "dpkg --print-foreign-architectures")],
            [("register", "rig_foreign_architectures"), ("changed_when", false), ("check_mode", false)]))
        for architecture in foreign {
          tasks.append(
            AnsibleEmitter.task(
              "Add the \(architecture) architecture", "ansible.builtin.command",
              [("cmd", .string("dpkg --add-architecture \(architecture)"))],
              [
                ("when", .string("rig_foreign_architectures.stdout_lines is not contains('\(architecture)')")),
                ("changed_when", true),
              ]))
        }
      }
      tasks.append(
        AnsibleEmitter.task(
          "Install packages at their resolved versions", "ansible.builtin.apt",
          [
            ("name", .list(apt.map { .string($0.1) })), ("state", "present"), ("update_cache", true),
            ("allow_downgrade", true),
          ]))
    }

    // MARK: Release archives

    /// Upstream releases: unpacked into /opt/rig/NAME-VERSION (a new version beside the old), with links to
    /// their programs; components with no way to install them are named in the playbook's header.
    mutating func archives() {
      for component in installOrder where aptNames(component) == nil {
        let label = "\(component.name) \(component.version) (\(component.source))"
        guard let (_, entry) = plan.catalogEntry(component), let recipe = entry.archive,
          let version = entry.versions.first(where: { $0.version == component.version })
        else {
          notInstalled.append(label)
          continue
        }
        let folder = "/opt/rig/\(component.name)-\(component.version)"
        directory(folder)
        var arguments: [(String, YAMLValue)] = [
          ("src", .string(mirrored(recipe.url(for: version)))), ("dest", .string(folder)), ("remote_src", true),
        ]
        if recipe.strip > 0 { arguments.append(("extra_opts", [.string("--strip-components=\(recipe.strip)")])) }
        if let first = recipe.links.first { arguments.append(("creates", .string(folder + "/" + first.target))) }
        tasks.append(
          AnsibleEmitter.task(
            "Unpack \(component.name) \(component.version)", "ansible.builtin.unarchive", arguments,
            AnsibleEmitter.downloadTag))
        for link in recipe.links {
          tasks.append(
            AnsibleEmitter.task(
              "Link \(link.link) to \(component.name) \(component.version)", "ansible.builtin.file",
              [("src", .string(folder + "/" + link.target)), ("dest", .string(link.link)), ("state", "link")],
              AnsibleEmitter.downloadTag))
        }
      }
    }

    // MARK: Other targets

    /// Each other target's files at their host paths, a target at a time: the files, then what their effects ask
    /// beyond handlers (units enabled and started, objects applied to the cluster). containerd gets its nvidia
    /// runtime before the first target that acts on the kubelet or the cluster.
    mutating func otherTargets() {
      let runtime =
        plan.component(named: "nvidia-container-toolkit") != nil && plan.component(named: "containerd") != nil
      var runtimeConfigured = !runtime
      for group in others {
        let effects = Set(group.flatMap { $0.installation?.effects ?? [] })
        if !runtimeConfigured, !effects.isDisjoint(with: [.applyKubeletCPUPolicy, .applyToCluster]) {
          containerRuntime()
          runtimeConfigured = true
        }
        for artifact in group {
          guard let installation = artifact.installation else { continue }
          packagesConfigured(by: installation)
          for folder in installation.folders { directory(folder) }
          copy(
            artifact.contents, as: installation,
            notify: installation.effects.compactMap { handler($0, of: installation) })
        }
        startUnits(group.compactMap(\.installation).filter { $0.effects.contains(.enableAndStartUnit) })
        applyToCluster(group.compactMap(\.installation).filter { $0.effects.contains(.applyToCluster) })
      }
      if !runtimeConfigured { containerRuntime() }
    }

    /// The handler an effect of `installation` notifies; nil for effects that are tasks of their own, and for the
    /// kubelet's policy where the stack does not install the kubelet.
    mutating func handler(_ effect: Installation.Effect, of installation: Installation) -> String? {
      switch effect {
      case .updateBootLoader: return "Update GRUB"
      case .reloadSystemd: return "Reload systemd"
      case .reexecuteSystemd: return "Reexecute systemd"
      case .restartUnit:
        guard let unit = installation.unit else { return nil }
        if !restarted.contains(unit) { restarted.append(unit) }
        return "Restart \(unit)"
      case .applyKubeletCPUPolicy:
        return plan.component(named: "kubelet") != nil ? "Apply the kubelet's CPU manager policy" : nil
      case .enableAndStartUnit, .applyToCluster: return nil
      }
    }

    /// The packages a file configures (irqbalance for its drop-in), installed before it where the stack does not
    /// install them at a version of its own.
    mutating func packagesConfigured(by installation: Installation) {
      let missing = installation.configures.filter { name in
        !installOrder.contains { plan.catalogEntry($0)?.component.package == name } && configured.insert(name).inserted
      }
      guard !missing.isEmpty else { return }
      tasks.append(
        AnsibleEmitter.task(
          "Install \(missing.joined(separator: ", ")), which \(installation.path) configures", "ansible.builtin.apt",
          [("name", .list(missing.map { .string($0) })), ("state", "present"), ("update_cache", true)]))
    }

    /// Units enabled as `systemctl enable` does it, the link their [Install] section asks for, which needs no
    /// running manager (an image build or a container has none); then started where systemd runs, once it has
    /// loaded them (daemon-reload, a handler).
    mutating func startUnits(_ units: [Installation]) {
      guard !units.isEmpty else { return }
      let wants = "/etc/systemd/system/multi-user.target.wants"
      directory(wants)
      for unit in units {
        let name = unit.path.split(separator: "/").last.map(String.init) ?? unit.path
        tasks.append(
          AnsibleEmitter.task(
            "Enable \(name)", "ansible.builtin.file",
            [("src", .string(unit.path)), ("dest", .string(wants + "/" + name)), ("state", "link"), ("force", true)]))
      }
      tasks.append(
        .map([("name", "Reload systemd before starting units"), ("ansible.builtin.meta", "flush_handlers")]))
      for unit in units {
        let name = unit.path.split(separator: "/").last.map(String.init) ?? unit.path
        tasks.append(
          AnsibleEmitter.task(
            "Start \(name)", "ansible.builtin.systemd_service", [("name", .string(name)), ("state", "started")],
            AnsibleEmitter.whenSystemd + (unit.needsGPU ? AnsibleEmitter.hardwareTag : [])))
      }
    }

    /// Kubernetes objects applied from their host copies, after the host configuration they need (the kubelet's
    /// CPU manager, containerd's nvidia runtime) has taken effect.
    mutating func applyToCluster(_ objects: [Installation]) {
      guard !objects.isEmpty else { return }
      tasks.append(
        .map([
          ("name", "Apply pending host configuration before the cluster objects"),
          ("ansible.builtin.meta", "flush_handlers"),
        ]))
      for object in objects {
        let name = object.path.split(separator: "/").last.map(String.init) ?? object.path
        tasks.append(
          AnsibleEmitter.task(
            "Apply \(name)", "kubernetes.core.k8s",
            [("state", "present"), ("apply", true), ("src", .string(object.path))], [("tags", ["kubernetes"])]))
      }
    }

    /// The NVIDIA runtime for containerd, which RuntimeClass `nvidia` names: `nvidia-ctk runtime configure`
    /// adds it (NVIDIA Container Toolkit install guide, "Configuring containerd"), once.
    mutating func containerRuntime() {
      tasks.append(
        AnsibleEmitter.task(
          "Look for the nvidia runtime in containerd's configuration", "ansible.builtin.command",
          [("cmd", "grep -rqs 'runtimes.nvidia' /etc/containerd")],
          [
            ("register", "rig_containerd_nvidia"), ("changed_when", false), ("failed_when", false),
            ("check_mode", false),
          ]))
      tasks.append(
        AnsibleEmitter.task(
          "Add the nvidia runtime to containerd", "ansible.builtin.command",
          [("cmd", "nvidia-ctk runtime configure --runtime=containerd")],
          [("when", "rig_containerd_nvidia.rc != 0"), ("changed_when", true), ("notify", ["Restart containerd"])]))
      notified.insert("Restart containerd")
    }

    // MARK: Handlers

    /// Handlers run in this order: systemd reads its files, then units restart, then the boot loader, which
    /// only a machine with GRUB has (`removes:` skips the command where update-grub is missing).
    func handlers() -> [YAMLValue] {
      var handlers: [YAMLValue] = []
      if notified.contains("Reload systemd") {
        handlers.append(
          AnsibleEmitter.task(
            "Reload systemd", "ansible.builtin.systemd_service", [("daemon_reload", true)], AnsibleEmitter.whenSystemd))
      }
      if notified.contains("Reexecute systemd") {
        handlers.append(
          AnsibleEmitter.task(
            "Reexecute systemd", "ansible.builtin.systemd_service", [("daemon_reexec", true)],
            AnsibleEmitter.whenSystemd))
      }
      for unit in restarted {
        handlers.append(
          AnsibleEmitter.task(
            "Restart \(unit)", "ansible.builtin.systemd_service", [("name", .string(unit)), ("state", "restarted")],
            AnsibleEmitter.whenSystemd))
      }
      if notified.contains("Restart containerd") {
        handlers.append(
          AnsibleEmitter.task(
            "Restart containerd", "ansible.builtin.systemd_service", [("name", "containerd"), ("state", "restarted")],
            AnsibleEmitter.whenSystemd))
      }
      if notified.contains("Apply the kubelet's CPU manager policy") {
        // Changing the policy: stop the kubelet, remove its CPU manager state, start it again
        // (https://kubernetes.io/docs/tasks/administer-cluster/cpu-management-policies/, "Changing the CPU
        // Manager Policy"); otherwise the kubelet fails to restore its state and does not start.
        let listen: [(String, YAMLValue)] = [("listen", "Apply the kubelet's CPU manager policy")]
        handlers.append(
          AnsibleEmitter.task(
            "Stop the kubelet", "ansible.builtin.systemd_service", [("name", "kubelet"), ("state", "stopped")],
            listen + AnsibleEmitter.whenSystemd))
        handlers.append(
          AnsibleEmitter.task(
            "Remove the kubelet's CPU manager state", "ansible.builtin.file",
            [("path", "/var/lib/kubelet/cpu_manager_state"), ("state", "absent")], listen))
        handlers.append(
          AnsibleEmitter.task(
            "Start the kubelet", "ansible.builtin.systemd_service", [("name", "kubelet"), ("state", "started")],
            listen + AnsibleEmitter.whenSystemd)
        )
      }
      if notified.contains("Update GRUB") {
        handlers.append(
          AnsibleEmitter.task(
            "Update GRUB", "ansible.builtin.command", [("cmd", "update-grub"), ("removes", "/usr/sbin/update-grub")],
            [("changed_when", true)]))
      }
      return handlers
    }
  }
}
