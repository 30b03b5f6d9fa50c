import Yams

/// A YAML value built in code and written through Yams (libyaml's emitter), never by pasting strings: keys
/// keep the order they are built in, and every string is quoted whenever a YAML 1.1 or 1.2 reader (PyYAML for
/// Ansible, Go's yaml for Kubernetes and Prometheus) could read it as anything but that string.
indirect enum YAMLValue: Sendable, Hashable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case list([YAMLValue])
  case map([(String, YAMLValue)])

  static func == (a: YAMLValue, b: YAMLValue) -> Bool { a.node == b.node }
  func hash(into hasher: inout Hasher) { hasher.combine(node) }

  /// The Yams node, with scalar styles chosen so the text reads back as the same value.
  var node: Node {
    switch self {
    case .string(let text):
      // Several lines: a literal block (`|`), which libyaml itself falls back from when the text cannot be one.
      let style: Node.Scalar.Style =
        text.contains("\n") ? .literal : YAMLValue.needsQuotes(text) ? .singleQuoted : .plain
      return .scalar(Node.Scalar(text, Tag(.str), style))
    case .int(let value): return .scalar(Node.Scalar(String(value), Tag(.int), .plain))
    case .bool(let value): return .scalar(Node.Scalar(value ? "true" : "false", Tag(.bool), .plain))
    case .list(let items): return .sequence(Node.Sequence(items.map(\.node), Tag(.seq), .block))
    case .map(let pairs):
      return .mapping(Node.Mapping(pairs.map { (YAMLValue.string($0.0).node, $0.1.node) }, Tag(.map), .block))
    }
  }

  /// Strings a plain scalar would turn into something else: whatever Yams resolves to a non-string, YAML 1.1's
  /// booleans and nulls (`yes`, `off`, `~`), anything that starts like a number (`0644` is octal in YAML 1.1,
  /// `1.30` a float everywhere) and the empty string.
  static func needsQuotes(_ text: String) -> Bool {
    if text.isEmpty || text.represented().style != .any { return true }
    // `=` is YAML 1.1's "value" key, which PyYAML resolves to a type it cannot construct.
    let yaml11Words: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "="]
    if yaml11Words.contains(text.lowercased()) { return true }
    if let first = text.unicodeScalars.first, "0123456789+-.".unicodeScalars.contains(first) { return true }
    return false
  }

  /// The value as YAML text without a document marker, for YAML carried inside a string.
  var body: String {
    // Serializing a node built from these cases cannot fail: every scalar is a valid UTF-8 string.
    let text = (try? Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true)) ?? ""
    let indented = YAMLValue.indentingSequences(text)
    // The layout pass moves whole blocks only; reading both texts back proves the value is unchanged, and the
    // library's own layout is kept if it ever were not.
    return YAMLValue.sameValue(text, indented) ? indented : text
  }

  /// libyaml writes a sequence inside a mapping at the key's column (`key:` / `- item`); yamllint's default
  /// `indent-sequences: true`, which ansible-lint applies, wants it two columns further. Moves every such
  /// sequence (with everything nested in it) two columns right, leaving block scalars' text alone.
  static func indentingSequences(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }
    /// The column of a line's key: past its indentation and any `- ` sequence markers.
    func keyColumn(_ line: String) -> (column: Int, content: Substring) {
      var content = line.dropFirst(indent(line))
      var column = indent(line)
      while content.hasPrefix("- ") {
        content = content.dropFirst(2)
        column += 2
      }
      return (column, content)
    }
    // A block scalar's header, alone (a sequence item, `- |`) or after a key (`key: |2-`): `|` or `>`, with an
    // optional indentation digit and chomping sign.
    let blockHeader = /(^|: )[|>]([1-9][-+]?|[-+][1-9]?)?$/
    var index = 0
    while index < lines.count {
      let (column, content) = keyColumn(lines[index])
      if let header = content.firstMatch(of: blockHeader) {
        // A block scalar: its lines are text, skipped whole. They are indented past the key (`key: |`), or past
        // the item's marker when the scalar is a sequence item itself (`- |`).
        let threshold = header.1.isEmpty ? column - 2 : column
        index += 1
        while index < lines.count, lines[index].isEmpty || indent(lines[index]) > threshold { index += 1 }
        continue
      }
      if content.hasSuffix(":"), index + 1 < lines.count, indent(lines[index + 1]) == column,
        lines[index + 1].dropFirst(column).hasPrefix("- ")
      {
        // The block: deeper lines and further items at the same column; empty lines (inside block scalars) go
        // with it when it continues after them.
        var end = index + 1
        var scan = index + 1
        while scan < lines.count {
          let line = lines[scan]
          if line.isEmpty {
            scan += 1
          } else if indent(line) > column || (indent(line) == column && line.dropFirst(column).hasPrefix("- ")) {
            scan += 1
            end = scan
          } else {
            break
          }
        }
        for moved in (index + 1)..<end where !lines[moved].isEmpty { lines[moved] = "  " + lines[moved] }
      }
      index += 1
    }
    return lines.joined(separator: "\n")
  }

  /// Whether two YAML texts hold the same value, as the library reads them.
  static func sameValue(_ a: String, _ b: String) -> Bool {
    guard let left = try? Yams.compose(yaml: a), let right = try? Yams.compose(yaml: b) else { return false }
    return (try? Yams.serialize(node: left)) == (try? Yams.serialize(node: right))
  }

  /// One YAML document: `---`, the value, a final newline.
  var document: String { YAMLValue.documents([self]) }

  /// Several documents in one stream, each starting with `---`.
  static func documents(_ values: [YAMLValue]) -> String {
    var text = ""
    for value in values {
      text += "---\n" + value.body
    }
    return text
  }
}

extension YAMLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
  init(stringLiteral value: String) { self = .string(value) }
  init(integerLiteral value: Int) { self = .int(value) }
  init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension YAMLValue: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
  init(arrayLiteral elements: YAMLValue...) { self = .list(elements) }
  /// Keys stay in the order written (a dictionary literal is ordered; no `Dictionary` is built).
  init(dictionaryLiteral elements: (String, YAMLValue)...) { self = .map(elements) }
}
