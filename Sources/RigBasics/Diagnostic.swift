/// How bad a diagnostic is.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
  case note
  case warning
  case error

  private var rank: Int {
    switch self {
    case .note: 0
    case .warning: 1
    case .error: 2
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A stable identifier of a kind of diagnostic, such as `unknown-key`; printed as `[unknown-key]`.
public struct DiagnosticID: RawRepresentable, Sendable, Hashable, Comparable, ExpressibleByStringLiteral,
  CustomStringConvertible
{
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }
  public static func < (lhs: DiagnosticID, rhs: DiagnosticID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A typed message: each module declares its messages as values of a type conforming to this protocol.
public protocol DiagnosticMessage: Sendable {
  var id: DiagnosticID { get }
  var severity: Severity { get }
  /// Lowercase, no final period, names in single quotes.
  var text: String { get }
}

/// A secondary message attached to a diagnostic, optionally pointing at another place.
public struct DiagnosticNote: Sendable, Hashable {
  public var message: String
  public var range: SourceRange?

  public init(_ message: String, at range: SourceRange? = nil) {
    self.message = message
    self.range = range
  }
}

/// One step of a chain of reasoning under a diagnostic, such as a resolver's explanation: the statement and
/// where its fact is written (a place in the user's files, or another reference such as a catalog entry).
public struct ExplanationLine: Sendable, Hashable {
  public var text: String
  public var range: SourceRange?
  /// Where the fact comes from when it is not in the user's files, such as `catalog nvidia-cuda:42`.
  public var reference: String?

  public init(_ text: String, at range: SourceRange? = nil, reference: String? = nil) {
    self.text = text
    self.range = range
    self.reference = reference
  }

  /// The location as printed: `file:line:col` or the reference.
  public var locationText: String? { range.map { "\($0.start)" } ?? reference }
}

/// One finding about the user's input.
public struct Diagnostic: Sendable, Hashable {
  public var id: DiagnosticID
  public var severity: Severity
  public var message: String
  public var range: SourceRange?
  public var notes: [DiagnosticNote]
  /// What to change; rendered as `help:` lines.
  public var help: [String]
  /// The reasoning that leads to the message, printed under it, each line with the place of its fact.
  public var explanation: [ExplanationLine] = []

  public init(
    _ message: some DiagnosticMessage, at range: SourceRange?, notes: [DiagnosticNote] = [],
    help: [String] = []
  ) {
    self.id = message.id
    self.severity = message.severity
    self.message = message.text
    self.range = range
    self.notes = notes
    self.help = help
  }

  public init(
    id: DiagnosticID, severity: Severity, message: String, range: SourceRange?,
    notes: [DiagnosticNote] = [], help: [String] = []
  ) {
    self.id = id
    self.severity = severity
    self.message = message
    self.range = range
    self.notes = notes
    self.help = help
  }
}

/// Collects diagnostics in the order they are found, keeping at most `limit` (like clang's `-ferror-limit`) so
/// a broken generated file cannot flood a terminal or a CI log; the rest are only counted.
public struct DiagnosticEngine: Sendable {
  /// How many diagnostics are kept by default.
  public static let defaultLimit = 100

  public private(set) var diagnostics: [Diagnostic] = []
  public let limit: Int
  /// Diagnostics found past the limit, counted but not kept.
  public private(set) var omitted = 0
  public private(set) var errorCount = 0
  public private(set) var warningCount = 0

  public init(limit: Int = DiagnosticEngine.defaultLimit) {
    self.limit = limit
  }

  public var hasErrors: Bool { errorCount > 0 }

  public mutating func emit(_ diagnostic: Diagnostic) {
    switch diagnostic.severity {
    case .error: errorCount += 1
    case .warning: warningCount += 1
    case .note: break
    }
    if diagnostics.count < limit {
      diagnostics.append(diagnostic)
    } else {
      omitted += 1
    }
  }

  public mutating func emit(
    _ message: some DiagnosticMessage, at range: SourceRange?, notes: [DiagnosticNote] = [],
    help: [String] = []
  ) {
    emit(Diagnostic(message, at: range, notes: notes, help: help))
  }

  public mutating func append(contentsOf other: DiagnosticEngine) {
    for diagnostic in other.diagnostics { emit(diagnostic) }
    omitted += other.omitted
  }

  /// The diagnostics in a stable order: by file, line and column; those without a location first.
  public var sorted: [Diagnostic] {
    diagnostics.enumerated().sorted { a, b in
      switch (a.element.range?.start, b.element.range?.start) {
      case (nil, nil): return a.offset < b.offset
      case (nil, _): return true
      case (_, nil): return false
      case (let x?, let y?): return x == y ? a.offset < b.offset : x < y
      }
    }.map(\.element)
  }
}
