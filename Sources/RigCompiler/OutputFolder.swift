import Foundation
import RigBasics
import RigEmitters

/// What `render` would do to one file of the output folder.
public struct FileChange: Sendable, Hashable {
  /// `+` create, `~` update, `-` delete, or nothing; `conflict` is a file rig would have to overwrite but does not
  /// own (an error).
  public enum Action: String, Sendable, Hashable, CaseIterable {
    case create
    case update
    case delete
    case unchanged
    case conflict

    /// The sign `rig plan` prints: `+`, `~`, `-`, `!` for a conflict, a blank for no change.
    public var sign: String {
      switch self {
      case .create: "+"
      case .update: "~"
      case .delete: "-"
      case .unchanged: " "
      case .conflict: "!"
      }
    }
  }

  /// The path under the output folder.
  public var path: String
  /// The target whose artifact it is (for a conflict or a removal: the target that would write or wrote it).
  public var target: String
  public var action: Action
  /// The SHA-256 of the file now in the folder; nil when there is none (or it is not a regular file).
  public var oldSHA256: String?
  /// The SHA-256 of what render writes; nil for a removal and a conflict.
  public var newSHA256: String?
  /// The folder's file is not what rig last wrote there: edited, or removed, by someone else since.
  public var drifted: Bool
  /// Why, for a conflict: what is in the way.
  public var reason: String?
}

/// What `render` would do to an output folder: every file of the chosen targets, and what stands in the way.
public struct FolderChanges: Sendable {
  /// The folder as the user wrote it (for messages); nil when `plan` was given none and compares with nothing.
  public var folder: String?
  /// The targets rendered, by name, sorted.
  public var targets: [String]
  /// Every file of the chosen targets that exists in the folder or will, sorted by path.
  public var changes: [FileChange]
  /// Files in the folder rig does not own, left as they are, sorted.
  public var unowned: [String]
  /// Problems with the folder: conflicts, an unreadable manifest.
  public var diagnostics: [Diagnostic]
  /// The manifest render writes.
  public var manifest: Manifest
  /// Whether render would rewrite the manifest (when nothing else changes, the manifest may still: a file edited
  /// back to rig's bytes, another project's name).
  public var manifestChanges: Bool
  /// What render writes, by path.
  var artifacts: [String: Artifact]
  /// The bytes now in the folder of each file that changes, for `--diff`.
  var previous: [String: Data]
  /// What the folder held when it was read (the manifest and rig's markers aside), for the writer.
  var disk: [String: OutputFolder.Kind] = [:]
  /// The paths the folder's manifest listed when it was read.
  var ownedBefore: [String] = []

  public var added: Int { changes.count { $0.action == .create } }
  public var changed: Int { changes.count { $0.action == .update } }
  public var removed: Int { changes.count { $0.action == .delete } }
  public var unchanged: Int { changes.count { $0.action == .unchanged } }
  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
  /// Nothing to write.
  public var isUpToDate: Bool { added + changed + removed == 0 }

  /// The unified diff of a changed file, from the folder's bytes to rig's; nil for any other action.
  public func diff(of change: FileChange) -> String? {
    guard change.action == .update, let old = previous[change.path], let new = artifacts[change.path] else {
      return nil
    }
    let name = (folder.map { $0 + "/" } ?? "") + change.path
    return UnifiedDiff.diff(old: String(decoding: old, as: UTF8.self), new: new.contents, oldName: name, newName: name)
  }
}

/// Every diagnostic about the output folder, with its stable ID.
enum OutputMessage: DiagnosticMessage {
  case notOwned(path: String, what: String)
  case badManifest(path: String, reason: String)
  case notAFolder(String)
  case holdsProject(folder: String, file: String)
  case fileSystemRoot(String)
  case notRigs(folder: String, manifest: String)
  case targetNotEnabled(String)
  case unknownHost(String)
  case hostNeeded
  case writeFailed(path: String, reason: String)
  case unreadable(String)
  case specialFile(String)
  case otherProject(folder: String, project: String)

  var id: DiagnosticID {
    switch self {
    case .notOwned: "file-not-owned"
    case .badManifest: "bad-manifest"
    case .notAFolder, .holdsProject, .fileSystemRoot, .notRigs: "bad-output-folder"
    case .targetNotEnabled: "target-not-enabled"
    case .unknownHost, .hostNeeded: "unknown-host"
    case .writeFailed: "write-failed"
    case .unreadable: "unreadable-output"
    case .specialFile: "file-not-owned"
    case .otherProject: "bad-manifest"
    }
  }

  var severity: Severity { .error }

  var text: String {
    switch self {
    case .notOwned(let path, let what): "'\(path)' \(what) that rig does not own"
    case .badManifest(let path, let reason): "cannot read '\(path)': \(reason)"
    case .notAFolder(let path): "the output folder '\(path)' is not a folder"
    case .holdsProject(let folder, let file): "the output folder '\(folder)' holds the project file '\(file)'"
    case .fileSystemRoot(let folder): "the output folder '\(folder)' is the root of the file system"
    case .notRigs(let folder, let manifest):
      "the output folder '\(folder)' is not empty and has no rig manifest ('\(manifest)'): rig did not make it"
    case .targetNotEnabled(let name): "target '\(name)' is not enabled in 'targets:'"
    case .unknownHost(let name): "the project has no host '\(name)'"
    case .hostNeeded: "the project describes a fleet, and this command reads one machine"
    case .writeFailed(let path, let reason): "cannot write '\(path)': \(reason)"
    case .unreadable(let path): "cannot read '\(path)'"
    case .specialFile(let path): "'\(path)' is a special file or a mount point that rig does not own"
    case .otherProject(let folder, let project): "'\(folder)' holds the artifacts of another project, '\(project)'"
    }
  }
}

/// The output folder on disk, read without changing anything.
package enum OutputFolder {
  /// What is at a path, without following a symbolic link.
  enum Kind: Equatable {
    case file
    case directory
    case symlink
    case other
  }

  /// The kind of `path`'s entry, nil when there is none.
  static func kind(_ path: String) -> Kind? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    case S_IFLNK: return .symlink
    default: return .other
    }
  }

  /// Every entry under `root` by relative path, not following symbolic links, and the folders that could not be
  /// read. A folder on another file system (a mount point) counts as a special file; rig's staging markers at the
  /// top are left out.
  static func walk(_ root: String) -> (entries: [String: Kind], unreadable: [String]) {
    var result: [String: Kind] = [:]
    var unreadable: [String] = []
    var rootInfo = stat()
    let device = lstat(root, &rootInfo) == 0 ? rootInfo.st_dev : 0
    var pending = [""]
    while let relative = pending.popLast() {
      let absolute = relative.isEmpty ? root : root + "/" + relative
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: absolute) else {
        unreadable.append(relative)
        continue
      }
      for name in names {
        let path = relative.isEmpty ? name : relative + "/" + name
        if relative.isEmpty, name == OutputWriter.newMarker || name == OutputWriter.oldMarker { continue }
        var info = stat()
        guard lstat(root + "/" + path, &info) == 0, var kind = kind(root + "/" + path) else { continue }
        if kind == .directory, info.st_dev != device { kind = .other }
        result[path] = kind
        if kind == .directory { pending.append(path) }
      }
    }
    return (result, unreadable.sorted())
  }

  /// The proper ancestors of a relative path: `a/b/c` → `a`, `a/b`; empty parts (`a//b`, `/a`) are skipped.
  package static func ancestors(_ path: String) -> [String] {
    // The common case, a safe relative path (no empty part): each ancestor is the text before a slash.
    guard !path.hasPrefix("/"), !path.hasSuffix("/"), !path.contains("//") else {
      let parts = path.split(separator: "/")
      return (1..<max(parts.count, 1)).map { parts[0..<$0].joined(separator: "/") }
    }
    let utf8 = path.utf8
    return utf8.indices.filter { utf8[$0] == UInt8(ascii: "/") }.map { String(path[..<$0]) }
  }

  /// The folder's absolute path with symbolic links resolved, so a link to a folder is rendered through.
  static func resolved(_ folder: String) -> String {
    let absolute = URL(fileURLWithPath: folder).standardizedFileURL.path
    guard kind(absolute) != nil else { return absolute }
    return URL(fileURLWithPath: absolute).resolvingSymlinksInPath().path
  }

  /// Compares `artifacts` (the files of `targets`) with what `folder` holds: what render would add, change and
  /// remove, and what would stop it. Files rig wrote before for a target outside `scope` (`--target`), or that are
  /// not the fleet host `host`'s own (`--host`), are left as they are; with neither, any file rig wrote and no
  /// longer makes is removed. `folder` nil compares with an
  /// empty folder.
  ///
  /// Which folders rig takes, decided before anything under the folder is read (so that `--out /` or `--out ~`
  /// fails at once instead of reading a whole tree): never the root of the file system, nor a folder holding the
  /// project's rig.yaml (the project's own folder or one of its ancestors); a folder that does not exist yet, an
  /// empty one, or one holding only rig's staging markers (what an interrupted render leaves) is rig's to fill; a
  /// folder with a manifest is rig's (the manifest then says which files are); any other folder (files of someone
  /// else's and no manifest, such as a link to `/etc` or a home folder) is refused unless `adopt` says to take it
  /// over (`--adopt`): rig then adds its files beside the ones there and never changes those.
  ///
  /// `hashes` are the artifacts' SHA-256s (`Manifest.sha256` of each one's contents), in order: made once by the
  /// caller, which compares again under the writer's lock.
  static func compare(
    artifacts: [Artifact], hashes: [String], targets: [String], known: Set<String>, scope: Set<String>?,
    host: String? = nil, project: String, projectFile: String, folder display: String?, adopt: Bool = false
  ) -> FolderChanges {
    precondition(hashes.count == artifacts.count, "one hash per artifact")
    let shown = { (path: String) in (display.map { $0 + "/" } ?? "") + path }
    var diagnostics: [Diagnostic] = []
    var disk: [String: Kind] = [:]
    var old = Manifest(project: project, entries: [])
    var oldManifest: Manifest? = nil
    if let display {
      let root = resolved(display)
      switch kind(root) {
      case nil: break
      case .directory?:
        if let refusal = refusal(of: root, shownAs: display, projectFile: projectFile, adopt: adopt) {
          diagnostics.append(refusal)
          break
        }
        let walked = walk(root)
        disk = walked.entries
        for folder in walked.unreadable {
          diagnostics.append(
            Diagnostic(
              OutputMessage.unreadable(folder.isEmpty ? display : shown(folder)), at: nil,
              help: ["rig must see every file in the folder to keep the ones it does not own"]))
        }
        for (path, kind) in disk.sorted(by: { $0.key < $1.key }) where kind == .other {
          diagnostics.append(
            Diagnostic(
              OutputMessage.specialFile(shown(path)), at: nil,
              help: ["rig rebuilds the folder in one step and can carry only files, folders and links; move it away"]))
        }
        let manifestPath = root + "/" + Manifest.fileName
        switch kind(manifestPath) {
        case nil: break
        case .file?:
          guard let data = FileManager.default.contents(atPath: manifestPath) else {
            diagnostics.append(Diagnostic(OutputMessage.unreadable(shown(Manifest.fileName)), at: nil))
            break
          }
          switch Manifest.parse(data, targets: known) {
          case .success(let manifest) where manifest.project != project:
            diagnostics.append(
              Diagnostic(
                OutputMessage.otherProject(folder: display, project: manifest.project), at: nil,
                help: ["render '\(project)' into a folder of its own; rig never takes over another project's files"]))
          case .success(let manifest):
            old = manifest
            oldManifest = manifest
          case .failure(let error):
            diagnostics.append(
              Diagnostic(
                OutputMessage.badManifest(path: shown(Manifest.fileName), reason: error.reason), at: nil,
                help: [
                  "rig owns only the files its manifest lists; restore the manifest from version control, or move "
                    + "'\(display)' away and render again"
                ]))
          }
        default:
          diagnostics.append(
            Diagnostic(
              OutputMessage.badManifest(path: shown(Manifest.fileName), reason: "it is not a regular file"), at: nil))
        }
        disk[Manifest.fileName] = nil
      default:
        diagnostics.append(Diagnostic(OutputMessage.notAFolder(display), at: nil))
      }
    }
    // Without a trustworthy view of the folder, per-file verdicts would only repeat the problem.
    if !diagnostics.isEmpty {
      return FolderChanges(
        folder: display, targets: targets, changes: [], unowned: [], diagnostics: diagnostics,
        manifest: Manifest(project: project, entries: []), manifestChanges: false, artifacts: [:], previous: [:])
    }
    let root = display.map(resolved) ?? ""
    let owned = old.byPath
    let inScope = { (entry: Manifest.Entry) in
      (scope?.contains(entry.target) ?? true) && (host.map { FleetLayout.belongs(entry.path, to: $0) } ?? true)
    }
    let newPaths = Set(artifacts.map(\.path))
    // Owned files in scope that rig no longer makes: removed, so they do not stand in the way.
    let removing = Set(
      old.entries.filter { inScope($0) && !newPaths.contains($0.path) && disk[$0.path] == .file }.map(\.path))
    var changes: [FileChange] = []
    var previous: [String: Data] = [:]
    var entries: [Manifest.Entry] = []
    var reportedBlockers = Set<String>()
    for (artifact, hash) in zip(artifacts, hashes) {
      // Emitters build paths from fixed names and checked component names; one that could leave the folder is a
      // bug in rig, never written.
      precondition(isSafeRelativePath(artifact.path), "emitter produced the unsafe path '\(artifact.path)'")
      let target = artifact.target
      entries.append(Manifest.Entry(path: artifact.path, target: target, sha256: hash))
      var change = FileChange(
        path: artifact.path, target: target, action: .create, oldSHA256: nil, newSHA256: hash,
        drifted: owned[artifact.path] != nil)
      // (An empty folder, or none, has nothing in the way: the ancestors are not worked out.)
      if !disk.isEmpty,
        let blocker = ancestors(artifact.path).first(where: {
          disk[$0] != nil && disk[$0] != .directory && !removing.contains($0)
        })
      {
        change.action = .conflict
        change.newSHA256 = nil
        change.reason = "'\(shown(blocker))' is \(describe(disk[blocker])) where rig needs a folder"
        if reportedBlockers.insert(blocker).inserted {
          diagnostics.append(
            Diagnostic(
              OutputMessage.notOwned(path: shown(blocker), what: "is \(describe(disk[blocker]))"), at: nil,
              help: ["rig needs a folder there for '\(shown(artifact.path))'; move it away, then render again"]))
        }
      } else if let present = disk[artifact.path] {
        if present == .file, let entry = owned[artifact.path] {
          guard let data = FileManager.default.contents(atPath: root + "/" + artifact.path) else {
            diagnostics.append(Diagnostic(OutputMessage.unreadable(shown(artifact.path)), at: nil))
            changes.append(change)
            continue
          }
          let current = Manifest.sha256(data)
          change.oldSHA256 = current
          change.drifted = current != entry.sha256
          if current == hash {
            change.action = .unchanged
          } else {
            change.action = .update
            previous[artifact.path] = data
          }
        } else {
          change.action = .conflict
          change.newSHA256 = nil
          change.reason = "'\(shown(artifact.path))' is \(describe(present)) rig does not own"
          diagnostics.append(
            Diagnostic(
              OutputMessage.notOwned(path: shown(artifact.path), what: "is \(describe(present))"), at: nil,
              help: [
                "rig writes this path and never overwrites what it does not own; move it away, then render again "
                  + "(rig owns only the files listed in '\(shown(Manifest.fileName))')"
              ]))
        }
      }
      changes.append(change)
    }
    for entry in old.entries where !newPaths.contains(entry.path) && disk[entry.path] == .file {
      if removing.contains(entry.path) {
        guard let data = FileManager.default.contents(atPath: root + "/" + entry.path) else {
          diagnostics.append(Diagnostic(OutputMessage.unreadable(shown(entry.path)), at: nil))
          continue
        }
        let current = Manifest.sha256(data)
        changes.append(
          FileChange(
            path: entry.path, target: entry.target, action: .delete, oldSHA256: current, newSHA256: nil,
            drifted: current != entry.sha256))
      } else {
        // Another target's file, not rendered this time: still rig's, as it was.
        entries.append(entry)
      }
    }
    let stillOwned = Set(entries.map(\.path))
    let unowned = disk.filter { $0.value != .directory && owned[$0.key] == nil && !stillOwned.contains($0.key) }
      .map(\.key).sorted()
    let manifest = Manifest(project: project, entries: entries.sorted { $0.path < $1.path })
    let manifestChanges = display != nil && oldManifest != manifest
    // The manifest changes with every file; alone (a file edited back to rig's bytes, a new project name), it is a
    // change of its own.
    if manifestChanges, !changes.contains(where: { $0.action != .unchanged }) {
      changes.append(
        FileChange(
          path: Manifest.fileName, target: "rig", action: oldManifest == nil ? .create : .update,
          oldSHA256: oldManifest.map { Manifest.sha256(Data($0.serialized().utf8)) },
          newSHA256: Manifest.sha256(Data(manifest.serialized().utf8)), drifted: false))
    }
    return FolderChanges(
      folder: display, targets: targets, changes: changes.sorted { $0.path < $1.path }, unowned: unowned,
      diagnostics: diagnostics, manifest: manifest, manifestChanges: manifestChanges,
      artifacts: Dictionary(artifacts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first }),
      previous: previous, disk: disk, ownedBefore: old.entries.map(\.path))
  }

  /// Why rig will not take the folder `root` (resolved; `display` as the user wrote it), found without reading
  /// anything under it but its top level: see `compare`.
  static func refusal(of root: String, shownAs display: String, projectFile: String, adopt: Bool) -> Diagnostic? {
    if root == "/" {
      return Diagnostic(
        OutputMessage.fileSystemRoot(display), at: nil,
        help: ["rig replaces the output folder as a whole; render into a folder of its own, such as 'out'"])
    }
    if resolved(projectFile).hasPrefix(root + "/") {
      return Diagnostic(
        OutputMessage.holdsProject(folder: display, file: projectFile), at: nil,
        help: [
          "render into a folder of its own, such as '\(display == "." ? "out" : display + "/out")': rig replaces the "
            + "output folder as a whole"
        ])
    }
    guard !adopt, kind(root + "/" + Manifest.fileName) == nil else { return nil }
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else {
      return Diagnostic(
        OutputMessage.unreadable(display), at: nil,
        help: ["rig must see every file in the folder to keep the ones it does not own"])
    }
    guard names.contains(where: { $0 != OutputWriter.newMarker && $0 != OutputWriter.oldMarker }) else { return nil }
    let manifest = (display.hasSuffix("/") ? display : display + "/") + Manifest.fileName
    return Diagnostic(
      OutputMessage.notRigs(folder: display, manifest: manifest), at: nil,
      help: [
        "render into a new or empty folder; or, to have rig add its files beside the ones there (it never changes "
          + "or removes those), pass --adopt"
      ])
  }

  /// "a file", "a folder", … for messages.
  static func describe(_ kind: Kind?) -> String {
    switch kind {
    case .file?: "a file"
    case .directory?: "a folder"
    case .symlink?: "a symbolic link"
    case .other?, nil: "a special file"
    }
  }
}
