import Testing

// A case that starts with `\(Machine.base)` (Support.swift) gets lines 1-7 from it; its own lines start at line 8.

/// Values outside their set or grammar (apiVersion, names, enumerations, sources, include paths), entries listed
/// twice, and several errors reported in one run.
@Suite struct ValueDiagnosticTests {
  @Test func unsupportedApiVersion() {
    expectDiagnostics(
      """
      apiVersion: rig/v2
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:1:13: error: unsupported apiVersion 'rig/v2' [invalid-value]
      1 | apiVersion: rig/v2
        |             ^~~~~~
      help: this rig reads 'apiVersion: rig/v1'

      1 error

      """)
  }

  @Test func controlCharactersInMessages() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: "\\e[31mred\\nx"
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:2:7: error: 'name' must be a DNS label: lowercase letters, digits and '-', at most 63 characters, not '\\u{1B}[31mred\\nx' [invalid-value]
      2 | name: "\\e[31mred\\nx"
        |       ^~~~~~~~~~~~~~
      help: for example 'ai-workstation'

      1 error

      """)
  }

  @Test func unknownEnumValueWithSuggestion() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        app:
          runtime: kubernete

      """,
      """
      rig.yaml:10:14: error: 'components.app.runtime' must be one of 'kubernetes', 'systemd', 'host'; not 'kubernete' [invalid-value]
      10 |     runtime: kubernete
         |              ^~~~~~~~~
      help: did you mean 'kubernetes'?

      1 error

      """)
  }

  @Test func unknownSource() {
    expectDiagnostics(
      """
      \(Machine.base)
      sources: [debian-bookworm, nvidia-cudaa]

      """,
      """
      rig.yaml:8:28: error: 'sources[1]' must be one of 'debian-bookworm', 'debian-trixie', 'kubernetes', 'nvidia-container-toolkit', 'nvidia-cuda', 'upstream'; not 'nvidia-cudaa' [invalid-value]
      8 | sources: [debian-bookworm, nvidia-cudaa]
        |                            ^~~~~~~~~~~~
      help: did you mean 'nvidia-cuda'?

      1 error

      """)
  }

  @Test func includePathWithControlCharacter() {
    expectDiagnostics(
      """
      \(Machine.base)
      include: ["e.yaml\\0junk"]

      """,
      """
      rig.yaml:8:11: error: an include path cannot hold the control character \\u{0} [invalid-value]
      8 | include: ["e.yaml\\0junk"]
        |           ^~~~~~~~~~~~~~
      help: write the path of a YAML file relative to this one

      1 error

      """)
  }

  @Test func sourceAndPortListedTwice() {
    expectDiagnostics(
      """
      \(Machine.base)
      sources: [nvidia-cuda, nvidia-cuda]
      components:
        a: { runtime: kubernetes, ports: [80, 80] }

      """,
      """
      rig.yaml:8:24: error: source 'nvidia-cuda' is listed twice [duplicate-definition]
      8 | sources: [nvidia-cuda, nvidia-cuda]
        |                        ^~~~~~~~~~~
      rig.yaml:8:11: note: first listed here
      8 | sources: [nvidia-cuda, nvidia-cuda]
        |           ^~~~~~~~~~~

      rig.yaml:10:41: error: port 80 is listed twice [duplicate-definition]
      10 |   a: { runtime: kubernetes, ports: [80, 80] }
         |                                         ^~
      rig.yaml:10:37: note: first listed here
      10 |   a: { runtime: kubernetes, ports: [80, 80] }
         |                                     ^~

      2 errors

      """)
  }

  @Test func severalErrorsInOneRun() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32 GB
        os: { distribution: debian, release: buster }
      stack: [Steam]

      """,
      """
      rig.yaml:6:13: error: '32 GB' has a space before its unit [bad-quantity]
      6 |   memory: 32 GB
        |             ^
      help: write '32GiB'; binary units are B, KiB, MiB, GiB and TiB (or Ki, Mi, Gi, Ti)

      rig.yaml:7:40: error: 'hardware.os.release' must be one of 'bookworm', 'trixie'; not 'buster' [invalid-value]
      7 |   os: { distribution: debian, release: buster }
        |                                        ^~~~~~

      rig.yaml:8:9: error: invalid requirement: component names are lowercase [bad-constraint]
      8 | stack: [Steam]
        |         ^~~~~
      help: write 'steam'

      3 errors

      """)
  }
}
