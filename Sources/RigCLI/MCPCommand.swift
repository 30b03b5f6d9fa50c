import ArgumentParser
import Foundation

/// The options of `rig mcp` and of the server it runs, `rig-mcp`: one project folder, one output folder.
package struct MCPOptions: ParsableArguments {
  package static let abstract =
    "Serve rig's commands to an agent: a Model Context Protocol server over standard input and output."
  package static let discussion = """
    The tools check, plan, explain, graph, probe and verify only read; plan also saves the plan it shows. The one \
    tool that writes, render, writes a saved plan's files into the output folder only after the person approves \
    it through the client (MCP elicitation); a client that cannot ask a person cannot render. Paths are read \
    inside the project folder only. Every call is appended to the audit log ('rig audit').
    Exit status: 0 when the client closes the connection, 1 the folders are refused, 2 usage error.
    """

  @Option(help: ArgumentHelp("The project folder the tools read (and nothing outside it).", valueName: "dir"))
  package var project: String

  @Option(help: ArgumentHelp("The output folder render writes.", valueName: "dir"))
  package var out: String

  @Option(
    help: ArgumentHelp("The audit log (default: .NAME.rig-audit.jsonl beside the output folder).", valueName: "file"))
  package var auditLog: String?

  package init() {}

  /// The options as a command line.
  var arguments: [String] { ["--project", project, "--out", out] + (auditLog.map { ["--audit-log", $0] } ?? []) }
}

/// `rig mcp`: runs the server `rig-mcp`, the program beside rig, in its place. The server is a program of its own
/// so that rig itself does not load what the MCP SDK links (Foundation's networking and libcurl, for its HTTP
/// transports): every other command starts as fast as before.
public struct MCPCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "mcp", abstract: MCPOptions.abstract, discussion: MCPOptions.discussion)

  @OptionGroup var options: MCPOptions

  public init() {}

  public func run() throws {
    let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    let server = folder + "/rig-mcp"
    guard FileManager.default.isExecutableFile(atPath: server) else {
      FileHandle.standardError.write(
        Data(
          ("error: 'rig mcp' runs the program '\(server)', which is not there\n"
            + "help: build it beside rig ('swift build --product rig-mcp'), or install it with rig\n").utf8))
      throw ExitCode(1)
    }
    let arguments = [server] + options.arguments
    var pointers = arguments.map { strdup($0) } + [nil]
    execv(server, &pointers)
    FileHandle.standardError.write(Data("error: cannot run '\(server)': \(String(cString: strerror(errno)))\n".utf8))
    throw ExitCode(1)
  }
}
