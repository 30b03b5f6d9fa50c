/// A compiled string grammar of the schema (`RigSchema.patterns`): the same regular expression the JSON Schema
/// carries, matched here by a Thompson automaton over Unicode scalars instead of Swift's `Regex`.
///
/// Why not `Regex`: compiling the schema's patterns costs about 2 ms of a 15 ms `rig check` (the regex parser
/// and byte-code generator run at every start), a `Regex` is not `Sendable` (so each lowering thread compiled
/// its own), and its matcher backtracks. This automaton compiles in microseconds, is shared by every thread,
/// and matches in time linear in the text. It accepts the subset of the syntax the schema uses — literals,
/// escaped punctuation (`\.`), `\s`, classes with ranges and negation, groups (`(…)`, `(?:…)`), alternation,
/// `?` `*` `+` `{n}` `{m,}` `{m,n}`, and the anchors `^` `$` — and refuses anything else (`.`, `\d`, `\w`, whose
/// Unicode meanings differ between engines; lazy and possessive quantifiers; an empty class or one inside
/// another, which ECMAScript and `Regex` read differently). A property test compares it with `Regex`
/// (Unicode-scalar semantics) on strings generated from each pattern and on their mutations.
package struct SchemaPattern: Sendable {
  /// One state of the automaton; `next` and the branches index `states`.
  enum State: Sendable {
    case scalar(ScalarClass, next: Int)
    case split(Int, Int)
    case start(next: Int)
    case end(next: Int)
    case accept
  }

  let states: [State]
  let initial: Int

  package init(_ source: String) throws(Unsupported) {
    var parser = Parser(scalars: Array(source.unicodeScalars))
    let tree = try parser.alternation()
    guard parser.index == parser.scalars.count else { throw parser.unsupported("an unmatched ')'") }
    var builder = Builder()
    let accept = builder.add(.accept)
    initial = builder.compile(tree, then: accept)
    states = builder.states
  }

  /// Whether the whole of `text` matches (as `Regex.wholeMatch` does).
  package func matches(_ text: String) -> Bool {
    var current = StateSet(count: states.count)
    var following = StateSet(count: states.count)
    let scalars = text.unicodeScalars
    let count = scalars.count
    add(initial, at: 0, count: count, to: &current)
    var position = 0
    for scalar in scalars {
      if current.members.isEmpty { return false }
      following.clear()
      position += 1
      for index in current.members {
        if case .scalar(let allowed, let next) = states[index], allowed.contains(scalar) {
          add(next, at: position, count: count, to: &following)
        }
      }
      swap(&current, &following)
    }
    return current.members.contains { if case .accept = states[$0] { true } else { false } }
  }

  /// Adds `index` and every state reachable from it without reading a scalar, at `position` of a text of
  /// `count` scalars (the anchors look at the position).
  private func add(_ index: Int, at position: Int, count: Int, to set: inout StateSet) {
    var pending = [index]
    while let index = pending.popLast() {
      guard set.insert(index) else { continue }
      switch states[index] {
      case .split(let first, let second): pending.append(second); pending.append(first)
      case .start(let next): if position == 0 { pending.append(next) }
      case .end(let next): if position == count { pending.append(next) }
      case .scalar, .accept: break
      }
    }
  }

  /// A set of state indexes that clears in time proportional to its members.
  struct StateSet {
    var members: [Int] = []
    var marked: [Bool]
    init(count: Int) { marked = Array(repeating: false, count: count) }
    mutating func insert(_ index: Int) -> Bool {
      guard !marked[index] else { return false }
      marked[index] = true
      members.append(index)
      return true
    }
    mutating func clear() {
      for index in members { marked[index] = false }
      members.removeAll(keepingCapacity: true)
    }
  }

  /// A pattern this matcher does not implement, or a malformed one.
  package struct Unsupported: Error, CustomStringConvertible {
    package let description: String
  }
}

/// The scalars one step of a pattern accepts: ranges, or the scalars outside them.
struct ScalarClass: Sendable {
  var ranges: [ClosedRange<UInt32>] = []
  var whitespace = false
  var negated = false

  func contains(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    let inside = ranges.contains { $0.contains(value) } || (whitespace && scalar.properties.isWhitespace)
    return inside != negated
  }

  static func single(_ scalar: Unicode.Scalar) -> ScalarClass { ScalarClass(ranges: [scalar.value...scalar.value]) }
  /// `\s`: a scalar with Unicode's White_Space property (as `Regex` reads it with Unicode-scalar semantics).
  static let spaces = ScalarClass(whitespace: true)
}

extension SchemaPattern {
  indirect enum Node {
    case step(ScalarClass)
    case start
    case end
    case sequence([Node])
    case choice([Node])
    case repeated(Node, min: Int, max: Int?)
  }

  /// A recursive-descent reader of the pattern's syntax.
  struct Parser {
    let scalars: [Unicode.Scalar]
    var index = 0

    var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    func unsupported(_ what: String) -> Unsupported {
      Unsupported(description: "\(what) at offset \(index) of the pattern")
    }

    mutating func alternation() throws(Unsupported) -> Node {
      var branches = [try sequence()]
      while peek == "|" {
        index += 1
        branches.append(try sequence())
      }
      return branches.count == 1 ? branches[0] : .choice(branches)
    }

    mutating func sequence() throws(Unsupported) -> Node {
      var items: [Node] = []
      while let scalar = peek, scalar != "|", scalar != ")" {
        let atom = try self.atom()
        items.append(try quantified(atom))
      }
      return items.count == 1 ? items[0] : .sequence(items)
    }

    mutating func atom() throws(Unsupported) -> Node {
      guard let scalar = peek else { throw unsupported("a missing atom") }
      index += 1
      switch scalar {
      case "^": return .start
      case "$": return .end
      case "[": return .step(try characterClass())
      case "\\": return .step(try escape().map(ScalarClass.single) ?? .spaces)
      case "(":
        if peek == "?" {
          guard index + 1 < scalars.count, scalars[index + 1] == ":" else { throw unsupported("a group kind") }
          index += 2
        }
        let inner = try alternation()
        guard peek == ")" else { throw unsupported("an unclosed '('") }
        index += 1
        return inner
      case "*", "+", "?", "{", ")", "]", "}", ".": throw unsupported("'\(scalar)' here")
      default: return .step(.single(scalar))
      }
    }

    mutating func quantified(_ atom: Node) throws(Unsupported) -> Node {
      var node = atom
      while let scalar = peek {
        switch scalar {
        case "?": node = .repeated(node, min: 0, max: 1)
        case "*": node = .repeated(node, min: 0, max: nil)
        case "+": node = .repeated(node, min: 1, max: nil)
        case "{":
          index += 1
          let low = try number()
          var high: Int? = low
          if peek == "," {
            index += 1
            high = peek == "}" ? nil : try number()
          }
          guard peek == "}", high.map({ $0 >= low }) ?? true else { throw unsupported("a malformed '{m,n}'") }
          node = .repeated(node, min: low, max: high)
        default: return node
        }
        index += 1
        // `a??`, `a*+`: Regex reads a second quantifier as lazy or possessive, which can change what matches.
        if let next = peek, "?*+{".unicodeScalars.contains(next) {
          throw unsupported("a quantifier after a quantifier")
        }
      }
      return node
    }

    mutating func number() throws(Unsupported) -> Int {
      var value = 0
      var digits = 0
      while let scalar = peek, ("0"..."9").contains(scalar) {
        value = value * 10 + Int(scalar.value - 0x30)
        digits += 1
        index += 1
        guard digits <= 4 else { throw unsupported("a repeat count over 9999") }
      }
      guard digits > 0 else { throw unsupported("a missing repeat count") }
      return value
    }

    /// The scalar an escape stands for, or nil for `\s`.
    mutating func escape() throws(Unsupported) -> Unicode.Scalar? {
      guard let scalar = peek else { throw unsupported("a trailing '\\'") }
      index += 1
      if scalar == "s" { return nil }
      guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else {
        throw unsupported("the escape '\\\(scalar)'")
      }
      return scalar
    }

    mutating func characterClass() throws(Unsupported) -> ScalarClass {
      var result = ScalarClass()
      if peek == "^" {
        result.negated = true
        index += 1
      }
      guard peek != "]" else { throw unsupported("an empty class") }
      while let scalar = peek, scalar != "]" {
        index += 1
        guard scalar != "[" else { throw unsupported("a class inside a class") }
        var low = scalar
        if scalar == "\\" {
          guard let escaped = try escape() else {
            result.whitespace = true
            continue
          }
          low = escaped
        }
        if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
          index += 1
          guard let high = peek, high != "\\" else { throw unsupported("a class range ending in an escape") }
          index += 1
          guard low.value <= high.value else { throw unsupported("a reversed class range") }
          result.ranges.append(low.value...high.value)
        } else {
          result.ranges.append(low.value...low.value)
        }
      }
      guard peek == "]" else { throw unsupported("an unclosed '['") }
      index += 1
      return result
    }
  }

  /// Builds the automaton back to front: each node is compiled knowing the state that follows it.
  struct Builder {
    var states: [State] = []

    mutating func add(_ state: State) -> Int {
      states.append(state)
      return states.count - 1
    }

    mutating func compile(_ node: Node, then next: Int) -> Int {
      switch node {
      case .step(let allowed): return add(.scalar(allowed, next: next))
      case .start: return add(.start(next: next))
      case .end: return add(.end(next: next))
      case .sequence(let items): return items.reversed().reduce(next) { compile($1, then: $0) }
      case .choice(let branches):
        let entries = branches.map { compile($0, then: next) }
        return entries.dropLast().reversed().reduce(entries[entries.count - 1]) { add(.split($1, $0)) }
      case .repeated(let body, let min, let max):
        var entry: Int
        if let max {
          // The optional copies nest: (x(x(x)?)?)?, each skipping to what follows the whole repetition.
          entry = next
          for _ in 0..<(max - min) { entry = add(.split(compile(body, then: entry), next)) }
        } else {
          let loop = add(.split(next, next))
          states[loop] = .split(compile(body, then: loop), next)
          entry = loop
        }
        for _ in 0..<min { entry = compile(body, then: entry) }
        return entry
      }
    }
  }
}
