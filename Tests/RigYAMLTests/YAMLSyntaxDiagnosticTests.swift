import Testing

// A case that starts with `\(Machine.base)` (Support.swift) gets lines 1-7 from it; its own lines start at line 8.

/// The YAML itself: syntax errors, documents, line breaks, and keys YAML allows but rig does not (duplicates,
/// collections, aliases); locations stay right through anchors and carriage returns.
@Suite struct YAMLSyntaxDiagnosticTests {
  @Test func yamlSyntaxError() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack: [neovim

      """,
      """
      rig.yaml:9:1: error: did not find expected ',' or ']' [yaml-syntax]
      9 |
        | ^
      rig.yaml:8:8: note: while parsing a flow sequence
      8 | stack: [neovim
        |        ^

      1 error

      """)
  }

  @Test func errorAtEndOfFileWithoutNewline() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack: [neovim
      """,
      """
      rig.yaml:8:15: error: did not find expected ',' or ']' [yaml-syntax]
      8 | stack: [neovim
        |               ^
      rig.yaml:8:8: note: while parsing a flow sequence
      8 | stack: [neovim
        |        ^

      1 error

      """)
  }

  @Test func tabIndentation() {
    expectDiagnostics(
      """
      \(Machine.base)
      policies:
      \tcpu: {}

      """,
      """
      rig.yaml:9:1: error: found character that cannot start any token [yaml-syntax]
      9 |  cpu: {}
        | ^
      help: YAML indents with spaces; replace the tab

      1 error

      """)
  }

  @Test func undefinedAlias() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack: *nothing

      """,
      """
      rig.yaml:8:8: error: found undefined alias [yaml-syntax]
      8 | stack: *nothing
        |        ^

      1 error

      """)
  }

  @Test func emptyFile() {
    expectDiagnostics(
      """

      """,
      """
      rig.yaml:1:1: error: file holds no YAML document [empty-document]
      1 |
        | ^
      help: start from 'examples/minimal/rig.yaml'

      1 error

      """)
  }

  @Test func emptyDocumentMarker() {
    expectDiagnostics(
      """
      ---
      """,
      """
      rig.yaml:1:1: error: file holds no YAML document [empty-document]
      1 | ---
        | ^
      help: start from 'examples/minimal/rig.yaml'

      1 error

      """)
  }

  @Test func twoDocuments() {
    expectDiagnostics(
      """
      \(Machine.base)
      ---
      name: other

      """,
      """
      rig.yaml:8:1: error: a second YAML document starts here; a rig file holds one [yaml-syntax]
      8 | ---
        | ^
      help: remove this '---' and what follows, or move it to a file of its own and list it under 'include:'

      1 error

      """)
  }

  @Test func carriageReturnLineBreaks() {
    expectDiagnostics(
      """
      apiVersion: rig/v1\rname: t\rhardware:\r  cpu:\r    hybrid: { performance: 8, efficiency: 12 }\r  memory: 32GB\r  os: { distribution: debian, release: bookworm }\r
      """,
      """
      rig.yaml:6:13: error: 'GB' is ambiguous: rig takes binary units for sizes [bad-quantity]
      6 |   memory: 32GB
        |             ^~
      help: write '32GiB' if you mean 32GiB; binary units are B, KiB, MiB, GiB and TiB (or Ki, Mi, Gi, Ti)

      1 error

      """)
  }

  @Test func anchorBeforeValue() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: &m 32GB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:6:16: error: 'GB' is ambiguous: rig takes binary units for sizes [bad-quantity]
      6 |   memory: &m 32GB
        |                ^~
      help: write '32GiB' if you mean 32GiB; binary units are B, KiB, MiB, GiB and TiB (or Ki, Mi, Gi, Ti)

      1 error

      """)
  }

  @Test func duplicateKey() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack: [neovim]
      stack: [steam]

      """,
      """
      rig.yaml:9:1: error: duplicate key 'stack' [duplicate-key]
      9 | stack: [steam]
        | ^~~~~
      rig.yaml:8:1: note: first written here
      8 | stack: [neovim]
        | ^~~~~
      help: keep one of them; YAML readers disagree on which one wins

      1 error

      """)
  }

  @Test func duplicateKeyInFlowMapping() {
    expectDiagnostics(
      """
      \(Machine.base)
      targets:
        kubernetes: { version: "1.30", version: "1.31", namespace: ai }

      """,
      """
      rig.yaml:9:34: error: duplicate key 'version' [duplicate-key]
      9 |   kubernetes: { version: "1.30", version: "1.31", namespace: ai }
        |                                  ^~~~~~~
      rig.yaml:9:17: note: first written here
      9 |   kubernetes: { version: "1.30", version: "1.31", namespace: ai }
        |                 ^~~~~~~
      help: keep one of them; YAML readers disagree on which one wins

      1 error

      """)
  }

  @Test func duplicateKeyInNestedFlowMapping() {
    expectDiagnostics(
      """
      \(Machine.base)
      targets: {kubernetes: {namespace: ai, version: "1.30"}, kubernetes: {}}

      """,
      """
      rig.yaml:8:57: error: duplicate key 'kubernetes' [duplicate-key]
      8 | targets: {kubernetes: {namespace: ai, version: "1.30"}, kubernetes: {}}
        |                                                         ^~~~~~~~~~
      rig.yaml:8:11: note: first written here
      8 | targets: {kubernetes: {namespace: ai, version: "1.30"}, kubernetes: {}}
        |           ^~~~~~~~~~
      help: keep one of them; YAML readers disagree on which one wins

      1 error

      """)
  }

  @Test func duplicateKeyWrittenWithAnAnchor() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack: [neovim]
      &s stack: [steam]

      """,
      """
      rig.yaml:9:4: error: duplicate key 'stack' [duplicate-key]
      9 | &s stack: [steam]
        |    ^~~~~
      rig.yaml:8:1: note: first written here
      8 | stack: [neovim]
        | ^~~~~
      help: keep one of them; YAML readers disagree on which one wins

      1 error

      """)
  }

  @Test func aliasAsKey() {
    expectDiagnostics(
      """
      \(Machine.base)
      x: &k [a, b]
      *k : 1

      """,
      """
      rig.yaml:9:1: error: mapping keys must be plain strings, not collections or aliases [complex-key]
      9 | *k : 1
        | ^
      help: rig keys are names; write the key as a plain string

      1 error

      """)
  }

  @Test func collectionKeyWithAliases() {
    expectDiagnostics(
      """
      \(Machine.base)
      x: &a [neovim]
      stack: {[*a]: 1}

      """,
      """
      rig.yaml:9:9: error: mapping keys must be plain strings, not collections or aliases [complex-key]
      9 | stack: {[*a]: 1}
        |         ^
      help: rig keys are names; write the key as a plain string

      1 error

      """)
  }
}
