/// The text of every source file a run read, so diagnostics can quote the offending line.
public struct SourceFiles: Sendable {
  private var lines: [String: [[Unicode.Scalar]]] = [:]

  public init() {}

  /// Remembers `text` as the contents of `file`.
  public mutating func add(file: String, text: String) {
    lines[file] = Self.lines(of: text)
  }

  /// Remembers the contents of `file` as its `lines` (from `lines(of:)`), shared with whoever else holds them.
  public mutating func add(file: String, lines: [[Unicode.Scalar]]) {
    self.lines[file] = lines
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
    var result: [[Unicode.Scalar]] = []
    var current: [Unicode.Scalar] = []
    var position = LinePosition()
    for scalar in text.unicodeScalars {
      let line = position.line
      position.advance(past: scalar)
      if position.line != line {
        result.append(current)
        current = []
      } else if !isLineBreak(scalar) {
        current.append(scalar)
      }
    }
    result.append(current)
    return result
  }

  /// The 1-based `line` of `file` as Unicode scalars, without its line break; nil when unknown.
  public func scalars(ofLine line: Int, in file: String) -> [Unicode.Scalar]? {
    guard let all = lines[file], line >= 1, line <= all.count else { return nil }
    return all[line - 1]
  }

  /// The 1-based `line` of `file`, without its line break; nil when unknown.
  public func line(_ line: Int, of file: String) -> String? {
    scalars(ofLine: line, in: file).map { String(String.UnicodeScalarView($0)) }
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
