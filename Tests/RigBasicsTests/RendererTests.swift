import RigBasics
import Testing

struct TestMessage: DiagnosticMessage {
  var id: DiagnosticID = "test-message"
  var severity: Severity = .error
  var text = "something is wrong with 'x'"
}

@Suite struct RendererTests {
  var sources: SourceFiles {
    var files = SourceFiles()
    files.add(file: "rig.yaml", text: "a: 1\nkey:\tvalue\nlast: line\n")
    return files
  }

  func at(_ line: Int, _ column: Int, length: Int = 1) -> SourceRange {
    SourceRange(start: SourceLocation(file: "rig.yaml", line: line, column: column), length: length)
  }

  @Test func headerSnippetNotesAndHelp() {
    let d = Diagnostic(
      TestMessage(), at: at(2, 6, length: 5),
      notes: [DiagnosticNote("see here", at: at(1, 1)), DiagnosticNote("plain note")],
      help: ["do this"])
    let text = DiagnosticRenderer(sources: sources, colors: false).render(d)
    #expect(
      text == """
        rig.yaml:2:6: error: something is wrong with 'x' [test-message]
        2 | key: value
          |      ^~~~~
        rig.yaml:1:1: note: see here
        1 | a: 1
          | ^
        note: plain note
        help: do this

        """)
  }

  @Test func colorsWrapEachPart() {
    let d = Diagnostic(TestMessage(), at: at(1, 1))
    let text = DiagnosticRenderer(sources: sources, colors: true).render(d)
    #expect(text.hasPrefix("\u{1B}[1mrig.yaml:1:1:\u{1B}[0m \u{1B}[1;31merror:\u{1B}[0m"))
    #expect(text.contains("\u{1B}[1;32m^\u{1B}[0m"))
  }

  @Test func summaryAndOrder() {
    var engine = DiagnosticEngine()
    engine.emit(TestMessage(text: "second"), at: at(3, 1))
    engine.emit(TestMessage(text: "first"), at: at(1, 1))
    engine.emit(TestMessage(severity: .warning, text: "warn"), at: at(2, 1))
    let text = DiagnosticRenderer(sources: sources, colors: false).render(engine)
    let headers = text.split(separator: "\n").filter { $0.hasPrefix("rig.yaml") }
    #expect(
      headers == [
        "rig.yaml:1:1: error: first [test-message]", "rig.yaml:2:1: warning: warn [test-message]",
        "rig.yaml:3:1: error: second [test-message]",
      ])
    #expect(text.hasSuffix("\n2 errors, 1 warning\n"))
  }

  @Test func caretClampedToLine() {
    let d = Diagnostic(TestMessage(), at: at(1, 3, length: 50))
    let text = DiagnosticRenderer(sources: sources, colors: false).render(d)
    #expect(text.contains("1 | a: 1\n  |   ^~\n"))
  }

  @Test func colorModes() {
    #expect(ColorMode.auto.resolve(isTerminal: true, environment: [:]))
    #expect(!ColorMode.auto.resolve(isTerminal: false, environment: [:]))
    #expect(!ColorMode.auto.resolve(isTerminal: true, environment: ["NO_COLOR": "1"]))
    #expect(ColorMode.auto.resolve(isTerminal: true, environment: ["NO_COLOR": ""]))
    #expect(!ColorMode.auto.resolve(isTerminal: true, environment: ["TERM": "dumb"]))
    #expect(ColorMode.always.resolve(isTerminal: false, environment: ["NO_COLOR": "1"]))
    #expect(!ColorMode.never.resolve(isTerminal: true, environment: [:]))
  }

  @Test func jsonDocument() {
    var engine = DiagnosticEngine()
    engine.emit(TestMessage(), at: at(2, 6, length: 5), help: ["fix \"it\""])
    #expect(
      engine.json().serialized() == """
        {
          "format_version": 1,
          "errors": 1,
          "warnings": 0,
          "omitted": 0,
          "diagnostics": [
            {
              "id": "test-message",
              "severity": "error",
              "message": "something is wrong with 'x'",
              "range": {
                "file": "rig.yaml",
                "line": 2,
                "column": 6,
                "end_line": 2,
                "end_column": 11
              },
              "notes": [],
              "help": [
                "fix \\"it\\""
              ]
            }
          ]
        }

        """)
  }

  @Test func diagnosticsPastTheLimitAreCountedNotKept() {
    var engine = DiagnosticEngine(limit: 2)
    for line in 1...3 { engine.emit(TestMessage(), at: at(line, 1)) }
    engine.emit(TestMessage(severity: .warning), at: at(1, 1))
    #expect(engine.diagnostics.count == 2)
    #expect(engine.omitted == 2)
    #expect(engine.errorCount == 3 && engine.warningCount == 1)
    let text = DiagnosticRenderer(sources: sources, colors: false).render(engine)
    #expect(text.hasSuffix("note: 2 more not shown; rig lists the first 2\n\n3 errors, 1 warning\n"))
  }

  @Test func excerptsEscapeAndCut() {
    #expect("plain".excerpt == "plain")
    #expect("\u{1B}[31mred\nx\ty\r".excerpt == "\\u{1B}[31mred\\nx\\ty\\r")
    #expect(String(repeating: "x", count: 100).excerpt == String(repeating: "x", count: 59) + "…")
    #expect(String(repeating: "x", count: 60).excerpt == String(repeating: "x", count: 60))
  }

  @Test func controlCharactersInSnippetsAreReplaced() {
    var files = SourceFiles()
    files.add(file: "f", text: "a: \u{1B}[31m\n")
    let d = Diagnostic(TestMessage(), at: SourceRange(start: SourceLocation(file: "f", line: 1, column: 4), length: 1))
    let text = DiagnosticRenderer(sources: files, colors: false).render(d)
    #expect(text.contains("1 | a: \u{FFFD}[31m\n"))
  }

  @Test func suggestions() {
    #expect(Suggestion.closest(to: "memroy", among: ["cpu", "memory", "gpus"]) == "memory")
    #expect(Suggestion.closest(to: "zzz", among: ["cpu", "memory"]) == nil)
    #expect(Suggestion.editDistance("kitten", "sitting") == 3)
    #expect(Suggestion.editDistance("ab", "ba") == 1)
  }
}
