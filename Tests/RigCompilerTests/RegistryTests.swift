import Foundation
import RigCompiler
import RigEmitters
import RigModel
import RigPlan
import Testing

/// A target rig does not have: one file, which the host takes at its own path, mode and handler.
struct GreetingEmitter: Emitter {
  var target: String { "greeting" }
  func isEnabled(_ plan: Plan) -> Bool { true }
  func artifacts(for plan: Plan) -> [Artifact] {
    [
      Artifact(
        path: "greeting/motd", contents: "Welcome to \(plan.spec.name.value).\n",
        installation: Installation("/etc/rig/motd", mode: "0640", effects: [.reloadSystemd]))
    ]
  }
}

/// Adding a target is one emitter and one registry line: the new target is rendered, planned, owned by the
/// output folder's manifest, and installed by the Ansible emitter from its `Installation` alone.
@Suite struct RegistryTests {
  static let registry = EmitterRegistry(EmitterRegistry.builtIn.emitters + [GreetingEmitter()])

  /// Every target the model can enable has its emitter, and no more.
  @Test func builtInTargetsAreTheModelsTargets() {
    #expect(EmitterRegistry.builtIn.targets.sorted() == Targets.Kind.allCases.map(\.rawValue).sorted())
  }

  @Test func anExtraEmitterIsPlannedRenderedAndInstalled() throws {
    let result = RigCompiler.check(path: packageRoot + "/examples/workstation")
    let plan = try #require(result.plan)
    #expect(Self.registry.enabled(plan).contains("greeting"))
    #expect(!EmitterRegistry.builtIn.enabled(plan).contains("greeting"))

    // Planned: a file to add, in the new target.
    let planned = RigCompiler.changes(result, out: nil, emitters: Self.registry)
    let output = try #require(planned.output)
    #expect(output.targets.contains("greeting"))
    let change = try #require(output.changes.first { $0.path == "greeting/motd" })
    #expect(change.action == .create && change.target == "greeting")

    // Rendered: written, listed in the manifest under its target, and up to date on the second render.
    let folder = NSTemporaryDirectory() + "rig-registry-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let rendered = RigCompiler.render(result, out: folder, emitters: Self.registry)
    #expect(!rendered.hasErrors && rendered.written)
    #expect(try String(contentsOfFile: folder + "/greeting/motd", encoding: .utf8) == "Welcome to ai-workstation.\n")
    let manifest = try String(contentsOfFile: folder + "/.rig-manifest.json", encoding: .utf8)
    #expect(
      manifest.contains(
        """
              "path": "greeting/motd",
              "target": "greeting",
        """))
    let again = RigCompiler.render(result, out: folder, emitters: Self.registry)
    #expect(!again.hasErrors && !again.written)

    // Installed by the playbook: its copy under files/ and a task with the installation's path, mode and handler.
    let playbook = try String(contentsOfFile: folder + "/ansible/site.yml", encoding: .utf8)
    #expect(
      try String(contentsOfFile: folder + "/ansible/files/etc/rig/motd", encoding: .utf8)
        == "Welcome to ai-workstation.\n")
    #expect(
      playbook.contains(
        """
            - name: Install /etc/rig/motd
              ansible.builtin.copy:
                src: etc/rig/motd
                dest: /etc/rig/motd
                owner: root
                group: root
                mode: '0640'
              notify:
                - Reload systemd

        """))
    #expect(playbook.contains("    - name: Create /etc/rig\n"))
    // The built-in registry renders the same project without it.
    let builtIn = RigCompiler.artifacts(result)
    #expect(!builtIn.contains { $0.path.hasPrefix("greeting/") || $0.path == "ansible/files/etc/rig/motd" })
  }
}
