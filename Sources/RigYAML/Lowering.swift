import RigBasics
import RigModel
import RigRules
import Yams

/// A YAML node in context: where it is, which key introduced it, and its path for messages.
struct Value {
  var node: Node
  var document: YAMLDocument
  /// The node's text: a scalar's whole token, or a collection's first character.
  var range: SourceRange
  /// The key whose value this is; nil for the root and list items.
  var keyRange: SourceRange?
  /// `hardware.cpu`, `components.comfyui.ports[0]`; empty for the root.
  var path: String

  /// How messages name this value: `'hardware.cpu'`, or `the top level`.
  var displayName: String { path.isEmpty ? "the top level" : "'\(path)'" }

  /// `in 'hardware.cpu'`, or `at the top level`.
  var within: String { path.isEmpty ? "at the top level" : "in '\(path)'" }

  func child(_ key: String) -> String { path.isEmpty ? key.excerpt : "\(path).\(key.excerpt)" }
}

/// What a scalar means under the YAML 1.2 core schema (what JSON Schema tools such as check-jsonschema see).
enum ScalarKind: Equatable {
  case null
  case bool(Bool)
  case int(Int)
  case float
  case string

  /// Quoted and block scalars are strings; plain ones are typed by their text. Tags are not consulted, since
  /// Yams resolves them in place while hashing keys: write a quoted scalar to force a string.
  static func of(_ scalar: Node.Scalar) -> ScalarKind {
    guard scalar.style == .plain || scalar.style == .any else { return .string }
    let text = scalar.string
    switch text {
    case "", "~", "null", "Null", "NULL": return .null
    case "true", "True", "TRUE": return .bool(true)
    case "false", "False", "FALSE": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
      return .float
    default: break
    }
    if let number = Self.integer(text) { return number }
    if Self.isFloat(text) { return .float }
    return .string
  }
}

/// The keys of one mapping, checked against its schema.
struct Fields {
  var entries: [(name: String, value: Value)]
  var value: Value

  subscript(_ name: String) -> Value? { entries.firstIndex { $0.name == name }.map { entries[$0].value } }
}

/// Lowers Yams nodes to model values, reporting every problem at its exact place and going on after errors.
struct Lowering {
  var diagnostics = DiagnosticEngine()

  // MARK: Ranges

  /// The range of a node's token: quoted and plain scalars are measured in the source line, after any anchor
  /// (`&a`) or tag (`!!str`) in front of them.
  static func range(of node: Node, in document: YAMLDocument) -> SourceRange {
    var line = node.mark?.line ?? 1
    var column = node.mark?.column ?? 1
    if line > document.lines.count, let last = document.lines.last {
      // Empty content at the very end of a file without a final line break.
      line = document.lines.count
      column = last.count + 1
    }
    guard document.lines.indices.contains(line - 1) else {
      return SourceRange(start: SourceLocation(file: document.file, line: line, column: column), length: 1)
    }
    let text = document.lines[line - 1]
    var from = column - 1
    while from < text.count, text[from] == "&" || text[from] == "!" {
      while from < text.count, text[from] != " ", text[from] != "\t" { from += 1 }
      while from < text.count, text[from] == " " || text[from] == "\t" { from += 1 }
    }
    if from >= text.count { from = column - 1 }
    column = from + 1
    let start = SourceLocation(file: document.file, line: line, column: column)
    guard case .scalar(let scalar) = node, from < text.count else { return SourceRange(start: start, length: 1) }
    switch scalar.style {
    case .singleQuoted, .doubleQuoted:
      let close = DuplicateKeyScan.closingQuote(text, from)
      return SourceRange(start: start, length: min(close, text.count - 1) - from + 1)
    case .literal, .folded:
      return SourceRange(start: start, length: 1)
    default:
      // The value as it stands in the line, compared in place.
      var matched = from
      for scalar in scalar.string.unicodeScalars {
        guard matched < text.count, text[matched] == scalar else {
          matched = from
          break
        }
        matched += 1
      }
      if matched > from { return SourceRange(start: start, length: matched - from) }
      // A plain scalar folded from several lines: its first line's part, without a trailing comment.
      var end = from
      while end < text.count, end == from || !AliasKeyScan.startsComment(text, end) { end += 1 }
      while end > from, text[end - 1] == " " || text[end - 1] == "\t" { end -= 1 }
      return SourceRange(start: start, length: max(1, end - from))
    }
  }

  /// A part of a scalar's text (offset and length in scalars of its value), when the value stands verbatim in
  /// one source line (no escapes, no folding); otherwise the whole token.
  func subrange(of value: Value, offset: Int, length: Int) -> SourceRange {
    guard case .scalar(let scalar) = value.node, scalar.style != .literal, scalar.style != .folded,
      value.document.lines.indices.contains(value.range.start.line - 1)
    else { return value.range }
    let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
    let text = value.document.lines[value.range.start.line - 1]
    let from = value.range.start.column - 1 + (quoted ? 1 : 0)
    let scalars = Array(scalar.string.unicodeScalars)
    guard from >= 0, from + scalars.count <= text.count, Array(text[from..<from + scalars.count]) == scalars else {
      return value.range
    }
    return value.range.slice(offset: offset + (quoted ? 1 : 0), length: length)
  }

  // MARK: Shapes

  static func describe(_ node: Node) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar(let scalar):
      switch ScalarKind.of(scalar) {
      case .null: return "nothing (null)"
      case .bool(let b): return "the boolean \(b)"
      case .int, .float: return "the number \(scalar.string)"
      case .string:
        return "the string '\(scalar.string.excerpt)'"
      }
    }
  }

  /// How to make a plain scalar that YAML types as a number, boolean or null into a string.
  static func quoteHelp(_ scalar: Node.Scalar) -> [String] {
    switch ScalarKind.of(scalar) {
    case .string: return []
    case .null where scalar.string.isEmpty: return []
    case .int, .float:
      return ["quote it: '\"\(scalar.string.excerpt)\"' (YAML reads \(scalar.string.excerpt) as a number)"]
    case .bool, .null:
      return ["quote it: '\"\(scalar.string)\"' (YAML reads \(scalar.string) as \(describe(.scalar(scalar))))"]
    }
  }

  mutating func mismatch(_ value: Value, expected: String, help: [String] = []) {
    diagnostics.emit(
      YAMLMessage.typeMismatch(what: value.displayName, expected: expected, found: Self.describe(value.node)),
      at: value.range, help: help)
  }

  func value(_ node: Node, in document: YAMLDocument, path: String, keyRange: SourceRange?) -> Value {
    Value(node: node, document: document, range: Self.range(of: node, in: document), keyRange: keyRange, path: path)
  }

  /// The entries of a mapping with user-chosen keys, each key a string.
  mutating func map(_ value: Value) -> [(key: Located<String>, value: Value)]? {
    guard case .mapping(let mapping) = value.node else {
      if case .scalar(let s) = value.node, ScalarKind.of(s) == .null { return [] }
      mismatch(value, expected: "a mapping")
      return nil
    }
    var entries: [(key: Located<String>, value: Value)] = []
    for (keyNode, valueNode) in mapping {
      let keyRange = Self.range(of: keyNode, in: value.document)
      guard case .scalar(let scalar) = keyNode else {
        diagnostics.emit(YAMLMessage.complexKey, at: keyRange)
        continue
      }
      let kind = ScalarKind.of(scalar)
      if kind != .string {
        diagnostics.emit(
          YAMLMessage.typeMismatch(
            what: "a key in \(value.displayName)", expected: "a string", found: Self.describe(keyNode)),
          at: keyRange, help: Self.quoteHelp(scalar))
        continue
      }
      entries.append(
        (
          Located(scalar.string, at: keyRange),
          self.value(valueNode, in: value.document, path: value.child(scalar.string), keyRange: keyRange)
        ))
    }
    return entries
  }

  /// A mapping with the keys of `schema`: unknown keys and missing required keys are reported.
  mutating func object(_ value: Value, _ schema: ObjectSchema) -> Fields? {
    guard let entries = map(value) else { return nil }
    var fields: [(name: String, value: Value)] = []
    for (key, entry) in entries {
      guard schema.has(key.value) else {
        var help: [String] = []
        var notes: [DiagnosticNote] = []
        if let suggestion = Suggestion.didYouMean(key.value, among: schema.keys) {
          help.append(suggestion)
        } else {
          notes.append(
            DiagnosticNote("\(value.displayName) takes \(schema.keys.map { "'\($0)'" }.joined(separator: ", "))"))
        }
        diagnostics.emit(
          YAMLMessage.unknownKey(key: key.value, context: value.within), at: key.range, notes: notes,
          help: help)
        continue
      }
      fields.append((key.value, entry))
    }
    for property in schema.properties where property.required && !fields.contains(where: { $0.name == property.name }) {
      missing(property, in: value)
    }
    return Fields(entries: fields, value: value)
  }

  mutating func missing(_ property: SchemaProperty, in value: Value) {
    diagnostics.emit(
      RuleMessage.missingKey(key: property.name, context: value.within),
      at: value.keyRange ?? value.range,
      help: ["add '\(property.name):' (\(property.summary))"])
  }

  // MARK: Scalars

  mutating func list(_ value: Value) -> [Value]? {
    guard case .sequence(let sequence) = value.node else {
      if case .scalar(let s) = value.node, ScalarKind.of(s) == .null { return [] }
      mismatch(value, expected: "a list")
      return nil
    }
    return sequence.enumerated().map { index, node in
      self.value(node, in: value.document, path: "\(value.path)[\(index)]", keyRange: nil)
    }
  }

  mutating func string(_ value: Value) -> Located<String>? {
    guard case .scalar(let scalar) = value.node else {
      mismatch(value, expected: "a string")
      return nil
    }
    let kind = ScalarKind.of(scalar)
    guard kind == .string else {
      mismatch(value, expected: "a string", help: Self.quoteHelp(scalar))
      return nil
    }
    return Located(scalar.string, at: value.range)
  }

  /// A string that must match one of the schema's named patterns.
  mutating func patterned(_ value: Value, _ name: String, example: String) -> Located<String>? {
    guard let text = string(value) else { return nil }
    return ModelRules.matches(text, name, named: value.displayName, example: example, &diagnostics) ? text : nil
  }

  /// A user-chosen mapping key that must match one of the schema's named patterns.
  mutating func patterned(key: Located<String>, _ name: String, example: String) -> Located<String>? {
    ModelRules.matches(key, name, named: nil, example: example, &diagnostics) ? key : nil
  }

  /// The raw text of a scalar that is a string or a number (quantities, CPU lists).
  mutating func text(_ value: Value, expected: String) -> Located<String>? {
    guard case .scalar(let scalar) = value.node else {
      mismatch(value, expected: expected)
      return nil
    }
    switch ScalarKind.of(scalar) {
    case .null, .bool:
      mismatch(value, expected: expected)
      return nil
    default:
      return Located(scalar.string, at: value.range)
    }
  }

  mutating func integer(_ value: Value, _ bounds: ClosedRange<Int>) -> Located<Int>? {
    guard case .scalar(let scalar) = value.node, case .int(let number) = ScalarKind.of(scalar) else {
      mismatch(value, expected: "a whole number")
      return nil
    }
    let located = Located(number, at: value.range)
    return ModelRules.inRange(located, bounds, value.displayName, &diagnostics) ? located : nil
  }

  mutating func enumeration<E: CaseIterable & RawRepresentable & Sendable>(_ value: Value, _: E.Type) -> Located<E>?
  where E.RawValue == String {
    guard let text = string(value) else { return nil }
    return choice(value, text, E.allCases.map(\.rawValue)).flatMap {
      E(rawValue: $0.value).map { Located($0, at: text.range) }
    }
  }

  mutating func choice(_ value: Value, _ text: Located<String>, _ allowed: [String]) -> Located<String>? {
    ModelRules.choice(Located(text.value, at: value.range), allowed, named: value.displayName, &diagnostics)
      ? text : nil
  }

  /// A value in one of the small grammars (quantities, CPU lists, versions), with the problem located inside it.
  mutating func parsed<T>(
    _ value: Value, expected: String, message: (String) -> any DiagnosticMessage,
    _ parse: (String) -> Result<T, SyntaxProblem>
  ) -> Located<T>? {
    guard let text = text(value, expected: expected) else { return nil }
    switch parse(text.value) {
    case .success(let result): return Located(result, at: value.range)
    case .failure(let problem):
      let range =
        problem.length > 0 ? subrange(of: value, offset: problem.offset, length: problem.length) : value.range
      diagnostics.emit(message(problem.message), at: range, help: problem.help)
      return nil
    }
  }

  mutating func bytes(_ value: Value) -> Located<ByteCount>? {
    limited(
      value, parsed(value, expected: "a size such as '12GiB'", message: YAMLMessage.badQuantity, ByteCount.parse))
  }

  mutating func power(_ value: Value) -> Located<Power>? {
    limited(value, parsed(value, expected: "a power such as '180W'", message: YAMLMessage.badQuantity, Power.parse))
  }

  mutating func temperature(_ value: Value) -> Located<Temperature>? {
    limited(
      value,
      parsed(value, expected: "a temperature such as '85C'", message: YAMLMessage.badQuantity, Temperature.parse))
  }

  mutating func duration(_ value: Value) -> Located<TimeSpan>? {
    limited(
      value, parsed(value, expected: "a duration such as '5m'", message: YAMLMessage.badQuantity, TimeSpan.parse))
  }

  /// `quantity` when it is within rig's limits (`ModelRules.withinLimits`).
  mutating func limited<Q: Limited>(_ value: Value, _ quantity: Located<Q>?) -> Located<Q>? {
    guard let quantity else { return nil }
    return ModelRules.withinLimits(quantity, value.displayName, &diagnostics) ? quantity : nil
  }

  /// A CPU list, each item located in the source so later checks can point at the one that is wrong.
  mutating func cpuList(_ value: Value) -> Located<CPUListExpression>? {
    guard
      var list = parsed(
        value, expected: "a CPU list such as '8-15'", message: RuleMessage.badCPUList, CPUListExpression.parse)
    else { return nil }
    for index in list.value.items.indices {
      let item = list.value.items[index]
      list.value.items[index].range = subrange(of: value, offset: item.offset, length: item.length)
    }
    return list
  }

  mutating func version(_ value: Value) -> Located<Version>? {
    parsed(
      value, expected: "a version", message: { RuleMessage.badVersion("invalid version: " + $0) }, Version.parse)
  }

  /// A requirement such as `ollama >= 0.5`, with its name located inside the text.
  mutating func requirement(_ value: Value) -> Requirement? {
    guard let text = string(value) else { return nil }
    let lowering = self
    return ModelRules.requirement(
      text.value, range: value.range, at: { lowering.subrange(of: value, offset: $0, length: $1) }, &diagnostics)
  }

  /// `null` or `{}`: a switch with no settings.
  mutating func emptyObject(_ value: Value) -> Bool {
    if case .scalar(let scalar) = value.node, ScalarKind.of(scalar) != .null {
      let name = value.path.split(separator: ".").last.map(String.init) ?? value.path
      mismatch(
        value, expected: "a mapping", help: ["write '\(name): {}' to emit this target; leave the key out to skip it"])
      return false
    }
    return object(value, ObjectSchema([])) != nil
  }
}

extension ScalarKind {
  /// YAML 1.2 core integers: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` (too large for Int: a float).
  static func integer(_ text: String) -> ScalarKind? {
    let scalars = Array(text.unicodeScalars)
    func all(_ from: Int, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
      from < scalars.count && scalars[from...].allSatisfy(allowed)
    }
    let digit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
    if text.hasPrefix("0o"), all(2, { ("0"..."7").contains($0) }) {
      return Int(text.dropFirst(2), radix: 8).map(ScalarKind.int) ?? .float
    }
    if text.hasPrefix("0x"), all(2, { digit($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }) {
      return Int(text.dropFirst(2), radix: 16).map(ScalarKind.int) ?? .float
    }
    let sign = scalars.first == "-" || scalars.first == "+" ? 1 : 0
    if all(sign, digit) { return Int(text).map(ScalarKind.int) ?? .float }
    return nil
  }

  /// YAML 1.2 core floats: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
  static func isFloat(_ text: String) -> Bool {
    let s = Array(text.unicodeScalars)
    var i = 0
    func digits() -> Int {
      let start = i
      while i < s.count, ("0"..."9").contains(s[i]) { i += 1 }
      return i - start
    }
    if i < s.count, s[i] == "-" || s[i] == "+" { i += 1 }
    let whole = digits()
    var fraction = 0
    if i < s.count, s[i] == "." {
      i += 1
      fraction = digits()
      if whole == 0 && fraction == 0 { return false }
    } else if whole == 0 {
      return false
    }
    if i < s.count, s[i] == "e" || s[i] == "E" {
      i += 1
      if i < s.count, s[i] == "-" || s[i] == "+" { i += 1 }
      if digits() == 0 { return false }
    }
    return i == s.count
  }

  var isBool: Bool {
    if case .bool = self { return true }
    return false
  }
}
