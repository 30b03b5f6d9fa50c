import Foundation
import RigBasics

/// Where a DSL value is written in a Swift file: what `#fileID`, `#filePath`, `#line` and `#column` say at the
/// call. Diagnostics show the `#fileID` (`MyRig/Workstation.swift:12:5`); `#filePath` lets rig quote the line.
public struct SourcePosition: Sendable, Hashable {
  /// `Module/File.swift`, as Swift's `#fileID`.
  public var fileID: String
  /// The file's full path, as Swift's `#filePath`; read only to quote the offending line.
  public var filePath: String
  /// The 1-based line.
  public var line: Int
  /// The column Swift reports, in UTF-8 bytes from 1: a call's `(` (or `{` for a trailing closure alone), or the
  /// first character of an expression such as a string literal. Lowering turns it into the column of the name
  /// called, counted in Unicode scalars like every rig location, by reading the line.
  public var column: Int

  /// A position; the defaults capture the caller's.
  public init(fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) {
    self.fileID = fileID
    self.filePath = filePath
    self.line = line
    self.column = column
  }

  /// The range of a call to `callee` when the line cannot be read: the name is assumed to end right before the
  /// column (`Name(`), and the line to be ASCII.
  func call(_ callee: String) -> SourceRange {
    let length = callee.unicodeScalars.count
    return SourceRange(
      start: SourceLocation(file: fileID, line: line, column: max(1, column - length)), length: length)
  }
}

/// Where a DSL element is written: the position of its call and the name it was called by.
struct Site: Sendable {
  let position: SourcePosition
  let callee: String
}

/// Locations in the Swift files a description was written in, read once per file: Swift's byte columns become
/// scalar columns, a call's column moves to the name called, and a string literal is checked before a column inside
/// it is trusted.
struct SourceLines {
  /// `#fileID` → `#filePath`, for every file a location came from.
  var paths: [String: String] = [:]
  /// The text of every file that could be read, keyed by `#fileID`.
  var sources = SourceFiles()

  /// The line of `position` as scalars; nil when the file cannot be read.
  mutating func line(of position: SourcePosition) -> [Unicode.Scalar]? {
    if paths[position.fileID] == nil {
      paths[position.fileID] = position.filePath
      if let text = try? String(contentsOfFile: position.filePath, encoding: .utf8) {
        sources.add(file: position.fileID, text: text)
      }
    }
    return sources.scalars(ofLine: position.line, in: position.fileID)
  }

  /// The 0-based scalar index in `line` of Swift's 1-based byte column; nil when it is not on a scalar boundary.
  static func index(in line: [Unicode.Scalar], byteColumn: Int) -> Int? {
    var bytes = 0
    for (index, scalar) in line.enumerated() {
      if bytes == byteColumn - 1 { return index }
      bytes += UTF8.width(scalar)
    }
    return bytes == byteColumn - 1 ? line.count : nil
  }

  func location(_ position: SourcePosition, index: Int) -> SourceLocation {
    SourceLocation(file: position.fileID, line: position.line, column: index + 1)
  }

  /// Where the call of `site` names its callee: the name right before the `(` or `{` Swift points at, spaces
  /// between allowed; else the column itself.
  mutating func range(of site: Site) -> SourceRange {
    let position = site.position
    let name = Array(site.callee.unicodeScalars)
    guard let line = line(of: position), let column = Self.index(in: line, byteColumn: position.column) else {
      return position.call(site.callee)
    }
    var end = column
    while end > 0, line[end - 1] == " " { end -= 1 }
    if end >= name.count, Array(line[(end - name.count)..<end]) == name {
      return SourceRange(start: location(position, index: end - name.count), length: name.count)
    }
    return SourceRange(start: location(position, index: min(column, line.count)), length: 1)
  }

  /// For a string whose expression starts at `position`: a function from an offset and a length in `text` to its
  /// range in the file, when the expression is a plain literal holding exactly `text` (no escapes, interpolation or
  /// raw delimiters); else nil.
  mutating func literal(at position: SourcePosition, text: String) -> ((Int, Int) -> SourceRange)? {
    let content = Array(text.unicodeScalars)
    guard let line = line(of: position), let start = Self.index(in: line, byteColumn: position.column),
      start + content.count + 1 < line.count, line[start] == "\"", line[start + content.count + 1] == "\"",
      Array(line[(start + 1)..<(start + 1 + content.count)]) == content
    else { return nil }
    let lines = self
    return { offset, length in
      SourceRange(start: lines.location(position, index: start + 1 + offset), length: max(1, length))
    }
  }

  /// The range of an expression that starts at `position`, one scalar long.
  mutating func start(of position: SourcePosition) -> SourceRange {
    guard let line = line(of: position), let index = Self.index(in: line, byteColumn: position.column) else {
      return SourceRange(
        start: SourceLocation(file: position.fileID, line: position.line, column: position.column), length: 1)
    }
    return SourceRange(start: location(position, index: index), length: 1)
  }
}
