import Foundation
import RigBasics
import RigDSL
import RigModel

extension RigCompiler {
  /// Checks a project written in the Swift DSL: lowered to the model under the same rules as YAML, then the same
  /// resolution and allocation. Diagnostics point into the Swift files (`#fileID:line:column`), and quote the line
  /// when the file is still where it was compiled (`#filePath`).
  public static func check(_ rig: Rig) -> CheckResult {
    let lowered = rig.lower()
    return resolve(
      lowered.spec, diagnostics: lowered.diagnostics, sources: lowered.sources, file: lowered.file,
      origin: .swift(filePath: lowered.filePath))
  }
}

extension Rig {
  /// Validates the project: lowering, resolution and allocation. Writes nothing.
  public func check() -> CheckResult { RigCompiler.check(self) }

  /// What rendering into `folder` would do, for `targets` (every enabled target when empty); with `folder` nil,
  /// compared with an empty folder. Reads the folder, writes nothing.
  public func changes(out folder: String? = nil, targets: [RigModel.Targets.Kind] = []) -> RenderResult {
    RigCompiler.changes(check(), out: folder, targets: targets)
  }

  /// Renders the project's artifacts into `folder` as `rig render --out` does (all or nothing, the folder swapped
  /// in one step); returns what it did, warnings included. Throws the diagnostics when there is an error, in which
  /// case nothing was written.
  @discardableResult
  public func render(to folder: String, targets: [RigModel.Targets.Kind] = []) throws(RigFailure) -> RenderResult {
    let rendered = RigCompiler.render(check(), out: folder, targets: targets)
    guard !rendered.hasErrors else { throw RigFailure(result: rendered) }
    return rendered
  }
}

/// Why a DSL project could not be rendered: every diagnostic, as values and as the text `rig` prints.
public struct RigFailure: Error, CustomStringConvertible {
  /// The check and what was planned for the output folder, with every diagnostic.
  public var result: RenderResult

  /// The diagnostics, errors and warnings, in the order found.
  public var diagnostics: [Diagnostic] { result.check.diagnostics.diagnostics }

  /// The diagnostics as `rig` prints them: `file:line:column: error: …`, the line, and notes and help.
  public var description: String {
    DiagnosticRenderer(sources: result.check.sources, colors: false).render(result.check.diagnostics)
  }
}
