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

  @Test(arguments: [
    "0644", "1.30", "yes", "No", "on", "OFF", "~", "null", "", "true", "12", "-1", ".5", "+1", "0x1F", "1e3",
    "a: b", "#x", "- x", "{{ lookup('pipe', 'touch /tmp/x') }}", "line\nbreak", " lead", "trail ", "'q'", "\"d\"",
    "@at", "`tick", "!tag", "&anchor", "*alias", "% percent", "key:", "[x]", "{x}",
  ])
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

  @Test func severalDocuments() {
    #expect(YAMLValue.documents([["a": 1], ["b": 2]]) == "---\na: 1\n---\nb: 2\n")
  }
}
