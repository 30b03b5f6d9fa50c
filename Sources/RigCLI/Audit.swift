import ArgumentParser
import Foundation
import RigBasics
import RigCompiler

/// Where `rig mcp` keeps its files beside the output folder it serves, and how it resolves paths: one home for
/// the server (RigMCP) and for `rig audit`.
package enum AgentFiles {
  /// The default audit log of the output folder `out`: `.NAME.rig-audit.jsonl` beside it.
  package static func auditLog(out: String) throws(AgentFilesError) -> String {
    guard !out.isEmpty else { throw AgentFilesError(message: "--out needs a folder") }
    return auditLog(resolved: real(RigCompiler.absolute(out)))
  }

  /// The default audit log of the output folder `out` (absolute, resolved).
  package static func auditLog(resolved out: String) -> String { beside(out, "rig-audit.jsonl") }

  /// The saved plans' folder of the output folder `out` (absolute, resolved): `.NAME.rig-plans` beside it.
  package static func plans(out: String) -> String { beside(out, "rig-plans") }

  /// `.NAME.SUFFIX` beside the folder `folder` (absolute) named NAME.
  static func beside(_ folder: String, _ suffix: String) -> String {
    let parent = (folder as NSString).deletingLastPathComponent
    return (parent == "/" ? "" : parent) + "/." + (folder as NSString).lastPathComponent + "." + suffix
  }

  /// `path` (absolute) with the links of its longest existing prefix resolved (`realpath`), the rest as written.
  package static func real(_ path: String) -> String {
    var head = path
    var tail: [String] = []
    while head != "/" {
      if let resolved = realpath(head, nil) {
        defer { free(resolved) }
        let base = String(cString: resolved)
        return ([base == "/" ? "" : base] + tail.reversed()).joined(separator: "/")
      }
      tail.append((head as NSString).lastPathComponent)
      head = (head as NSString).deletingLastPathComponent
    }
    return "/" + tail.reversed().joined(separator: "/")
  }
}

/// A folder `rig audit` or `rig mcp` cannot use.
package struct AgentFilesError: Error {
  package var message: String
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
        path = try AgentFiles.auditLog(out: out ?? "")
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
