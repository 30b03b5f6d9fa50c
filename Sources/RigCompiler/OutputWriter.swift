import Foundation
import RigBasics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The moments of a render at which a test may stop the process, to prove that an interrupted render leaves the
/// output folder whole (see `RigCompiler.render`).
public enum RenderPhase: String, Sendable, CaseIterable {
  /// The new folder is complete beside the old one; nothing in the output folder has changed yet.
  case staged
  /// The new folder has taken the old one's place; the old one is beside it, not yet removed.
  case swapped
}

/// One change the writer made to the file system, reported as soon as it is made (a test kills the process after
/// the Nth one: every prefix of a render's changes must leave a folder the next render sets right).
public struct WriterStep: Sendable, Hashable {
  /// What was done: `mkdir`, `create` (a new file, empty), `write` (its bytes, complete), `link`, `symlink`,
  /// `chown`, `chmod`, `setxattr`, `removexattr`, `rename`, `exchange`, `unlink` or `rmdir`.
  public var action: String
  /// The path it was done to (the first one, for `rename` and `exchange`).
  public var path: String
}

/// Why `render` could not write: a file-system problem (the project itself had no error).
struct WriteError: Error, Sendable {
  var path: String
  var reason: String
  /// The lock is held by another render (not a failure when only leftovers were to be cleared).
  var busy = false
  /// The new folder was already in place: only clearing the old one failed.
  var afterSwap = false
}

/// Writes an output plan: the new folder is built whole beside the old one (`.NAME.rig-staging`), then takes its
/// place in one `rename`, so at every moment the folder is either all old or all new.
///
/// Markers tell rig's leftovers from anyone else's folder, at every instant, whenever the writer is killed: the
/// staging folder holds `.rig-staging-new` from its first entry on while it is built (the marker travels into the
/// output folder with the swap); right after the swap that marker moves into the old folder as `.rig-staging-old`,
/// and it is the last entry removed from it, just before the folder itself. So a folder at the staging path is
/// rig's when it holds either marker, when the output folder still holds the new marker (killed between the swap
/// and the marker's move), or when it is empty (killed between its `mkdir` and the marker, or between the marker's
/// removal and its `rmdir`: an empty folder loses nothing). Any other folder there is not rig's: rig refuses to
/// touch it. The new marker also lists, as `SHA-256 PATH` lines, the bytes of rig's files the render replaces as
/// the plan saw them, so that a render killed after the swap leaves enough for the next one to tell rig's old
/// bytes (dropped) from a file written into the folder during the render (kept).
///
/// Durability: everything of the new folder is on the disk before the swap, and the swap right after it. On Linux
/// the files and folders are written without flushing, then one `syncfs` on the staging folder's file system
/// flushes them all (one call where an `fsync` per file and per folder cost about 3 s at 10,000 files; it also
/// flushes whatever else is waiting on that file system), then `renameat2(RENAME_EXCHANGE)`, then an `fsync` of
/// the parent folder. Where `syncfs` is not found (another system, a C library without it), each file is flushed
/// with `fsync` as it is written and each folder once it is filled. The removal of the old folder is not flushed:
/// a crash leaves it beside DIR, marked, and the next render clears it.
enum OutputWriter {
  /// Why a write did not happen: the folder, planned again under the lock, has an error; or the system refused.
  enum Failure: Error {
    case planned(RenderResult)
    case system(WriteError)
  }

  /// Reports each change the writer makes (see `WriterStep`).
  typealias Step = (WriterStep) -> Void

  /// The marker of a staging folder being built.
  static let newMarker = ".rig-staging-new"
  /// The marker of an old folder swapped out.
  static let oldMarker = ".rig-staging-old"

  /// The places of a render: the output folder (resolved), its staging folder and its lock file.
  struct Places {
    var root: String
    var parent: String
    var staging: String
    var lock: String

    init(_ display: String) {
      root = OutputFolder.resolved(display)
      parent = (root as NSString).deletingLastPathComponent
      let name = (root as NSString).lastPathComponent
      staging = parent + "/." + name + ".rig-staging"
      lock = parent + "/." + name + ".rig-lock"
    }
  }

  /// The one place the writer's changes to the file system are counted: runs `call` (a system call that changes
  /// the file system) and reports it to `step` when it succeeded. Returns the call's status; `errno` is the call's
  /// when it failed.
  @discardableResult
  static func mutate(_ action: String, _ path: String, _ step: Step, _ call: () -> Int32) -> Int32 {
    let status = call()
    if status >= 0 { step(WriterStep(action: action, path: path)) }
    return status
  }

  /// Locks `display` (a lock file beside it, `.NAME.rig-lock`), clears what an interrupted render left, plans
  /// again with `replanning` (`known` the targets a manifest may name) (the folder may have changed since it was
  /// last read), then builds the new folder and swaps it in. `checkpoint` runs at each phase (tests stop the
  /// process there), `step` after each change to the file system.
  static func write(
    folder display: String, known: Set<String>, replanning: () -> RenderResult, checkpoint: (RenderPhase) -> Void,
    step: Step
  ) -> Result<RenderResult, Failure> {
    let places = Places(display)
    do {
      try makeFolders(places.parent, step)
    } catch let error as WriteError {
      return .failure(.system(error))
    } catch {
      return .failure(.system(WriteError(path: places.parent, reason: error.localizedDescription)))
    }
    let lock: Int32
    switch acquire(places, display: display, step: step) {
    case .success(let descriptor): lock = descriptor
    case .failure(let error): return .failure(.system(error))
    }
    defer { close(lock) }
    if case .failure(let error) = clearLeftovers(places, replaced: [:], known: known, step: step) {
      return .failure(.system(error))
    }
    let planned = replanning()
    guard !planned.hasErrors, let plan = planned.output else { return .failure(.planned(planned)) }
    guard !plan.isUpToDate else { return .success(planned) }
    // What the plan saw in the files it replaces: those bytes are rig's to drop, even when edited by hand.
    var replaced: [String: String] = [:]
    for change in plan.changes {
      if let hash = change.oldSHA256, change.action != .unchanged { replaced[change.path] = hash }
    }
    if case .failure(let error) = stage(plan, from: places.root, into: places.staging, replaced: replaced, step: step) {
      _ = removeTree(places.staging, marker: newMarker, step: step)
      return .failure(.system(error))
    }
    checkpoint(.staged)
    let exists = OutputFolder.kind(places.root) != nil
    let swapped =
      exists
      ? mutate("exchange", places.staging, step) { exchange(places.staging, places.root) }
      : mutate("rename", places.staging, step) { rename(places.staging, places.root) }
    if swapped != 0 {
      let code = errno
      let reason = String(cString: strerror(code))
      _ = removeTree(places.staging, marker: newMarker, step: step)
      let hint =
        code == EBUSY
        ? " (it is a mount point: render into a folder inside it)"
        : code == EINVAL ? " (this file system cannot swap two folders in one step)" : ""
      return .failure(.system(WriteError(path: display, reason: reason + hint)))
    }
    syncDirectory(places.parent)
    markOld(places, step: step)
    checkpoint(.swapped)
    if case .failure(var error) = clearLeftovers(places, replaced: replaced, known: known, step: step) {
      error.afterSwap = true
      return .failure(.system(error))
    }
    return .success(planned)
  }

  /// Takes the lock of `places`, failing at once when another render holds it; the lock goes with the process,
  /// even when it is killed.
  static func acquire(_ places: Places, display: String, step: Step) -> Result<Int32, WriteError> {
    let opening = { open(places.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
    let descriptor = OutputFolder.kind(places.lock) == nil ? mutate("create", places.lock, step, opening) : opening()
    guard descriptor >= 0 else {
      return .failure(WriteError(path: places.lock, reason: String(cString: strerror(errno))))
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      close(descriptor)
      return .failure(
        WriteError(
          path: display, reason: "another rig render is writing it (lock '\(places.lock)')", busy: true))
    }
    return .success(descriptor)
  }

  /// Clears, under the lock, what an interrupted render left beside `display` (nothing when there is nothing, or
  /// when another render holds the lock: that one clears it); an up-to-date render calls it too, so that every
  /// render, writing or not, fails alike when the leftovers cannot be cleared.
  static func removeLeftovers(folder display: String, known: Set<String>, step: Step) -> Result<Void, WriteError> {
    let places = Places(display)
    guard
      OutputFolder.kind(places.staging) != nil || OutputFolder.kind(places.root + "/" + newMarker) != nil
    else { return .success(()) }
    switch acquire(places, display: display, step: step) {
    case .failure(let error): return error.busy ? .success(()) : .failure(error)
    case .success(let lock):
      defer { close(lock) }
      return clearLeftovers(places, replaced: [:], known: known, step: step)
    }
  }

  /// Clears the staging path: a half-built folder (all rig's, or hard links) goes; an old folder swapped out loses
  /// what survives elsewhere (hard links of the new folder's files) and rig's own old files (listed in its
  /// manifest or its marker with the same bytes), and anything else in it (a file someone wrote into the folder
  /// during the render) moves into the new folder where that path is free. A folder there that is not rig's is an
  /// error. At every step the staging folder stays recognisably rig's (see `OutputWriter`).
  static func clearLeftovers(
    _ places: Places, replaced: [String: String], known: Set<String>, step: Step
  ) -> Result<Void, WriteError> {
    markOld(places, step: step)
    let old = places.staging
    let notRigs = WriteError(
      path: old,
      reason: "it is in the way of rig's staging folder and rig did not make it; move it away, then render again")
    switch OutputFolder.kind(old) {
    case nil: return .success(())
    case .directory?: break
    default: return .failure(notRigs)
    }
    let top = (try? FileManager.default.contentsOfDirectory(atPath: old)) ?? [""]
    if top.isEmpty {
      guard mutate("rmdir", old, step, { rmdir(old) }) == 0 else { return .failure(systemError(old)) }
      return .success(())
    }
    if OutputFolder.kind(old + "/" + newMarker) == .file { return removeTree(old, marker: newMarker, step: step) }
    guard OutputFolder.kind(old + "/" + oldMarker) == .file else { return .failure(notRigs) }
    // rig's own bytes in the old folder: as its manifest lists them, or as the plan saw them (said again by the
    // marker, for a render killed after the swap).
    var ownedBefore: [String: Set<String>] = [:]
    if let data = FileManager.default.contents(atPath: old + "/" + Manifest.fileName),
      case .success(let manifest) = Manifest.parse(data, targets: known)
    {
      for entry in manifest.entries { ownedBefore[entry.path, default: []].insert(entry.sha256) }
    }
    if let data = FileManager.default.contents(atPath: old + "/" + oldMarker) {
      for (path, hash) in replacedHashes(data) { ownedBefore[path, default: []].insert(hash) }
    }
    for (path, hash) in replaced { ownedBefore[path, default: []].insert(hash) }
    let entries = OutputFolder.walk(old).entries
    // Its folders are going away: their modes (a read-only folder of one's own) may change.
    makeFoldersWritable(old, entries, step: step)
    var kept = 0
    for (path, kind) in entries.sorted(by: { $0.key < $1.key }) where kind != .directory {
      let source = old + "/" + path
      let destination = places.root + "/" + path
      if path == Manifest.fileName || sameFile(source, destination) || sameLink(source, destination) {
        mutate("unlink", source, step) { unlink(source) }
      } else if kind == .file, let hashes = ownedBefore[path],
        let data = FileManager.default.contents(atPath: source), hashes.contains(Manifest.sha256(data))
      {
        mutate("unlink", source, step) { unlink(source) }
      } else if OutputFolder.kind(destination) == nil,
        (try? makeFolders((destination as NSString).deletingLastPathComponent, step)) != nil,
        mutate("rename", source, step, { rename(source, destination) }) == 0
      {
        continue
      } else {
        kept += 1
      }
    }
    removeFolders(old, entries, step: step)
    guard kept == 0 else {
      return .failure(
        WriteError(
          path: old,
          reason:
            "\(kept) file\(kept == 1 ? "" : "s") written into the output folder during the render could not be "
            + "put back (their paths are taken); they are kept there: move them, then render again"))
    }
    return removeLast(old, marker: oldMarker, step: step)
  }

  /// Right after a swap (or after a render killed before this), the new marker is in the output folder: it moves
  /// into the old folder beside it as the old marker, or goes when there is none (the first render).
  static func markOld(_ places: Places, step: Step) {
    let inRoot = places.root + "/" + newMarker
    guard OutputFolder.kind(inRoot) == .file else { return }
    if OutputFolder.kind(places.staging) == .directory {
      // The old folder is going away: its own mode (a read-only folder of one's own) may change.
      makeWritable(places.staging, step: step)
      mutate("rename", inRoot, step) { rename(inRoot, places.staging + "/" + oldMarker) }
    } else {
      mutate("unlink", inRoot, step) { unlink(inRoot) }
    }
  }

  /// Removes `folder`, which holds only rig's things under `marker` (a half-built staging folder): its files (hard
  /// links of files that live on, or rig's new ones) and folders first, the marker last.
  static func removeTree(_ folder: String, marker: String, step: Step) -> Result<Void, WriteError> {
    guard OutputFolder.kind(folder) == .directory else { return .success(()) }
    guard OutputFolder.kind(folder + "/" + marker) == .file else {
      // Not rig's (another process made it in the meantime), unless it is empty.
      guard (try? FileManager.default.contentsOfDirectory(atPath: folder)) == [] else {
        return .failure(WriteError(path: folder, reason: "rig did not make it; move it away, then render again"))
      }
      guard mutate("rmdir", folder, step, { rmdir(folder) }) == 0 else { return .failure(systemError(folder)) }
      return .success(())
    }
    let entries = OutputFolder.walk(folder).entries
    makeWritable(folder, step: step)
    makeFoldersWritable(folder, entries, step: step)
    for (path, kind) in entries.sorted(by: { $0.key < $1.key }) where kind != .directory {
      mutate("unlink", folder + "/" + path, step) { unlink(folder + "/" + path) }
    }
    removeFolders(folder, entries, step: step)
    return removeLast(folder, marker: marker, step: step)
  }

  /// Makes every folder among `entries` (walked under `root`) writable, in path order: they are going away.
  static func makeFoldersWritable(_ root: String, _ entries: [String: OutputFolder.Kind], step: Step) {
    for (path, kind) in entries.sorted(by: { $0.key < $1.key }) where kind == .directory {
      makeWritable(root + "/" + path, step: step)
    }
  }

  /// Removes the folders among `entries` (walked under `root`), deepest first; one that still holds something
  /// stays.
  static func removeFolders(_ root: String, _ entries: [String: OutputFolder.Kind], step: Step) {
    for (path, kind) in entries.sorted(by: { $0.key > $1.key }) where kind == .directory {
      mutate("rmdir", root + "/" + path, step) { rmdir(root + "/" + path) }
    }
  }

  /// The end of a leftover folder: when only `marker` is left in it, the marker, then the folder. Anything else
  /// still there keeps the marker in place, so the folder stays recognisably rig's.
  static func removeLast(_ folder: String, marker: String, step: Step) -> Result<Void, WriteError> {
    let left = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [""]
    guard left == [marker] else {
      return .failure(
        WriteError(
          path: folder,
          reason:
            "rig could not empty it: '\(left.filter { $0 != marker }.sorted().first ?? "")' is still there; move it "
            + "away, then render again"))
    }
    guard mutate("unlink", folder + "/" + marker, step, { unlink(folder + "/" + marker) }) == 0,
      mutate("rmdir", folder, step, { rmdir(folder) }) == 0
    else { return .failure(systemError(folder)) }
    return .success(())
  }

  /// Gives a folder that is going away (a leftover) the owner's write and search permission, so that what is in
  /// it can be removed.
  static func makeWritable(_ folder: String, step: Step) {
    var info = stat()
    guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_mode & 0o700 != 0o700 else { return }
    mutate("chmod", folder, step) { chmod(folder, (info.st_mode & 0o7777) | 0o700) }
  }

  /// `mkdir -p`, one counted step per folder made.
  static func makeFolders(_ path: String, _ step: Step) throws {
    guard !path.isEmpty, OutputFolder.kind(path) == nil else { return }
    let parent = (path as NSString).deletingLastPathComponent
    if parent != path { try makeFolders(parent, step) }
    if mutate("mkdir", path, step, { mkdir(path, 0o755) }) < 0, errno != EEXIST { try check(-1, path) }
  }

  /// The contents of the new marker: the SHA-256 of each of rig's files the render replaces, as the plan saw
  /// them, one `SHA-256 PATH` line each, sorted by path.
  static func markerContents(_ replaced: [String: String]) -> Data {
    Data(replaced.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)\n" }.joined().utf8)
  }

  /// The hashes a marker lists (see `markerContents`); a line that is not one is ignored.
  static func replacedHashes(_ data: Data) -> [(path: String, hash: String)] {
    String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let parts = line.split(separator: " ", maxSplits: 1)
      guard parts.count == 2, parts[0].count == 64 else { return nil }
      return (String(parts[1]), String(parts[0]))
    }
  }

  /// Whether two paths are symbolic links to the same place (a link of one's own, carried into the new folder).
  static func sameLink(_ a: String, _ b: String) -> Bool {
    guard OutputFolder.kind(a) == .symlink, OutputFolder.kind(b) == .symlink,
      let first = try? FileManager.default.destinationOfSymbolicLink(atPath: a),
      let second = try? FileManager.default.destinationOfSymbolicLink(atPath: b)
    else { return false }
    return first == second
  }

  /// Whether two paths are the same file (device and inode), without following links.
  static func sameFile(_ a: String, _ b: String) -> Bool {
    var first = stat()
    var second = stat()
    guard lstat(a, &first) == 0, lstat(b, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
  }

  /// The new folder: every file of the old one that stays (rig's unchanged files and every file rig does not own,
  /// as hard links, so they keep their bytes, inode, times and extended attributes), the folders that hold them
  /// (with their modes, owners and extended attributes), symbolic links of one's own (with their owners and the
  /// extended attributes a link can have), rig's new and changed files, and the manifest; then flushed to the
  /// disk (see `OutputWriter`). `replaced` goes into the marker.
  static func stage(
    _ plan: FolderChanges, from root: String, into staging: String, replaced: [String: String], step: Step
  ) -> Result<Void, WriteError> {
    // The folder as the plan read it, under the lock: nothing but a concurrent writer has changed it since.
    let disk = plan.disk
    var rewritten = Set<String>()
    for change in plan.changes where change.action != .unchanged { rewritten.insert(change.path) }
    // Folders that only ever held rig's files go with them; any other folder stays, even empty.
    var rigFolders = Set<String>()
    for path in plan.ownedBefore { rigFolders.formUnion(OutputFolder.ancestors(path)) }
    var keep: [String] = []
    for (path, kind) in disk where kind != .directory && path != Manifest.fileName && !rewritten.contains(path) {
      keep.append(path)
    }
    var folders = Set<String>()
    for (path, kind) in disk where kind == .directory && !rigFolders.contains(path) { folders.insert(path) }
    for path in keep + plan.artifacts.keys { folders.formUnion(OutputFolder.ancestors(path)) }
    for path in Array(folders) { folders.formUnion(OutputFolder.ancestors(path)) }
    let syncfs = LibC.syncfs
    let eachFile = syncfs == nil
    do {
      try check(mutate("mkdir", staging, step) { mkdir(staging, 0o700) }, staging)
      try writeFile(staging + "/" + newMarker, markerContents(replaced), flush: eachFile, step: step)
      for folder in folders.sorted() {
        let path = staging + "/" + folder
        try check(mutate("mkdir", path, step) { mkdir(path, 0o700) }, path)
      }
      for path in keep.sorted() {
        let source = root + "/" + path
        let destination = staging + "/" + path
        switch disk[path] {
        case .symlink?:
          let target = try FileManager.default.destinationOfSymbolicLink(atPath: source)
          try check(mutate("symlink", destination, step) { symlink(target, destination) }, destination)
          try copyOwner(of: source, to: destination, step: step)
          try copyExtendedAttributes(of: source, to: destination, link: true, step: step)
        case .file?:
          try check(
            mutate("link", destination, step) { link(source, destination) }, source,
            "cannot keep it as a hard link in '\(staging)'")
        default:
          throw WriteError(path: source, reason: "rig cannot carry a special file into the new folder")
        }
      }
      for change in plan.changes where change.action == .create || change.action == .update {
        guard let artifact = plan.artifacts[change.path] else { continue }
        try writeFile(staging + "/" + change.path, Data(artifact.contents.utf8), flush: eachFile, step: step)
      }
      try writeFile(
        staging + "/" + Manifest.fileName, Data(plan.manifest.serialized().utf8), flush: eachFile, step: step)
      // Modes and owners last, deepest first, so that a read-only folder of one's own can still be filled.
      for folder in folders.sorted().reversed() {
        try copyAttributes(
          of: disk[folder] == .directory ? root + "/" + folder : nil, to: staging + "/" + folder, step: step)
        if eachFile { syncDirectory(staging + "/" + folder) }
      }
      try copyAttributes(of: OutputFolder.kind(root) == .directory ? root : nil, to: staging, step: step)
      if let syncfs {
        let descriptor = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try check(descriptor, staging)
        defer { close(descriptor) }
        try check(syncfs(descriptor), staging, "cannot flush the new folder to the disk")
      } else {
        syncDirectory(staging)
      }
    } catch let error as WriteError {
      return .failure(error)
    } catch {
      return .failure(WriteError(path: staging, reason: error.localizedDescription))
    }
    return .success(())
  }

  /// Gives a new folder the owner, extended attributes (ACLs and security labels included) and mode of the folder
  /// `model` it replaces (mode 0755 and the process's owner for a folder of rig's own).
  static func copyAttributes(of model: String?, to path: String, step: Step) throws {
    var info = stat()
    guard let model, lstat(model, &info) == 0 else {
      try check(mutate("chmod", path, step) { chmod(path, 0o755) }, path)
      return
    }
    try copyOwner(of: model, to: path, step: step)
    // Before the mode: setting an access ACL sets the mode's group bits, and the mode then sets the ACL's mask.
    try copyExtendedAttributes(of: model, to: path, link: false, step: step)
    try check(mutate("chmod", path, step) { chmod(path, info.st_mode & 0o7777) }, path)
  }

  /// Gives `path` (a folder or a link rig made) the owner and group of `model`, where the process may (a user who
  /// is not root keeps their own).
  static func copyOwner(of model: String, to path: String, step: Step) throws {
    var info = stat()
    var mine = stat()
    guard lstat(model, &info) == 0, lstat(path, &mine) == 0 else { return }
    if info.st_uid != mine.st_uid || info.st_gid != mine.st_gid {
      mutate("chown", path, step) { lchown(path, info.st_uid, info.st_gid) }
    }
  }

  /// Gives `path` exactly the extended attributes of `model` (neither followed when a link): `user.*`, the ACLs
  /// (`system.posix_acl_access`, `system.posix_acl_default`), security labels (`security.selinux`) and any other
  /// the process can read. Only those that differ are set or removed, so one the process may not set
  /// (`security.*`, `trusted.*`) is no error when the new folder already has it with the same value (an SELinux
  /// label the folder got from its parent); otherwise failing to set or remove one is an error naming the folder.
  /// A link has no `user.*` attributes on Linux: those are never set on one. Nothing is done where the C library
  /// has no such calls (another system than Linux).
  static func copyExtendedAttributes(of model: String, to path: String, link: Bool, step: Step) throws {
    #if os(Linux)
      guard let set = LibC.lsetxattr, let remove = LibC.lremovexattr else { return }
      let wanted = try extendedAttributes(model).filter { !(link && $0.key.hasPrefix("user.")) }
      let present = try extendedAttributes(path)
      for (name, value) in wanted.sorted(by: { $0.key < $1.key }) where present[name] != value {
        let status = mutate("setxattr", path, step) {
          value.withUnsafeBytes { set(path, name, $0.baseAddress, $0.count, 0) }
        }
        try check(status, path, "cannot give it the extended attribute '\(name)' of '\(model)'")
      }
      for name in present.keys.sorted() where wanted[name] == nil && !(link && name.hasPrefix("user.")) {
        let status = mutate("removexattr", path, step) { remove(path, name) }
        try check(status, path, "cannot remove its extended attribute '\(name)', which '\(model)' does not have")
      }
    #endif
  }

  /// The extended attributes of `path` (not following a link) by name, with their values; none where the file
  /// system has none.
  static func extendedAttributes(_ path: String) throws -> [String: [UInt8]] {
    #if os(Linux)
      guard let list = LibC.llistxattr, let get = LibC.lgetxattr else { return [:] }
      var names: [CChar] = []
      while true {
        let size = list(path, nil, 0)
        if size < 0, errno == ENOTSUP || errno == EOPNOTSUPP { return [:] }
        if size < 0 { try check(-1, path, "cannot list its extended attributes") }
        if size <= 0 { return [:] }
        names = [CChar](repeating: 0, count: size)
        let got = names.withUnsafeMutableBufferPointer { list(path, $0.baseAddress, $0.count) }
        if got >= 0 {
          names.removeLast(names.count - got)
          break
        }
        if errno != ERANGE { try check(-1, path, "cannot list its extended attributes") }
      }
      var result: [String: [UInt8]] = [:]
      for raw in names.split(separator: 0) {
        let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        while true {
          let size = get(path, name, nil, 0)
          if size < 0, errno == ENODATA { break }
          if size < 0 { try check(-1, path, "cannot read its extended attribute '\(name)'") }
          var value = [UInt8](repeating: 0, count: max(size, 0))
          let got = value.withUnsafeMutableBytes { get(path, name, $0.baseAddress, $0.count) }
          if got >= 0 {
            value.removeLast(value.count - got)
            result[name] = value
            break
          }
          if errno == ENODATA { break }
          if errno != ERANGE { try check(-1, path, "cannot read its extended attribute '\(name)'") }
        }
      }
      return result
    #else
      return [:]
    #endif
  }

  /// Writes a new file: two steps, `create` and `write` (when its bytes are all there); `flush` flushes it to the
  /// disk first (see `OutputWriter` for when).
  static func writeFile(_ path: String, _ data: Data, flush: Bool, step: Step) throws {
    let descriptor = mutate("create", path, step) { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
    try check(descriptor, path)
    defer { close(descriptor) }
    try data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let count = systemWrite(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if count < 0 {
          if errno == EINTR { continue }
          try check(-1, path)
        }
        offset += count
      }
    }
    if flush { try check(fsync(descriptor), path) }
    step(WriterStep(action: "write", path: path))
  }

  static func syncDirectory(_ path: String) {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
  }

  /// Throws a `WriteError` naming `path` when a system call returned a negative value.
  static func check(_ status: Int32, _ path: String, _ context: String? = nil) throws {
    guard status < 0 else { return }
    throw systemError(path, context)
  }

  /// The `WriteError` of the last system call that failed (`errno`), naming `path`.
  static func systemError(_ path: String, _ context: String? = nil) -> WriteError {
    let reason = String(cString: strerror(errno))
    return WriteError(path: path, reason: context.map { reason + " (\($0))" } ?? reason)
  }

  /// Swaps two paths in one step: Linux's `renameat2` with `RENAME_EXCHANGE` (looked up at run time, since
  /// Swift's Glibc module does not declare it), Darwin's `renamex_np` with `RENAME_SWAP`.
  static func exchange(_ a: String, _ b: String) -> Int32 {
    #if os(Linux)
      typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
      // RTLD_DEFAULT is the null handle in glibc; RENAME_EXCHANGE is 1 << 1 (<linux/fs.h>).
      guard let renameat2 = LibC.symbol("renameat2", as: Renameat2.self) else {
        errno = EINVAL
        return -1
      }
      return renameat2(AT_FDCWD, a, AT_FDCWD, b, 1 << 1)
    #else
      return renamex_np(a, b, UInt32(RENAME_SWAP))
    #endif
  }
}

/// Functions of the C library that Swift's Glibc module does not declare, looked up at run time: nil where the C
/// library has none (and on other systems than Linux).
package enum LibC {
  #if os(Linux)
    package typealias SyncFS = @convention(c) (Int32) -> Int32
    package typealias ListXattr = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>?, Int) -> Int
    package typealias GetXattr =
      @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int)
      -> Int
    package typealias SetXattr =
      @convention(c) (
        UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32
      ) -> Int32
    package typealias RemoveXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>) -> Int32

    /// The function `name` of the process's C library as `type` (RTLD_DEFAULT is glibc's null handle).
    package static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
      guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
      return unsafeBitCast(address, to: type)
    }

    /// `syncfs(2)`: flushes the file system holding a descriptor.
    package static var syncfs: SyncFS? { symbol("syncfs", as: SyncFS.self) }
    package static var llistxattr: ListXattr? { symbol("llistxattr", as: ListXattr.self) }
    package static var lgetxattr: GetXattr? { symbol("lgetxattr", as: GetXattr.self) }
    package static var lsetxattr: SetXattr? { symbol("lsetxattr", as: SetXattr.self) }
    package static var lremovexattr: RemoveXattr? { symbol("lremovexattr", as: RemoveXattr.self) }
  #else
    package static var syncfs: ((Int32) -> Int32)? { nil }
  #endif
}

/// `write(2)`, named apart from `OutputWriter.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
