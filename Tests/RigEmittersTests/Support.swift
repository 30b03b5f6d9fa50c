import Foundation
import RigAllocation
import RigCatalog
import RigCompiler
import RigPlan
import RigResolver
import Testing

/// The package's root folder (this file is `Tests/RigEmittersTests/Support.swift`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().path

/// The plan of a rig.yaml text that must compile without any diagnostic.
func compiledPlan(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Plan {
  let result = RigCompiler.check(text: text, file: "rig.yaml")
  #expect(result.diagnostics.diagnostics.map(\.message) == [], sourceLocation: sourceLocation)
  return try #require(result.plan, sourceLocation: sourceLocation)
}

/// The text of an example's rig.yaml.
func exampleText(_ name: String) throws -> String {
  try String(contentsOfFile: packageRoot + "/examples/\(name)/rig.yaml", encoding: .utf8)
}
