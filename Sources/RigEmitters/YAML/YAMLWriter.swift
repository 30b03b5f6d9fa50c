/// rig's YAML writer: block style, two columns per level, a sequence two columns right of its key (yamllint's
/// `indent-sequences: true`, which ansible-lint applies), no line folding, UTF-8 as is.
///
/// A string is written plain when no reader could take it for anything else, else single-quoted, else
/// double-quoted with escapes; a string of several lines is a literal block (`|`). Which of those a string may
/// be follows libyaml's emitter (`yaml_emitter_analyze_scalar`, the writer rig used before): indicators, leading
/// and trailing spaces, spaces next to line breaks. rig is stricter in one respect: every character outside
/// YAML's printable set, and also CR, NEL, LS and PS (line breaks in YAML 1.1 but not in 1.2), is escaped in
/// double quotes, so YAML 1.1 and 1.2 readers agree on the text. Tests read every string back with Yams and
/// PyYAML, over the golden files and a generated corpus of hostile strings.
struct YAMLWriter {
  /// The UTF-8 written so far: appending bytes skips the bookkeeping a `String` does on every append (its
  /// count and ASCII flags), a fifth of writing the 10,000-workload files.
  private(set) var bytes: [UInt8] = []

  var text: String { String(decoding: bytes, as: UTF8.self) }

  mutating func append(_ string: String) { bytes.append(contentsOf: string.utf8) }
  mutating func append(_ string: Substring) { bytes.append(contentsOf: string.utf8) }

  /// A value at the top of a document.
  mutating func writeRoot(_ value: YAMLValue) {
    switch value {
    case .map(let pairs) where !pairs.isEmpty: writeMap(pairs, indent: 0, firstInline: false)
    case .list(let items) where !items.isEmpty: writeList(items, indent: 0, firstInline: false)
    case .string(let string) where string.contains("\n"):
      // A block scalar at the root would need an indentation of its own; one line of escapes reads the same.
      writeDoubleQuoted(string)
      append("\n")
    default: writeScalar(value, blockIndent: 2)
    }
  }

  /// A mapping's pairs at `indent`; the first on the current line when `firstInline` (after `- `).
  mutating func writeMap(_ pairs: [(String, YAMLValue)], indent: Int, firstInline: Bool) {
    var first = firstInline
    for (key, value) in pairs {
      if !first { pad(indent) }
      first = false
      // Readers take an implicit key of at most 1024 characters; a longer one is written explicit (`? key`).
      let explicit = key.utf8.count > 1000 && key.unicodeScalars.count > 1000
      if explicit {
        append("? ")
        writeKey(key)
        append("\n")
        pad(indent)
      } else {
        writeKey(key)
      }
      switch value {
      case .map(let pairs) where !pairs.isEmpty:
        append(":\n")
        writeMap(pairs, indent: indent + 2, firstInline: false)
      case .list(let items) where !items.isEmpty:
        append(":\n")
        writeList(items, indent: indent + 2, firstInline: false)
      default:
        append(": ")
        writeScalar(value, blockIndent: indent + 2)
      }
    }
  }

  /// A sequence's items at `indent`; the first on the current line when `firstInline` (after `- `).
  mutating func writeList(_ items: [YAMLValue], indent: Int, firstInline: Bool) {
    var first = firstInline
    for item in items {
      if !first { pad(indent) }
      first = false
      append("- ")
      switch item {
      case .map(let pairs) where !pairs.isEmpty: writeMap(pairs, indent: indent + 2, firstInline: true)
      case .list(let items) where !items.isEmpty: writeList(items, indent: indent + 2, firstInline: true)
      default: writeScalar(item, blockIndent: indent + 2)
      }
    }
  }

  /// A scalar (or an empty collection) and its line break; a literal block's lines start at `blockIndent`.
  mutating func writeScalar(_ value: YAMLValue, blockIndent: Int) {
    switch value {
    case .int(let number): append(String(number))
    case .bool(let flag): append(flag ? "true" : "false")
    case .list: append("[]")
    case .map: append("{}")
    case .string(let string):
      switch YAMLWriter.style(of: string, key: false) {
      case .plain: append(string)
      case .singleQuoted: writeSingleQuoted(string)
      case .doubleQuoted: writeDoubleQuoted(string)
      case .literal:
        writeLiteral(string, indent: blockIndent)
        return
      }
    }
    append("\n")
  }

  mutating func writeKey(_ key: String) {
    switch YAMLWriter.style(of: key, key: true) {
    case .plain: append(key)
    case .singleQuoted: writeSingleQuoted(key)
    case .doubleQuoted, .literal: writeDoubleQuoted(key)
    }
  }

  mutating func pad(_ count: Int) { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count)) }

  mutating func writeSingleQuoted(_ string: String) {
    append("'")
    append(string.contains("'") ? string.replacing("'", with: "''") : string)
    append("'")
  }

  mutating func writeDoubleQuoted(_ string: String) {
    append("\"")
    for scalar in string.unicodeScalars {
      let value = scalar.value
      switch value {
      case 0x22: append("\\\"")
      case 0x5C: append("\\\\")
      case 0x00: append("\\0")
      case 0x07: append("\\a")
      case 0x08: append("\\b")
      case 0x09: append("\\t")
      case 0x0A: append("\\n")
      case 0x0B: append("\\v")
      case 0x0C: append("\\f")
      case 0x0D: append("\\r")
      case 0x1B: append("\\e")
      case 0x85: append("\\N")
      case 0x2028: append("\\L")
      case 0x2029: append("\\P")
      default:
        if YAMLWriter.isPrintable(value) {
          UTF8.encode(scalar) { bytes.append($0) }
        } else {
          let hex = String(value, radix: 16, uppercase: true)
          let (prefix, width) = value <= 0xFF ? ("\\x", 2) : value <= 0xFFFF ? ("\\u", 4) : ("\\U", 8)
          append(prefix + String(repeating: "0", count: width - hex.count) + hex)
        }
      }
    }
    append("\"")
  }

  /// A literal block: `|`, an indentation indicator when the text starts with a space or a line break, the
  /// chomping indicator its final line breaks need (`-` none, `+` more than one), then the lines at `indent`.
  mutating func writeLiteral(_ string: String, indent: Int) {
    append("|")
    if string.hasPrefix(" ") || string.hasPrefix("\n") { append("2") }
    if !string.hasSuffix("\n") {
      append("-")
    } else if string == "\n" || string.hasSuffix("\n\n") {
      append("+")
    }
    append("\n")
    var lines = string.split(separator: "\n", omittingEmptySubsequences: false)
    if string.hasSuffix("\n") { lines.removeLast() }
    for line in lines {
      if !line.isEmpty {
        pad(indent)
        append(line)
      }
      append("\n")
    }
  }

  enum Style {
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
  }

  /// How a string is written: as a mapping key (one line always) or as a value.
  static func style(of string: String, key: Bool) -> Style {
    isSimplePlain(string) ? .plain : analyzedStyle(of: string, key: key)
  }

  /// The style as the whole analysis works it out (what `isSimplePlain` shortens; a test checks they agree).
  static func analyzedStyle(of string: String, key: Bool) -> Style {
    let facts = Analysis(string)
    if facts.multiline { return key || !facts.blockAllowed ? .doubleQuoted : .literal }
    if facts.plainAllowed && !needsQuotes(string) { return .plain }
    return facts.singleQuotedAllowed ? .singleQuoted : .doubleQuoted
  }

  /// The common case decided on the bytes alone: letters, digits, `_./-` and spaces, starting with a letter, `_`
  /// or `/`, not ending with a space, and not one of YAML 1.1's words (a playbook's task names, such as
  /// `Install /etc/rig/kubernetes/namespace.yaml`, are all of this kind).
  static func isSimplePlain(_ string: String) -> Bool {
    var bytes = string.utf8.makeIterator()
    guard let first = bytes.next(), isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: "/")
    else { return false }
    var last = first
    while let byte = bytes.next() {
      guard
        isLetter(byte) || (0x30...0x39).contains(byte) || byte == 0x5F || byte == 0x2E || byte == 0x2F
          || byte == 0x2D || byte == 0x20
      else { return false }
      last = byte
    }
    return last != 0x20 && (string.utf8.count > 5 || !yaml11Words.contains(string.lowercased()))
  }

  static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

  /// Plain scalars some reader resolves to another type: YAML 1.1's booleans and nulls (`yes`, `off`, `~`, and
  /// `y`/`n`, which Go's yaml.v2 reads as booleans), its merge and value keys (`<<`, `=`), and anything starting
  /// like a number, a date or a sexagesimal (`0644` is octal in YAML 1.1, `1.30` a float everywhere).
  static let yaml11Words: Set<String> = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<",
  ]

  static func needsQuotes(_ string: String) -> Bool {
    guard let first = string.unicodeScalars.first else { return true }
    if "0123456789+-.".unicodeScalars.contains(first) { return true }
    return string.utf8.count <= 5 && yaml11Words.contains(string.lowercased())
  }

  /// YAML's printable characters (c-printable), less the BOM and the characters YAML 1.1 reads as line breaks:
  /// CR, NEL, LS and PS.
  static func isPrintable(_ value: UInt32) -> Bool {
    switch value {
    case 0x0A, 0x20...0x7E: true
    case 0xA0...0xD7FF: value != 0x2028 && value != 0x2029
    case 0xE000...0xFFFD: value != 0xFEFF
    case 0x10000...0x10FFFF: true
    default: false
    }
  }

  /// The characters that cannot start a plain scalar, whatever follows: `#,[]{}&*!|>'"%@` and the backquote.
  static func isFlowOrIndicator(_ value: UInt32) -> Bool {
    switch value {
    case 0x23, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x27, 0x22, 0x25, 0x40, 0x60: true
    default: false
    }
  }

  /// Blank or the end of the text, as libyaml's `IS_BLANKZ`.
  static func isBlankOrBreak(_ value: UInt32) -> Bool {
    value == 0x20 || value == 0x09 || value == 0x0A || value == 0x0D || value == 0x85 || value == 0x2028
      || value == 0x2029 || value == 0
  }

  /// What a string's characters allow, as libyaml's emitter works it out.
  struct Analysis {
    var multiline = false
    var plainAllowed = true
    var singleQuotedAllowed = true
    var blockAllowed = true

    init(_ string: String) {
      let scalars = Array(string.unicodeScalars.lazy.map(\.value))
      guard !scalars.isEmpty else {
        blockAllowed = false
        return
      }
      var indicators = false
      var lineBreaks = false
      var special = false
      var leadingSpace = false
      var leadingBreak = false
      var trailingSpace = false
      var trailingBreak = false
      var breakSpace = false
      var spaceBreak = false
      var previousSpace = false
      var previousBreak = false
      let dash = UInt32(UInt8(ascii: "-"))
      let dot = UInt32(UInt8(ascii: "."))
      let colon = UInt32(UInt8(ascii: ":"))
      let question = UInt32(UInt8(ascii: "?"))
      let hash = UInt32(UInt8(ascii: "#"))
      if scalars.count >= 3, scalars[0] == scalars[1], scalars[1] == scalars[2], scalars[0] == dash || scalars[0] == dot
      {
        indicators = true
      }
      var precededByWhitespace = true
      let last = scalars.count - 1
      for (index, value) in scalars.enumerated() {
        let followedByWhitespace = index == last || YAMLWriter.isBlankOrBreak(scalars[index + 1])
        if index == 0 {
          if YAMLWriter.isFlowOrIndicator(value) { indicators = true }
          if (value == colon || value == question || value == dash) && followedByWhitespace { indicators = true }
        } else {
          if value == colon && followedByWhitespace { indicators = true }
          if value == hash && precededByWhitespace { indicators = true }
        }
        if !YAMLWriter.isPrintable(value) { special = true }
        if value == 0x0A { lineBreaks = true }
        if value == 0x20 {
          if index == 0 { leadingSpace = true }
          if index == last { trailingSpace = true }
          if previousBreak { breakSpace = true }
          previousSpace = true
          previousBreak = false
        } else if value == 0x0A {
          if index == 0 { leadingBreak = true }
          if index == last { trailingBreak = true }
          if previousSpace { spaceBreak = true }
          previousBreak = true
          previousSpace = false
        } else {
          previousSpace = false
          previousBreak = false
        }
        precededByWhitespace = YAMLWriter.isBlankOrBreak(value)
      }
      multiline = lineBreaks
      if leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || indicators {
        plainAllowed = false
      }
      if trailingSpace { blockAllowed = false }
      if breakSpace { singleQuotedAllowed = false }
      if spaceBreak || special {
        plainAllowed = false
        singleQuotedAllowed = false
        blockAllowed = false
      }
    }
  }
}
