import Foundation
import RigBasics
import RigCatalog
import RigEmitters
import RigModel

/// A plan kept for later (`rig plan --out DIR --save FILE`, Terraform's `plan -out`): what it was made from (the
/// project's files, rig and its catalog, by SHA-256), the output folder, and every file render would add, change
/// or remove, with the folder's old bytes and rig's new ones, by SHA-256. `rig render --plan FILE` compiles the
/// project again and writes only when everything is as the plan says; else it refuses the plan as stale.
///
/// The file is JSON; its last member, `digest`, is the SHA-256 of the rest as rig wrote it, so a plan edited by
/// hand is refused (`bad-plan`). Whatever a plan file says, render writes what the project compiles to, and only
/// when that is exactly the plan's list of changes.
public struct SavedPlan: Sendable, Hashable {
  /// The layout this rig writes and reads.
  public static let formatVersion = 1

  /// A file the project was read from, and its SHA-256 then (nil: it did not exist).
  public struct Input: Sendable, Hashable {
    public var path: String
    public var sha256: String?
  }

  /// `rig --version` of the rig that saved it.
  public var rig: String
  /// The build of rig that saved it (`RigCompiler.build`): another build of the same version may compile
  /// differently.
  public var build: String
  /// The SHA-256 of the built-in catalog's files (`RigCompiler.catalogDigest`).
  public var catalog: String
  /// The project's root file (a rig.yaml, or the Swift file of a description), absolute.
  public var project: String
  /// The project's name (`name:`).
  public var name: String
  /// Every file the project was read from (the root file and its includes), absolute, sorted.
  public var inputs: [Input]
  /// The output folder, absolute.
  public var folder: String
  /// The targets asked for with `--target` (empty: every enabled one).
  public var targets: [String]
  /// The fleet's host asked for with `--host`.
  public var host: String?
  /// Whether the folder is adopted (`--adopt`).
  public var adopt: Bool
  /// What render does to the folder.
  public var expectation: FolderExpectation

  /// The targets asked for, as kinds.
  var targetKinds: [Targets.Kind] { targets.compactMap(Targets.Kind.init(rawValue:)) }

  /// The SHA-256 of the plan as rig writes it (its digest): the plan's name in the audit log and over MCP.
  public var digest: String { Manifest.sha256(body.serialized()) }

  public var added: Int { expectation.changes.count { $0.action == .create } }
  public var changed: Int { expectation.changes.count { $0.action == .update } }
  public var removed: Int { expectation.changes.count { $0.action == .delete } }

  /// What a person approves: Terraform's count line, then each removal and each change to kernel parameters.
  public var summary: String {
    (["Plan: \(added) to add, \(changed) to change, \(removed) to remove."] + expectation.attention)
      .joined(separator: "\n")
  }

  /// The plan as JSON, without its digest.
  var body: JSONValue {
    .object([
      ("format", .string("rig-plan")), ("format_version", .int(Self.formatVersion)),
      ("rig", .string(rig)), ("build", .string(build)), ("catalog", .string(catalog)),
      ("project", .string(project)), ("name", .string(name)),
      (
        "inputs",
        .array(
          inputs.map { .object([("path", .string($0.path)), ("sha256", $0.sha256.map(JSONValue.string) ?? .null)]) })
      ),
      ("folder", .string(folder)), ("targets", .array(targets.map(JSONValue.string))),
      ("host", host.map(JSONValue.string) ?? .null), ("adopt", .bool(adopt)),
      (
        "summary",
        .object([("add", .int(added)), ("change", .int(changed)), ("remove", .int(removed))])
      ),
      (
        "changes",
        .array(
          expectation.changes.map { change in
            .object([
              ("path", .string(change.path)), ("target", .string(change.target)),
              ("action", .string(change.action.rawValue)),
              ("old_sha256", change.oldSHA256.map(JSONValue.string) ?? .null),
              ("new_sha256", change.newSHA256.map(JSONValue.string) ?? .null), ("drifted", .bool(change.drifted)),
            ])
          })
      ),
      ("unowned", .array(expectation.unowned.map(JSONValue.string))),
    ])
  }

  /// The file `rig plan --save` writes.
  public func serialized() -> String {
    body.appending("digest", .string(digest)).serialized()
  }

  /// Reads a saved plan; the error says what is wrong with it, for a `bad-plan` diagnostic.
  public static func parse(_ data: Data) -> Result<SavedPlan, SavedPlanError> {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      return .failure(SavedPlanError("it is not a JSON object"))
    }
    guard object["format"] as? String == "rig-plan" else {
      return .failure(SavedPlanError("it is not a plan rig saved ('format' is not 'rig-plan')"))
    }
    guard let version = object["format_version"] as? Int, version == formatVersion else {
      return .failure(SavedPlanError("it is not in the plan format this rig reads (version \(formatVersion))"))
    }
    let string = { (key: String) in object[key] as? String }
    let optional = { (value: Any?) -> String?? in
      if value is NSNull { return .some(nil) }
      return (value as? String).map { .some($0) }
    }
    guard let rig = string("rig"), let build = string("build"), let catalog = string("catalog"),
      let project = string("project"), let name = string("name"), let folder = string("folder"),
      let targets = object["targets"] as? [String], let host = optional(object["host"]),
      let adopt = object["adopt"] as? Bool, let inputList = object["inputs"] as? [[String: Any]],
      let changeList = object["changes"] as? [[String: Any]], let unowned = object["unowned"] as? [String],
      let digest = string("digest")
    else {
      return .failure(SavedPlanError("a member is missing or of the wrong kind"))
    }
    var inputs: [Input] = []
    for input in inputList {
      guard let path = input["path"] as? String, let hash = optional(input["sha256"]) else {
        return .failure(SavedPlanError("an input lacks 'path' or 'sha256'"))
      }
      inputs.append(Input(path: path, sha256: hash))
    }
    var changes: [FileChange] = []
    for change in changeList {
      guard let path = change["path"] as? String, let target = change["target"] as? String,
        let action = (change["action"] as? String).flatMap(FileChange.Action.init(rawValue:)),
        let old = optional(change["old_sha256"]), let new = optional(change["new_sha256"]),
        let drifted = change["drifted"] as? Bool
      else {
        return .failure(SavedPlanError("a change lacks 'path', 'target', 'action', a SHA-256 or 'drifted'"))
      }
      changes.append(
        FileChange(
          path: path, target: target, action: action, oldSHA256: old, newSHA256: new, drifted: drifted, reason: nil))
    }
    let plan = SavedPlan(
      rig: rig, build: build, catalog: catalog, project: project, name: name, inputs: inputs, folder: folder,
      targets: targets, host: host, adopt: adopt,
      expectation: FolderExpectation(changes: changes, unowned: unowned))
    guard plan.digest == digest else {
      return .failure(SavedPlanError("its digest does not match its contents: it was changed after rig saved it"))
    }
    return .success(plan)
  }

  /// Why the plan no longer holds before the project is compiled again: another rig, another catalog, a project
  /// file changed since; nil when none of them did.
  public func staleInputs() -> String? {
    if rig != RigCompiler.version { return "it was saved by rig \(rig), and this is rig \(RigCompiler.version)" }
    if build != RigCompiler.build { return "it was saved by another build of rig \(rig)" }
    if catalog != RigCompiler.catalogDigest { return "rig's built-in catalog changed since it was saved" }
    for input in inputs where RigCompiler.fileDigest(input.path) != input.sha256 {
      return input.sha256 == nil
        ? "'\(input.path)' was made since it was saved" : "'\(input.path)' changed since it was saved"
    }
    return nil
  }
}

/// A plan refused before anything is compiled: unreadable, edited, or of another rig.
public struct PlanRefusal: Error, Sendable {
  public var diagnostic: Diagnostic
  init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }
}

/// Why a saved plan could not be read.
public struct SavedPlanError: Error, Sendable, Hashable {
  public var reason: String
  init(_ reason: String) { self.reason = reason }
}

/// What a render must find it does to the output folder: exactly these changes (every file's action, its old and
/// new SHA-256) and these files rig does not own; anything else makes the render refuse, writing nothing.
public struct FolderExpectation: Sendable, Hashable {
  public var changes: [FileChange]
  public var unowned: [String]

  /// The changes to kernel parameters: any file of the kernel target that render adds, changes or removes.
  public var kernelChanges: [FileChange] {
    changes.filter { $0.target == Targets.Kind.kernel.rawValue && $0.action != .unchanged }
  }

  /// What a person must see before render: each removal, and each change to kernel parameters.
  public var attention: [String] {
    changes.filter { $0.action == .delete }.map { "  - \($0.path) (removed)" }
      + kernelChanges.filter { $0.action != .delete }.map {
        "  \($0.action.sign) \($0.path) (kernel parameters)"
      }
  }

  public init(_ output: FolderChanges) {
    self.init(changes: output.changes, unowned: output.unowned)
  }

  init(changes: [FileChange], unowned: [String]) {
    self.changes = changes
    self.unowned = unowned
  }

  /// What differs in `output` from what was expected, said of its first path; nil when it is as expected.
  func difference(from output: FolderChanges) -> String? {
    guard output.changes != changes || output.unowned != unowned else { return nil }
    let now = Dictionary(output.changes.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    let then = Dictionary(changes.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    for path in Set(now.keys).union(then.keys).sorted() where now[path] != then[path] {
      let shown = (output.folder.map { $0 + "/" } ?? "") + path
      guard let old = then[path], let new = now[path] else {
        return then[path] == nil ? "render would now also write '\(shown)'" : "render would no longer touch '\(shown)'"
      }
      switch (old.oldSHA256, new.oldSHA256) {
      case (nil, .some): return "'\(shown)' was written since the plan was made"
      case (.some, nil): return "'\(shown)' was removed since the plan was made"
      case (let before, let now) where before != now: return "'\(shown)' changed since the plan was made"
      default: break
      }
      return "what render does to '\(shown)' changed since the plan was made"
    }
    return "the files rig does not own in '\(output.folder ?? "")' changed since the plan was made"
  }
}

/// The diagnostics of saved plans and confirmations.
enum PlanMessage: DiagnosticMessage {
  case stale(plan: String, reason: String)
  case badPlan(plan: String, reason: String)

  var id: DiagnosticID {
    switch self {
    case .stale: "stale-plan"
    case .badPlan: "bad-plan"
    }
  }

  var severity: Severity { .error }

  var text: String {
    switch self {
    case .stale(let plan, let reason): "the plan '\(plan)' is stale: \(reason)"
    case .badPlan(let plan, let reason): "cannot use the plan '\(plan)': \(reason)"
    }
  }
}

extension RigCompiler {
  /// rig's version (`rig --version`), saved in plans.
  public static let version = "0.21.0"

  /// Which build of rig this is: the GNU build ID the linker wrote into the `rig` executable (a hash of what it
  /// linked), read from its ELF notes; the SHA-256 of the executable where it has none. The `rig` executable is
  /// this program, or, for the MCP server `rig-mcp`, the `rig` beside it, so that a plan either saves, the other
  /// renders. "unknown" when neither can be read.
  public static let build: String = {
    let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let rig =
      running.lastPathComponent == "rig-mcp"
      ? running.deletingLastPathComponent().appendingPathComponent("rig").path : running.path
    return buildID(rig) ?? fileDigest(rig) ?? "unknown"
  }()

  /// The GNU build ID of the ELF executable at `path` (64-bit, little-endian), as hexadecimal; nil when it is not
  /// such a file or has no build ID. Reads the ELF header, the program headers and the notes only.
  static func buildID(_ path: String) -> String? {
    guard let file = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? file.close() }
    func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
      guard (try? file.seek(toOffset: offset)) != nil, let data = try? file.read(upToCount: count), data.count == count
      else { return nil }
      return Array(data)
    }
    func number(_ bytes: [UInt8], _ at: Int, _ size: Int) -> UInt64 {
      (0..<size).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }
    // e_ident: "\u{7f}ELF", 64-bit (2), little-endian (1).
    guard let header = read(0, 64), header[0..<4] == [0x7F, 0x45, 0x4C, 0x46], header[4] == 2, header[5] == 1 else {
      return nil
    }
    let tableOffset = number(header, 32, 8)
    let entrySize = Int(number(header, 54, 2))
    let entries = Int(number(header, 56, 2))
    guard entrySize >= 56, entries <= 256, let table = read(tableOffset, entrySize * entries) else { return nil }
    for index in 0..<entries {
      let entry = index * entrySize
      // PT_NOTE (4): notes of 4-byte-aligned name and description sizes, a type, the name, the description.
      guard number(table, entry, 4) == 4 else { continue }
      let size = Int(number(table, entry + 32, 8))
      guard size <= 1 << 16, let notes = read(number(table, entry + 8, 8), size) else { continue }
      var at = 0
      while at + 12 <= notes.count {
        let nameSize = Int(number(notes, at, 4))
        let descriptionSize = Int(number(notes, at + 4, 4))
        let name = at + 12
        let description = name + (nameSize + 3) / 4 * 4
        guard description + descriptionSize <= notes.count else { break }
        // NT_GNU_BUILD_ID (3), named "GNU".
        if number(notes, at + 8, 4) == 3, nameSize == 4, notes[name..<(name + 3)] == [0x47, 0x4E, 0x55] {
          return notes[description..<(description + descriptionSize)].map { String(format: "%02x", $0) }.joined()
        }
        at = description + (descriptionSize + 3) / 4 * 4
      }
    }
    return nil
  }

  /// The SHA-256 of the built-in catalog: each data file's name and SHA-256, in name order.
  public static let catalogDigest: String = {
    guard let folder = Catalog.builtInFolder,
      let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
    else { return "missing" }
    return Manifest.sha256(
      names.sorted().map { "\($0) \(fileDigest(folder.appendingPathComponent($0).path) ?? "-")\n" }.joined())
  }()

  /// The SHA-256 of the file at `path`; nil when it cannot be read.
  public static func fileDigest(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map(Manifest.sha256)
  }

  /// `path` made absolute against the current folder, with `.` and `..` taken out.
  public static func absolute(_ path: String) -> String {
    let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return URL(fileURLWithPath: full).standardizedFileURL.path
  }

  /// The plan to save of a `plan` run that compared with a folder and found no error; nil otherwise.
  public static func savedPlan(_ planned: RenderResult, targets: [Targets.Kind], host: String?, adopt: Bool)
    -> SavedPlan?
  {
    guard !planned.hasErrors, let output = planned.output, let folder = output.folder else { return nil }
    let check = planned.check
    let root = check.origin.projectFile(shownAs: check.file)
    let read: [String]
    switch check.origin {
    case .yaml: read = check.sources.files
    case .swift(let filePath): read = [filePath]
    }
    let inputs = Set(read.map(absolute)).sorted().map { SavedPlan.Input(path: $0, sha256: fileDigest($0)) }
    return SavedPlan(
      rig: version, build: build, catalog: catalogDigest, project: absolute(root),
      name: output.manifest.project, inputs: inputs, folder: absolute(folder),
      targets: Set(targets.map(\.rawValue)).sorted(), host: host, adopt: adopt,
      expectation: FolderExpectation(output))
  }

  /// Writes `plan` to `path` in one step (a file beside it, renamed over it); a `write-failed` error when it fails.
  public static func save(_ plan: SavedPlan, to path: String) -> Diagnostic? {
    let folder = (path as NSString).deletingLastPathComponent
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isFolder),
      isFolder.boolValue
    else {
      return Diagnostic(
        OutputMessage.writeFailed(path: path, reason: "the folder '\(folder)' does not exist"), at: nil,
        help: ["the plan was not saved; make the folder first, or choose a file in one that exists"])
    }
    do {
      try Data(plan.serialized().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
      return nil
    } catch {
      return Diagnostic(
        OutputMessage.writeFailed(path: path, reason: error.localizedDescription), at: nil,
        help: ["the plan was not saved; choose a file in a folder you can write"])
    }
  }

  /// Reads the plan file `path`: the plan, or a `bad-plan` diagnostic.
  public static func readPlan(_ path: String) -> Result<SavedPlan, PlanRefusal> {
    guard let data = FileManager.default.contents(atPath: path) else {
      return .failure(
        PlanRefusal(
          Diagnostic(
            PlanMessage.badPlan(plan: path, reason: "it cannot be read"), at: nil,
            help: ["save a plan with 'rig plan PATH --out DIR --save \(path)'"])))
    }
    return SavedPlan.parse(data).mapError { error in
      PlanRefusal(
        Diagnostic(
          PlanMessage.badPlan(plan: path, reason: error.reason), at: nil,
          help: ["make the plan again with 'rig plan … --save', and review it"]))
    }
  }

  /// A result that refuses a plan with `diagnostic`, writing nothing.
  public static func refused(_ diagnostic: Diagnostic, file: String) -> RenderResult {
    var diagnostics = DiagnosticEngine()
    diagnostics.emit(diagnostic)
    return RenderResult(
      check: CheckResult(progress: .unread, diagnostics: diagnostics, sources: SourceFiles(), file: file), output: nil)
  }

  /// Renders a saved plan: refuses it as stale (`stale-plan`, nothing written) when rig, its catalog or a project
  /// file changed since it was saved, or when the project now compiles to other files or the folder holds other
  /// bytes than the plan says; else writes exactly the plan's changes. `check` compiles the plan's project.
  public static func render(
    saved plan: SavedPlan, named file: String, check: () -> CheckResult, checkpoint: (RenderPhase) -> Void = { _ in },
    step: (WriterStep) -> Void = { _ in }
  ) -> RenderResult {
    if let stale = staleInputs(plan, named: file) { return stale }
    return render(
      check(), out: plan.folder, targets: plan.targetKinds, host: plan.host, adopt: plan.adopt,
      expecting: (plan.expectation, file), checkpoint: checkpoint, step: step)
  }

  /// What rendering a saved plan would find, writing nothing: a `stale-plan` error when it no longer holds, so that
  /// nobody is asked to approve a plan render would refuse.
  public static func preflight(saved plan: SavedPlan, named file: String, check: () -> CheckResult) -> RenderResult {
    if let stale = staleInputs(plan, named: file) { return stale }
    let planned = changes(check(), out: plan.folder, targets: plan.targetKinds, host: plan.host, adopt: plan.adopt)
    return checked(planned, against: (plan.expectation, file))
  }

  /// The refusal of a plan whose inputs changed since it was saved (`SavedPlan.staleInputs`); nil when none did.
  static func staleInputs(_ plan: SavedPlan, named file: String) -> RenderResult? {
    plan.staleInputs().map { reason in
      refused(
        Diagnostic(PlanMessage.stale(plan: file, reason: reason), at: nil, help: staleHelp(plan)), file: plan.project)
    }
  }

  /// The help of a stale plan: how to make it again.
  static func staleHelp(_ plan: SavedPlan) -> [String] {
    let options =
      plan.targets.map { " --target \($0)" }.joined() + (plan.host.map { " --host \($0)" } ?? "")
      + (plan.adopt ? " --adopt" : "")
    return [
      "nothing was written; make the plan again with 'rig plan \(plan.project) --out \(plan.folder)\(options) --save "
        + "FILE', and review it"
    ]
  }

  /// `result` with a `stale-plan` error when the folder's changes are not what `expected` says.
  static func checked(_ result: RenderResult, against expected: (FolderExpectation, String)?) -> RenderResult {
    guard let (expectation, file) = expected, !result.hasErrors, let output = result.output,
      let reason = expectation.difference(from: output)
    else { return result }
    var stale = result
    stale.check.diagnostics.emit(
      PlanMessage.stale(plan: file, reason: reason), at: nil,
      help: ["nothing was written; plan again, and review what changed"])
    return stale
  }
}
