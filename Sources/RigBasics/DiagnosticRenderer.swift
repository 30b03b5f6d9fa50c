/// Whether rendered diagnostics carry ANSI colors.
public enum ColorMode: String, Sendable, CaseIterable {
  case auto
  case always
  case never

  /// Decides for a stream: `always` and `never` win; `auto` colors a terminal unless `NO_COLOR` is set
  /// to a non-empty value or `TERM` is `dumb` (https://no-color.org).
  public func resolve(isTerminal: Bool, environment: [String: String]) -> Bool {
    switch self {
    case .always: return true
    case .never: return false
    case .auto:
      if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
      if environment["TERM"] == "dumb" { return false }
      return isTerminal
    }
  }
}

/// Renders diagnostics the way the Swift compiler does: a `path:line:col: severity: message [id]` header,
/// the source line under a numbered gutter with a caret under the offending token, then notes and help.
public struct DiagnosticRenderer: Sendable {
  public var sources: SourceFiles
  public var colors: Bool

  public init(sources: SourceFiles, colors: Bool) {
    self.sources = sources
    self.colors = colors
  }

  /// All diagnostics in stable order, each followed by a blank line, then a summary line when any exist.
  public func render(_ engine: DiagnosticEngine) -> String {
    var out = ""
    for diagnostic in engine.sorted {
      out += render(diagnostic)
      out += "\n"
    }
    if engine.omitted > 0 {
      out += "note: \(engine.omitted) more not shown; rig lists the first \(engine.limit)\n\n"
    }
    if let summary = summary(errors: engine.errorCount, warnings: engine.warningCount) {
      out += summary + "\n"
    }
    return out
  }

  /// The closing line such as `2 errors, 1 warning`, or nil when there is nothing to report.
  public func summary(errors: Int, warnings: Int) -> String? {
    var parts: [String] = []
    if errors > 0 { parts.append(errors == 1 ? "1 error" : "\(errors) errors") }
    if warnings > 0 { parts.append(warnings == 1 ? "1 warning" : "\(warnings) warnings") }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  /// One diagnostic with its snippets, notes and help lines.
  public func render(_ diagnostic: Diagnostic) -> String {
    var out = header(
      range: diagnostic.range, severity: diagnostic.severity.rawValue,
      color: color(for: diagnostic.severity), message: diagnostic.message,
      suffix: " [\(diagnostic.id.rawValue)]")
    if let range = diagnostic.range { out += snippet(range) }
    out += explanation(diagnostic.explanation)
    for note in diagnostic.notes {
      out += header(range: note.range, severity: "note", color: Style.note, message: note.message, suffix: "")
      if let range = note.range { out += snippet(range) }
    }
    for help in diagnostic.help {
      out += paint("help", Style.help) + paint(":", Style.bold) + " " + help + "\n"
    }
    return out
  }

  /// Explanation lines indented under the message, their locations aligned in a column on the right (as
  /// SPEC §2 shows); a line longer than the column gets its location after two spaces.
  private func explanation(_ lines: [ExplanationLine]) -> String {
    guard !lines.isEmpty else { return "" }
    let column = min(72, lines.map { $0.text.count }.max() ?? 0)
    var out = ""
    for line in lines {
      var text = "  " + line.text
      if let location = line.locationText {
        text += String(repeating: " ", count: max(2, column - line.text.count + 2)) + paint("(\(location))", Style.note)
      }
      out += text + "\n"
    }
    return out
  }

  private func header(range: SourceRange?, severity: String, color: String, message: String, suffix: String)
    -> String
  {
    var out = ""
    if let range { out += paint("\(range.start):", Style.bold) + " " }
    out += paint(severity + ":", color) + " " + paint(message, Style.bold) + suffix + "\n"
    return out
  }

  /// Longest source line quoted whole; longer ones are cut to a window around the caret.
  static let maxSnippetWidth = 120

  private func snippet(_ range: SourceRange) -> String {
    guard let all = sources.scalars(ofLine: range.start.line, in: range.start.file) else { return "" }
    var scalars = all[...]
    let number = String(range.start.line)
    let gutter = String(repeating: " ", count: number.count)
    var startColumn = min(max(range.start.column, 1), scalars.count + 1)
    var endColumn: Int
    if range.end.line == range.start.line {
      endColumn = min(max(range.end.column, startColumn + 1), max(scalars.count + 1, startColumn + 1))
    } else {
      endColumn = max(scalars.count + 1, startColumn + 1)
    }
    if scalars.count > Self.maxSnippetWidth {
      let from = max(0, min(startColumn - 1 - 40, scalars.count - 100))
      let to = min(scalars.count, from + 100)
      let prefix: [Unicode.Scalar] = from > 0 ? ["…"] : []
      let suffix: [Unicode.Scalar] = to < scalars.count ? ["…"] : []
      scalars = (prefix + scalars[from..<to] + suffix)[...]
      startColumn = startColumn - from + prefix.count
      endColumn = min(endColumn - from + prefix.count, prefix.count + (to - from) + 1)
      endColumn = max(endColumn, startColumn + 1)
    }
    // Tabs count as one column in YAML marks, so print them as one space to keep carets aligned.
    // A control character would move the cursor; print it as one replacement character to keep columns.
    let line = String(
      String.UnicodeScalarView(
        scalars.map { $0 == "\t" ? " " : $0.escapedForDisplay.unicodeScalars.count == 1 ? $0 : "\u{FFFD}" }))
    let marker = "^" + String(repeating: "~", count: endColumn - startColumn - 1)
    var out = paint(number + " |", Style.gutter) + (line.isEmpty ? "" : " " + line) + "\n"
    out +=
      paint(gutter + " |", Style.gutter) + " " + String(repeating: " ", count: startColumn - 1)
      + paint(marker, Style.caret) + "\n"
    return out
  }

  private func color(for severity: Severity) -> String {
    switch severity {
    case .error: Style.error
    case .warning: Style.warning
    case .note: Style.note
    }
  }

  private func paint(_ text: String, _ style: String) -> String {
    colors ? "\u{1B}[\(style)m\(text)\u{1B}[0m" : text
  }

  private enum Style {
    static let bold = "1"
    static let error = "1;31"
    static let warning = "1;35"
    static let note = "1;36"
    static let help = "1;32"
    static let caret = "1;32"
    static let gutter = "34"
  }
}
