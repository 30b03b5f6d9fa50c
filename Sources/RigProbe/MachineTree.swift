import Foundation
import RigBasics

/// What went wrong reading a machine: the file (as the machine names it, `/proc/meminfo`, and where it was read
/// from under `--root`), what is wrong with it, and what to do.
public struct ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The file as it was opened (under the root when one was given).
  public var file: String
  public var message: String
  public var hint: String?

  public init(file: String, _ message: String, hint: String? = nil) {
    self.file = file
    self.message = message
    self.hint = hint
  }

  public var description: String { "\(file): \(message)" + (hint.map { "\nhelp: \($0)" } ?? "") }
}

/// The files of one machine: the live one (`/`) or a captured tree whose folders are laid out as on the machine
/// (`--root DIR`: `DIR/sys/devices/system/cpu/...`, `DIR/proc/meminfo`, `DIR/etc/os-release`).
public struct MachineTree: Sendable {
  public var root: String

  public init(root: String = "/") { self.root = root }

  /// Where `path` (absolute on the machine) is read from.
  public func location(_ path: String) -> String {
    root == "/" ? path : (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
  }

  public func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: location(path)) }

  /// The text of `path`, nil when it does not exist; an error when it exists but cannot be read as UTF-8 text.
  public func text(_ path: String) throws(ProbeError) -> String? {
    let file = location(path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { return nil }
    guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: file) else {
      throw ProbeError(file: file, "cannot be read")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw ProbeError(file: file, "is not UTF-8 text") }
    return text
  }

  /// The text of `path`, which must exist; `why` says what it is needed for.
  public func required(_ path: String, for why: String) throws(ProbeError) -> String {
    guard let text = try text(path) else {
      throw ProbeError(file: location(path), "missing; it is where Linux reports \(why)")
    }
    return text
  }

  /// The one-line value of a sysfs attribute, trimmed; nil when it does not exist.
  public func attribute(_ path: String) throws(ProbeError) -> String? {
    try text(path)?.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A sysfs CPU list (`0-3,8`; empty for none), nil when the file does not exist.
  public func cpuList(_ path: String) throws(ProbeError) -> CPUList? {
    guard let text = try attribute(path) else { return nil }
    if text.isEmpty { return CPUList([]) }
    switch CPUList.parse(text, lastCPU: nil) {
    case .success(let list): return list
    case .failure(let problem):
      throw ProbeError(file: location(path), "'\(text)' is not a CPU list (\(problem.message))")
    }
  }

  /// A whole number in a sysfs attribute, nil when the file does not exist.
  public func integer(_ path: String) throws(ProbeError) -> Int? {
    guard let text = try attribute(path) else { return nil }
    guard let value = Int(text) else { throw ProbeError(file: location(path), "'\(text)' is not a whole number") }
    return value
  }

  /// The names in a folder, sorted; empty when it does not exist.
  public func entries(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: location(path))) ?? []).sorted()
  }
}
