import RigBasics
import RigCompiler
import Testing

/// Checks `yaml` as the file `rig.yaml` and expects exactly `expected` as the rendered diagnostics (no colors).
///
/// A case asserts the whole rendered output, so any unexpected extra diagnostic, a moved caret or a reworded
/// message fails.
func expectDiagnostics(
  _ yaml: String, _ expected: String, file: String = "rig.yaml",
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  let result = RigCompiler.check(text: yaml, file: file)
  let rendered = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
  #expect(rendered == expected, sourceLocation: sourceLocation)
  #expect(result.spec == nil, "a file with errors must not produce a model", sourceLocation: sourceLocation)
}

/// The valid machine the diagnostic cases start from, when the machine is not what they test.
enum Machine {
  /// Lines 1-7 of a rig.yaml, without a final line break: a case writes `\(Machine.base)` as the first line of
  /// its YAML text, so the next line of that text is line 8 of the file.
  static let base = """
    apiVersion: rig/v1
    name: t
    hardware:
      cpu:
        hybrid: { performance: 8, efficiency: 12 }
      memory: 32GiB
      os: { distribution: debian, release: bookworm }
    """
}
