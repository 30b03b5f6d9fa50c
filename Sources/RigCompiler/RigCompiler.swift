import Foundation
import RigBasics
import RigModel
import RigYAML

/// What `rig check` found.
public struct CheckResult: Sendable {
  /// The project's model; nil when any error was found.
  public var spec: RigSpec?
  public var diagnostics: DiagnosticEngine
  /// The text of every file read, for rendering snippets.
  public var sources: SourceFiles
  /// The root file, as displayed.
  public var file: String
  public var hasErrors: Bool { diagnostics.hasErrors }
}

/// The compiler facade: every command is one call here.
public enum RigCompiler {
  /// The file name rig looks for in a folder.
  public static let defaultFileName = "rig.yaml"

  /// `path` itself when it is a file, else `path/rig.yaml`; the path is kept as written for display.
  public static func rootFile(for path: String) -> String {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      if path == "." || path == "./" { return defaultFileName }
      return path.hasSuffix("/") ? path + defaultFileName : path + "/" + defaultFileName
    }
    return path
  }

  /// Parses and validates the project at `path` (a rig.yaml or a folder holding one). Writes nothing.
  public static func check(path: String) -> CheckResult {
    let file = rootFile(for: path)
    let result = FrontEnd.load(path: file)
    return CheckResult(spec: result.spec, diagnostics: result.diagnostics, sources: result.sources, file: file)
  }

  /// Validates YAML text as if it were the file `file`.
  public static func check(text: String, file: String) -> CheckResult {
    let result = FrontEnd.load(text: text, file: file)
    return CheckResult(spec: result.spec, diagnostics: result.diagnostics, sources: result.sources, file: file)
  }

  /// The JSON Schema of rig.yaml, serialized as `schemas/rig.schema.json` holds it.
  public static func schema() -> String {
    RigSchema.jsonSchema().serialized()
  }
}
