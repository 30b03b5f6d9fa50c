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
enum OutputWriter {
  /// Why a write did not happen: the folder, planned again under the lock, has an error; or the system refused.
  enum Failure: Error {
    case planned(PlanResult)
    case system(WriteError)
  }

  /// Locks `display`'s parent folder, plans again with `replanning` (the folder may have changed since it was
  /// last read), then builds the new folder and swaps it in. `checkpoint` runs at each phase (tests stop the
  /// process there).
  static func write(
    folder display: String, replanning: () -> PlanResult, checkpoint: (RenderPhase) -> Void
  ) -> Result<PlanResult, Failure> {
    let root = OutputFolder.resolved(display)
    let parent = (root as NSString).deletingLastPathComponent
    let name = (root as NSString).lastPathComponent
    let staging = parent + "/." + name + ".rig-staging"
    do {
      try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    } catch {
      return .failure(.system(WriteError(path: parent, reason: error.localizedDescription)))
    }
    // One render at a time per parent folder; the lock goes with the process, even when it is killed.
    let lock = open(parent, O_RDONLY | O_DIRECTORY)
    guard lock >= 0 else {
      return .failure(.system(WriteError(path: parent, reason: String(cString: strerror(errno)))))
    }
    defer { close(lock) }
    guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
      return .failure(
        .system(WriteError(path: display, reason: "another rig render is writing beside it (in '\(parent)')")))
    }
    let planned = replanning()
    guard !planned.hasErrors, let plan = planned.output else { return .failure(.planned(planned)) }
    guard !plan.isUpToDate else { return .success(planned) }
    // What an interrupted render left: a half-built folder, or the old folder after the swap.
    if OutputFolder.kind(staging) != nil { try? FileManager.default.removeItem(atPath: staging) }
    if case .failure(let error) = stage(plan, from: root, into: staging) {
      try? FileManager.default.removeItem(atPath: staging)
      return .failure(.system(error))
    }
    checkpoint(.staged)
    let exists = OutputFolder.kind(root) != nil
    if exists ? exchange(staging, root) != 0 : rename(staging, root) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: staging)
      let hint =
        errno == EBUSY
        ? " (it is a mount point: render into a folder inside it)"
        : errno == EINVAL ? " (this file system cannot swap two folders in one step)" : ""
      return .failure(.system(WriteError(path: display, reason: reason + hint)))
    }
    syncDirectory(parent)
    checkpoint(.swapped)
    if exists { try? FileManager.default.removeItem(atPath: staging) }
    return .success(planned)
  }

  /// The folder an interrupted render left beside `display` (half built, or the old folder after the swap),
  /// removed under the lock; nothing when another render holds it.
  static func removeLeftovers(folder display: String) {
    let root = OutputFolder.resolved(display)
    let parent = (root as NSString).deletingLastPathComponent
    let staging = parent + "/." + (root as NSString).lastPathComponent + ".rig-staging"
    guard OutputFolder.kind(staging) != nil else { return }
    let lock = open(parent, O_RDONLY | O_DIRECTORY)
    guard lock >= 0 else { return }
    defer { close(lock) }
    guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { return }
    try? FileManager.default.removeItem(atPath: staging)
  }

  /// The new folder: every file of the old one that stays (rig's unchanged files and every file rig does not own,
  /// as hard links, so they keep their bytes, inode and times), the folders that hold them (with their modes),
  /// rig's new and changed files, and the manifest.
  static func stage(_ plan: OutputPlan, from root: String, into staging: String) -> Result<Void, WriteError> {
    let disk = OutputFolder.kind(root) == .directory ? OutputFolder.walk(root) : [:]
    var rewritten = Set<String>()
    for change in plan.changes where change.action != .unchanged { rewritten.insert(change.path) }
    // Folders that only ever held rig's files go with them; any other folder stays, even empty.
    var rigFolders = Set<String>()
    for path in oldOwnedPaths(root) { rigFolders.formUnion(OutputFolder.ancestors(path)) }
    var keep: [String] = []
    for (path, kind) in disk where kind != .directory && path != Manifest.fileName && !rewritten.contains(path) {
      keep.append(path)
    }
    var folders = Set<String>()
    for (path, kind) in disk where kind == .directory && !rigFolders.contains(path) { folders.insert(path) }
    for path in keep + plan.artifacts.keys { folders.formUnion(OutputFolder.ancestors(path)) }
    for path in Array(folders) { folders.formUnion(OutputFolder.ancestors(path)) }
    do {
      try makeDirectory(staging, like: OutputFolder.kind(root) == .directory ? root : nil)
      for folder in folders.sorted() {
        try makeDirectory(staging + "/" + folder, like: disk[folder] == .directory ? root + "/" + folder : nil)
      }
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
      for folder in folders.sorted().reversed() { syncDirectory(staging + "/" + folder) }
      syncDirectory(staging)
    } catch let error as WriteError {
      return .failure(error)
    } catch {
      return .failure(WriteError(path: staging, reason: error.localizedDescription))
    }
    return .success(())
  }

  /// The paths the folder's current manifest lists (empty when it has none or it cannot be read: `plan` has
  /// already refused an unreadable one).
  static func oldOwnedPaths(_ root: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: root + "/" + Manifest.fileName),
      case .success(let manifest) = Manifest.parse(data)
    else { return [] }
    return manifest.entries.map(\.path)
  }

  /// Creates a folder with the permissions of `model` (else the default), failing if anything is there.
  static func makeDirectory(_ path: String, like model: String?) throws {
    var mode: mode_t = 0o755
    if let model {
      var info = stat()
      if lstat(model, &info) == 0 { mode = info.st_mode & 0o7777 }
    }
    try check(mkdir(path, 0o700), path)
    try check(chmod(path, mode), path)
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
