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
struct YAMLDocument {
  var file: String
  var root: Node
  var lines: [[Unicode.Scalar]]
  /// Keeps anchors alive: Yams holds them weakly in nodes and strongly in the parser.
  var parser: Parser

  /// Parses `text` (already read from `file`), reporting any problem in `diagnostics`; nil when unusable.
  static func parse(file: String, text: String, diagnostics: inout DiagnosticEngine) -> YAMLDocument? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
    func location(_ mark: Mark) -> SourceRange {
      SourceRange(start: SourceLocation(file: file, line: mark.line, column: mark.column), length: 1)
    }
    if let problem = AliasKeyScan.firstAliasedComplexKey(in: lines) {
      diagnostics.emit(
        FrontEndMessage.complexKey,
        at: SourceRange(
          start: SourceLocation(file: file, line: problem.line, column: problem.column), length: problem.length),
        help: ["rig keys are names; write the key as a plain string"])
      return nil
    }
    do {
      let parser = try Parser(yaml: text)
      guard let root = try parser.singleRoot() else {
        diagnostics.emit(
          FrontEndMessage.emptyDocument,
          at: SourceRange(start: SourceLocation(file: file, line: 1, column: 1), length: 1),
          help: ["start from 'examples/minimal/rig.yaml'"])
        return nil
      }
      let document = YAMLDocument(file: file, root: root, lines: lines, parser: parser)
      guard NodeGuard.check(document, diagnostics: &diagnostics) else { return nil }
      return document
    } catch let error as YamlError {
      switch error {
      case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
        .composer(let context, let problem, let mark, _):
        if problem.hasPrefix("Maximum nesting level reached") {
          diagnostics.emit(
            FrontEndMessage.nestingTooDeep(limit: InputLimits.depth), at: location(mark),
            help: ["rig files nest a few levels; flatten the structure"])
          return nil
        }
        if problem == "but found another document" {
          diagnostics.emit(
            FrontEndMessage.syntax("a second YAML document starts here; a rig file holds one"), at: location(mark),
            help: ["remove this '---' and what follows, or move it to a file of its own and list it under 'include:'"])
          return nil
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
        diagnostics.emit(FrontEndMessage.syntax(problem), at: location(mark), notes: notes, help: help)
      case .reader(let problem, let offset, _, _):
        let (line, column) = offset.map { Self.position(ofByteOffset: $0, in: text) } ?? (1, 1)
        diagnostics.emit(
          FrontEndMessage.syntax(problem),
          at: SourceRange(start: SourceLocation(file: file, line: line, column: column), length: 1))
      case .duplicatedKeysInMapping(let duplicates, let context):
        let key = duplicates.first ?? ""
        let first = location(context.mark)
        if let second = DuplicateKeyScan.secondOccurrence(of: key, after: context.mark, in: lines) {
          diagnostics.emit(
            FrontEndMessage.duplicateKey(key),
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
            FrontEndMessage.duplicateKey(key), at: SourceRange(start: first.start, length: key.unicodeScalars.count),
            help: ["this key is written more than once in the same mapping; keep one of them"])
        }
      default:
        diagnostics.emit(
          FrontEndMessage.syntax("\(error)"),
          at: SourceRange(start: SourceLocation(file: file, line: 1, column: 1), length: 1))
      }
      return nil
    } catch {
      diagnostics.emit(
        FrontEndMessage.syntax("\(error)"),
        at: SourceRange(start: SourceLocation(file: file, line: 1, column: 1), length: 1))
      return nil
    }
  }

  /// The 1-based line and column (in scalars) of a byte offset into the UTF-8 of `text`.
  static func position(ofByteOffset offset: Int, in text: String) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    var consumed = 0
    for scalar in text.unicodeScalars {
      if consumed >= offset { break }
      consumed += UTF8.width(scalar)
      if scalar == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
    return (line, column)
  }
}

/// Finds where a YAML file uses an alias as a mapping key, or a collection key in a file that has aliases.
/// Yams hashes every key while composing, so an aliased collection key would be expanded in full before rig
/// could count it: such files are refused from their text, before parsing. The scan over-approximates
/// (it may flag such a pattern inside a quoted string), never the other way round.
enum AliasKeyScan {
  struct Hit {
    var line: Int
    var column: Int
    var length: Int
  }

  static func isAnchorCharacter(_ c: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-" || c == "_"
  }

  static func isTokenStart(_ line: [Unicode.Scalar], _ index: Int) -> Bool {
    index == 0 || " \t[{,".unicodeScalars.contains(line[index - 1])
  }

  static func firstAliasedComplexKey(in lines: [[Unicode.Scalar]]) -> Hit? {
    var hasAlias = false
    var firstComplexKey: Hit?
    for (lineIndex, line) in lines.enumerated() {
      var index = 0
      while index < line.count {
        let c = line[index]
        if c == "*", index + 1 < line.count, isAnchorCharacter(line[index + 1]), isTokenStart(line, index) {
          hasAlias = true
          var end = index + 1
          while end < line.count, isAnchorCharacter(line[end]) { end += 1 }
          if followedByColon(line, end) {
            return Hit(line: lineIndex + 1, column: index + 1, length: end - index)
          }
          index = end
          continue
        }
        if firstComplexKey == nil {
          if c == "?", isTokenStart(line, index),
            index + 1 == line.count || line[index + 1] == " " || line[index + 1] == "\t"
          {
            firstComplexKey = Hit(line: lineIndex + 1, column: index + 1, length: 1)
          } else if c == "]" || c == "}", followedByColon(line, index + 1) {
            firstComplexKey = Hit(line: lineIndex + 1, column: index + 1, length: 1)
          }
        }
        index += 1
      }
    }
    return hasAlias ? firstComplexKey : nil
  }

  /// Whether spaces and then a key indicator (`:` followed by a blank, or ending the line) follow `index`.
  static func followedByColon(_ line: [Unicode.Scalar], _ index: Int) -> Bool {
    var i = index
    while i < line.count, line[i] == " " || line[i] == "\t" { i += 1 }
    guard i < line.count, line[i] == ":" else { return false }
    return i + 1 == line.count || " \t,]}".unicodeScalars.contains(line[i + 1])
  }
}

/// Finds the second occurrence of a duplicated key, which Yams does not report: the next line at the same
/// indentation that starts with the key (block mappings), or the next `key:` on the first key's line (flow).
enum DuplicateKeyScan {
  static func secondOccurrence(of key: String, after mark: Mark, in lines: [[Unicode.Scalar]]) -> (
    line: Int, column: Int
  )? {
    let keyScalars = Array(key.unicodeScalars)
    let candidates = [keyScalars, ["\""] + keyScalars + ["\""], ["'"] + keyScalars + ["'"]]
    func keyAt(_ line: [Unicode.Scalar], _ index: Int) -> Bool {
      for candidate in candidates where index + candidate.count <= line.count {
        if Array(line[index..<index + candidate.count]) == candidate,
          AliasKeyScan.followedByColon(line, index + candidate.count)
        {
          return true
        }
      }
      return false
    }
    let column = mark.column - 1
    guard lines.indices.contains(mark.line - 1) else { return nil }
    let firstLine = lines[mark.line - 1]
    // A flow mapping on the same line.
    var index = column + 1
    while index < firstLine.count {
      if AliasKeyScan.isTokenStart(firstLine, index), keyAt(firstLine, index) { return (mark.line, index + 1) }
      index += 1
    }
    // A block mapping: later lines at the same indentation.
    for lineIndex in mark.line..<lines.count {
      let line = lines[lineIndex]
      let indent = line.prefix { $0 == " " }.count
      if indent == line.count || line[indent] == "#" { continue }
      if indent < column { break }
      if indent == column, keyAt(line, column) { return (lineIndex + 1, column + 1) }
      // `- key:` items of a sequence of mappings at the same column.
    }
    return nil
  }
}

/// Checks the composed tree against the depth limit and the alias expansion budget, counting each
/// anchor's subtree once (never walking an expansion), so a "billion laughs" file costs its own size.
enum NodeGuard {
  struct Measure {
    var size: Int
    var height: Int
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
    var problem: Diagnostic?

    func range(_ mark: Mark?) -> SourceRange {
      SourceRange(start: SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1), length: 1)
    }

    mutating func walk(_ node: Node, depth: Int, context: Mark?) -> Measure {
      if problem != nil { return Measure(size: 0, height: 0) }
      if let anchor = node.anchor, let known = seen[ObjectIdentifier(anchor)] {
        // An alias: its expansion costs the anchor's size, and it nests the anchor's height deeper.
        expanded += known.size
        if expanded > InputLimits.aliasExpansion {
          problem = Diagnostic(
            FrontEndMessage.aliasBudget(limit: InputLimits.aliasExpansion), at: range(context ?? node.mark),
            help: ["write the repeated parts out, or use fewer levels of aliases"])
        } else if depth + known.height - 1 > InputLimits.depth {
          problem = Diagnostic(
            FrontEndMessage.nestingTooDeep(limit: InputLimits.depth), at: range(context ?? node.mark),
            help: ["rig files nest a few levels; flatten the structure"])
        }
        return known
      }
      if depth > InputLimits.depth {
        problem = Diagnostic(
          FrontEndMessage.nestingTooDeep(limit: InputLimits.depth), at: range(node.mark),
          help: ["rig files nest a few levels; flatten the structure"])
        return Measure(size: 0, height: 0)
      }
      var measure = Measure(size: 1, height: 1)
      switch node {
      case .mapping(let mapping):
        for (key, value) in mapping {
          let k = walk(key, depth: depth + 1, context: key.mark)
          let v = walk(value, depth: depth + 1, context: key.mark)
          measure.size += k.size + v.size
          measure.height = max(measure.height, 1 + max(k.height, v.height))
        }
      case .sequence(let sequence):
        for item in sequence {
          // An alias item's mark is its anchor's; the list it stands in is where the expansion happens.
          let m = walk(item, depth: depth + 1, context: node.mark)
          measure.size += m.size
          measure.height = max(measure.height, 1 + m.height)
        }
      case .scalar, .alias:
        break
      }
      if let anchor = node.anchor { seen[ObjectIdentifier(anchor)] = measure }
      return measure
    }
  }
}
