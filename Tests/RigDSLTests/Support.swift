import RigDSL
import RigYAML

/// A model written out with every source location left out (`range`, `topologyRange`), so that a model lowered from
/// Swift compares equal to the same model lowered from YAML. Mirror walks every stored property, so a field added
/// to the model is compared without changing this function.
func withoutLocations(_ value: Any) -> String {
  let mirror = Mirror(reflecting: value)
  switch mirror.displayStyle {
  case .optional:
    guard let wrapped = mirror.children.first else { return "nil" }
    return withoutLocations(wrapped.value)
  case .collection, .set:
    return "[" + mirror.children.map { withoutLocations($0.value) }.joined(separator: ", ") + "]"
  case .struct, .class, .enum, .tuple:
    if mirror.children.isEmpty { return "\(value)" }
    let fields = mirror.children.filter { $0.label != "range" && $0.label != "topologyRange" }
      .map { ($0.label ?? "_") + ": " + withoutLocations($0.value) }
    return "\(mirror.subjectType)(" + fields.joined(separator: ", ") + ")"
  default:
    return "\(value)"
  }
}

/// The model `yaml` lowers to (nil with errors), as `withoutLocations` writes it.
func yamlModel(_ yaml: String) -> String {
  let result = FrontEnd.load(text: yaml, file: "rig.yaml")
  return result.spec.map(withoutLocations) ?? "errors: \(result.diagnostics.diagnostics.map(\.message))"
}

/// The model `rig` lowers to (nil with errors), as `withoutLocations` writes it.
func dslModel(_ rig: Rig) -> String {
  let lowered = rig.lower()
  return lowered.spec.map(withoutLocations) ?? "errors: \(lowered.diagnostics.diagnostics.map(\.message))"
}

/// Each diagnostic of `rig` as `file:line:column: severity: message [id]`, in the order emitted.
func diagnostics(of rig: Rig) -> [String] {
  rig.lower().diagnostics.diagnostics.map {
    "\($0.range.map { "\($0.start)" } ?? "-"): \($0.severity.rawValue): \($0.message) [\($0.id)]"
  }
}

/// The line of `file` that carries the comment `// @marker`, so that expected locations follow the code when it
/// moves; 0 (which no diagnostic has) unless exactly one line carries it.
func line(_ marker: String, in file: String = #filePath) -> Int {
  let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
  let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
  let found = lines.indices.filter { lines[$0].hasSuffix("// @" + marker) }
  return found.count == 1 ? found[0] + 1 : 0
}
