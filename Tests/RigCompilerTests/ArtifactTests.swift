import Foundation
import RigCompiler
import RigEmitters
import Testing

/// The bundled examples, by folder name under `examples/`.
let examples: [String] = {
  let folder = packageRoot + "/examples"
  let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
  return names.filter { FileManager.default.fileExists(atPath: folder + "/" + $0 + "/rig.yaml") }.sorted()
}()

/// The warnings an example gives on purpose, by ID; every other example checks clean.
/// ai-lab: root for vLLM and Open WebUI, writable roots for Open WebUI and Jupyter.
let exampleWarnings: [String: [String]] = ["ai-lab": Array(repeating: "security-relaxed", count: 4)]

/// Every example's artifacts, pinned by golden files under `golden/EXAMPLE/` (the layout `rig render` writes).
@Suite struct ArtifactTests {
  @Test func examplesAreFound() {
    #expect(examples.contains("workstation"))
    #expect(examples.contains("llm-server"))
  }

  @Test(arguments: examples)
  func artifactsMatchTheGoldenFiles(example: String) throws {
    let result = RigCompiler.check(path: packageRoot + "/examples/" + example)
    #expect(!result.hasErrors)
    try Golden.check(RigCompiler.artifacts(result), folder: example)
  }

  /// Emitting twice, and from the example with its stack and components in reverse order, gives the same bytes.
  @Test(arguments: examples)
  func artifactsAreDeterministic(example: String) throws {
    let path = packageRoot + "/examples/" + example + "/rig.yaml"
    let first = RigCompiler.artifacts(RigCompiler.check(path: path))
    #expect(first == RigCompiler.artifacts(RigCompiler.check(path: path)))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let reordered = RigCompiler.artifacts(RigCompiler.check(text: reversingStack(text), file: path))
    #expect(reordered == first)
  }
}
