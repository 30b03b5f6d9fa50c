/// A YAML value built in code and written by rig's own block-style writer (`YAMLWriter`), never by pasting
/// strings: keys keep the order they are built in, and every string is quoted whenever a YAML 1.1 or 1.2 reader
/// (PyYAML for Ansible, Go's yaml for Kubernetes and Prometheus) could read it as anything but that string.
indirect enum YAMLValue: Sendable, Hashable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case list([YAMLValue])
  case map([(String, YAMLValue)])

  static func == (a: YAMLValue, b: YAMLValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): x == y
    case (.int(let x), .int(let y)): x == y
    case (.bool(let x), .bool(let y)): x == y
    case (.list(let x), .list(let y)): x == y
    case (.map(let x), .map(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: false
    }
  }

  func hash(into hasher: inout Hasher) {
    switch self {
    case .string(let text): hasher.combine(0); hasher.combine(text)
    case .int(let value): hasher.combine(1); hasher.combine(value)
    case .bool(let value): hasher.combine(2); hasher.combine(value)
    case .list(let items): hasher.combine(3); hasher.combine(items)
    case .map(let pairs):
      hasher.combine(4)
      hasher.combine(pairs.count)
      for (key, value) in pairs {
        hasher.combine(key)
        hasher.combine(value)
      }
    }
  }

  /// The value as YAML text without a document marker, for YAML carried inside a string.
  var body: String {
    var writer = YAMLWriter()
    writer.writeRoot(self)
    return writer.text
  }

  /// One YAML document: `---`, the value, a final newline.
  var document: String { YAMLValue.documents([self]) }

  /// Several documents in one stream, each starting with `---`.
  static func documents(_ values: [YAMLValue]) -> String {
    var writer = YAMLWriter()
    for value in values {
      writer.append("---\n")
      writer.writeRoot(value)
    }
    return writer.text
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
