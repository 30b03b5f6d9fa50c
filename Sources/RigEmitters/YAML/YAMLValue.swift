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
    let yaml11Words: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]
    if yaml11Words.contains(text.lowercased()) { return true }
    if let first = text.unicodeScalars.first, "0123456789+-.".unicodeScalars.contains(first) { return true }
    return false
  }

  /// The value as YAML text without a document marker, for YAML carried inside a string.
  var body: String {
    // Serializing a node built from these cases cannot fail: every scalar is a valid UTF-8 string.
    (try? Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true)) ?? ""
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
