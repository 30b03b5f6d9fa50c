/// A JSON document whose objects keep their key order, so serialized output is byte-for-byte stable.
public indirect enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int)
  /// A number that may have a fraction, as its decimal text (`80.5`), written as is; the caller makes it one.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.int(let a), .int(let b)): a == b
    case (.number(let a), .number(let b)): a == b
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
    default: false
    }
  }

  public func hash(into hasher: inout Hasher) {
    switch self {
    case .null: hasher.combine(0)
    case .bool(let b): hasher.combine(b)
    case .int(let i): hasher.combine(i)
    case .number(let n): hasher.combine(n)
    case .string(let s): hasher.combine(s)
    case .array(let a): hasher.combine(a)
    case .object(let o):
      for (key, value) in o {
        hasher.combine(key)
        hasher.combine(value)
      }
    }
  }

  /// An object with `value` as its last member `key`; any other value as it is.
  public func appending(_ key: String, _ value: JSONValue) -> JSONValue {
    guard case .object(let members) = self else { return self }
    return .object(members + [(key, value)])
  }

  /// The value of an object's member `key`; nil for another key or another kind of value.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }

  /// Pretty-printed with two-space indentation and a final newline.
  public func serialized() -> String {
    var out = ""
    write(to: &out, indent: 0)
    out += "\n"
    return out
  }

  /// On one line, without spaces or a final newline (a line of a JSON Lines file).
  public func line() -> String {
    var out = ""
    write(to: &out, indent: nil)
    return out
  }

  /// Writes the value, pretty-printed at `indent` levels, or on one line when `indent` is nil.
  private func write(to out: inout String, indent: Int?) {
    let pad = indent.map { "\n" + String(repeating: "  ", count: $0 + 1) } ?? ""
    let closePad = indent.map { "\n" + String(repeating: "  ", count: $0) } ?? ""
    let inner = indent.map { $0 + 1 }
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .number(let n): out += n
    case .string(let s): out += JSONValue.quote(s)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "["
      for (index, item) in items.enumerated() {
        out += index == 0 ? pad : "," + pad
        item.write(to: &out, indent: inner)
      }
      out += closePad + "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      for (index, (key, value)) in members.enumerated() {
        out += (index == 0 ? pad : "," + pad) + JSONValue.quote(key) + (indent == nil ? ":" : ": ")
        value.write(to: &out, indent: inner)
      }
      out += closePad + "}"
    }
  }

  /// A JSON string literal (RFC 8259 escapes).
  public static func quote(_ string: String) -> String {
    var out = "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}

extension DiagnosticEngine {
  /// The version of the `--format json` document; bumped on any incompatible change.
  public static let jsonFormatVersion = 1

  /// The diagnostics as a versioned JSON document (`format_version`, `diagnostics`, counts).
  public func json(extra: [(String, JSONValue)] = []) -> JSONValue {
    .object(
      [("format_version", .int(Self.jsonFormatVersion))] + extra + [
        ("errors", .int(errorCount)),
        ("warnings", .int(warningCount)),
        ("omitted", .int(omitted)),
        ("diagnostics", .array(sorted.map(\.json))),
      ])
  }
}

extension Diagnostic {
  /// This diagnostic as a JSON object.
  public var json: JSONValue {
    var members: [(String, JSONValue)] = [
      ("id", .string(id.rawValue)),
      ("severity", .string(severity.rawValue)),
      ("message", .string(message)),
    ]
    members.append(("range", range.map(\.json) ?? .null))
    members.append(
      ("notes", .array(notes.map { .object([("message", .string($0.message)), ("range", $0.range?.json ?? .null)]) })))
    members.append(("help", .array(help.map(JSONValue.string))))
    if !explanation.isEmpty {
      members.append(
        (
          "explanation",
          .array(
            explanation.map {
              .object([
                ("text", .string($0.text)), ("range", $0.range?.json ?? .null),
                ("reference", $0.reference.map(JSONValue.string) ?? .null),
              ])
            })
        ))
    }
    return .object(members)
  }
}

extension SourceRange {
  /// `{file, line, column, end_line, end_column}`; the end is exclusive.
  public var json: JSONValue {
    .object([
      ("file", .string(start.file)),
      ("line", .int(start.line)),
      ("column", .int(start.column)),
      ("end_line", .int(end.line)),
      ("end_column", .int(end.column)),
    ])
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// Members in the order written.
  public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
  public init(nilLiteral: ()) { self = .null }
}
