import RigBasics
import RigCompiler
import Testing

/// Checks `yaml` as the file `rig.yaml` and expects exactly `expected` as the rendered diagnostics (no colors).
func expectDiagnostics(
  _ yaml: String, _ expected: String, file: String = "rig.yaml",
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  let result = RigCompiler.check(text: yaml, file: file)
  let rendered = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
  #expect(rendered == expected, sourceLocation: sourceLocation)
  #expect(result.spec == nil, "a file with errors must not produce a model", sourceLocation: sourceLocation)
}
