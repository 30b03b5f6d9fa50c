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
  /// The column Swift reports for the call: its argument list, or the first character of a literal.
  public var column: Int

  /// A position; the defaults capture the caller's.
  public init(fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column) {
    self.fileID = fileID
    self.filePath = filePath
    self.line = line
    self.column = column
  }

  /// The range of a call to `callee`: Swift's column for a call is its opening parenthesis, so the callee's name
  /// ends there.
  func call(_ callee: String) -> SourceRange {
    let length = callee.unicodeScalars.count
    return SourceRange(
      start: SourceLocation(file: fileID, line: line, column: max(1, column - length)), length: length)
  }

  /// The range of the text inside a string literal that starts here, from scalar `offset` for `length` scalars.
  func literal(offset: Int = 0, length: Int) -> SourceRange {
    SourceRange(start: SourceLocation(file: fileID, line: line, column: column + 1 + offset), length: length)
  }
}

/// Where a DSL element is written: the position of its call and the name it was called by.
struct Site: Sendable {
  let position: SourcePosition
  let callee: String

  var range: SourceRange { position.call(callee) }
}
