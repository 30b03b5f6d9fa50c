import Foundation
import RigBasics
import RigModel
import RigRules
import RigYAML
import Testing

/// `ModelRules.check` (the DSL's check of a whole model) agrees with the YAML front end, which applies the same
/// rules while it reads: on every example it finds no error, and exactly the warnings the front end found.
@Suite struct ModelRulesTests {
  static let examples: [String] = {
    let folder =
      URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path + "/examples"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.map { folder + "/" + $0 + "/rig.yaml" }.filter { FileManager.default.fileExists(atPath: $0) }
      .sorted()
  }()

  @Test func examplesAreFound() { #expect(Self.examples.count >= 3) }

  @Test(arguments: examples)
  func modelRulesAgreeWithTheFrontEnd(path: String) throws {
    let loaded = FrontEnd.load(path: path)
    // A fleet's hosts are each a whole description, checked by the same rules.
    let specs: [RigSpec]
    switch try #require(loaded.project) {
    case .host(let spec): specs = [spec]
    case .fleet(let fleet): specs = fleet.hosts.map(\.spec)
    }
    var diagnostics = DiagnosticEngine()
    for spec in specs { ModelRules.check(spec, into: &diagnostics) }
    #expect(diagnostics.errorCount == 0, "\(diagnostics.diagnostics.map(\.message))")
    #expect(diagnostics.diagnostics == loaded.diagnostics.diagnostics.filter { $0.severity == .warning })
  }

  /// A model the front end would refuse is refused by the rules too, with the front end's message.
  @Test func aModelBrokenAfterLoweringIsCaught() throws {
    let yaml = """
      apiVersion: rig/v1
      name: broken
      hardware:
        cpu: { hybrid: { performance: 2, efficiency: 0 } }
        memory: 8GiB
        os: { distribution: debian, release: bookworm }
      components:
        web: { runtime: kubernetes, image: "docker.io/library/web:1", ports: [80] }
      targets: { ansible: { host: box } }
      """
    var spec = try #require(FrontEnd.load(text: yaml, file: "rig.yaml").spec)
    spec.components[0].ports.append(spec.components[0].ports[0])
    spec.components[0].image?.value = "docker.io/library/web:latest"
    spec.targets.ansible?.host.value = "all"
    var diagnostics = DiagnosticEngine()
    ModelRules.check(spec, into: &diagnostics)
    #expect(
      diagnostics.diagnostics.map { "\($0.range.map { "\($0.start)" } ?? "-") \($0.id): \($0.message)" } == [
        "rig.yaml:8:38 image-not-pinned: image 'docker.io/library/web:latest' uses the moving tag 'latest'",
        "rig.yaml:8:73 duplicate-definition: port 80 is listed twice",
        "rig.yaml:9:29 invalid-value: 'all' is an Ansible inventory group, not a host name",
      ])
  }
}
