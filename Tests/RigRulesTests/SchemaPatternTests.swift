import Testing

@testable import RigRules

/// `SchemaPattern`, rig's matcher for the schema's string grammars, accepts exactly what Swift's `Regex` accepts
/// (with Unicode-scalar semantics, the unit both read) for every pattern of the schema, and refuses the syntax it
/// does not implement instead of reading it some other way.
@Suite struct SchemaPatternTests {
  static let sources = RigSchema.patterns.map { (name: $0.0, pattern: $0.1) }

  @Test func everyPatternOfTheSchemaCompiles() throws {
    for (name, pattern) in Self.sources {
      #expect(throws: Never.self, "\(name)") { try SchemaPattern(pattern) }
      #expect(RigSchema.compiledPatterns[name] != nil, "\(name)")
    }
    #expect(RigSchema.compiledPatterns.count == Self.sources.count)
  }

  /// Every string of up to two scalars over the pattern's own boundary scalars (each range's ends and their
  /// neighbours) and some others, then strings the automaton generates and one-scalar mutations of them.
  @Test(arguments: sources.map(\.name))
  func agreesWithRegex(name: String) throws {
    let source = try #require(Self.sources.first { $0.name == name }?.pattern)
    let pattern = try SchemaPattern(source)
    let regex = try Regex(source).matchingSemantics(.unicodeScalar)
    var alphabet = Self.boundaries(of: source)
    alphabet += [" ", "\t", "\n", "\u{2003}", "é", "°", "Z", "z", "0", "9", "-", ".", ":", "/", "@", "_"]
    alphabet = Array(Set(alphabet)).sorted { $0.value < $1.value }
    var texts = [""]
    for a in alphabet {
      texts.append(String(a))
      for b in alphabet { texts.append(String(a) + String(b)) }
    }
    var seed: UInt64 = 20_261_206
    for _ in 0..<300 {
      let accepted = pattern.example(seed: &seed)
      texts.append(accepted)
      var scalars = Array(accepted.unicodeScalars)
      let position = Int(Self.draw(&seed, below: UInt64(scalars.count + 1)))
      let replacement = alphabet[Int(Self.draw(&seed, below: UInt64(alphabet.count)))]
      switch Self.draw(&seed, below: 3) {
      case 0 where position < scalars.count: scalars.remove(at: position)
      case 1 where position < scalars.count: scalars[position] = replacement
      default: scalars.insert(replacement, at: position)
      }
      texts.append(String(String.UnicodeScalarView(scalars)))
    }
    var accepted = 0
    for text in texts {
      let expected = text.wholeMatch(of: regex) != nil
      #expect(pattern.matches(text) == expected, "\(name): \(text.debugDescription)")
      if expected { accepted += 1 }
    }
    // Both answers occur, so the comparison could have failed either way.
    #expect(accepted >= 300)
    #expect(texts.count - accepted >= 100)
  }

  @Test func countsAndAnchorsAreExact() throws {
    let label = try SchemaPattern(#"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"#)
    #expect(label.matches(String(repeating: "a", count: 63)))
    #expect(!label.matches(String(repeating: "a", count: 64)))
    #expect(!label.matches("a-"))
    let digest = try SchemaPattern(#"^x(@sha256:[a-f0-9]{64})?$"#)
    #expect(digest.matches("x@sha256:" + String(repeating: "0", count: 64)))
    #expect(!digest.matches("x@sha256:" + String(repeating: "0", count: 63)))
    // A long text that an exponential matcher would not finish: the answer still comes.
    let nested = try SchemaPattern(#"^(a|aa)*(b+)*c$"#)
    #expect(!nested.matches(String(repeating: "a", count: 5000) + String(repeating: "b", count: 5000)))
    #expect(try SchemaPattern("^a|b$").matches("b"))
    #expect(try !SchemaPattern("^a|b$").matches("ab"))
  }

  @Test(arguments: [
    ".", #"\d"#, #"\w"#, "(?=a)", "[a", "a{3,2}", "a)", "*a", "a{", #"a\"#, "[b-a]", "a??", "a*+", "a{2}?", "[]a]",
    "[a[b]]",
  ])
  func unsupportedSyntaxIsRefused(source: String) {
    #expect(throws: SchemaPattern.Unsupported.self) { try SchemaPattern(source) }
  }

  /// The scalars at the ends of the pattern's ranges and one beyond each, and every literal in it.
  static func boundaries(of source: String) -> [Unicode.Scalar] {
    var result: [Unicode.Scalar] = []
    let scalars = Array(source.unicodeScalars)
    for (index, scalar) in scalars.enumerated() {
      result.append(scalar)
      guard scalar == "-", index > 0, index + 1 < scalars.count else { continue }
      for value in [scalars[index - 1].value - 1, scalars[index + 1].value + 1] {
        if let neighbour = Unicode.Scalar(value) { result.append(neighbour) }
      }
    }
    return result
  }

  /// A small linear congruential step (Knuth's MMIX constants), so a failing run repeats.
  static func draw(_ seed: inout UInt64, below bound: UInt64) -> UInt64 {
    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (seed >> 33) % max(bound, 1)
  }
}

extension SchemaPattern {
  /// A text the automaton accepts, made by a walk from its first state that takes each branch and scalar by
  /// drawing from `seed`; after 40 steps it always takes a split's second branch, which leaves every loop.
  func example(seed: inout UInt64) -> String {
    var text = String.UnicodeScalarView()
    var state = initial
    var steps = 0
    while true {
      steps += 1
      switch states[state] {
      case .accept: return String(text)
      case .start(let next), .end(let next): state = next
      case .split(let first, let second):
        state = steps > 40 || SchemaPatternTests.draw(&seed, below: 2) == 1 ? second : first
      case .scalar(let allowed, let next):
        text.append(allowed.sample(&seed))
        state = next
      }
    }
  }
}

extension ScalarClass {
  /// A scalar this class accepts.
  func sample(_ seed: inout UInt64) -> Unicode.Scalar {
    let candidates: [Unicode.Scalar] =
      negated
      ? ["é", "!", " ", "~", "Q"].filter { contains($0) }
      : ranges.compactMap { range in
        let offset = SchemaPatternTests.draw(&seed, below: UInt64(range.upperBound - range.lowerBound + 1))
        return Unicode.Scalar(range.lowerBound + UInt32(offset))
      } + (whitespace ? [" ", "\u{2003}"] : [])
    return candidates[Int(SchemaPatternTests.draw(&seed, below: UInt64(candidates.count)))]
  }
}
