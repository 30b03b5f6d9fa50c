import Foundation
import RigCLI
import RigCompiler

/// What `rig mcp` serves: one project folder and one output folder, given when it starts. Every path a tool is
/// given is read inside the project folder; the server writes only the output folder (a saved plan's files, after a
/// person approved), its saved plans and its audit log, the last two beside the output folder.
struct Workspace: Sendable {
  /// The project folder, absolute, with its links resolved.
  let project: String
  /// The output folder, absolute (its parent's links resolved).
  let out: String
  /// The saved plans' folder: `.NAME.rig-plans` beside the output folder.
  let plans: String
  /// The audit log: `.NAME.rig-audit.jsonl` beside the output folder unless given.
  let audit: String

  init(project: String, out: String, audit: String?) throws(Refusal) {
    let projectFolder = AgentFiles.real(RigCompiler.absolute(project))
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: projectFolder, isDirectory: &isFolder), isFolder.boolValue else {
      throw Refusal("the project folder '\(project)' is not a folder")
    }
    let output = AgentFiles.real(RigCompiler.absolute(out))
    guard output != "/" else { throw Refusal("the output folder '\(out)' is the root of the file system") }
    if output == projectFolder || projectFolder.hasPrefix(output + "/") {
      throw Refusal("the output folder '\(out)' holds the project folder '\(project)'")
    }
    self.project = projectFolder
    self.out = output
    plans = AgentFiles.plans(out: output)
    self.audit = audit.map { AgentFiles.real(RigCompiler.absolute($0)) } ?? AgentFiles.auditLog(resolved: output)
  }

  /// `argument` (relative to the project folder, or absolute) when it is inside the project folder once its links
  /// are resolved; the project folder itself when nil.
  func projectPath(_ argument: String?, name: String = "path") throws(Refusal) -> String {
    guard let argument else { return project }
    guard !argument.isEmpty, !argument.contains("\0") else { throw Refusal("'\(name)' is empty or not a path") }
    let joined = argument.hasPrefix("/") ? argument : project + "/" + argument
    let resolved = AgentFiles.real(URL(fileURLWithPath: joined).standardizedFileURL.path)
    guard resolved == project || resolved.hasPrefix(project + "/") else {
      throw Refusal(
        "'\(argument)' is outside the project folder '\(project)'",
        help: "rig mcp reads only the project folder it was started with; give a path inside it")
    }
    return resolved
  }
}

/// A tool call refused before anything ran: a path outside the workspace, a plan of another folder.
struct Refusal: Error, Sendable {
  var message: String
  var help: String?
  init(_ message: String, help: String? = nil) {
    self.message = message
    self.help = help
  }
}
