/// A position in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The file as the user named it (a path relative to the working folder, or a Swift `#fileID`).
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  public var description: String { "\(file):\(line):\(column)" }

  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
  }

  /// The location `count` columns to the right on the same line.
  public func advanced(by count: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column + count)
  }
}

/// A span of source text; `end` is exclusive. A range may span lines, but snippets underline its first line only.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
  public var start: SourceLocation
  public var end: SourceLocation

  public init(start: SourceLocation, end: SourceLocation) {
    self.start = start
    self.end = end
  }

  /// A range of `length` columns starting at `start` (at least one column).
  public init(start: SourceLocation, length: Int) {
    self.start = start
    self.end = start.advanced(by: max(1, length))
  }

  public var description: String { start.description }

  /// The first character of `file`, for problems with a whole file.
  public static func start(of file: String) -> SourceRange {
    SourceRange(start: SourceLocation(file: file, line: 1, column: 1), length: 1)
  }

  /// The sub-range `offset ..< offset + length` columns into this range's first line.
  public func slice(offset: Int, length: Int) -> SourceRange {
    SourceRange(start: start.advanced(by: offset), length: length)
  }
}

/// A value together with where the user wrote it.
public struct Located<Value: Sendable>: Sendable {
  public var value: Value
  public var range: SourceRange?

  public init(_ value: Value, at range: SourceRange?) {
    self.value = value
    self.range = range
  }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
