import ArgumentParser
import Foundation
import MCP
import RigBasics
import RigCLI
import RigCompiler
import RigModel

/// `rig-mcp`, which `rig mcp` runs: the server, over standard input and output.
public struct MCPServerCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "rig-mcp", abstract: MCPOptions.abstract, discussion: MCPOptions.discussion,
    version: RigCompiler.version)

  @OptionGroup var options: MCPOptions

  public init() {}

  public func run() throws {
    let workspace: Workspace
    do {
      workspace = try Workspace(project: options.project, out: options.out, audit: options.auditLog)
    } catch {
      FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
      throw ExitCode(1)
    }
    let done = DispatchSemaphore(value: 0)
    let failure = Box()
    Task {
      do {
        try await RigServer(workspace: workspace).serve()
      } catch {
        failure.message = "\(error)"
      }
      done.signal()
    }
    done.wait()
    if let message = failure.message {
      FileHandle.standardError.write(Data("error: \(message)\n".utf8))
      throw ExitCode(1)
    }
  }

  /// Runs the server with `arguments`; its exit status (2 for a usage error, as rig's commands).
  public static func main(_ arguments: [String]) -> Int32 { execute(Self.self, arguments) }

  /// The server's failure, handed from its task to the command.
  private final class Box: @unchecked Sendable {
    var message: String?
  }
}

/// The server: the tools' list with their schemas and annotations, each call run and logged.
actor RigServer {
  let tools: RigTools
  let log: AuditLog
  /// Whether the client said it can ask its person (elicitation), in its `initialize` request.
  var canAsk = false

  init(workspace: Workspace) {
    tools = RigTools(workspace: workspace)
    log = AuditLog(path: workspace.audit)
  }

  func serve() async throws {
    let server = Server(
      name: "rig", version: RigCompiler.version, title: "rig",
      instructions: """
        rig compiles a machine's description (rig.yaml) into deployment files. Use check, plan, explain and graph \
        to read the project; plan saves what it shows. Only render writes, and only a saved plan, after the person \
        approves it. A result marked 'needs-person' is a conflict, a cycle or a budget for the person to settle: \
        show it to them and do not edit the project to make it pass.
        """,
      capabilities: Server.Capabilities(tools: .init(listChanged: false)))
    await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: Self.catalog) }
    await server.withMethodHandler(CallTool.self) { [self] parameters in
      let result = await self.call(parameters, server: server)
      // An unknown tool is a protocol error (invalid params), as the specification's tools page says; logged too.
      guard Self.catalog.contains(where: { $0.name == parameters.name }) else {
        throw MCPError.invalidParams(
          result.content.first.flatMap { if case .text(let text, _, _) = $0 { text } else { nil } })
      }
      return result
    }
    try await server.start(transport: StdioTransport()) { [self] _, capabilities in
      await self.setCanAsk(capabilities.elicitation != nil)
    }
    await server.waitUntilCompleted()
  }

  func setCanAsk(_ value: Bool) { canAsk = value }

  /// Runs one call and appends it to the audit log. An unknown tool is a JSON-RPC error (invalid params), logged
  /// too.
  func call(_ parameters: CallTool.Parameters, server: Server) async -> CallTool.Result {
    let arguments = Arguments(values: (parameters.arguments ?? [:]).mapValues(\.json))
    let started = Date()
    var outcome: ToolOutcome
    do {
      if let tool = Self.catalog.first(where: { $0.name == parameters.name }) {
        try arguments.only(tool.inputSchema.objectValue?["properties"]?.objectValue?.keys.sorted() ?? [])
      }
      switch parameters.name {
      case "check": outcome = try tools.check(arguments)
      case "plan": outcome = try tools.plan(arguments)
      case "explain": outcome = try tools.explain(arguments)
      case "graph": outcome = try tools.graph(arguments)
      case "probe": outcome = try tools.probe(arguments)
      case "verify": outcome = try tools.verify(arguments)
      case "render": outcome = await render(arguments, server: server)
      default:
        throw Refusal(
          "rig has no tool '\(parameters.name)'",
          help: Suggestion.didYouMean(parameters.name, among: Self.catalog.map(\.name))
            ?? "the tools are " + Self.catalog.map(\.name).joined(separator: ", "))
      }
    } catch let refusal as Refusal {
      outcome = .refused(refusal)
    } catch {
      outcome = .refused(Refusal("\(error)"))
    }
    let entry = AuditLog.Entry(
      time: started, tool: parameters.name, arguments: .object(arguments.values.sorted { $0.key < $1.key }),
      outcome: outcome)
    if let failure = log.append(entry) {
      outcome.status = "error"
      outcome.text += "\nerror: the audit log was not written: \(failure)"
    }
    return CallTool.Result(
      content: [.text(text: outcome.text, metadata: nil)], structuredContent: outcome.structured.map(\.mcpValue),
      isError: outcome.isError)
  }

  /// `render`: the saved plan, checked; then the person's approval through the client; then the files.
  func render(_ arguments: Arguments, server: Server) async -> ToolOutcome {
    let plan: SavedPlan
    let file: String
    do {
      (plan, file) = try tools.savedPlan(arguments)
    } catch {
      return .refused(error)
    }
    guard canAsk else {
      return .refused(
        Refusal(
          "this client cannot ask its person to approve a render (it did not declare elicitation)",
          help: "run 'rig render --plan \(file)' in a terminal, or use a client that supports elicitation"),
        plan: plan.digest)
    }
    let preflight = tools.preflight(plan)
    guard !preflight.isError else { return preflight }
    let message =
      "rig asks to write the plan \(plan.digest.prefix(12)) into '\(plan.folder)':\n\(plan.summary)\n"
      + "Approve writing exactly these files?"
    let answer: CreateElicitation.Result
    do {
      answer = try await server.requestElicitation(
        message: message,
        requestedSchema: Elicitation.RequestSchema(
          title: "Approve the render", description: "Write exactly the saved plan's files.",
          properties: [
            "approve": .object([
              "type": .string("boolean"), "title": .string("Write these files"),
              "description": .string("true to write them; anything else writes nothing"),
            ])
          ], required: ["approve"]))
    } catch {
      return .refused(Refusal("the person could not be asked: \(error)"), plan: plan.digest)
    }
    let approved = answer.action == .accept && answer.content?["approve"]?.boolValue == true
    let approval = ToolOutcome.Approval(
      answer: approved ? "accepted" : (answer.action == .cancel ? "cancelled" : "declined"), at: Date())
    guard approved else {
      return ToolOutcome(
        status: "declined",
        text: "The person did not approve the plan \(plan.digest) (\(approval.answer)): nothing was written.",
        structured: .object([("status", .string("declined")), ("answer", .string(approval.answer))]),
        plan: plan.digest, approval: approval, detail: "nothing written")
    }
    return tools.render(plan, file: file, approval: approval)
  }

  /// The tools, with their input schemas and annotations.
  static let catalog: [Tool] = {
    let path: (String, Value) = (
      "path",
      .object([
        "type": "string",
        "description": "A rig.yaml, or a folder holding one, inside the project folder (default: the project folder).",
      ])
    )
    let host: (String, Value) = (
      "host", .object(["type": "string", "description": "The fleet's host (required for a fleet)."])
    )
    let root: (String, Value) = (
      "root",
      .object([
        "type": "string",
        "description": "A captured machine tree (DIR/sys, DIR/proc, DIR/etc/os-release) in the project folder.",
      ])
    )
    let xml: (String, Value) = (
      "nvidia_smi_xml",
      .object(["type": "string", "description": "An 'nvidia-smi -q -x' document in the project folder."])
    )
    func schema(_ properties: [(String, Value)], required: [String] = []) -> Value {
      .object([
        "type": "object", "properties": .object(Dictionary(uniqueKeysWithValues: properties)),
        "required": .array(required.map(Value.string)), "additionalProperties": false,
      ])
    }
    let reading = Tool.Annotations(
      readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)
    return [
      Tool(
        name: "check", title: "Check the project",
        description: "Validate rig.yaml: every diagnostic with its place, as 'rig check --format json'.",
        inputSchema: schema([path]), annotations: reading),
      Tool(
        name: "plan", title: "Plan the output folder",
        description:
          "The chosen versions, the allocation, and what render would add, change and remove in the output folder, "
          + "as 'rig plan --format json'. The plan is saved; its id is what render takes.",
        inputSchema: schema([
          path, host,
          (
            "targets",
            .object([
              "type": "array", "description": "Only these targets (default: every enabled one).",
              "items": .object(["type": "string", "enum": .array(Targets.Kind.allCases.map { .string($0.rawValue) })]),
            ])
          ),
        ]), annotations: reading),
      Tool(
        name: "explain", title: "Explain the resolution",
        description:
          "Why each version was chosen (what requires it), where each component runs (CPU set, memory, GPU), or, "
          + "when the project has errors, the resolver's and allocator's own explanation.",
        inputSchema: schema([
          path, host, ("component", .object(["type": "string", "description": "Only this component."])),
        ]), annotations: reading),
      Tool(
        name: "graph", title: "Draw the dependency graph",
        description: "The resolved dependency graph as Mermaid (default) or Graphviz DOT; cycles are marked.",
        inputSchema: schema([
          path, host, ("format", .object(["type": "string", "enum": ["mermaid", "dot"]])),
        ]), annotations: reading),
      Tool(
        name: "probe", title: "Read the machine",
        description: "This machine's hardware (or a captured tree's) as 'rig probe --format json'.",
        inputSchema: schema([root, xml]), annotations: reading),
      Tool(
        name: "verify", title: "Verify the machine",
        description:
          "This machine (or a captured tree) compared with the project's plan, as 'rig verify --format json'.",
        inputSchema: schema([path, host, root, xml]), annotations: reading),
      Tool(
        name: "render", title: "Write a saved plan",
        description:
          "Write exactly the files of a plan saved by 'plan' into the output folder, after the person approves it "
          + "(the client asks them). Refused when the plan is stale: the project, rig or the folder changed since.",
        inputSchema: schema(
          [("plan", .object(["type": "string", "description": "The plan's id, which 'plan' returned."]))],
          required: ["plan"]),
        annotations: Tool.Annotations(
          readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)),
    ]
  }()
}

extension Value {
  /// The MCP value as rig's JSON.
  var json: JSONValue {
    switch self {
    case .null: .null
    case .bool(let value): .bool(value)
    case .int(let value): .int(value)
    case .double(let value): .number(String(value))
    case .string(let value): .string(value)
    case .data(let mimeType, let data):
      .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
    case .array(let items): .array(items.map(\.json))
    case .object(let members): .object(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })
    }
  }
}

extension JSONValue {
  /// rig's JSON as an MCP value.
  var mcpValue: MCP.Value {
    switch self {
    case .null: .null
    case .bool(let value): .bool(value)
    case .int(let value): .int(value)
    case .number(let text): Double(text).map(MCP.Value.double) ?? .string(text)
    case .string(let value): .string(value)
    case .array(let items): .array(items.map(\.mcpValue))
    case .object(let members):
      .object(Dictionary(members.map { ($0.0, $0.1.mcpValue) }, uniquingKeysWith: { a, _ in a }))
    }
  }
}
