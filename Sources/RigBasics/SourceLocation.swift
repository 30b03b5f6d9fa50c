/// A position in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The file as the user named it (a path relative to the working folder, or a Swift `#fileID`).
  public var file: String
  // Stored in 32 bits (clamped): every value and key of a project carries ranges, and an input file is at most
  // 1 MiB, so no line or column comes near the limit.
  private var storedLine: Int32
  private var storedColumn: Int32

  public var line: Int {
    get { Int(storedLine) }
    set { storedLine = Int32(clamping: newValue) }
  }

  public var column: Int {
    get { Int(storedColumn) }
    set { storedColumn = Int32(clamping: newValue) }
  }

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.storedLine = Int32(clamping: line)
    self.storedColumn = Int32(clamping: column)
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
  // The end is in the start's file: only its line and column are stored, so a range holds one file name.
  private var endLine: Int32
  private var endColumn: Int32

  /// Where the range stops (exclusive), in the start's file.
  public var end: SourceLocation {
    get { SourceLocation(file: start.file, line: Int(endLine), column: Int(endColumn)) }
    set {
      endLine = Int32(clamping: newValue.line)
      endColumn = Int32(clamping: newValue.column)
    }
  }

  /// From `start` to `end`, which must be in the same file.
  public init(start: SourceLocation, end: SourceLocation) {
    self.start = start
    self.endLine = Int32(clamping: end.line)
    self.endColumn = Int32(clamping: end.column)
  }

  /// A range of `length` columns starting at `start` (at least one column).
  public init(start: SourceLocation, length: Int) {
    self.init(start: start, end: start.advanced(by: max(1, length)))
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
