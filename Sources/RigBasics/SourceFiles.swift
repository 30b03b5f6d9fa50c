/// The text of every source file a run read, so diagnostics can quote the offending line.
public struct SourceFiles: Sendable {
  private var lines: [String: [[Unicode.Scalar]]] = [:]

  public init() {}

  /// Remembers `text` as the contents of `file`.
  public mutating func add(file: String, text: String) {
    lines[file] = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      Array((line.hasSuffix("\r") ? line.dropLast() : line).unicodeScalars)
    }
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
