import Foundation
import RigCompiler
import Testing

#if canImport(Glibc)
  import Glibc
#endif

// Helpers of OutputSafetyTests and FaultInjectionTests: a tiny project in two versions, a scratch folder, user
// files with extended attributes, and a snapshot of a folder that sees bytes, links, modes and extended attributes.

/// A project small enough to render a few hundred times: five Kubernetes files and a systemd unit (version 1);
/// version 2 changes one workload, removes one and the unit (so the systemd folder goes) and adds another.
enum TinyProject {
  /// What both versions share: the machine first, the targets last.
  static let machine = """
    apiVersion: rig/v1
    name: tiny
    hardware:
      cpu:
        hybrid: { performance: 8, efficiency: 12 }
      memory: 32GiB
      os: { distribution: debian, release: bookworm }

    """
  static let targets = """
    targets:
      kubernetes: { version: "1.30", namespace: tiny }
      systemd: {}

    """

  static let version1 =
    machine + """
      stack: [app1, app2, app3, svc]
      components:
        app1: { runtime: kubernetes, versions: { "1.0": {} }, image: registry.example/app1:1.0 }
        app2: { runtime: kubernetes, versions: { "1.0": {} }, image: registry.example/app2:1.0 }
        app3: { runtime: kubernetes, versions: { "1.0": {} }, image: registry.example/app3:1.0 }
        svc: { runtime: systemd, versions: { "1.0": {} }, exec: /usr/bin/svc }

      """ + targets

  static let version2 =
    machine + """
      stack: [app1, app2, app4]
      components:
        app1: { runtime: kubernetes, versions: { "1.0": {} }, image: registry.example/app1:1.1 }
        app2: { runtime: kubernetes, versions: { "1.0": {} }, image: registry.example/app2:1.0 }
        app4: { runtime: kubernetes, versions: { "1.0": {} }, image: registry.example/app4:1.0 }

      """ + targets
}

/// A temporary folder, removed when the value goes away.
final class KillScratch {
  let path: String

  init(_ name: String) throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("rig-\(name)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    _ = try? run("/bin/chmod", ["-R", "u+rwx", path])
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes `text` as `NAME/rig.yaml` in the scratch folder; returns the project's folder.
  func project(_ name: String, _ text: String) throws -> String {
    let folder = path + "/" + name
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try text.write(toFile: folder + "/rig.yaml", atomically: true, encoding: .utf8)
    return folder
  }
}

/// Runs the built rig; `killAfter` sets `RIG_TEST_KILL_AFTER_STEPS`.
func rigRun(_ arguments: [String], killAfter: Int? = nil) throws -> ProcessResult {
  try run(
    try rigBinary(), arguments, environment: killAfter.map { ["RIG_TEST_KILL_AFTER_STEPS": String($0)] } ?? [:])
}

/// The writer's steps of `rig render` with these arguments, as it lists them (`action path`), the render done.
func renderSteps(_ arguments: [String]) throws -> [String] {
  let result = try rigRun(["render"] + arguments, killAfter: 0)
  #expect(result.status == 0, "\(result.stderr)")
  return result.stderr.split(separator: "\n").compactMap { line in
    guard line.hasPrefix("rig: step "), let colon = line.firstIndex(of: ":"),
      let second = line[line.index(after: colon)...].firstIndex(of: ":")
    else { return nil }
    return String(line[line.index(second, offsetBy: 2)...])
  }
}

/// `cp -a`: a copy of a folder with its modes, times, links and extended attributes.
func copyTree(_ source: String, to destination: String) throws {
  let result = try run("/bin/cp", ["-a", source, destination])
  try #require(result.status == 0, "\(result.stderr)")
}

/// Removes a folder and everything in it, read-only folders included; nothing when there is none.
func removeTree(_ path: String) throws {
  var info = stat()
  guard lstat(path, &info) == 0 else { return }
  _ = try run("/bin/chmod", ["-R", "u+rwx", path])
  try FileManager.default.removeItem(atPath: path)
}

/// Makes `out` a copy of `template` (nothing when nil), with no staging folder or lock beside it, so that every
/// render from the same starting state takes the same steps.
func resetOutput(_ out: String, to template: String?) throws {
  let parent = (out as NSString).deletingLastPathComponent
  let name = (out as NSString).lastPathComponent
  try removeTree(out)
  try removeTree(parent + "/." + name + ".rig-staging")
  try? FileManager.default.removeItem(atPath: parent + "/." + name + ".rig-lock")
  if let template { try copyTree(template, to: out) }
}

/// Extended attributes through the C library (Swift's Glibc module does not declare them).
enum Xattr {
  private typealias List = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>?, Int) -> Int
  private typealias Get =
    @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int)
    -> Int
  private typealias SetCall =
    @convention(c) (
      UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32
    ) -> Int32

  private static func symbol<Function>(_ name: String, _ type: Function.Type) throws -> Function {
    let address = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name), "no \(name) in the C library")
    return unsafeBitCast(address, to: type)
  }

  /// Sets `name` on `path` (not following a link).
  static func set(_ path: String, _ name: String, _ value: [UInt8]) throws {
    let call = try symbol("lsetxattr", SetCall.self)
    let status = value.withUnsafeBytes { call(path, name, $0.baseAddress, $0.count, 0) }
    try #require(status == 0, "lsetxattr \(name) on \(path): \(String(cString: strerror(errno)))")
  }

  /// Every extended attribute of `path` (not following a link) as `name=hex`, sorted.
  static func all(_ path: String) throws -> [String] {
    let list = try symbol("llistxattr", List.self)
    let get = try symbol("lgetxattr", Get.self)
    let size = list(path, nil, 0)
    guard size > 0 else { return [] }
    var names = [CChar](repeating: 0, count: size)
    let got = names.withUnsafeMutableBufferPointer { list(path, $0.baseAddress, $0.count) }
    try #require(got >= 0)
    var result: [String] = []
    for raw in names.prefix(got).split(separator: 0) {
      let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      var value = [UInt8](repeating: 0, count: 4096)
      let length = value.withUnsafeMutableBytes { get(path, name, $0.baseAddress, $0.count) }
      try #require(length >= 0, "lgetxattr \(name) on \(path)")
      result.append(name + "=" + value.prefix(length).map { String(format: "%02x", $0) }.joined())
    }
    return result.sorted()
  }

  /// A POSIX ACL as the kernel stores it in `system.posix_acl_access`/`_default`: the owner rwx, user `uid` rwx,
  /// the group r-x, the mask rwx, others r-x.
  static func acl(granting uid: UInt32) -> [UInt8] {
    var bytes: [UInt8] = []
    func u16(_ value: UInt16) { bytes += [UInt8(value & 0xff), UInt8(value >> 8)] }
    func u32(_ value: UInt32) {
      for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> shift) & 0xff)) }
    }
    u32(2)
    for (tag, perm, id) in [
      (UInt16(0x01), UInt16(7), UInt32.max), (0x02, 7, uid), (0x04, 5, UInt32.max), (0x10, 7, UInt32.max),
      (0x20, 5, UInt32.max),
    ] {
      u16(tag)
      u16(perm)
      u32(id)
    }
    return bytes
  }
}

/// Every entry under `folder`, hidden ones included, without following links: a file as its SHA-256, a folder as
/// `dir` and its mode (its path ending in `/`), a link as its target; each with its extended attributes. With
/// `inodes`, files also carry their inode.
func folderState(_ folder: String, inodes: Bool = false) throws -> [String: String] {
  var result: [String: String] = [:]
  let manager = FileManager.default
  var pending = [""]
  while let relative = pending.popLast() {
    for name in try manager.contentsOfDirectory(atPath: relative.isEmpty ? folder : folder + "/" + relative) {
      let path = relative.isEmpty ? name : relative + "/" + name
      let absolute = folder + "/" + path
      var info = stat()
      try #require(lstat(absolute, &info) == 0)
      let attributes = try Xattr.all(absolute).map { " " + $0 }.joined()
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        result[path + "/"] = "dir " + String(info.st_mode & 0o7777, radix: 8) + attributes
        pending.append(path)
      case S_IFLNK:
        result[path] = "link " + (try manager.destinationOfSymbolicLink(atPath: absolute)) + attributes
      case S_IFREG:
        let data = try #require(manager.contents(atPath: absolute))
        result[path] = Manifest.sha256(data) + (inodes ? " inode \(info.st_ino)" : "") + attributes
      default:
        result[path] = "special" + attributes
      }
    }
  }
  return result
}

/// Files, folders and a link of one's own in a rendered folder `out`: a folder `mine` with a `user.*` attribute
/// (and, as root, an access and a default ACL), a file in it with a `user.*` attribute, a file of one's own in a
/// folder of rig's, and a link. Returns their paths.
@discardableResult
func addUserFiles(to out: String) throws -> [String] {
  let manager = FileManager.default
  try manager.createDirectory(atPath: out + "/mine/deeper", withIntermediateDirectories: true)
  try "my notes\n".write(toFile: out + "/mine/notes.txt", atomically: false, encoding: .utf8)
  try "local\n".write(toFile: out + "/kubernetes/local.yaml", atomically: false, encoding: .utf8)
  try manager.createSymbolicLink(atPath: out + "/latest", withDestinationPath: "kubernetes")
  try Xattr.set(out + "/mine", "user.rig-test.folder", Array("kept\n".utf8))
  try Xattr.set(out + "/mine/notes.txt", "user.rig-test.file", Array("kept too".utf8))
  try Xattr.set(out + "/kubernetes", "user.rig-test.rigs", Array("on rig's folder".utf8))
  if geteuid() == 0 {
    try Xattr.set(out + "/mine", "system.posix_acl_access", Xattr.acl(granting: 4242))
    try Xattr.set(out + "/mine", "system.posix_acl_default", Xattr.acl(granting: 4243))
    try Xattr.set(out + "/latest", "trusted.rig-test.link", Array("on a link".utf8))
  }
  #expect(chmod(out + "/mine/deeper", 0o555) == 0)
  return ["mine/", "mine/deeper/", "mine/notes.txt", "kubernetes/local.yaml", "latest"]
}

/// A deterministic pseudo-random generator (SplitMix64), so that a failing run can be run again.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
