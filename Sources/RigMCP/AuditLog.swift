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
