import Foundation
import Testing
import Yams

@testable import RigEmitters

/// rig's YAML writer, proven by reading back: every value it writes, over the golden corpus and a generated
/// corpus of hostile strings (as values, as keys, in sequences and nested mappings), is read back to the same
/// value by Yams (libyaml) and by PyYAML (Ansible's reader).
@Suite struct YAMLWriterTests {
  /// Every YAML file under `golden/`, read by Yams into values, written again by rig's writer.
  static func goldenCorpus() throws -> [(path: String, values: [YAMLValue])] {
    let root = packageRoot + "/golden"
    let enumerator = try #require(FileManager.default.enumerator(atPath: root))
    var corpus: [(String, [YAMLValue])] = []
    while let next = enumerator.nextObject() as? String {
      guard next.hasSuffix(".yml") || next.hasSuffix(".yaml") else { continue }
      let text = try String(contentsOfFile: root + "/" + next, encoding: .utf8)
      let values = try Yams.compose_all(yaml: text).map { try #require(value(of: $0), "\(next)") }
      corpus.append((next, values))
    }
    return corpus.sorted { $0.0 < $1.0 }
  }

  /// A node as a value, nil for a type rig never writes (floats, nulls, dates).
  static func value(of node: Node) -> YAMLValue? {
    switch node {
    case .scalar(let scalar):
      switch node.tag.rawValue {
      case Tag.Name.str.rawValue: return .string(scalar.string)
      case Tag.Name.int.rawValue: return Int(scalar.string).map(YAMLValue.int)
      case Tag.Name.bool.rawValue: return .bool(scalar.string == "true")
      default: return nil
      }
    case .sequence(let sequence):
      let items = sequence.compactMap(value(of:))
      return items.count == sequence.count ? .list(items) : nil
    case .mapping(let mapping):
      var pairs: [(String, YAMLValue)] = []
      for (key, item) in mapping {
        guard case .string(let name)? = value(of: key), let converted = value(of: item) else { return nil }
        pairs.append((name, converted))
      }
      return .map(pairs)
    case .alias: return nil
    }
  }

  /// Whether Yams' node is exactly `value`: the same type (as Yams resolves plain scalars), text, order.
  static func matches(_ node: Node, _ value: YAMLValue) -> Bool {
    switch (node, value) {
    case (.scalar(let scalar), .string(let text)):
      // Yams turns a scalar's bytes into a String with Foundation's UTF-8 decoding, which drops a leading byte
      // order mark: `"\uFEFFx"` reads as `x` there, whatever the writer does (PyYAML reads it whole).
      let expected = text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
      return node.tag.rawValue == Tag.Name.str.rawValue && (scalar.string == text || scalar.string == expected)
    case (.scalar(let scalar), .int(let number)):
      return node.tag.rawValue == Tag.Name.int.rawValue && Int(scalar.string) == number
    case (.scalar(let scalar), .bool(let flag)):
      return node.tag.rawValue == Tag.Name.bool.rawValue && scalar.string == (flag ? "true" : "false")
    case (.sequence(let sequence), .list(let items)):
      return sequence.count == items.count && zip(sequence, items).allSatisfy { matches($0, $1) }
    case (.mapping(let mapping), .map(let pairs)):
      guard mapping.count == pairs.count else { return false }
      return zip(mapping, pairs).allSatisfy { matches($0.key, .string($1.0)) && matches($0.value, $1.1) }
    default: return false
    }
  }

  /// The values as PyYAML must read them: JSON with each scalar's type spelt out, mappings as ordered pairs.
  static func tagged(_ value: YAMLValue) -> Any {
    switch value {
    case .string(let text): ["s": text]
    case .int(let number): ["i": number]
    case .bool(let flag): ["b": flag ? 1 : 0]
    case .list(let items): ["l": items.map(tagged)]
    case .map(let pairs): ["m": pairs.map { [$0.0, tagged($0.1)] }]
    }
  }

  /// Reads `documents` with PyYAML from the test venv and returns the indexes of the documents it reads as
  /// something else than `values`, with what it read.
  static func pyYAMLMismatches(_ documents: String, _ values: [YAMLValue]) throws -> [String] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rig-yaml-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let expected = directory.appendingPathComponent("expected.json")
    let stream = directory.appendingPathComponent("stream.yaml")
    try JSONSerialization.data(withJSONObject: values.map(tagged)).write(to: expected)
    try Data(documents.utf8).write(to: stream)
    let script = """
      import json, sys, yaml
      def tag(v):
          if isinstance(v, bool): return {"b": int(v)}
          if isinstance(v, int): return {"i": v}
          if isinstance(v, str): return {"s": v}
          if isinstance(v, list): return {"l": [tag(x) for x in v]}
          if isinstance(v, dict): return {"m": [[k, tag(x)] for k, x in v.items()]}
          return {"other": repr(v)}
      expected = json.load(open(sys.argv[1]))
      actual = [tag(d) for d in yaml.safe_load_all(open(sys.argv[2], encoding="utf-8").read())]
      if len(actual) != len(expected): print(json.dumps(f"{len(actual)} documents, expected {len(expected)}"))
      for i, (a, e) in enumerate(zip(actual, expected)):
          if a != e: print(json.dumps({"document": i, "read": a}))
      """
    let venv = ProcessInfo.processInfo.environment["RIG_VENV"] ?? packageRoot + "/.venv"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: venv + "/bin/python")
    process.arguments = ["-c", script, expected.path, stream.path]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  /// Writes `values` as one stream and reads it back with Yams and PyYAML; returns what either read wrongly.
  static func readBack(_ values: [YAMLValue]) throws -> [String] {
    let stream = YAMLValue.documents(values)
    var problems: [String] = []
    let nodes = try Yams.compose_all(yaml: stream).map { $0 }
    if nodes.count != values.count { problems.append("Yams read \(nodes.count) documents of \(values.count)") }
    for (index, (node, value)) in zip(nodes, values).enumerated() where !matches(node, value) {
      problems.append("Yams, document \(index):\n\(value.document)")
    }
    problems += try pyYAMLMismatches(stream, values).map { "PyYAML: \($0)" }
    return problems
  }

  @Test func theGoldenCorpusReadsBack() throws {
    let corpus = try Self.goldenCorpus()
    #expect(corpus.count > 100)
    let values = corpus.flatMap(\.values)
    let problems = try Self.readBack(values)
    #expect(problems.isEmpty, "\(problems.prefix(5).joined(separator: "\n"))")
  }

  /// Writing what a golden file holds gives back its bytes, comments and the header aside: the golden files are
  /// this writer's own layout.
  @Test func theGoldenCorpusIsTheWritersLayout() throws {
    for (path, values) in try Self.goldenCorpus() where !path.contains("/files/") {
      let text = try String(contentsOfFile: packageRoot + "/golden/" + path, encoding: .utf8)
      let stripped = text.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.hasPrefix("#") }.joined(separator: "\n")
      guard stripped.hasPrefix("---\n") else { continue }
      #expect(YAMLValue.documents(values) == stripped, "golden/\(path)")
    }
  }

  /// Pieces that stress every rule: indicators first and inside, spaces around line breaks, YAML 1.1 words and
  /// numbers, quotes, escapes, document markers, printable and unprintable Unicode.
  static let pieces: [String] = [
    "a", "b", "key", "0", "12", "1.5", "-", "--", "---", "...", ".", "+", "~", "yes", "No", "on", "null", "y", "=",
    "<<", ":", ": ", " :", "#", " #", "# ", "?", "? ", "- ", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "'",
    "\"", "%", "@", "`", "\\", " ", "  ", "\n", "\n\n", " \n", "\n ", "\t", "\r", "\r\n", "\u{0}", "\u{7}",
    "\u{1B}", "\u{7F}", "\u{85}", "\u{A0}", "é", "日本", "\u{2028}", "\u{2029}", "\u{FEFF}", "😀", "\u{FFFD}",
    "0x1F", "0o17", "1e3", "2001-12-14", "190:20:30", ".inf", ".NaN", "{{ x }}", "a: b", "k=v", "http://x/y",
  ]

  /// A fixed generator, so every run writes the same corpus.
  struct Generator {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    mutating func string() -> String {
      (0..<(1 + next(5))).map { _ in YAMLWriterTests.pieces[next(YAMLWriterTests.pieces.count)] }.joined()
    }
  }

  @Test func hostileStringsReadBack() throws {
    var generator = Generator(state: 19)
    var values: [YAMLValue] = Self.pieces.map { ["value": .string($0)] }
    values.append(.map(Self.pieces.enumerated().map { ("\($0.offset)\($0.element)", .string($0.element)) }))
    values.append(.list(Self.pieces.map { .string($0) }))
    for _ in 0..<1500 {
      let text = generator.string()
      let key = generator.string() + String(generator.next(1_000_000))
      // The same string as a value, as a key, inside a sequence, in a mapping inside a sequence, and deeper.
      values.append(.map([("v", .string(text)), (key, .string(text)), ("k", .int(generator.next(100)))]))
      values.append(.list([.string(text), .map([(key, .string(text)), ("tail", .list([.string(text)]))])]))
      values.append(.map([("a", .map([("b", .list([.list([.string(text), .string(key)])]))]))]))
    }
    values.append(.map([(String(repeating: "long key ", count: 200), "a long key is written explicit")]))
    values.append(.map([("empty", .list([])), ("nothing", .map([])), ("t", true), ("f", false), ("n", -3)]))
    let problems = try Self.readBack(values)
    #expect(problems.isEmpty, "\(problems.prefix(5).joined(separator: "\n"))")
  }

  /// The byte-level shortcut for plain strings says plain only where the whole analysis does too: on every
  /// string of up to five characters over letters, a digit, space, `_./-:#` and `é`, and on the hostile corpus.
  @Test func theShortcutAgreesWithTheAnalysis() {
    let alphabet = ["a", "Y", "n", "0", " ", "_", ".", "/", "-", ":", "#", "é"]
    var strings = [""]
    var level = [""]
    for _ in 0..<5 {
      level = level.flatMap { prefix in alphabet.map { prefix + $0 } }
      strings += level
    }
    var generator = Generator(state: 7)
    strings += Self.pieces + (0..<3000).map { _ in generator.string() }
    strings += ["Install /etc/rig/kubernetes/namespace.yaml", "Set up bench", "yes", "No", "a  b", "a b "]
    var shortcuts = 0
    for string in strings where YAMLWriter.isSimplePlain(string) {
      shortcuts += 1
      for key in [false, true] {
        #expect(YAMLWriter.analyzedStyle(of: string, key: key) == .plain, "\(string.debugDescription)")
      }
    }
    #expect(shortcuts > 10_000)
  }

  /// The style chosen for a few strings, as libyaml's emitter chose it before.
  @Test(arguments: [
    ("plain text", YAMLWriter.Style.plain), ("", .singleQuoted), ("0644", .singleQuoted), ("yes", .singleQuoted),
    ("a: b", .singleQuoted), ("trail ", .singleQuoted), ("tab\there", .doubleQuoted), ("two\nlines", .literal),
    ("space \nbreak", .doubleQuoted), ("a\n b", .literal), ("{{ x }}", .singleQuoted), ("a#b", .plain),
    ("a #b", .singleQuoted), ("\u{2028}", .doubleQuoted), ("é", .plain),
  ])
  func styles(text: String, style: YAMLWriter.Style) {
    #expect(YAMLWriter.style(of: text, key: false) == style)
  }
}
