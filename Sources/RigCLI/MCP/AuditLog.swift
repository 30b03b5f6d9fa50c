import ArgumentParser
import Foundation
import RigBasics

/// The audit trail of `rig mcp`: one JSON line per tool call, appended, each line written whole in one `write(2)`
/// to a file opened for appending (so two servers on one log never interleave lines), then flushed to disk.
struct AuditLog: Sendable {
  let path: String

  /// One call: when, which tool with which arguments (secrets masked), the plan, the person's answer, the outcome.
  struct Entry: Sendable {
    var time: Date
    var tool: String
    var arguments: JSONValue
    var outcome: ToolOutcome

    var json: JSONValue {
      .object([
        ("time", .string(AuditLog.timestamp(time))), ("tool", .string(tool)),
        ("arguments", AuditLog.masked(arguments)),
        ("plan", outcome.plan.map(JSONValue.string) ?? .null),
        (
          "approval",
          outcome.approval.map {
            .object([("answer", .string($0.answer)), ("at", .string(AuditLog.timestamp($0.at)))])
          } ?? .null
        ),
        ("outcome", .string(outcome.status)), ("detail", .string(outcome.detail)),
      ])
    }
  }

  /// Appends `entry` as one line; an error message when it could not be written.
  func append(_ entry: Entry) -> String? {
    let line = entry.json.line() + "\n"
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return "cannot open '\(path)': \(String(cString: strerror(errno)))" }
    defer { close(descriptor) }
    let bytes = Array(line.utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    guard written == bytes.count else { return "cannot write '\(path)': \(String(cString: strerror(errno)))" }
    fsync(descriptor)
    return nil
  }

  /// Keys whose values are never written to the log.
  static let secretWords = ["secret", "token", "password", "passphrase", "credential", "apikey", "api_key", "auth"]

  /// `value` with the value of every key that names a secret replaced by `"***"`.
  static func masked(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members):
      return .object(
        members.map { key, value in
          let lowered = key.lowercased()
          return (key, secretWords.contains(where: lowered.contains) ? .string("***") : masked(value))
        })
    case .array(let items): return .array(items.map(masked))
    default: return value
    }
  }

  /// RFC 3339 in UTC, to the millisecond.
  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }
}

/// `rig audit`: the audit log of `rig mcp` as a table.
public struct Audit: ParsableCommand {
  public static let configuration = CommandConfiguration(
    abstract: "Print the audit log of 'rig mcp' as a table.",
    discussion: """
      One row per tool call: when, the tool, its plan, the person's answer, the outcome and what it came to. The \
      log is the one 'rig mcp --out DIR' keeps beside DIR (.DIR.rig-audit.jsonl), or --log FILE.
      Exit status: 0 printed, 1 the log cannot be read, 2 usage error.
      """)

  @Option(help: "The output folder 'rig mcp' served: its audit log is beside it.")
  var out: String?

  @Option(help: ArgumentHelp("The audit log to read.", valueName: "file"))
  var log: String?

  @Option(help: "Output format: text or json (the log's lines as one JSON array).")
  var format: OutputFormat = .text

  public init() {}

  public func validate() throws {
    if (out == nil) == (log == nil) { throw ValidationError("give --out DIR or --log FILE") }
  }

  public func run() throws {
    let path: String
    if let log {
      path = log
    } else {
      do {
        path = try Workspace.auditPath(out: out ?? "")
      } catch {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        throw ExitCode(1)
      }
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      FileHandle.standardError.write(Data("error: cannot read the audit log '\(path)'\n".utf8))
      throw ExitCode(1)
    }
    var rows: [[String: Any]] = []
    for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
      guard let row = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        FileHandle.standardError.write(Data("error: \(path):\(index + 1): not a JSON object\n".utf8))
        throw ExitCode(1)
      }
      rows.append(row)
    }
    if format == .json {
      let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
      FileHandle.standardOutput.write(Data(("[\n" + lines.joined(separator: ",\n") + "\n]\n").utf8))
      return
    }
    let table = rows.map { row -> [String] in
      let approval = row["approval"] as? [String: Any]
      return [
        row["time"] as? String ?? "", row["tool"] as? String ?? "",
        (row["plan"] as? String).map { String($0.prefix(12)) } ?? "-",
        approval.map { "\($0["answer"] as? String ?? "") \($0["at"] as? String ?? "")" } ?? "-",
        row["outcome"] as? String ?? "", row["detail"] as? String ?? "",
      ]
    }
    FileHandle.standardOutput.write(
      Data(
        (Reports.table(header: ["TIME", "TOOL", "PLAN", "APPROVAL", "OUTCOME", "DETAIL"], rows: table)
          + "\(rows.count == 1 ? "1 call" : "\(rows.count) calls") in '\(path)'.\n").utf8))
  }
}
