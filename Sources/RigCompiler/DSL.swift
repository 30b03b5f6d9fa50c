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
      CheckResult(
        spec: lowered.spec, diagnostics: lowered.diagnostics, sources: lowered.sources, file: lowered.file,
        projectPath: lowered.filePath))
  }
}

extension Rig {
  /// Validates the project: lowering, resolution and allocation. Writes nothing.
  public func check() -> CheckResult { RigCompiler.check(self) }

  /// What rendering into `folder` would do, for `targets` (every enabled target when empty); with `folder` nil,
  /// compared with an empty folder. Reads the folder, writes nothing.
  public func plan(out folder: String? = nil, targets: [RigModel.Targets.Kind] = []) -> PlanResult {
    RigCompiler.plan(check(), out: folder, targets: targets)
  }

  /// Renders the project's artifacts into `folder` as `rig render --out` does (all or nothing, the folder swapped
  /// in one step); returns what it did, warnings included. Throws the diagnostics when there is an error, in which
  /// case nothing was written.
  @discardableResult
  public func render(to folder: String, targets: [RigModel.Targets.Kind] = []) throws(RigFailure) -> PlanResult {
    let rendered = RigCompiler.render(check(), out: folder, targets: targets)
    guard !rendered.hasErrors else { throw RigFailure(result: rendered) }
    return rendered
  }
}

/// Why a DSL project could not be rendered: every diagnostic, as values and as the text `rig` prints.
public struct RigFailure: Error, CustomStringConvertible {
  /// The check and what was planned for the output folder, with every diagnostic.
  public var result: PlanResult

  /// The diagnostics, errors and warnings, in the order found.
  public var diagnostics: [Diagnostic] { result.check.diagnostics.diagnostics }

  /// The diagnostics as `rig` prints them: `file:line:column: error: …`, the line, and notes and help.
  public var description: String {
    DiagnosticRenderer(sources: result.check.sources, colors: false).render(result.check.diagnostics)
  }
}

extension Rig {
  /// A small command line for an executable that describes one project in Swift, printing what `rig` prints:
  /// `check`, `plan [--out DIR] [--diff]` and `render --out DIR`, each with `--target NAME` (repeatable).
  /// Returns the exit status: 0 done, 1 errors (diagnostics on standard error), 2 usage error.
  public func main(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
    let usage = "usage: check | plan [--out DIR] [--diff] | render --out DIR, each with [--target NAME]...\n"
    var rest = arguments[...]
    guard let command = rest.popFirst(), ["check", "plan", "render"].contains(command) else {
      FileHandle.standardError.write(Data(usage.utf8))
      return 2
    }
    var out: String?
    var diff = false
    var targets: [RigModel.Targets.Kind] = []
    while let argument = rest.popFirst() {
      switch argument {
      case "--out" where command != "check":
        guard let folder = rest.popFirst(), !folder.isEmpty else {
          FileHandle.standardError.write(Data("error: --out needs a folder\n".utf8))
          return 2
        }
        out = folder
      case "--diff" where command == "plan": diff = true
      case "--target" where command != "check":
        guard let name = rest.popFirst(), let target = RigModel.Targets.Kind(rawValue: name) else {
          let names = RigModel.Targets.Kind.allCases.map(\.rawValue).joined(separator: ", ")
          FileHandle.standardError.write(Data("error: --target takes one of \(names)\n".utf8))
          return 2
        }
        targets.append(target)
      default:
        FileHandle.standardError.write(Data(("error: unexpected '\(argument)'\n" + usage).utf8))
        return 2
      }
    }
    let result: PlanResult
    let report: () -> String
    switch command {
    case "check":
      result = PlanResult(check: check(), output: nil)
      report = { "" }
    case "plan":
      result = plan(out: out, targets: targets)
      report = { RigCompiler.planText(result, diff: diff) }
    default:
      guard let out else {
        FileHandle.standardError.write(Data(("error: render needs --out DIR\n" + usage).utf8))
        return 2
      }
      result = RigCompiler.render(check(), out: out, targets: targets)
      report = { RigCompiler.renderReport(result) }
    }
    let renderer = DiagnosticRenderer(sources: result.check.sources, colors: false)
    FileHandle.standardError.write(Data(renderer.render(result.check.diagnostics).utf8))
    guard !result.hasErrors else { return 1 }
    FileHandle.standardOutput.write(Data(report().utf8))
    return 0
  }
}
