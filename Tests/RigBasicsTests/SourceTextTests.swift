import Testing

@testable import RigBasics

@Suite struct SourceTextTests {
  @Test func linesBreakWhereYAMLMarksCountLines() {
    // LF, CR, CR LF (one break), NEL, LS and PS; the text after the last break is a line, even when empty.
    let text = "a\r\nb\rc\u{85}d\u{2028}e\u{2029}f\n"
    #expect(
      SourceFiles.lines(of: text).map { String(String.UnicodeScalarView($0)) } == ["a", "b", "c", "d", "e", "f", ""])
    #expect(SourceFiles.lines(of: "a\r\r\nb").map { String(String.UnicodeScalarView($0)) } == ["a", "", "b"])
    #expect(SourceFiles.lines(of: "").map(\.count) == [0])
    #expect(SourceFiles.lines(of: "\r\n").map(\.count) == [0, 0])
  }

  @Test func keptFilesGiveEachLineBack() {
    var files = SourceFiles()
    files.add(file: "rig.yaml", text: "name: caf\u{E9}\r\n  - \u{1F600} x\n\nlast")
    #expect(files.line(1, of: "rig.yaml") == "name: caf\u{E9}")
    #expect(files.line(2, of: "rig.yaml") == "  - \u{1F600} x")
    #expect(files.scalars(ofLine: 2, in: "rig.yaml")?.count == 7)
    #expect(files.line(3, of: "rig.yaml") == "")
    #expect(files.line(4, of: "rig.yaml") == "last")
    #expect(files.line(5, of: "rig.yaml") == nil)
    #expect(files.line(0, of: "rig.yaml") == nil)
    #expect(files.line(1, of: "other.yaml") == nil)
  }

  @Test func linesMatchAWalkScalarByScalar() {
    // Against LinePosition itself, over generated text mixing every break with other characters.
    let pieces: [String] = ["a", "\n", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}", "\u{E9}", " ", "\u{1F600}"]
    var generator = SeededGenerator(seed: 7)
    for _ in 0..<300 {
      let text = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in
        pieces[Int.random(in: 0..<pieces.count, using: &generator)]
      }.joined()
      var expected: [[Unicode.Scalar]] = [[]]
      var position = LinePosition()
      for scalar in text.unicodeScalars {
        let line = position.line
        position.advance(past: scalar)
        if position.line != line {
          expected.append([])
        } else if !SourceFiles.isLineBreak(scalar) {
          expected[expected.count - 1].append(scalar)
        }
      }
      #expect(SourceFiles.lines(of: text) == expected, "\(text.debugDescription)")
    }
  }
}

@Suite struct ConcurrentMapTests {
  @Test func givesMapsResultInOrder() {
    let numbers = Array(0..<10_000)
    #expect(numbers.concurrentMap { $0 * 3 + 1 } == numbers.map { $0 * 3 + 1 })
    #expect(numbers.concurrentMap(minimum: 1) { String($0) } == numbers.map { String($0) })
    #expect([Int]().concurrentMap { $0 } == [])
    #expect([5].concurrentMap(minimum: 1) { $0 + 1 } == [6])
  }

  @Test func keepsNilResults() {
    let numbers = Array(0..<1_000)
    let halves = numbers.concurrentMap { $0.isMultiple(of: 2) ? $0 / 2 : nil }
    #expect(halves.count == 1_000)
    #expect(halves == numbers.map { $0.isMultiple(of: 2) ? $0 / 2 : nil })
  }
}
