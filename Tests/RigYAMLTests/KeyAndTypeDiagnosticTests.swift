import Testing

// A case that starts with `\(Machine.base)` (Support.swift) gets lines 1-7 from it; its own lines start at line 8.

/// The shape of the file: unknown keys, missing required keys and values of the wrong YAML type.
@Suite struct KeyAndTypeDiagnosticTests {
  @Test func unknownKeyWithSuggestion() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack: [neovim]
      policy:
        cpu: { housekeeping_cores: 1 }

      """,
      """
      rig.yaml:9:1: error: unknown key 'policy' at the top level [unknown-key]
      9 | policy:
        | ^~~~~~
      help: did you mean 'policies'?

      1 error

      """)
  }

  @Test func unknownKeyListsValidKeys() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        disks: 2
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:7:3: error: unknown key 'disks' in 'hardware' [unknown-key]
      7 |   disks: 2
        |   ^~~~~
      note: 'hardware' takes 'cpu', 'memory', 'gpus', 'os'

      1 error

      """)
  }

  @Test func missingHardware() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      stack: [neovim]

      """,
      """
      rig.yaml:1:1: error: missing required key 'hardware' at the top level [missing-key]
      1 | apiVersion: rig/v1
        | ^
      help: add 'hardware:' (the machine)

      1 error

      """)
  }

  @Test func missingRequiredKey() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:3:1: error: missing required key 'memory' in 'hardware' [missing-key]
      3 | hardware:
        | ^~~~~~~~
      help: add 'memory:' (installed RAM)

      1 error

      """)
  }

  @Test func wrongTypeNumberForString() {
    expectDiagnostics(
      """
      \(Machine.base)
      targets:
        kubernetes: { version: 1.30, namespace: ai }

      """,
      """
      rig.yaml:9:26: error: 'targets.kubernetes.version' must be a string, not the number 1.30 [type-mismatch]
      9 |   kubernetes: { version: 1.30, namespace: ai }
        |                          ^~~~
      help: quote it: '"1.30"' (YAML reads 1.30 as a number)

      1 error

      """)
  }

  @Test func wrongTypeListForMapping() {
    expectDiagnostics(
      """
      \(Machine.base)
      policies:
        - cpu

      """,
      """
      rig.yaml:9:3: error: 'policies' must be a mapping, not a list [type-mismatch]
      9 |   - cpu
        |   ^

      1 error

      """)
  }

  @Test func wrongTypeStringForInteger() {
    expectDiagnostics(
      """
      \(Machine.base)
      policies:
        cpu: { housekeeping_cores: two }

      """,
      """
      rig.yaml:9:30: error: 'policies.cpu.housekeeping_cores' must be a whole number, not the string 'two' [type-mismatch]
      9 |   cpu: { housekeeping_cores: two }
        |                              ^~~

      1 error

      """)
  }

  @Test func targetSwitchIsAMapping() {
    expectDiagnostics(
      """
      \(Machine.base)
      targets:
        kernel: true

      """,
      """
      rig.yaml:9:11: error: 'targets.kernel' must be a mapping, not the boolean true [type-mismatch]
      9 |   kernel: true
        |           ^~~~
      help: write 'kernel: {}' to emit this target; leave the key out to skip it

      1 error

      """)
  }
}
