import ArgumentParser
import Foundation
import RigBasics
import RigCompiler

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
      let colors = color.resolve(
        isTerminal: isatty(STDERR_FILENO) == 1, environment: ProcessInfo.processInfo.environment)
      let renderer = DiagnosticRenderer(sources: result.sources, colors: colors)
      FileHandle.standardError.write(Data(renderer.render(result.diagnostics).utf8))
      if !result.hasErrors { FileHandle.standardOutput.write(Data(text().utf8)) }
    }
    if result.hasErrors { throw ExitCode(1) }
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Validate a rig.yaml without writing anything.",
    discussion: "Exit status: 0 valid (warnings allowed), 1 errors found, 2 usage error.")

  @Argument(help: "A rig.yaml, or a folder holding one.")
  var path: String = "."

  @OptionGroup var options: DiagnosticOptions

  func run() throws {
    let result = RigCompiler.check(path: path)
    try options.report(
      result,
      json: {
        result.diagnostics.json(extra: [
          ("command", .string("check")), ("file", .string(result.file)), ("valid", .bool(!result.hasErrors)),
        ])
      },
      text: { "\(result.file): ok\n" })
  }
}

struct Plan: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Resolve and allocate: the chosen versions, why each is there and the install order, then the CPU, GPU "
      + "memory, RAM and power allocation.",
    discussion: "Exit status: 0 resolved and allocated, 1 errors found, 2 usage error.")

  @Argument(help: "A rig.yaml, or a folder holding one.")
  var path: String = "."

  @OptionGroup var options: DiagnosticOptions

  func run() throws {
    let result = RigCompiler.check(path: path)
    try options.report(result, json: { RigCompiler.planJSON(result) }, text: { RigCompiler.planReport(result) })
  }
}

struct Render: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the artifacts of every enabled target under a folder.",
    discussion: "Nothing is written when the project has an error. Exit status: 0 written, 1 errors, 2 usage error.")

  @Argument(help: "A rig.yaml, or a folder holding one.")
  var path: String = "."

  @Option(help: "The folder to write the artifacts into.")
  var out: String

  @OptionGroup var options: DiagnosticOptions

  func run() throws {
    let result = RigCompiler.check(path: path)
    try options.report(
      result,
      json: {
        result.diagnostics.json(extra: [("command", .string("render")), ("file", .string(result.file))])
      },
      text: { "" })
    let written: [String]
    switch RigCompiler.render(result, to: out) {
    case .success(let paths): written = paths
    case .failure(let error):
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      throw ExitCode(1)
    }
    if options.format == .text {
      FileHandle.standardOutput.write(Data("Wrote \(written.count) files to \(out).\n".utf8))
    }
  }
}

struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print the JSON Schema of rig.yaml.")

  func run() throws {
    FileHandle.standardOutput.write(Data(RigCompiler.schema().utf8))
  }
}

struct Rig: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rig",
    abstract: "A declarative compiler for AI workstations.",
    subcommands: [Check.self, Plan.self, Render.self, Schema.self])
}

// Usage errors exit 2, as SPEC §5 asks (argument-parser's own default is 64).
do {
  var command = try Rig.parseAsRoot()
  try command.run()
} catch {
  let code = Rig.exitCode(for: error)
  if code == .validationFailure {
    FileHandle.standardError.write(Data((Rig.fullMessage(for: error) + "\n").utf8))
    exit(2)
  }
  Rig.exit(withError: error)
}
