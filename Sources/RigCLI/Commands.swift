import ArgumentParser
import Foundation
import RigBasics
import RigCompiler
import RigModel

/// Where a command finds its project: paths on the command line (`rig`), or the description an executable holds
/// (a project written in the Swift DSL). The commands are the same for both.
public protocol ProjectArguments: ParsableArguments {
  /// Every project named, checked; `plan`, `render` and `graph` take the first.
  func checks() -> [CheckResult]
  /// Whether the command line names the projects, so that `check` says which of them are valid (an executable's
  /// own description has no name to say).
  var namesProjects: Bool { get }
  /// The project of a saved plan, checked: the one the command line holds (an executable's own description), or
  /// the plan's own when the command line names none.
  func check(saved plan: SavedPlan) -> CheckResult
  /// Whether the command line names a project itself (`render --plan` takes the plan's).
  var namesAProject: Bool { get }
}

extension ProjectArguments {
  /// The project, checked.
  func check() -> CheckResult { checks()[0] }
  public func check(saved plan: SavedPlan) -> CheckResult { check() }
  public var namesAProject: Bool { false }
}

/// One path: a rig.yaml, or a folder holding one.
public struct ProjectPath: ProjectArguments {
  @Argument(help: "A rig.yaml, or a folder holding one (default: the current folder).")
  var path: String?

  public init() {}
  public func checks() -> [CheckResult] { [RigCompiler.check(path: path ?? ".")] }
  public var namesProjects: Bool { true }
  public func check(saved plan: SavedPlan) -> CheckResult { RigCompiler.check(path: path ?? plan.project) }
  public var namesAProject: Bool { path != nil }
}

/// Several paths (the pre-commit hook passes many).
public struct ProjectPaths: ProjectArguments {
  @Argument(help: "rig.yaml files, or folders holding one.")
  var paths: [String] = ["."]

  public init() {}
  public func checks() -> [CheckResult] { paths.map { RigCompiler.check(path: $0) } }
  public var namesProjects: Bool { true }
}

/// Output format of `check` and `plan`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text
  case json
}

extension ColorMode: ExpressibleByArgument {}

/// Options every command that reports diagnostics takes.
struct DiagnosticOptions: ParsableArguments {
  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Option(help: "Color diagnostics: auto, always or never (auto honours NO_COLOR).")
  var color: ColorMode = .auto
}

extension DiagnosticOptions {
  /// Reports `result` in the chosen format and maps errors to exit status 1: JSON on standard output, or the
  /// diagnostics on standard error and, when there is no error, `text` on standard output.
  func report(_ result: CheckResult, json: () -> JSONValue, text: () -> String) throws {
    switch format {
    case .json:
      FileHandle.standardOutput.write(Data(json().serialized().utf8))
    case .text:
      let renderer = DiagnosticRenderer(sources: result.sources, colors: color.enabled(on: STDERR_FILENO))
      FileHandle.standardError.write(Data(renderer.render(result.diagnostics).utf8))
      if !result.hasErrors { FileHandle.standardOutput.write(Data(text().utf8)) }
    }
    if result.hasErrors { throw ExitCode(1) }
  }
}

extension Targets.Kind: ExpressibleByArgument {}

extension ColorMode {
  /// Whether text written to `handle` (a terminal or not) gets colors, in this process's environment.
  func enabled(on handle: Int32) -> Bool {
    resolve(isTerminal: isatty(handle) == 1, environment: ProcessInfo.processInfo.environment)
  }
}

/// `rig check`: validates one project or several.
public struct Check<Project: ProjectArguments>: ParsableCommand {
  public static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: "check",
      abstract: "Validate rig.yaml files without writing anything.",
      discussion: """
        Each PATH is a rig.yaml or a folder holding one (default: the current folder); the pre-commit hook passes \
        several. With --format json and more than one PATH, the documents come as one JSON array.
        Exit status: 0 all valid (warnings allowed), 1 errors found, 2 usage error.
        """)
  }

  @OptionGroup var project: Project

  @OptionGroup var options: DiagnosticOptions

  public init() {}

  public func run() throws {
    let results = project.checks()
    let documents = results.map(Reports.checkJSON)
    switch options.format {
    case .json:
      let json = documents.count == 1 ? documents[0] : .array(documents)
      FileHandle.standardOutput.write(Data(json.serialized().utf8))
    case .text:
      let colors = options.color.enabled(on: STDERR_FILENO)
      for result in results {
        let renderer = DiagnosticRenderer(sources: result.sources, colors: colors)
        FileHandle.standardError.write(Data(renderer.render(result.diagnostics).utf8))
        if !result.hasErrors, project.namesProjects {
          FileHandle.standardOutput.write(Data("\(result.file): ok\n".utf8))
        }
      }
    }
    if results.contains(where: \.hasErrors) { throw ExitCode(1) }
  }
}

/// What `plan` and `render` take besides the path: the folder and the targets.
struct OutputOptions: ParsableArguments {
  @Option(
    name: .customLong("target"),
    help:
      "Only this target (repeat for several; default: every enabled one): \(Targets.Kind.allCases.map(\.rawValue).joined(separator: ", "))."
  )
  var targets: [Targets.Kind] = []

  @Option(
    help: "Only this host of a fleet: its section of the plan and its own files (the others are left as they are).")
  var host: String?
}

/// `rig plan`: the resolution, the allocation, and what render would change in the output folder.
public struct Plan<Project: ProjectArguments>: ParsableCommand {
  public static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: "plan",
      abstract:
        "Show the chosen versions and the allocation, then what render would add (+), change (~) and remove (-) in "
        + "the output folder.",
      discussion: """
        The last line reads 'Plan: X to add, Y to change, Z to remove.' Without --out, files are compared with an \
        empty folder. Nothing is written.
        Exit status: 0 planned, 1 errors found, 2 usage error; with --detailed-exitcode: 0 no changes, 1 errors, \
        2 changes to make.
        """)
  }

  @OptionGroup var project: Project

  @Option(help: "The output folder to compare with (the one render would write).")
  var out: String?

  @Flag(help: adoptHelp)
  var adopt = false

  @OptionGroup var output: OutputOptions

  @Flag(help: "Show a unified diff of each file that changes.")
  var diff = false

  @Flag(help: "Exit 0 when there is nothing to change, 1 on errors, 2 when there are changes.")
  var detailedExitcode = false

  @Option(
    help: ArgumentHelp(
      "Save the plan to this file, for 'rig render --plan FILE' to write exactly these files (needs --out).",
      valueName: "file"))
  var save: String?

  @OptionGroup var options: DiagnosticOptions

  public init() {}

  public func validate() throws {
    if out?.isEmpty == true { throw ValidationError("--out needs a folder") }
    if detailedExitcode, out == nil {
      throw ValidationError("--detailed-exitcode needs --out: without it the plan compares with an empty folder")
    }
    if save != nil, out == nil { throw ValidationError("--save needs --out: a plan is made for one output folder") }
    if save?.isEmpty == true { throw ValidationError("--save needs a file") }
  }

  public func run() throws {
    var planned = RigCompiler.changes(
      project.check(), out: out, targets: output.targets, host: output.host, adopt: adopt)
    var saved: SavedPlan?
    if let save {
      saved = RigCompiler.savedPlan(planned, targets: output.targets, host: output.host, adopt: adopt)
      if let plan = saved, let failure = RigCompiler.save(plan, to: save) {
        planned.check.diagnostics.emit(failure)
        saved = nil
      }
    }
    let result = planned.check
    try options.report(
      result,
      json: {
        let document = Reports.planJSON(planned, diff: diff)
        guard let saved, let save else { return document }
        return Reports.withSavedPlan(document, saved, file: save)
      },
      text: {
        Reports.planText(planned, diff: diff, host: output.host, colors: options.color.enabled(on: STDOUT_FILENO))
          + (save.map { Reports.savedPlanText(file: $0) } ?? "")
      })
    if detailedExitcode, let output = planned.output, !output.isUpToDate { throw ExitCode(2) }
  }
}

/// `rig render`: writes the artifacts of every enabled target into a folder.
public struct Render<Project: ProjectArguments>: ParsableCommand {
  public static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: "render",
      abstract: "Write the artifacts of every enabled target into a folder.",
      discussion: """
        The new folder is built beside the old one and takes its place in one step, so an interrupted render \
        leaves the previous folder whole. rig owns the files its manifest (.rig-manifest.json) lists: it removes \
        those it no longer makes, and never touches, or overwrites, any other file. A folder that is not empty and \
        has no manifest is refused unless --adopt. Nothing is written when the project or the folder has an error, \
        or when the folder is up to date. A render killed at any moment leaves the old folder or the new one, \
        whole; the next render clears what was left beside it.
        With --plan FILE (saved by 'rig plan --save'), render takes the project, the folder, the targets and the \
        host from the plan and writes exactly its files, or refuses the plan as stale (nothing written) when \
        rig.yaml, an include, rig's catalog, rig itself or the output folder changed since it was saved.
        On a terminal, a render that removes files or changes kernel parameters shows them and asks for 'yes' \
        first, unless --yes or --plan is given (a saved plan was reviewed when it was made).
        Exit status: 0 written (or up to date), 1 errors (or not confirmed), 2 usage error.
        """)
  }

  @OptionGroup var project: Project

  @Option(help: "The folder to write the artifacts into (required unless --plan).")
  var out: String?

  @Flag(help: adoptHelp)
  var adopt = false

  @OptionGroup var output: OutputOptions

  @Option(help: ArgumentHelp("Write exactly the files of this saved plan ('rig plan --save').", valueName: "file"))
  var plan: String?

  @Flag(help: "Do not ask for confirmation on a terminal.")
  var yes = false

  @OptionGroup var options: DiagnosticOptions

  public init() {}

  public func validate() throws {
    if let plan {
      if plan.isEmpty { throw ValidationError("--plan needs a file") }
      if out != nil || adopt || !output.targets.isEmpty || output.host != nil || project.namesAProject {
        throw ValidationError(
          "--plan takes the project, --out, --target, --host and --adopt from the saved plan; leave them out")
      }
    } else if out?.isEmpty ?? true {
      throw ValidationError("--out needs a folder")
    }
  }

  public func run() throws {
    var kill = KillAfterSteps(ProcessInfo.processInfo.environment)
    let planned: RenderResult
    if let file = plan {
      switch RigCompiler.readPlan(file) {
      case .failure(let refusal): planned = RigCompiler.refused(refusal.diagnostic, file: file)
      case .success(let saved):
        planned = RigCompiler.render(
          saved: saved, named: file, check: { project.check(saved: saved) }, checkpoint: pauseForTests,
          step: { kill.record($0) })
      }
    } else {
      let out = out ?? ""
      let check = project.check()
      let expecting = try confirmation(check, out: out)
      planned = RigCompiler.render(
        check, out: out, targets: output.targets, host: output.host, adopt: adopt,
        expecting: expecting.map { ($0, "shown above") }, checkpoint: pauseForTests, step: { kill.record($0) })
    }
    try options.report(
      planned.check,
      json: { Reports.renderJSON(planned) },
      text: { Reports.renderReport(planned, colors: options.color.enabled(on: STDOUT_FILENO)) })
  }

  /// On a terminal, without --yes: when render would remove files or change kernel parameters, shows them and asks
  /// for 'yes'; the changes confirmed, which render must then find (nil when nothing was asked). Throws exit
  /// status 1 when the answer is not 'yes'.
  func confirmation(_ check: CheckResult, out: String) throws -> FolderExpectation? {
    guard !yes, options.format == .text, isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return nil }
    let planned = RigCompiler.changes(check, out: out, targets: output.targets, host: output.host, adopt: adopt)
    guard !planned.hasErrors, let changes = planned.output else { return nil }
    let expectation = FolderExpectation(changes)
    guard !expectation.attention.isEmpty else { return nil }
    let colors = options.color.enabled(on: STDOUT_FILENO)
    FileHandle.standardOutput.write(
      Data(
        (Reports.outputReport(changes, colors: colors)
          + "\nThis render removes files or changes kernel parameters:\n"
          + expectation.attention.joined(separator: "\n") + "\n\n"
          + "Do you want to perform these actions? Only 'yes' will be accepted to approve.\n\nEnter a value: ").utf8))
    let answer = readLine(strippingNewline: true)
    guard answer?.trimmingCharacters(in: .whitespaces) == "yes" else {
      FileHandle.standardError.write(Data("\nRender cancelled: nothing was written.\n".utf8))
      throw ExitCode(1)
    }
    return expectation
  }
}

/// The fault-injection point of the end-to-end tests: with `RIG_RENDER_PAUSE=staged` (or `swapped`), render says
/// so on standard error and stops itself (SIGSTOP) at that phase, so that a test can kill it there, or change the
/// folder and let it go on (SIGCONT).
func pauseForTests(_ phase: RenderPhase) {
  guard ProcessInfo.processInfo.environment["RIG_RENDER_PAUSE"] == phase.rawValue else { return }
  FileHandle.standardError.write(Data("rig: paused at '\(phase.rawValue)'\n".utf8))
  raise(SIGSTOP)
}

/// The fault-injection point of the kill tests, read once per render: with `RIG_TEST_KILL_AFTER_STEPS=N` (N ≥ 1),
/// render kills itself (SIGKILL) right after the writer's Nth change to the file system (see `WriterStep`); with
/// `0` it never does and lists every change on standard error instead (`rig: step 3: mkdir PATH`), so that a test
/// can count a render's steps first, then kill it after any one of them.
struct KillAfterSteps {
  let limit: Int?
  var count = 0

  init(_ environment: [String: String]) {
    limit = environment["RIG_TEST_KILL_AFTER_STEPS"].flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
  }

  mutating func record(_ step: WriterStep) {
    guard let limit else { return }
    count += 1
    if limit == 0 {
      FileHandle.standardError.write(Data("rig: step \(count): \(step.action) \(step.path)\n".utf8))
    } else if count >= limit {
      kill(getpid(), SIGKILL)
    }
  }
}

/// The help of `--adopt`, for plan and render.
var adoptHelp: ArgumentHelp {
  ArgumentHelp(
    "Take over an output folder that is not empty and has no rig manifest: rig adds its files beside the ones "
      + "there (and never changes or removes those). Without it, rig refuses such a folder.")
}

/// `rig graph`: the resolved dependency graph.
public struct Graph<Project: ProjectArguments>: ParsableCommand {
  public static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: "graph",
      abstract: "Print the resolved dependency graph as Graphviz DOT or a Mermaid flowchart.",
      discussion: """
        Each component with its chosen version; edges are 'requires' with their constraints; cycles in red (the \
        graph is printed, and the exit status is 1).
        Exit status: 0 printed, 1 errors (the graph is printed when the stack resolved), 2 usage error.
        """)
  }

  @OptionGroup var project: Project

  @Option(help: "Graph format: dot or mermaid.")
  var format: GraphFormat = .dot

  @Option(help: "Color diagnostics: auto, always or never (auto honours NO_COLOR).")
  var color: ColorMode = .auto

  @Option(help: "The fleet's host whose graph to draw (required for a fleet).")
  var host: String?

  public init() {}

  public func run() throws {
    let result = RigCompiler.machine(project.check(), host: host)
    let renderer = DiagnosticRenderer(sources: result.sources, colors: color.enabled(on: STDERR_FILENO))
    FileHandle.standardError.write(Data(renderer.render(result.diagnostics).utf8))
    if let graph = RigCompiler.graph(result, format: format) {
      FileHandle.standardOutput.write(Data(graph.utf8))
    }
    if result.hasErrors { throw ExitCode(1) }
  }
}

extension GraphFormat: ExpressibleByArgument {}

/// `rig schema`: the JSON Schema of rig.yaml.
public struct Schema: ParsableCommand {
  public static let configuration = CommandConfiguration(abstract: "Print the JSON Schema of rig.yaml.")

  public init() {}

  public func run() throws {
    FileHandle.standardOutput.write(Data(RigCompiler.schema().utf8))
  }
}

/// The `rig` command: its subcommands take paths.
public struct RigCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "rig",
    abstract: "A declarative compiler for AI workstations.",
    version: RigCompiler.version,
    subcommands: [
      Check<ProjectPaths>.self, Plan<ProjectPath>.self, Render<ProjectPath>.self, Graph<ProjectPath>.self,
      Schema.self, Probe.self, Verify<ProjectPath>.self, MCPCommand.self, Audit.self,
    ])

  public init() {}

  /// Runs the command `arguments` name and returns its exit status; usage errors exit 2, as SPEC §5 asks
  /// (argument-parser's own default is 64).
  public static func run(_ arguments: [String]) -> Int32 { execute(Self.self, arguments) }
}

/// Parses `arguments` as `Root`'s command line and runs the command: 0 done, 1 errors, 2 usage error (and the
/// status a command asks for, such as `plan --detailed-exitcode`'s 2).
package func execute<Root: ParsableCommand>(_: Root.Type, _ arguments: [String]) -> Int32 {
  // Most commands read the catalog: it is read on an idle core while the command line is parsed (1.5 ms less
  // for `rig check` of the workstation example), and the commands that do not read it do not wait for it.
  RigCompiler.readCatalogAhead()
  do {
    var command = try Root.parseAsRoot(arguments)
    try command.run()
    return 0
  } catch {
    let code = Root.exitCode(for: error)
    if code == .validationFailure {
      FileHandle.standardError.write(Data((Root.fullMessage(for: error) + "\n").utf8))
      return 2
    }
    let message = Root.fullMessage(for: error)
    if !message.isEmpty {
      let handle = code == .success ? FileHandle.standardOutput : FileHandle.standardError
      handle.write(Data((message + "\n").utf8))
    }
    return code.rawValue
  }
}
