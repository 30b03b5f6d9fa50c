import Crypto
import Foundation
import RigBasics
import RigEmitters
import RigModel

/// The list of files rig wrote into an output folder (`.rig-manifest.json` at its top): what rig owns there.
/// rig replaces and removes the files it lists and never touches any other file.
public struct Manifest: Sendable, Hashable {
  /// The manifest's name in the output folder.
  public static let fileName = ".rig-manifest.json"
  /// The layout this rig writes and reads.
  public static let formatVersion = 1

  /// One file rig wrote: its path under the folder, the target that made it and the SHA-256 of its bytes.
  public struct Entry: Sendable, Hashable {
    public var path: String
    public var target: String
    public var sha256: String
  }

  /// The project (`name:` of rig.yaml) whose artifacts these are.
  public var project: String
  /// Sorted by path; paths are unique.
  public var entries: [Entry]

  /// The entries by path.
  var byPath: [String: Entry] { Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first }) }

  /// The manifest as written: sorted, no time stamps, so equal folders have equal manifests.
  public func serialized() -> String {
    JSONValue.object([
      ("format_version", .int(Manifest.formatVersion)), ("generator", .string("rig")),
      ("project", .string(project)),
      (
        "files",
        .array(
          entries.map {
            .object([("path", .string($0.path)), ("target", .string($0.target)), ("sha256", .string($0.sha256))])
          })
      ),
    ]).serialized()
  }

  /// Reads a manifest; the error says what is wrong, for a `bad-manifest` diagnostic.
  public static func parse(_ data: Data, targets: Set<String>) -> Result<Manifest, ManifestError> {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      return .failure(ManifestError(reason: "it is not a JSON object"))
    }
    guard let version = object["format_version"] as? Int else {
      return .failure(ManifestError(reason: "'format_version' is missing"))
    }
    guard version == formatVersion else {
      return .failure(
        ManifestError(
          reason: "it has format version \(version) and this rig reads version \(formatVersion)"))
    }
    guard let project = object["project"] as? String, let files = object["files"] as? [Any] else {
      return .failure(ManifestError(reason: "'project' or 'files' is missing"))
    }
    var entries: [Entry] = []
    for (index, item) in files.enumerated() {
      guard let file = item as? [String: Any], let path = file["path"] as? String,
        let target = file["target"] as? String, let sha256 = file["sha256"] as? String
      else {
        return .failure(ManifestError(reason: "entry \(index + 1) of 'files' lacks 'path', 'target' or 'sha256'"))
      }
      // rig writes a target's files under the target's folder only (a fleet host's under `hosts/HOST/TARGET/`):
      // anything else is not a list rig wrote.
      guard isSafeRelativePath(path), targets.contains(target),
        Artifact(path: path, contents: "").target == target, path.count > target.count + 1
      else {
        return .failure(
          ManifestError(reason: "entry \(index + 1) names '\(path)' of target '\(target)', which rig never writes"))
      }
      guard isSHA256(sha256) else {
        return .failure(ManifestError(reason: "entry \(index + 1) has no SHA-256 (64 lowercase hexadecimal digits)"))
      }
      entries.append(Entry(path: path, target: target, sha256: sha256))
    }
    guard Set(entries.map(\.path)).count == entries.count else {
      return .failure(ManifestError(reason: "it lists a path twice"))
    }
    return .success(Manifest(project: project, entries: entries.sorted { $0.path < $1.path }))
  }

  /// Whether `text` is a SHA-256 as rig writes it: 64 lowercase hexadecimal digits.
  public static func isSHA256(_ text: String) -> Bool {
    text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
  }

  /// The SHA-256 of `data` in lowercase hexadecimal, as `sha256sum` prints it.
  public static func sha256(_ data: Data) -> String {
    hexadecimal(SHA256.hash(data: data))
  }

  /// The SHA-256 of `text`'s UTF-8 bytes (a file rig writes), without copying them.
  public static func sha256(_ text: String) -> String {
    var text = text
    return text.withUTF8 { hexadecimal(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
  }

  private static func hexadecimal(_ digest: SHA256.Digest) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var characters: [UInt8] = []
    characters.reserveCapacity(2 * SHA256.byteCount)
    for byte in digest {
      characters.append(digits[Int(byte >> 4)])
      characters.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: characters, as: UTF8.self)
  }
}

/// Why a manifest could not be read.
public struct ManifestError: Error, Sendable, Hashable {
  public var reason: String
}

/// Whether `path` is relative, `/`-separated and stays inside its folder: no empty, `.` or `..` component.
package func isSafeRelativePath(_ path: String) -> Bool {
  // Each part between slashes (and the ends) is neither empty nor `.` nor `..`; read as bytes, splitting nothing.
  var partLength = 0
  var dots = 0
  for byte in path.utf8 {
    if byte == UInt8(ascii: "/") {
      guard partLength > 0, dots < partLength || partLength > 2 else { return false }
      partLength = 0
      dots = 0
    } else {
      partLength += 1
      if byte == UInt8(ascii: ".") { dots += 1 }
    }
  }
  return partLength > 0 && (dots < partLength || partLength > 2)
}
