import ArgumentParser
import Foundation
import RigBasics
import RigCompiler

/// Output format of `check`.
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
  /// Prints the diagnostics to standard error, rendered for the terminal.
  func printDiagnostics(of result: CheckResult) {
    let colors = color.resolve(
      isTerminal: isatty(STDERR_FILENO) == 1, environment: ProcessInfo.processInfo.environment)
    let renderer = DiagnosticRenderer(sources: result.sources, colors: colors)
    FileHandle.standardError.write(Data(renderer.render(result.diagnostics).utf8))
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
    switch options.format {
    case .json:
      let summary: [(String, JSONValue)] = [
        ("command", .string("check")), ("file", .string(result.file)), ("valid", .bool(!result.hasErrors)),
      ]
      FileHandle.standardOutput.write(Data(result.diagnostics.json(extra: summary).serialized().utf8))
    case .text:
      options.printDiagnostics(of: result)
      if !result.hasErrors {
        print("\(result.file): ok")
      }
    }
    if result.hasErrors { throw ExitCode(1) }
  }
}

struct Plan: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Resolve the stack and print the chosen versions, why each is there, and the install order.",
    discussion: "Exit status: 0 resolved, 1 errors found, 2 usage error.")

  @Argument(help: "A rig.yaml, or a folder holding one.")
  var path: String = "."

  @OptionGroup var options: DiagnosticOptions

  func run() throws {
    let result = RigCompiler.check(path: path)
    switch options.format {
    case .json:
      FileHandle.standardOutput.write(Data(RigCompiler.planJSON(result).serialized().utf8))
    case .text:
      options.printDiagnostics(of: result)
      if !result.hasErrors {
        FileHandle.standardOutput.write(Data(RigCompiler.planReport(result).utf8))
      }
    }
    if result.hasErrors { throw ExitCode(1) }
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
    subcommands: [Check.self, Plan.self, Schema.self])
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
