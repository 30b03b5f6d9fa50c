import Foundation
import Testing

/// The captures of Tests/Fixtures/hardware (byte-exact copies of the shared captures), unpacked into fresh temporary folders (never into the repository),
/// and the variations tests make of them, each said where it is made.
enum Captures {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/hardware").standardized.path

  static func path(_ relative: String) -> String { folder + "/" + relative }

  static func text(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

  /// A new empty folder under the temporary folder.
  static func scratch() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rig-probe-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }

  /// A tarball unpacked with tar(1) into a new folder.
  static func untar(_ relative: String) throws -> String {
    let into = try scratch()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["tar", "-xf", path(relative), "-C", into]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "tar -xf \(relative)")
    return into
  }

  /// A ttar archive (prometheus/procfs' text archive: `Directory:`, `Path:` with `Lines:` of content or
  /// `SymlinkTo:`, `Mode:`; `NULLBYTE` for a NUL, a last line ending in `EOF` for content without a final
  /// newline) unpacked into a new folder.
  static func unttar(_ relative: String) throws -> String {
    let into = try scratch()
    let lines = try text(relative).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var index = 0
    var current: String?
    let manager = FileManager.default
    while index < lines.count {
      let line = lines[index]
      index += 1
      if line.hasPrefix("Directory: ") {
        try manager.createDirectory(
          atPath: into + "/" + line.dropFirst(11), withIntermediateDirectories: true)
      } else if line.hasPrefix("Path: ") {
        current = String(line.dropFirst(6))
      } else if line.hasPrefix("Lines: "), let path = current, let count = Int(line.dropFirst(7)) {
        var content = lines[index..<min(index + count, lines.count)].joined(separator: "\n") + "\n"
        index += count
        if content.hasSuffix("EOF\n") { content = String(content.dropLast(4)) }
        content = content.replacingOccurrences(of: "NULLBYTE", with: "\0")
        let file = into + "/" + path
        try manager.createDirectory(
          atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: file))
      } else if line.hasPrefix("SymlinkTo: "), let path = current {
        let file = into + "/" + path
        try manager.createDirectory(
          atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? manager.createSymbolicLink(atPath: file, withDestinationPath: String(line.dropFirst(11)))
      }
    }
    return into
  }

  /// Copies Debian 13's os-release capture into `root`/etc/os-release: the sysfs captures hold no /etc.
  static func addDebianRelease(to root: String) throws {
    try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: path("os-release/python-distro-debian13-etc-os-release"), toPath: root + "/etc/os-release")
  }

  /// `MemTotal`-style value in kB from a meminfo file's line starting with `prefix`, read by the test itself.
  static func kilobytes(_ text: String, _ prefix: String) throws -> Int {
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(prefix) })
    return try #require(Int(line.dropFirst(prefix.count).split(separator: " ").first ?? ""))
  }
}
