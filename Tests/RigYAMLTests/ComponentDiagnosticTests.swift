import Testing

// A case that starts with `\(Machine.base)` (Support.swift) gets lines 1-7 from it; its own lines start at line 8.

/// Components and requirements: component names, version keys, and requirements in 'stack' and 'requires'.
@Suite struct ComponentDiagnosticTests {
  @Test func badComponentName() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        ComfyUI: {}

      """,
      """
      rig.yaml:9:3: error: invalid component name 'ComfyUI': component names are lowercase [invalid-value]
      9 |   ComfyUI: {}
        |   ^~~~~~~
      help: write 'comfyui'

      1 error

      """)
  }

  @Test func componentNameFix() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        "Foo_Bar": {}
        foo_bar: {}

      """,
      """
      rig.yaml:9:4: error: invalid component name 'Foo_Bar': component names are lowercase [invalid-value]
      9 |   "Foo_Bar": {}
        |    ^~~~~~~
      help: write 'foo-bar'

      rig.yaml:10:6: error: invalid component name 'foo_bar': '_' is not allowed in a component name [invalid-value]
      10 |   foo_bar: {}
         |      ^
      help: component names use lowercase letters, digits, '+', '-' and '.', and start with a letter or digit

      2 errors

      """)
  }

  @Test func badVersionKey() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        app:
          versions:
            v1.0: {}

      """,
      """
      rig.yaml:11:7: error: invalid version 'v1.0': a version has no 'v': write the tag without it [bad-version]
      11 |       v1.0: {}
         |       ^
      help: a version looks like '1.2.3', '550.54.14-1' or '1:2.0~rc1'

      1 error

      """)
  }

  @Test func versionKeyThatIsANumber() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        app:
          versions:
            12.4: {}

      """,
      """
      rig.yaml:11:7: error: a key in 'components.app.versions' must be a string, not the number 12.4 [type-mismatch]
      11 |       12.4: {}
         |       ^~~~
      help: quote it: '"12.4"' (YAML reads 12.4 as a number)

      1 error

      """)
  }

  @Test func badConstraintOperator() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack:
        - ollama >> 0.5

      """,
      """
      rig.yaml:9:12: error: invalid requirement: unknown operator '>>' [bad-constraint]
      9 |   - ollama >> 0.5
        |            ^~
      help: operators are =, >=, >, <=, < and ^

      1 error

      """)
  }

  @Test func badConstraintMissingVersion() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack:
        - "kubelet >= 1.30, <"

      """,
      """
      rig.yaml:9:23: error: invalid requirement: expected a version after '<' [bad-constraint]
      9 |   - "kubelet >= 1.30, <"
        |                       ^
      help: write a requirement as 'name', 'name = 1.2', 'name >= 1.2', 'name >= 1.2, < 2' or 'name ^12'

      1 error

      """)
  }

  @Test func badConstraintInRequires() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        app:
          versions:
            "1.0":
              requires: [cuda-runtime => 12.4]

      """,
      """
      rig.yaml:12:33: error: invalid requirement: unknown operator '=>' [bad-constraint]
      12 |         requires: [cuda-runtime => 12.4]
         |                                 ^~
      help: write '>='

      1 error

      """)
  }

  @Test func plainScalarFoldedOverLines() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack:
        - git
          - curl

      """,
      """
      rig.yaml:9:5: error: invalid requirement: expected an operator such as '>=', found '-' [bad-constraint]
      9 |   - git
        |     ^~~
      help: write a requirement as 'name', 'name = 1.2', 'name >= 1.2', 'name >= 1.2, < 2' or 'name ^12'

      1 error

      """)
  }
}
