import Foundation
import RigBasics
import RigCompiler
import Testing

/// The package's root folder (this file is `Tests/RigCompilerTests/Support.swift`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().path

/// Set `RIG_RECORD=1` to rewrite committed generated files (schemas, golden files) instead of comparing them.
let recording = ProcessInfo.processInfo.environment["RIG_RECORD"] == "1"

struct ProcessResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Runs `executable` with `arguments` in `directory`, with `environment` added to this process's environment.
func run(
  _ executable: String, _ arguments: [String], in directory: String = packageRoot, environment: [String: String] = [:]
) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: directory)
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  // Read both pipes before waiting so a chatty child cannot block on a full pipe.
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// The `rig` binary under test: `RIG_BINARY`, else the debug build in `.build`.
func rigBinary() throws -> String {
  let path = ProcessInfo.processInfo.environment["RIG_BINARY"] ?? packageRoot + "/.build/debug/rig"
  guard FileManager.default.isExecutableFile(atPath: path) else {
    throw ToolMissing(message: "no rig binary at \(path): run 'swift build' first (scripts/test.sh does)")
  }
  return path
}

/// A validator the tests need. Missing is a failure, never a skip.
func validator(_ name: String) throws -> String {
  var candidates: [String] = []
  if let venv = ProcessInfo.processInfo.environment["RIG_VENV"] { candidates.append(venv + "/bin/" + name) }
  candidates.append(packageRoot + "/.venv/bin/" + name)
  for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
    candidates.append(directory + "/" + name)
  }
  guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
    throw ToolMissing(message: "'\(name)' is not installed: run scripts/bootstrap.sh (it makes .venv)")
  }
  return found
}

struct ToolMissing: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// Everything `rig check` prints on standard error about `result`, without colors.
func renderedDiagnostics(_ result: CheckResult) -> String {
  DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
}

/// `text` with the items (and comment lines) of its block-style top-level `stack:` list in reverse order.
func reversingStack(_ text: String) -> String {
  var lines = text.components(separatedBy: "\n")
  guard let start = lines.firstIndex(of: "stack:") else { return text }
  var end = start + 1
  while end < lines.count, lines[end].hasPrefix("  - ") || lines[end].hasPrefix("  #") { end += 1 }
  lines[(start + 1)..<end].reverse()
  return lines.joined(separator: "\n")
}
