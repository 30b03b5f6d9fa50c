/// The text of every source file a run read, so diagnostics can quote the offending line.
public struct SourceFiles: Sendable {
  private var lines: [String: [String]] = [:]

  public init() {}

  /// Remembers `text` as the contents of `file`.
  public mutating func add(file: String, text: String) {
    lines[file] = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
    }
  }

  /// The 1-based `line` of `file`, without its line break; nil when unknown.
  public func line(_ line: Int, of file: String) -> String? {
    guard let all = lines[file], line >= 1, line <= all.count else { return nil }
    return all[line - 1]
  }
}
