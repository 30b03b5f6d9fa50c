import Foundation
import RigBasics
import RigRules

/// The memory the kernel manages, and where it was read.
public struct ProbedMemory: Sendable, Hashable {
  public var total: ByteCount
  public var source: String
}

extension ProbedMemory {
  /// `MemTotal` of /proc/meminfo (proc(5): "Total usable RAM (i.e., physical RAM minus a few reserved bits and
  /// the kernel binary code)", in kB, which the kernel means as KiB); where /proc is not captured, the sum of
  /// the NUMA nodes' `Node N MemTotal` in /sys/devices/system/node/nodeN/meminfo.
  public static func read(_ tree: MachineTree) throws(ProbeError) -> ProbedMemory {
    if let meminfo = try tree.text("/proc/meminfo") {
      guard let kib = try memTotal(meminfo, prefix: "MemTotal:", file: tree.location("/proc/meminfo")) else {
        throw ProbeError(file: tree.location("/proc/meminfo"), "has no MemTotal line")
      }
      return ProbedMemory(total: .kib(kib), source: "MemTotal in /proc/meminfo: \(kib) kB")
    }
    let nodes = tree.entries("/sys/devices/system/node").filter {
      $0.hasPrefix("node") && Int($0.dropFirst(4)) != nil
    }
    guard !nodes.isEmpty else {
      throw ProbeError(
        file: tree.location("/proc/meminfo"), "missing, and so is /sys/devices/system/node; rig cannot tell the memory")
    }
    var total = 0
    for node in nodes {
      let path = "/sys/devices/system/node/\(node)/meminfo"
      let text = try tree.required(path, for: "a NUMA node's memory")
      guard let kib = try memTotal(text, prefix: "Node \(node.dropFirst(4)) MemTotal:", file: tree.location(path))
      else { throw ProbeError(file: tree.location(path), "has no 'Node \(node.dropFirst(4)) MemTotal' line") }
      total += kib
    }
    return ProbedMemory(
      total: .kib(total), source: "the sum of MemTotal in /sys/devices/system/node/node*/meminfo: \(total) kB")
  }

  static func memTotal(_ text: String, prefix: String, file: String) throws(ProbeError) -> Int? {
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
    let fields = line.dropFirst(prefix.count).split(separator: " ")
    guard fields.count == 2, fields[1] == "kB", let kib = Int(fields[0]), kib > 0 else {
      throw ProbeError(file: file, "'\(line)' is not '\(prefix) N kB'")
    }
    return kib
  }
}

/// The operating system release, and where it was read.
public struct ProbedOS: Sendable, Hashable {
  public var distribution: String
  public var release: String
  public var source: String
}

extension ProbedOS {
  /// /etc/os-release, else /usr/lib/os-release (os-release(5): "The file /etc/os-release takes precedence over
  /// /usr/lib/os-release"): `ID` and `VERSION_CODENAME`, which must be a Debian release rig compiles for.
  public static func read(_ tree: MachineTree) throws(ProbeError) -> ProbedOS {
    let path = tree.exists("/etc/os-release") ? "/etc/os-release" : "/usr/lib/os-release"
    let text = try tree.required(path, for: "the operating system release (os-release(5))")
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
      var value = line[line.index(after: equals)...]
      if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
        value = value.dropFirst().dropLast()
      }
      fields[String(line[..<equals])] = String(value)
    }
    let file = tree.location(path)
    guard let id = fields["ID"] else { throw ProbeError(file: file, "has no ID line") }
    guard RigSchema.distributions.contains(id) else {
      throw ProbeError(
        file: file, "says the machine runs \(fields["PRETTY_NAME"] ?? id); rig compiles for Debian only",
        hint: "run rig probe on a Debian \(RigSchema.releases.joined(separator: " or ")) machine")
    }
    guard let codename = fields["VERSION_CODENAME"], RigSchema.releases.contains(codename) else {
      throw ProbeError(
        file: file,
        "says the release is \(fields["VERSION_CODENAME"].map { "'\($0)'" } ?? "not named (no VERSION_CODENAME)"); "
          + "rig compiles for \(RigSchema.releases.joined(separator: " and "))")
    }
    let version = fields["VERSION_ID"].map { " (Debian \($0))" } ?? ""
    return ProbedOS(distribution: id, release: codename, source: "ID and VERSION_CODENAME in \(path)\(version)")
  }
}
