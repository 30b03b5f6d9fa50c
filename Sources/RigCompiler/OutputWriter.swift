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

/// Why `render` could not write: a file-system problem (the project itself had no error).
struct WriteError: Error, Sendable {
  var path: String
  var reason: String
}

/// Writes an output plan: the new folder is built whole beside the old one (`.NAME.rig-staging`), then takes its
/// place in one `rename`, so at every moment the folder is either all old or all new.
///
/// Markers tell rig's leftovers from anyone else's folder: the staging folder holds `.rig-staging-new` while it is
/// built (it travels into the output folder with the swap), and right after the swap that marker moves into the
/// old folder as `.rig-staging-old`. A folder at the staging path without either marker (and without the new
/// marker in the output folder) is not rig's: rig refuses to touch it.
enum OutputWriter {
  /// Why a write did not happen: the folder, planned again under the lock, has an error; or the system refused.
  enum Failure: Error {
    case planned(RenderResult)
    case system(WriteError)
  }

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

  /// Locks `display` (a lock file beside it, `.NAME.rig-lock`), clears what an interrupted render left, plans
  /// again with `replanning` (`known` the targets a manifest may name) (the folder may have changed since it was last read), then builds the new folder and
  /// swaps it in. `checkpoint` runs at each phase (tests stop the process there).
  static func write(
    folder display: String, known: Set<String>, replanning: () -> RenderResult, checkpoint: (RenderPhase) -> Void
  ) -> Result<RenderResult, Failure> {
    let places = Places(display)
    do {
      try FileManager.default.createDirectory(atPath: places.parent, withIntermediateDirectories: true)
    } catch {
      return .failure(.system(WriteError(path: places.parent, reason: error.localizedDescription)))
    }
    let lock: Int32
    switch acquire(places, display: display) {
    case .success(let descriptor): lock = descriptor
    case .failure(let error): return .failure(.system(error))
    }
    defer { close(lock) }
    if case .failure(let error) = clearLeftovers(places, replaced: [:], known: known) {
      return .failure(.system(error))
    }
    let planned = replanning()
    guard !planned.hasErrors, let plan = planned.output else { return .failure(.planned(planned)) }
    guard !plan.isUpToDate else { return .success(planned) }
    if case .failure(let error) = stage(plan, from: places.root, into: places.staging) {
      try? FileManager.default.removeItem(atPath: places.staging)
      return .failure(.system(error))
    }
    checkpoint(.staged)
    let exists = OutputFolder.kind(places.root) != nil
    if exists ? exchange(places.staging, places.root) != 0 : rename(places.staging, places.root) != 0 {
      let reason = String(cString: strerror(errno))
      let code = errno
      try? FileManager.default.removeItem(atPath: places.staging)
      let hint =
        code == EBUSY
        ? " (it is a mount point: render into a folder inside it)"
        : code == EINVAL ? " (this file system cannot swap two folders in one step)" : ""
      return .failure(.system(WriteError(path: display, reason: reason + hint)))
    }
    syncDirectory(places.parent)
    if exists {
      _ = rename(places.root + "/" + newMarker, places.staging + "/" + oldMarker)
    } else {
      _ = unlink(places.root + "/" + newMarker)
    }
    checkpoint(.swapped)
    // What the plan saw in the files it replaces: those bytes are rig's to drop, even when edited by hand.
    var replaced: [String: String] = [:]
    for change in plan.changes {
      if let hash = change.oldSHA256, change.action != .unchanged { replaced[change.path] = hash }
    }
    if case .failure(let error) = clearLeftovers(places, replaced: replaced, known: known) {
      return .failure(.system(error))
    }
    return .success(planned)
  }

  /// Takes the lock of `places`, failing at once when another render holds it; the lock goes with the process,
  /// even when it is killed.
  static func acquire(_ places: Places, display: String) -> Result<Int32, WriteError> {
    let descriptor = open(places.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      return .failure(WriteError(path: places.lock, reason: String(cString: strerror(errno))))
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      close(descriptor)
      return .failure(WriteError(path: display, reason: "another rig render is writing it (lock '\(places.lock)')"))
    }
    return .success(descriptor)
  }

  /// The folder an interrupted render left beside `display`, cleared under the lock (nothing when another render
  /// holds it); called by an up-to-date render too.
  static func removeLeftovers(folder display: String, known: Set<String>) {
    let places = Places(display)
    guard OutputFolder.kind(places.staging) != nil || OutputFolder.kind(places.root + "/" + newMarker) != nil,
      case .success(let lock) = acquire(places, display: display)
    else { return }
    defer { close(lock) }
    _ = clearLeftovers(places, replaced: [:], known: known)
  }

  /// Clears the staging path: a half-built folder (all rig's, or hard links) goes; an old folder swapped out loses
  /// what survives elsewhere (hard links of the new folder's files) and rig's own old files (listed in its
  /// manifest with the same bytes), and anything else in it (a file someone wrote into the folder during the
  /// render) moves into the new folder where that path is free. A folder there that is not rig's is an error.
  static func clearLeftovers(
    _ places: Places, replaced: [String: String], known: Set<String>
  ) -> Result<Void, WriteError> {
    // Killed between the swap and the marker's move: the marker is still in the output folder.
    if OutputFolder.kind(places.root + "/" + newMarker) == .file {
      if OutputFolder.kind(places.staging) == .directory {
        _ = rename(places.root + "/" + newMarker, places.staging + "/" + oldMarker)
      } else {
        _ = unlink(places.root + "/" + newMarker)
      }
    }
    guard OutputFolder.kind(places.staging) != nil else { return .success(()) }
    if OutputFolder.kind(places.staging + "/" + newMarker) == .file {
      try? FileManager.default.removeItem(atPath: places.staging)
      return .success(())
    }
    guard OutputFolder.kind(places.staging + "/" + oldMarker) == .file else {
      return .failure(
        WriteError(
          path: places.staging,
          reason: "it is in the way of rig's staging folder and rig did not make it; move it away, then render again"
        ))
    }
    let old = places.staging
    // rig's own bytes in the old folder: as its manifest lists them, or as the plan saw them.
    var ownedBefore: [String: Set<String>] = [:]
    if let data = FileManager.default.contents(atPath: old + "/" + Manifest.fileName),
      case .success(let manifest) = Manifest.parse(data, targets: known)
    {
      for entry in manifest.entries { ownedBefore[entry.path, default: []].insert(entry.sha256) }
    }
    for (path, hash) in replaced { ownedBefore[path, default: []].insert(hash) }
    var kept = 0
    let entries = OutputFolder.walk(old).entries
    _ = unlink(old + "/" + oldMarker)
    for (path, kind) in entries.sorted(by: { $0.key < $1.key }) where kind != .directory {
      let source = old + "/" + path
      let destination = places.root + "/" + path
      if path == Manifest.fileName || sameFile(source, destination) || sameLink(source, destination) {
        _ = unlink(source)
      } else if kind == .file, let hashes = ownedBefore[path],
        let data = FileManager.default.contents(atPath: source), hashes.contains(Manifest.sha256(data))
      {
        _ = unlink(source)
      } else if OutputFolder.kind(destination) == nil,
        (try? FileManager.default.createDirectory(
          atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)) != nil,
        rename(source, destination) == 0
      {
        continue
      } else {
        kept += 1
      }
    }
    // Folders, deepest first; one that still holds something stays.
    for (path, kind) in entries.sorted(by: { $0.key > $1.key }) where kind == .directory { _ = rmdir(old + "/" + path) }
    if kept == 0, rmdir(old) == 0 { return .success(()) }
    return .failure(
      WriteError(
        path: old,
        reason:
          "\(kept) file\(kept == 1 ? "" : "s") written into the output folder during the render could not be put "
          + "back (their paths are taken); they are kept there: move them, then render again"))
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
  /// as hard links, so they keep their bytes, inode and times), the folders that hold them (with their modes),
  /// rig's new and changed files, and the manifest.
  static func stage(_ plan: FolderChanges, from root: String, into staging: String) -> Result<Void, WriteError> {
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
    do {
      try check(mkdir(staging, 0o700), staging)
      try writeFile(staging + "/" + newMarker, Data())
      for folder in folders.sorted() { try check(mkdir(staging + "/" + folder, 0o700), staging + "/" + folder) }
      for path in keep.sorted() {
        let source = root + "/" + path
        let destination = staging + "/" + path
        switch disk[path] {
        case .symlink?:
          let target = try FileManager.default.destinationOfSymbolicLink(atPath: source)
          try check(symlink(target, destination), destination)
        case .file?:
          try check(link(source, destination), source, "cannot keep it as a hard link in '\(staging)'")
        default:
          throw WriteError(path: source, reason: "rig cannot carry a special file into the new folder")
        }
      }
      for change in plan.changes where change.action == .create || change.action == .update {
        guard let artifact = plan.artifacts[change.path] else { continue }
        try writeFile(staging + "/" + change.path, Data(artifact.contents.utf8))
      }
      try writeFile(staging + "/" + Manifest.fileName, Data(plan.manifest.serialized().utf8))
      // Modes and owners last, deepest first, so that a read-only folder of one's own can still be filled.
      for folder in folders.sorted().reversed() {
        try copyAttributes(of: disk[folder] == .directory ? root + "/" + folder : nil, to: staging + "/" + folder)
        syncDirectory(staging + "/" + folder)
      }
      try copyAttributes(of: OutputFolder.kind(root) == .directory ? root : nil, to: staging)
      syncDirectory(staging)
    } catch let error as WriteError {
      return .failure(error)
    } catch {
      return .failure(WriteError(path: staging, reason: error.localizedDescription))
    }
    return .success(())
  }

  /// Gives a new folder the mode and owner of the folder `model` it replaces (0755 and the process's owner for a
  /// folder of rig's own).
  static func copyAttributes(of model: String?, to path: String) throws {
    var info = stat()
    guard let model, lstat(model, &info) == 0 else {
      try check(chmod(path, 0o755), path)
      return
    }
    if info.st_uid != geteuid() || info.st_gid != getegid() { _ = lchown(path, info.st_uid, info.st_gid) }
    try check(chmod(path, info.st_mode & 0o7777), path)
  }

  /// Writes a new file and flushes it to the disk.
  static func writeFile(_ path: String, _ data: Data) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
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
    try check(fsync(descriptor), path)
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
    let reason = String(cString: strerror(errno))
    throw WriteError(path: path, reason: context.map { reason + " (\($0))" } ?? reason)
  }

  /// Swaps two paths in one step: Linux's `renameat2` with `RENAME_EXCHANGE` (looked up at run time, since
  /// Swift's Glibc module does not declare it), Darwin's `renamex_np` with `RENAME_SWAP`.
  static func exchange(_ a: String, _ b: String) -> Int32 {
    #if os(Linux)
      typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
      // RTLD_DEFAULT is the null handle in glibc; RENAME_EXCHANGE is 1 << 1 (<linux/fs.h>).
      guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else {
        errno = EINVAL
        return -1
      }
      let renameat2 = unsafeBitCast(symbol, to: Renameat2.self)
      return renameat2(AT_FDCWD, a, AT_FDCWD, b, 1 << 1)
    #else
      return renamex_np(a, b, UInt32(RENAME_SWAP))
    #endif
  }
}

/// `write(2)`, named apart from `OutputWriter.write`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}
