import Foundation
import Testing
import Yams

@testable import RigEmitters

/// The YAML writer: quoting that keeps every string a string, order as built, documents.
@Suite struct YAMLValueTests {
  @Test func writesBlockStyleInTheOrderBuilt() {
    let value: YAMLValue = [
      "name": "Install packages", "become": true, "port": 8188,
      "list": ["a", "b"], "nested": ["z": "1", "a": "2"],
    ]
    #expect(
      value.document == """
        ---
        name: Install packages
        become: true
        port: 8188
        list:
          - a
          - b
        nested:
          z: '1'
          a: '2'

        """)
  }

  static let trickyStrings = [
    "0644", "1.30", "yes", "No", "on", "OFF", "~", "null", "", "true", "12", "-1", ".5", "+1", "0x1F", "1e3",
    "a: b", "#x", "- x", "{{ lookup('pipe', 'touch /tmp/x') }}", "line\nbreak", " lead", "trail ", "'q'", "\"d\"",
    "@at", "`tick", "!tag", "&anchor", "*alias", "% percent", "key:", "[x]", "{x}", "y", "n", "=", "<<", "1:20",
    "190:20:30", "0b101", "0o17", "+.inf", ".NaN", "2001-12-14", "-", "?", "|", ">",
  ]

  @Test(arguments: trickyStrings)
  func everyStringReadsBackAsTheSameString(text: String) throws {
    let document = YAMLValue.map([("k", .string(text))]).document
    // Yams reads YAML 1.1-style booleans and numbers like PyYAML does for these cases.
    let loaded = try #require(try Yams.load(yaml: document) as? [String: Any])
    #expect(loaded["k"] as? String == text, "\(document)")
  }

  /// Sequences move two columns right with everything in them; block scalars keep their text.
  @Test func sequencesAreIndentedAndBlockScalarsKept() {
    let value: YAMLValue = [
      "tasks": [["name": "a", "tags": ["x", "z"]], ["name": "b", "when": "c"]],
      "data": ["config": "list:\n- item\nkey:\n- other\n"], "items": ["one\ntwo\n", "plain"],
    ]
    #expect(
      value.body == """
        tasks:
          - name: a
            tags:
              - x
              - z
          - name: b
            when: c
        data:
          config: |
            list:
            - item
            key:
            - other
        items:
          - |
            one
            two
          - plain

        """)
  }

  /// Block scalars with an indentation indicator (text starting with spaces) or empty lines inside still move
  /// with their sequence, and keep their text.
  @Test(arguments: ["  indented\nsecond line", "first\n\nthird\n", " both\n\n  kinds\n\n"])
  func blockScalarsInsideSequencesMove(text: String) throws {
    let value: YAMLValue = ["items": [["name": "a", "text": .string(text), "tags": ["x"]], ["name": "b"]]]
    let body = value.body
    #expect(body.hasPrefix("items:\n  - name: a\n"), "\(body)")
    #expect(body.contains("\n  - name: b\n"), "\(body)")
    #expect(body.contains("\n      - x\n"), "\(body)")
    let loaded = try #require(try Yams.load(yaml: body) as? [String: Any])
    let items = try #require(loaded["items"] as? [[String: Any]])
    #expect(items.first?["text"] as? String == text)
  }

  /// PyYAML, which Ansible reads with (YAML 1.1: sexagesimal numbers, dates, `yes`), reads every string back as
  /// the same string.
  @Test func pyYAMLReadsEveryStringBack() throws {
    let document = YAMLValue.list(Self.trickyStrings.map { .string($0) }).document
    let venv = ProcessInfo.processInfo.environment["RIG_VENV"] ?? packageRoot + "/.venv"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: venv + "/bin/python")
    process.arguments = ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(document.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let strings = try JSONSerialization.jsonObject(with: data) as? [Any]
    #expect(strings?.map { $0 as? String } == Self.trickyStrings.map { Optional($0) }, "\(document)")
  }

  @Test func severalDocuments() {
    #expect(YAMLValue.documents([["a": 1], ["b": 2]]) == "---\na: 1\n---\nb: 2\n")
  }
}
