import Foundation
import RigBasics
import Yams

/// Hard limits on input, so no file can make rig run out of time, memory or stack.
public enum InputLimits {
  /// Largest file rig reads, in bytes.
  public static let fileSize = 1 << 20
  /// Deepest nesting of mappings and sequences.
  public static let depth = 64
  /// Most nodes that aliases may add to a document when expanded.
  public static let aliasExpansion = 10_000
  /// Most files one project may read through `include:`.
  public static let includedFiles = 64
}

/// One parsed YAML file: its root node with marks, and what is needed to point into its text.
/// A class, so that each of the many values lowered from it holds one reference, not its fields.
final class YAMLDocument {
  let file: String
  let root: Node
  let lines: [[Unicode.Scalar]]
  /// Keeps anchors alive: Yams holds them weakly in nodes and strongly in the parser.
  let parser: Parser

  init(file: String, root: Node, lines: [[Unicode.Scalar]], parser: Parser) {
    self.file = file
    self.root = root
    self.lines = lines
    self.parser = parser
  }

  /// Parses `text` (already read from `file`, and cut into `lines` by `SourceFiles.lines(of:)`), reporting any
  /// problem in `diagnostics`; nil when unusable.
  static func parse(
    file: String, text: String, lines: [[Unicode.Scalar]], diagnostics: inout DiagnosticEngine
  ) -> YAMLDocument? {
    /// A mark past the last line (errors at the end of input) is shown at the end of the last line.
    func location(_ mark: Mark) -> SourceRange {
      var line = mark.line
      var column = mark.column
      if line > lines.count, let last = lines.last {
        line = lines.count
        column = last.count + 1
      }
      return SourceRange(start: SourceLocation(file: file, line: line, column: column), length: 1)
    }
    /// Turns a Yams error into a located diagnostic.
    func report(_ error: Error, _ diagnostics: inout DiagnosticEngine) {
      guard let error = error as? YamlError else {
        diagnostics.emit(
          YAMLMessage.syntax("\(error)"),
          at: .start(of: file))
        return
      }
      switch error {
      case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
        .composer(let context, let problem, let mark, _):
        if problem.hasPrefix("Maximum nesting level reached") {
          let deep = NodeGuard.flowLevel(InputLimits.depth + 1, in: lines).map {
            SourceRange(start: SourceLocation(file: file, line: $0.line, column: $0.column), length: 1)
          }
          diagnostics.emit(
            YAMLMessage.nestingTooDeep(limit: InputLimits.depth), at: deep ?? location(mark),
            help: ["rig files nest a few levels; flatten the structure"])
          return
        }
        if problem == "but found another document" {
          diagnostics.emit(
            YAMLMessage.syntax("a second YAML document starts here; a rig file holds one"), at: location(mark),
            help: ["remove this '---' and what follows, or move it to a file of its own and list it under 'include:'"])
          return
        }
        var notes: [DiagnosticNote] = []
        if let context, !context.text.isEmpty, context.mark.line != mark.line || context.mark.column != mark.column {
          notes.append(DiagnosticNote(context.text, at: location(context.mark)))
        }
        var help: [String] = []
        let offending = lines.indices.contains(mark.line - 1) ? lines[mark.line - 1] : []
        if offending.indices.contains(mark.column - 1), offending[mark.column - 1] == "\t" {
          help.append("YAML indents with spaces; replace the tab")
        }
        diagnostics.emit(YAMLMessage.syntax(problem), at: location(mark), notes: notes, help: help)
      case .reader(let problem, let offset, _, _):
        let (line, column) = offset.map { Self.position(ofByteOffset: $0, in: text) } ?? (1, 1)
        diagnostics.emit(
          YAMLMessage.syntax(problem),
          at: SourceRange(start: SourceLocation(file: file, line: line, column: column), length: 1))
      case .duplicatedKeysInMapping(let duplicates, let context):
        let key = duplicates.first ?? ""
        let first = location(context.mark)
        if let second = DuplicateKeyScan.secondOccurrence(of: key, after: context.mark, in: lines) {
          diagnostics.emit(
            YAMLMessage.duplicateKey(key),
            at: SourceRange(
              start: SourceLocation(file: file, line: second.line, column: second.column),
              length: key.unicodeScalars.count),
            notes: [
              DiagnosticNote(
                "first written here", at: SourceRange(start: first.start, length: key.unicodeScalars.count))
            ],
            help: ["keep one of them; YAML readers disagree on which one wins"])
        } else {
          diagnostics.emit(
            YAMLMessage.duplicateKey(key), at: SourceRange(start: first.start, length: key.unicodeScalars.count),
            help: ["this key is written more than once in the same mapping; keep one of them"])
        }
      default:
        diagnostics.emit(
          YAMLMessage.syntax("\(error)"),
          at: .start(of: file))
      }
    }

    if !AliasKeyScan.keysAreSafe(
      text: text, lines: lines, file: file, diagnostics: &diagnostics, report: { report($0, &$1) })
    {
      return nil
    }
    do {
      // rig types plain scalars itself (YAML 1.2, `ScalarKind`); Yams' tag resolver, a regular expression per
      // scalar, would only be work.
      let parser = try Parser(yaml: text, resolver: .basic)
      guard let root = try parser.singleRoot(), !Self.isEmptyDocument(root) else {
        diagnostics.emit(
          YAMLMessage.emptyDocument,
          at: .start(of: file),
          help: ["start from 'examples/minimal/rig.yaml'"])
        return nil
      }
      let document = YAMLDocument(file: file, root: root, lines: lines, parser: parser)
      guard NodeGuard.check(document, diagnostics: &diagnostics) else { return nil }
      return document
    } catch {
      report(error, &diagnostics)
      return nil
    }
  }

  /// `---` alone, or a document holding only a null.
  static func isEmptyDocument(_ root: Node) -> Bool {
    guard case .scalar(let scalar) = root else { return false }
    return scalar.style == .plain && ScalarKind.of(scalar) == .null
  }

  /// The 1-based line and column (in scalars) of a byte offset into the UTF-8 of `text`.
  static func position(ofByteOffset offset: Int, in text: String) -> (line: Int, column: Int) {
    var position = LinePosition()
    var consumed = 0
    for scalar in text.unicodeScalars {
      if consumed >= offset { break }
      consumed += UTF8.width(scalar)
      position.advance(past: scalar)
    }
    return (position.line, position.column)
  }
}

/// Keeps aliases out of mapping keys. Yams hashes every key while composing, so a key that is an alias of a big
/// collection (or a collection holding aliases) would be expanded in full before rig could count it. When the
/// text may hold aliases, it is first composed with every alias-looking token masked (`*a` becomes `_a`, same
/// length, so the structure and every mark stay put): that pass has no aliases to expand, and shows exactly
/// which keys are aliases or collections.
enum AliasKeyScan {
  struct Position: Hashable {
    var line: Int
    var column: Int
  }

  static func isAnchorCharacter(_ c: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_"
  }

  static func isTokenStart(_ line: [Unicode.Scalar], _ index: Int) -> Bool {
    index == 0 || " \t[{,".unicodeScalars.contains(line[index - 1])
  }

  /// Whether a comment starts at `index`: a `#` at the start of the line or after a blank.
  static func startsComment(_ line: [Unicode.Scalar], _ index: Int) -> Bool {
    line[index] == "#" && (index == 0 || line[index - 1] == " " || line[index - 1] == "\t")
  }

  /// Every `*name` that could be an alias (also inside comments and strings: masking those changes nothing).
  static func candidates(in lines: [[Unicode.Scalar]]) -> Set<Position> {
    var found: Set<Position> = []
    for (lineIndex, line) in lines.enumerated() {
      for index in line.indices where line[index] == "*" && index + 1 < line.count {
        if isAnchorCharacter(line[index + 1]), isTokenStart(line, index) {
          found.insert(Position(line: lineIndex + 1, column: index + 1))
        }
      }
    }
    return found
  }

  /// `text` with the `*` of every candidate replaced by `_`.
  static func masked(_ text: String, _ candidates: Set<Position>) -> String {
    var out = String.UnicodeScalarView()
    var position = LinePosition()
    for scalar in text.unicodeScalars {
      let masked = scalar == "*" && candidates.contains(Position(line: position.line, column: position.column))
      out.append(masked ? "_" : scalar)
      position.advance(past: scalar)
    }
    return String(out)
  }

  /// False (with a diagnostic) when a key is an alias, or a collection in a file that may hold aliases.
  static func keysAreSafe(
    text: String, lines: [[Unicode.Scalar]], file: String, diagnostics: inout DiagnosticEngine,
    report: (Error, inout DiagnosticEngine) -> Void
  ) -> Bool {
    let candidates = candidates(in: lines)
    guard !candidates.isEmpty else { return true }
    let root: Node?
    do {
      root = try Parser(yaml: masked(text, candidates), resolver: .basic).singleRoot()
    } catch {
      report(error, &diagnostics)
      return false
    }
    guard let root else { return true }
    var unsafe: [Position] = []
    var stack = [root]
    while let node = stack.popLast() {
      switch node {
      case .mapping(let mapping):
        for (key, value) in mapping {
          let position = Position(line: key.mark?.line ?? 1, column: key.mark?.column ?? 1)
          if case .scalar = key, !candidates.contains(position) {
          } else {
            unsafe.append(position)
          }
          stack.append(value)
        }
      case .sequence(let sequence): stack.append(contentsOf: sequence)
      case .scalar, .alias: break
      }
    }
    for position in unsafe.sorted(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
      diagnostics.emit(
        YAMLMessage.complexKey,
        at: SourceRange(start: SourceLocation(file: file, line: position.line, column: position.column), length: 1),
        help: ["rig keys are names; write the key as a plain string"])
    }
    return unsafe.isEmpty
  }
}

/// Finds the second occurrence of a duplicated key, which Yams does not report: scanning on from the first one,
/// the next token that spells the key at the same level of the same mapping (after a ',' or '{' in a flow
/// mapping, or starting a line at the first key's indentation in a block mapping).
enum DuplicateKeyScan {
  static func secondOccurrence(of key: String, after mark: Mark, in lines: [[Unicode.Scalar]]) -> (
    line: Int, column: Int
  )? {
    let spellings = [
      Array(key.unicodeScalars), ["\""] + key.unicodeScalars + ["\""], ["'"] + key.unicodeScalars + ["'"],
    ]
    let column = mark.column - 1
    // In a flow mapping the character before the first key is '{' or ','; indentation then means nothing.
    var before: Unicode.Scalar = " "
    search: for l in stride(from: mark.line - 1, through: 0, by: -1) where lines.indices.contains(l) {
      let line = lines[l]
      let end = l == mark.line - 1 ? min(column, line.count) : line.count
      for i in stride(from: end - 1, through: 0, by: -1) where line[i] != " " && line[i] != "\t" {
        before = line[i]
        break search
      }
    }
    let inFlow = before == "{" || before == ","
    var depth = 0
    var previous: Unicode.Scalar = " "
    var lineIndex = mark.line - 1
    var index = column + 1
    while lineIndex < lines.count {
      let line = lines[lineIndex]
      let indent = line.prefix { $0 == " " }.count
      if !inFlow, index == 0, depth == 0, indent < line.count, line[indent] != "#", indent < column { return nil }
      while index < line.count {
        let c = line[index]
        let atTokenStart = AliasKeyScan.isTokenStart(line, index)
        if AliasKeyScan.startsComment(line, index) { break }
        let keyStart = skipProperties(line, index)
        if (c == "\"" || c == "'"), atTokenStart {
          if depth == 0, spells(spellings, line, index), previous == "," || previous == "{" {
            return (lineIndex + 1, index + 1)
          }
          index = closingQuote(line, index) + 1
          previous = c
          continue
        }
        if c == "[" || c == "{" { depth += 1 }
        if c == "]" || c == "}" {
          depth -= 1
          if depth < 0 { return nil }
        }
        if depth == 0, atTokenStart, keyStart > index || c != "&" && c != "!" && c != "?",
          spells(spellings, line, keyStart),
          previous == "," || previous == "{" || (index == indent && index == column)
        {
          return (lineIndex + 1, keyStart + 1)
        }
        if c != " ", c != "\t" { previous = c }
        index += 1
      }
      lineIndex += 1
      index = 0
    }
    return nil
  }

  /// Past any explicit-key indicator, anchor (`&a`) and tag (`!!str`) at `index`, and the blanks after them.
  static func skipProperties(_ line: [Unicode.Scalar], _ index: Int) -> Int {
    var i = index
    while i < line.count {
      if line[i] == "?", i + 1 == line.count || line[i + 1] == " " {
        i += 1
      } else if line[i] == "&" || line[i] == "!" {
        while i < line.count, line[i] != " ", line[i] != "\t" { i += 1 }
      } else {
        break
      }
      while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 }
    }
    return i
  }

  /// Whether one of `spellings` starts at `index` and is followed by a key indicator.
  static func spells(_ spellings: [[Unicode.Scalar]], _ line: [Unicode.Scalar], _ index: Int) -> Bool {
    spellings.contains { spelling in
      index + spelling.count <= line.count && Array(line[index..<index + spelling.count]) == spelling
        && followedByColon(line, index + spelling.count)
    }
  }

  /// Whether spaces and then a key indicator (`:` followed by a blank, or ending the line) follow `index`.
  static func followedByColon(_ line: [Unicode.Scalar], _ index: Int) -> Bool {
    var i = index
    while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 }
    guard i < line.count, line[i] == ":" else { return false }
    return i + 1 == line.count || " \t,]}".unicodeScalars.contains(line[i + 1])
  }

  /// The index of the quote closing the one at `start` on this line (or the line's end).
  static func closingQuote(_ line: [Unicode.Scalar], _ start: Int) -> Int {
    let quote = line[start]
    var index = start + 1
    while index < line.count {
      if quote == "\"", line[index] == "\\" {
        index += 2
        continue
      }
      if line[index] == quote {
        if quote == "'", index + 1 < line.count, line[index + 1] == "'" {
          index += 2
          continue
        }
        return index
      }
      index += 1
    }
    return line.count
  }
}

/// Checks the composed tree against the depth limit and the alias expansion budget, counting each
/// anchor's subtree once (never walking an expansion), so a "billion laughs" file costs its own size.
enum NodeGuard {
  struct Measure {
    var size: Int
    var height: Int
    /// Bytes of scalar text, so one long string repeated through aliases is counted for its length.
    var bytes: Int
  }

  /// Where flow brackets (outside quotes and comments) first open level `level`, for files too deep for the
  /// parser to compose; nil when brackets alone never get that deep.
  static func flowLevel(_ level: Int, in lines: [[Unicode.Scalar]]) -> (line: Int, column: Int)? {
    // Under a block collection at the root, the first bracket is already level 2.
    let firstContent = lines.lazy.compactMap { $0.first { $0 != " " && $0 != "\t" } }.first { $0 != "#" && $0 != "%" }
    var depth = firstContent == "[" || firstContent == "{" ? 0 : 1
    for (lineIndex, line) in lines.enumerated() {
      var index = 0
      while index < line.count {
        let c = line[index]
        if AliasKeyScan.startsComment(line, index) { break }
        if c == "\"" || c == "'", index == 0 || " \t[{,:".unicodeScalars.contains(line[index - 1]) {
          index = DuplicateKeyScan.closingQuote(line, index) + 1
          continue
        }
        if c == "[" || c == "{" {
          depth += 1
          if depth == level { return (lineIndex + 1, index + 1) }
        }
        if c == "]" || c == "}" { depth = max(0, depth - 1) }
        index += 1
      }
    }
    return nil
  }

  static func check(_ document: YAMLDocument, diagnostics: inout DiagnosticEngine) -> Bool {
    var state = State(file: document.file)
    _ = state.walk(document.root, depth: 1, context: nil)
    if let problem = state.problem {
      diagnostics.emit(problem)
      return false
    }
    return true
  }

  struct State {
    var file: String
    var seen: [ObjectIdentifier: Measure] = [:]
    var expanded = 0
    var expandedBytes = 0
    var problem: Diagnostic?

    func range(_ mark: Mark?) -> SourceRange {
      SourceRange(start: SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1), length: 1)
    }

    mutating func walk(_ node: Node, depth: Int, context: Mark?) -> Measure {
      if problem != nil { return Measure(size: 0, height: 0, bytes: 0) }
      if let anchor = node.anchor, let known = seen[ObjectIdentifier(anchor)] {
        // An alias: its expansion costs the anchor's size, and it nests the anchor's height deeper.
        expanded += known.size
        expandedBytes += known.bytes
        if expanded > InputLimits.aliasExpansion {
          problem = Diagnostic(
            YAMLMessage.aliasBudget("\(InputLimits.aliasExpansion) nodes"), at: range(context ?? node.mark),
            help: ["write the repeated parts out, or use fewer levels of aliases"])
        } else if expandedBytes > InputLimits.fileSize {
          problem = Diagnostic(
            YAMLMessage.aliasBudget("\(InputLimits.fileSize) bytes of text"), at: range(context ?? node.mark),
            help: ["write the repeated parts out, or repeat shorter values"])
        } else if depth + known.height - 1 > InputLimits.depth {
          problem = Diagnostic(
            YAMLMessage.nestingTooDeep(limit: InputLimits.depth), at: range(context ?? node.mark),
            help: ["rig files nest a few levels; flatten the structure"])
        }
        return known
      }
      let isCollection: Bool
      switch node {
      case .mapping, .sequence: isCollection = true
      case .scalar, .alias: isCollection = false
      }
      if isCollection, depth > InputLimits.depth {
        problem = Diagnostic(
          YAMLMessage.nestingTooDeep(limit: InputLimits.depth), at: range(node.mark),
          help: ["rig files nest a few levels; flatten the structure"])
        return Measure(size: 0, height: 0, bytes: 0)
      }
      var measure = Measure(size: 1, height: 1, bytes: 0)
      switch node {
      case .mapping(let mapping):
        for (key, value) in mapping {
          let k = walk(key, depth: depth + 1, context: key.mark)
          let v = walk(value, depth: depth + 1, context: key.mark)
          measure.size += k.size + v.size
          measure.bytes += k.bytes + v.bytes
          measure.height = max(measure.height, 1 + max(k.height, v.height))
        }
      case .sequence(let sequence):
        for item in sequence {
          // An alias item's mark is its anchor's; the list it stands in is where the expansion happens.
          let m = walk(item, depth: depth + 1, context: node.mark)
          measure.size += m.size
          measure.bytes += m.bytes
          measure.height = max(measure.height, 1 + m.height)
        }
      case .scalar(let scalar):
        measure.bytes = scalar.string.utf8.count
      case .alias:
        break
      }
      if let anchor = node.anchor { seen[ObjectIdentifier(anchor)] = measure }
      return measure
    }
  }
}
