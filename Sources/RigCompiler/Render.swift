import Foundation
import RigBasics
import RigEmitters
import RigModel
import RigPlan

/// A checked project and what rendering it does to an output folder (`rig plan`, `rig render`).
public struct RenderResult: Sendable {
  /// The project, with the output folder's diagnostics added to its own.
  public var check: CheckResult
  /// What render does to the folder; nil when the project has errors before its artifacts exist.
  public var output: FolderChanges?
  /// Whether render wrote the folder: false for `plan`, on errors, and when the folder was already up to date.
  public var written = false
  public var hasErrors: Bool { check.hasErrors }
}

extension RigCompiler {
  /// What rendering the project into `folder` would do, for `targets` (every target `emitters` finds enabled when
  /// empty); with `folder` nil, compared with an empty folder. Reads the folder, writes nothing. A folder that is
  /// not empty and has no manifest is refused unless `adopt` (see `OutputFolder.compare`).
  public static func changes(
    _ result: CheckResult, out folder: String?, targets: [Targets.Kind] = [], host: String? = nil,
    adopt: Bool = false, emitters: EmitterRegistry = .builtIn
  ) -> RenderResult {
    switch made(result, targets: targets, host: host, emitters: emitters) {
    case .failed(let failed): return failed
    case .made(let made): return made.compared(with: folder, adopt: adopt)
    }
  }

  /// The checked project's artifacts for `targets`, before any folder is read; the project with the unknown
  /// targets' errors when there are any.
  private static func made(
    _ result: CheckResult, targets: [Targets.Kind], host: String?, emitters: EmitterRegistry
  ) -> Making {
    var check = result
    let project: String
    let plan: Plan
    if let fleet = result.fleet {
      guard !result.hasErrors, let plans = fleet.plans, let first = plans.first else {
        return .failed(RenderResult(check: check, output: nil))
      }
      project = fleet.fleet.name.value
      plan = first
    } else {
      guard let spec = result.spec, let single = result.plan else {
        return .failed(RenderResult(check: check, output: nil))
      }
      project = spec.name.value
      plan = single
    }
    let enabled = emitters.enabled(plan)
    for target in Set(targets).sorted() where !enabled.contains(target.rawValue) {
      check.diagnostics.emit(
        OutputMessage.targetNotEnabled(target.rawValue), at: nil,
        help: [
          result.origin.language.enableTarget(target.rawValue, in: result.file) + ", or leave out '--target \(target)'"
        ])
    }
    if let refusal = hostRefusal(result, host: host, required: false) { check.diagnostics.emit(refusal) }
    guard !check.hasErrors else { return .failed(RenderResult(check: check, output: nil)) }
    let names = targets.isEmpty ? enabled.sorted() : Set(targets.map(\.rawValue)).sorted()
    // Without --target, every file rig wrote is in scope: a target since disabled leaves stale files to remove.
    let scope = targets.isEmpty ? nil : Set(names)
    let all = artifacts(check, emitters: emitters, targets: scope)
    let artifacts = host.map { host in all.filter { FleetLayout.belongs($0.path, to: host) } } ?? all
    return .made(
      Made(
        check: check, artifacts: artifacts, hashes: artifacts.concurrentMap { Manifest.sha256($0.contents) },
        targets: names, known: Set(emitters.targets), scope: scope, host: host, project: project,
        projectFile: result.origin.projectFile(shownAs: result.file)))
  }

  /// The artifacts, or the result that stops before them.
  private enum Making {
    case made(Made)
    case failed(RenderResult)
  }

  /// A project's artifacts and their hashes, made once and compared with the output folder as often as it is read.
  private struct Made {
    var check: CheckResult
    var artifacts: [Artifact]
    var hashes: [String]
    var targets: [String]
    var known: Set<String>
    var scope: Set<String>?
    var host: String?
    var project: String
    var projectFile: String

    func compared(with folder: String?, adopt: Bool) -> RenderResult {
      let output = OutputFolder.compare(
        artifacts: artifacts, hashes: hashes, targets: targets, known: known, scope: scope, host: host,
        project: project,
        projectFile: projectFile, folder: folder, adopt: adopt)
      var check = check
      for diagnostic in output.diagnostics { check.diagnostics.emit(diagnostic) }
      return RenderResult(check: check, output: output)
    }
  }

  /// Renders the project into `folder`: nothing when the project or the folder has an error or the folder is up to
  /// date; else the new folder is built beside the old one and swapped in, in one step, so that an interrupted
  /// render leaves the previous folder whole. Either way, what an interrupted render left beside the folder is
  /// cleared first, and a failure to clear it is an error (`write-failed`), up to date or not. `checkpoint` runs at
  /// each phase of the swap, `step` after each change the writer makes to the file system (tests stop the process
  /// there). With `expecting` (what a saved or confirmed plan said, and the plan's name), render writes only when
  /// it finds exactly those changes, else refuses the plan as stale.
  public static func render(
    _ result: CheckResult, out folder: String, targets: [Targets.Kind] = [], host: String? = nil, adopt: Bool = false,
    emitters: EmitterRegistry = .builtIn, expecting: (FolderExpectation, String)? = nil,
    checkpoint: (RenderPhase) -> Void = { _ in },
    step: (WriterStep) -> Void = { _ in }
  ) -> RenderResult {
    let made: Made
    switch Self.made(result, targets: targets, host: host, emitters: emitters) {
    case .failed(let failed): return failed
    case .made(let success): made = success
    }
    let planned = checked(made.compared(with: folder, adopt: adopt), against: expecting)
    let known = made.known
    guard !planned.hasErrors, let output = planned.output else { return planned }
    let outcome: Result<RenderResult, OutputWriter.Failure>
    if output.isUpToDate {
      outcome = OutputWriter.removeLeftovers(folder: folder, known: known, step: step).map { planned }
        .mapError { .system($0) }
    } else {
      // Compared again under the writer's lock: the folder may have changed since it was read.
      outcome = OutputWriter.write(
        folder: folder, known: known,
        replanning: { checked(made.compared(with: folder, adopt: adopt), against: expecting) },
        checkpoint: checkpoint, step: step)
    }
    switch outcome {
    case .success(let final):
      var done = final
      done.written = !(final.output?.isUpToDate ?? true)
      return done
    case .failure(.planned(let final)):
      return final
    case .failure(.system(let error)):
      var failed = planned
      failed.written = error.afterSwap
      failed.check.diagnostics.emit(
        OutputMessage.writeFailed(path: error.path, reason: error.reason), at: nil,
        help: [
          error.afterSwap
            ? "'\(folder)' holds the new files; only clearing the old folder beside it failed"
            : "nothing in '\(folder)' was changed"
        ])
      return failed
    }
  }
}
