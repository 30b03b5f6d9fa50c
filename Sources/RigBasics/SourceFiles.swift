/// The text of every source file a run read, so diagnostics can quote the offending line.
public struct SourceFiles: Sendable {
  private var texts: [String: SourceText] = [:]

  public init() {}

  /// Remembers `text` as the contents of `file`.
  public mutating func add(file: String, text: String) {
    texts[file] = SourceText(text)
  }

  /// The files read, as displayed, sorted.
  public var files: [String] { texts.keys.sorted() }

  /// Remembers `source` as the contents of `file`.
  public mutating func add(file: String, source: SourceText) {
    texts[file] = source
  }

  /// Whether `scalar` breaks a line as YAML (libyaml) counts lines: LF, CR, NEL, LS and PS; CR LF is one break.
  public static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": true
    default: false
    }
  }

  /// `text` cut into lines the way YAML marks count them, without the breaks.
  public static func lines(of text: String) -> [[Unicode.Scalar]] {
    let source = SourceText(text)
    return source.lines.map { Array(source.text.unicodeScalars[$0]) }
  }

  /// The 1-based `line` of `file` as Unicode scalars, without its line break; nil when unknown.
  public func scalars(ofLine line: Int, in file: String) -> [Unicode.Scalar]? {
    guard let source = texts[file], line >= 1, line <= source.lines.count else { return nil }
    return Array(source.text.unicodeScalars[source.lines[line - 1]])
  }

  /// The 1-based `line` of `file`, without its line break; nil when unknown.
  public func line(_ line: Int, of file: String) -> String? {
    scalars(ofLine: line, in: file).map { String(String.UnicodeScalarView($0)) }
  }
}

/// A file's text and where each of its lines is, as YAML marks count lines: kept as the text itself (UTF-8)
/// rather than as arrays of scalars, four times its size, since every file read is kept until the end of a run.
public struct SourceText: Sendable {
  public let text: String
  /// Each line's scalars, without its line break.
  public let lines: [Range<String.Index>]

  public init(_ text: String) {
    self.text = text
    let scalars = text.unicodeScalars
    var lines: [Range<String.Index>] = []
    var position = LinePosition()
    var start = scalars.startIndex
    var end = start
    var index = start
    while index < scalars.endIndex {
      let scalar = scalars[index]
      let next = scalars.index(after: index)
      let line = position.line
      position.advance(past: scalar)
      if position.line != line {
        lines.append(start..<end)
        start = next
        end = next
      } else if SourceFiles.isLineBreak(scalar) {
        // The LF of a CR LF, at the start of the line the CR began.
        start = next
        end = next
      } else {
        end = next
      }
      index = next
    }
    lines.append(start..<end)
    self.lines = lines
  }
}

/// Line and column (1-based, in scalars) while walking text scalar by scalar, counting line breaks as YAML does.
public struct LinePosition: Sendable, Hashable {
  public private(set) var line = 1
  public private(set) var column = 1
  private var previousWasCR = false

  public init() {}

  /// Moves past `scalar`: a line break starts the next line (CR LF counts once), anything else the next column.
  public mutating func advance(past scalar: Unicode.Scalar) {
    if scalar == "\n", previousWasCR {
      previousWasCR = false
      return
    }
    previousWasCR = scalar == "\r"
    if SourceFiles.isLineBreak(scalar) {
      line += 1
      column = 1
    } else {
      column += 1
    }
  }
}
