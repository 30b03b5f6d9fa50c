import ArgumentParser
import Foundation
import RigCompiler
import RigDSL

/// The project an executable describes in the Swift DSL: the commands take it instead of a path.
public struct DescribedProject: ProjectArguments {
  /// The description `Rig.main` runs the commands for.
  @TaskLocal static var current: Rig?

  public init() {}
  public var namesProjects: Bool { false }

  public func checks() -> [CheckResult] {
    guard let rig = Self.current else { preconditionFailure("a described project's command ran outside Rig.main") }
    return [RigCompiler.check(rig)]
  }
}

/// The command line of an executable that describes one project in Swift: `check`, `plan` and `render`, the same
/// commands as `rig`'s, with the same options, without a path.
struct DescribedCommand: ParsableCommand {
  static var configuration: CommandConfiguration {
    CommandConfiguration(
      commandName: URL(fileURLWithPath: CommandLine.arguments.first ?? "rig").lastPathComponent,
      abstract: "rig's commands for the project this program describes.",
      subcommands: [Check<DescribedProject>.self, Plan<DescribedProject>.self, Render<DescribedProject>.self])
  }

  func run() throws { throw ValidationError("choose a command: check, plan or render") }
}

extension Rig {
  /// rig's `check`, `plan` and `render` for this project, for an executable that describes it (`exit(rig.main())`):
  /// the same options, output and exit status as `rig`'s commands (0 done, 1 errors, 2 usage error).
  public func main(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
    DescribedProject.$current.withValue(self) { execute(DescribedCommand.self, arguments) }
  }
}
