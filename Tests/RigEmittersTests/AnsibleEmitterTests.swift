import RigAllocation
import RigBasics
import RigCatalog
import RigCompiler
import RigPlan
import RigResolver
import Testing
import Yams

@testable import RigEmitters

/// The playbook, read back as YAML: sources, packages, archives, copies and handlers, and what user text may
/// never become.
@Suite struct AnsibleEmitterTests {
  func artifacts(_ body: String) throws -> [Artifact] {
    EmitterRegistry.builtIn.artifacts(for: try compiledPlan(EmitterTests.machine + body))
  }

  func play(_ artifacts: [Artifact]) throws -> [String: Any] {
    let text = try #require(artifacts.first { $0.path == "ansible/site.yml" }?.contents)
    let plays = try #require(try Yams.load(yaml: text) as? [[String: Any]])
    #expect(plays.count == 1)
    return try #require(plays.first)
  }

  func tasks(_ play: [String: Any], _ key: String = "tasks") -> [[String: Any]] {
    play[key] as? [[String: Any]] ?? []
  }

  func contents(_ artifacts: [Artifact], _ path: String) -> String? {
    artifacts.first { $0.path == path }?.contents
  }

  /// Debian's driver: non-free and non-free-firmware (its kernel module needs firmware-nvidia-gsp); an
  /// upstream release unpacked beside older versions and linked; handlers only for what is copied.
  static let server = """
    stack: [nvidia-driver, ollama >= 0.5, git]
    sources: [debian-bookworm, upstream]
    components:
      ollama:
        runtime: systemd
        exec: /usr/bin/true
        resources:
          cpu: { cores: 2, placement: isolated }
    targets: { ansible: { host: gpu-box.lan }, kernel: {}, systemd: {} }
    """

  /// The Kubernetes test stack, also rendered as a playbook.
  static let cluster = KubernetesEmitterTests.stack.replacingOccurrences(
    of: "targets: { kubernetes:", with: "targets: { ansible: { host: box }, kubernetes:")

  @Test func debianSourcesCarryTheAreasThePackagesNeed() throws {
    let artifacts = try artifacts(Self.server)
    let sources = try #require(contents(artifacts, "ansible/files/etc/apt/sources.list.d/rig-debian-bookworm.sources"))
    // The system's sources hold main already, with apt's default keyrings: only the areas beyond it, and no
    // Signed-By, which apt would refuse as a conflict with the system's own entry for the same archive.
    #expect(sources.contains("Suites: bookworm bookworm-updates\nComponents: contrib non-free non-free-firmware\n"))
    #expect(sources.contains("URIs: http://security.debian.org/debian-security\n"))
    #expect(!sources.contains("Signed-By"))
    let play = try play(artifacts)
    #expect(play["hosts"] as? String == "gpu-box.lan")
    #expect(play["become"] as? Bool == true)
    let install = try #require(tasks(play).first { $0["ansible.builtin.apt"] != nil })
    let apt = try #require(install["ansible.builtin.apt"] as? [String: Any])
    // zstd: Ollama 0.21 ships as .tar.zst.
    #expect(
      apt["name"] as? [String] == [
        "git=1:2.39.5-0+deb12u3", "nvidia-driver=535.309.01-0+deb12u1", "zstd=1.5.4+dfsg2-5+deb12u1",
      ])
    #expect(apt["update_cache"] as? Bool == true)
    // No i386 package: no architecture tasks.
    #expect(!tasks(play).contains { ($0["name"] as? String)?.contains("architecture") ?? false })
  }

  /// One Debian release per machine: NVIDIA's repository is the tree built for the machine's release, with that
  /// tree's key and versions (debian12 and 3bf863cc on bookworm; debian13 and 8793F200 on trixie).
  @Test func nvidiasRepositoryFollowsTheRelease() throws {
    for (release, tree, key, driver) in [
      ("bookworm", "debian12", "3bf863cc", "nvidia-driver=590.48.01-1"),
      ("trixie", "debian13", "8793F200", "nvidia-driver=595.71.05-1"),
    ] {
      let machine = EmitterTests.machine.replacingOccurrences(of: "release: bookworm", with: "release: \(release)")
      let plan = try compiledPlan(
        machine + """
          stack: [nvidia-driver >= 590]
          sources: [debian-\(release), nvidia-cuda]
          targets: { ansible: { host: box } }
          """)
      let artifacts = EmitterRegistry.builtIn.artifacts(for: plan)
      let sources = try #require(contents(artifacts, "ansible/files/etc/apt/sources.list.d/rig-nvidia-cuda.sources"))
      #expect(sources.contains("URIs: https://developer.download.nvidia.com/compute/cuda/repos/\(tree)/x86_64/\n"))
      #expect(!sources.contains(release == "trixie" ? "debian12" : "debian13"))
      #expect(
        contents(artifacts, "ansible/site.yml")?.contains("/compute/cuda/repos/\(tree)/x86_64/\(key).pub") == true,
        "\(release): the key of \(tree)")
      let apt = tasks(try play(artifacts)).compactMap { $0["ansible.builtin.apt"] as? [String: Any] }
      #expect(apt.flatMap { $0["name"] as? [String] ?? [] }.contains(driver), "\(release)")
    }
  }

  /// TensorRT's runtime metapackage and every library it depends on exactly are pinned at the one resolved
  /// version: NVIDIA ships one TensorRT version for several CUDA builds, and apt left alone takes the libraries
  /// of another build.
  @Test func tensorrtIsPinnedWithItsLibraries() throws {
    let plan = try compiledPlan(
      EmitterTests.machine + """
        stack: [tensorrt]
        sources: [debian-bookworm, nvidia-cuda]
        targets: { ansible: { host: box } }
        """)
    let version = try #require(plan.component(named: "tensorrt")?.version.description)
    #expect(version.hasSuffix("+cuda12.9"))
    let apt = tasks(try play(EmitterRegistry.builtIn.artifacts(for: plan))).compactMap {
      $0["ansible.builtin.apt"] as? [String: Any]
    }
    let names = apt.flatMap { $0["name"] as? [String] ?? [] }
    for package in [
      "tensorrt-libs", "libnvinfer10", "libnvinfer-plugin10", "libnvinfer-lean10", "libnvinfer-dispatch10",
      "libnvinfer-vc-plugin10", "libnvonnxparsers10",
    ] {
      #expect(names.contains("\(package)=\(version)"), "\(package)")
    }
    #expect(names.contains { $0.hasPrefix("nvidia-driver=") })
  }

  @Test func upstreamReleasesAreUnpackedAndLinked() throws {
    let play = try play(try artifacts(Self.server))
    let unpack = try #require(tasks(play).first { $0["ansible.builtin.unarchive"] != nil })
    let arguments = try #require(unpack["ansible.builtin.unarchive"] as? [String: Any])
    #expect(
      arguments["src"] as? String
        == "{{ rig_mirror_github }}/ollama/ollama/releases/download/v0.21.0/ollama-linux-amd64.tar.zst")
    #expect((play["vars"] as? [String: String])?["rig_mirror_github"] == "https://github.com")
    #expect(arguments["dest"] as? String == "/opt/rig/ollama-0.21.0")
    #expect(arguments["creates"] as? String == "/opt/rig/ollama-0.21.0/bin/ollama")
    #expect(unpack["tags"] as? [String] == ["download"])
    let link = try #require(tasks(play).first { ($0["name"] as? String)?.hasPrefix("Link ") ?? false })
    let file = try #require(link["ansible.builtin.file"] as? [String: Any])
    #expect(file["dest"] as? String == "/usr/local/bin/ollama")
    #expect(file["src"] as? String == "/opt/rig/ollama-0.21.0/bin/ollama")
  }

  @Test func otherTargetsAreCopiedWithTheirHandlers() throws {
    let artifacts = try artifacts(Self.server)
    let play = try play(artifacts)
    let copies = tasks(play).compactMap { $0["ansible.builtin.copy"] as? [String: Any] }
    let destinations = copies.compactMap { $0["dest"] as? String }
    #expect(destinations.contains("/etc/default/grub.d/60-rig-cpu-isolation.cfg"))
    #expect(destinations.contains("/etc/systemd/system/rig-ollama.slice"))
    #expect(destinations.contains("/etc/systemd/system.conf.d/60-rig-cpu-affinity.conf"))
    // Each copied file is the other target's artifact, byte for byte.
    #expect(
      contents(artifacts, "ansible/files/etc/systemd/system/rig-ollama.slice")
        == contents(artifacts, "systemd/rig-ollama.slice"))
    #expect(
      tasks(play, "handlers").compactMap { $0["name"] as? String } == [
        "Reload systemd", "Reexecute systemd", "Restart irqbalance.service", "Restart ollama.service", "Update GRUB",
      ])
    // Folders that may be missing are created before anything is copied into them.
    let names = tasks(play).compactMap { $0["name"] as? String }
    let create = try #require(names.firstIndex(of: "Create /etc/default/grub.d"))
    let copy = try #require(names.firstIndex(of: "Install /etc/default/grub.d/60-rig-cpu-isolation.cfg"))
    #expect(create < copy)
  }

  /// A local volume's folder is created before the manifest that names it is installed and applied.
  @Test func localVolumeFoldersAreCreatedFirst() throws {
    let names = tasks(try play(try artifacts(Self.cluster))).compactMap { $0["name"] as? String }
    let create = try #require(names.firstIndex(of: "Create /var/lib/rig/volumes/lab/db"))
    let install = try #require(names.firstIndex(of: "Install /etc/rig/kubernetes/storage.yaml"))
    let apply = try #require(names.firstIndex(of: "Apply storage.yaml"))
    #expect(create < install && install < apply)
  }

  /// Every task and handler of every example is named and uses a fully qualified module name.
  @Test func everyTaskIsNamedWithAQualifiedModule() throws {
    let keywords: Set<String> = [
      "name", "tags", "when", "notify", "register", "changed_when", "failed_when", "check_mode", "listen",
    ]
    for body in [Self.server, Self.cluster] {
      let play = try play(try artifacts(body))
      for task in tasks(play) + tasks(play, "handlers") {
        #expect(task["name"] is String)
        let modules = task.keys.filter { !keywords.contains($0) }
        #expect(modules.count == 1, "\(task)")
        #expect(modules.allSatisfy { $0.hasPrefix("ansible.builtin.") || $0.hasPrefix("kubernetes.core.") })
      }
    }
  }

  /// User text never enters the playbook, where Ansible would evaluate `{{ }}`; it reaches the host only in
  /// files the playbook copies byte for byte. rig itself writes no template either.
  @Test func userTextNeverBecomesJinja() throws {
    let artifacts = try artifacts(Self.cluster)
    let site = try #require(contents(artifacts, "ansible/site.yml"))
    #expect(!site.contains("{{"))
    #expect(!site.contains("{%"))
    #expect(!site.contains("lookup"))
    // The description travels in the copied manifest, as written.
    let manifest = try #require(contents(artifacts, "ansible/files/etc/rig/kubernetes/workload-app.yaml"))
    let objects = try Yams.load_all(yaml: manifest).compactMap { $0 as? [String: Any] }
    let metadata = objects.first?["metadata"] as? [String: Any]
    let annotations = metadata?["annotations"] as? [String: Any]
    #expect(annotations?["kubernetes.io/description"] as? String == "web UI: {{ lookup('pipe', 'id') }} ${HOME}")
    // The Kubernetes tasks are tagged so a host-only run can skip them.
    let play = try play(artifacts)
    let applies = tasks(play).filter { $0["kubernetes.core.k8s"] != nil }
    // namespace, runtime class, storage, two workloads, network policies, device plugin.
    #expect(applies.count == 7)
    #expect(applies.allSatisfy { $0["tags"] as? [String] == ["kubernetes"] })
  }

  /// Packages from main only: no Debian sources file at all.
  @Test func noDebianSourcesForMainOnly() throws {
    let artifacts = try artifacts("stack: [git]\ntargets: { ansible: { host: box } }\n")
    #expect(!artifacts.contains { $0.path.contains("sources.list.d") })
  }

  @Test func inventoryNamesTheHost() throws {
    let artifacts = try artifacts(Self.server)
    let inventory = try #require(contents(artifacts, "ansible/inventory.yml"))
    #expect(inventory.hasSuffix("---\nall:\n  hosts:\n    gpu-box.lan: {}\n"))
  }
}
