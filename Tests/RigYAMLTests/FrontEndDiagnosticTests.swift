import RigBasics
import RigCompiler
import Testing

/// One test per diagnostic kind: each asserts the whole rendered output, so any unexpected extra diagnostic,
/// a moved caret or a reworded message fails.
@Suite struct FrontEndDiagnosticTests {
  @Test func unknownKeyWithSuggestion() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func wrongTypeNumberForString() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func duplicateKey() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func badQuantityDecimalUnit() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:6:13: error: 'GB' is ambiguous: rig takes binary units for sizes [bad-quantity]
      6 |   memory: 32GB
        |             ^~
      help: write '32GiB' if you mean 32GiB; binary units are B, KiB, MiB, GiB and TiB (or Ki, Mi, Gi, Ti)

      1 error

      """)
  }

  @Test func badQuantityFahrenheit() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      policies:
        gpu:
          thermal: { warning: 80C, critical: 185F, for: 5m }

      """,
      """
      rig.yaml:10:43: error: temperatures are in degrees Celsius, not Fahrenheit [bad-quantity]
      10 |     thermal: { warning: 80C, critical: 185F, for: 5m }
         |                                           ^
      help: write '85C' for 185F

      1 error

      """)
  }

  @Test func badQuantityNoUnit() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      policies:
        gpu: { power_limit: 180 }

      """,
      """
      rig.yaml:9:23: error: power '180' has no unit [bad-quantity]
      9 |   gpu: { power_limit: 180 }
        |                       ^~~
      help: write '180W' for 180 watts

      1 error

      """)
  }

  @Test func badCPUListDescending() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      components:
        app:
          resources:
            cpu: { cpus: "15-8", placement: isolated }

      """,
      """
      rig.yaml:11:21: error: range 15-8 is descending [bad-cpu-list]
      11 |       cpu: { cpus: "15-8", placement: isolated }
         |                     ^~~~
      help: write '8-15'; ranges must be ascending

      1 error

      """)
  }

  @Test func badCPUListStride() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      components:
        app:
          resources:
            cpu: { cpus: 0-7:3/2 }

      """,
      """
      rig.yaml:11:20: error: used size 3 must be between 1 and the group size 2 [bad-cpu-list]
      11 |       cpu: { cpus: 0-7:3/2 }
         |                    ^~~~~~~
      help: a CPU list is a comma-separated list of CPUs 'a', ascending ranges 'a-b' or strided ranges 'a-b:used/group', such as '0-7,16-27'

      1 error

      """)
  }

  @Test func badConstraintOperator() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func badVersionKey() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      components:
        app:
          versions:
            v1.0: {}

      """,
      """
      rig.yaml:11:7: error: invalid version 'v1.0': version must start with a digit [bad-version]
      11 |       v1.0: {}
         |       ^
      help: a version looks like '1.2.3', '550.54.14-1' or '1:2.0~rc1'

      1 error

      """)
  }

  @Test func versionKeyThatIsANumber() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func badComponentName() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func unknownEnumValueWithSuggestion() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func conflictingTopology() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
          cores:
            - { type: performance, threads: [0, 1] }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:5:5: error: 'hardware.cpu' has both 'cores' and 'hybrid' [conflicting-keys]
      5 |     hybrid: { performance: 8, efficiency: 12 }
        |     ^~~~~~
      rig.yaml:6:5: note: 'cores' is written here
      6 |     cores:
        |     ^~~~~
      help: keep one: 'cores' lists every core, 'hybrid' is a shorthand for the same list

      1 error

      """)
  }

  @Test func threadInTwoCores() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          cores:
            - { type: performance, threads: [0, 1] }
            - { type: performance, threads: [1, 2] }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:7:40: error: CPU 1 belongs to two cores [bad-topology]
      7 |       - { type: performance, threads: [1, 2] }
        |                                        ^
      rig.yaml:6:43: note: first listed here
      6 |       - { type: performance, threads: [0, 1] }
        |                                           ^
      help: each logical CPU is a thread of exactly one core; see 'lscpu -e' for the machine's topology

      1 error

      """)
  }

  @Test func bootCPUMissing() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
          boot_cpu: 28
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:6:15: error: boot CPU 28 is not one of this CPU's logical CPUs (0-27) [bad-topology]
      6 |     boot_cpu: 28
        |               ^~
      help: set 'boot_cpu' to the CPU the kernel boots on, usually 0

      1 error

      """)
  }

  @Test func conflictingCPURequest() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      components:
        app:
          resources:
            cpu: { cores: 2, cpus: "8-11" }

      """,
      """
      rig.yaml:11:24: error: 'components.app.resources.cpu' has both 'cores' and 'cpus' [conflicting-keys]
      11 |       cpu: { cores: 2, cpus: "8-11" }
         |                        ^~~~
      rig.yaml:11:14: note: 'cores' is written here
      11 |       cpu: { cores: 2, cpus: "8-11" }
         |              ^~~~~
      help: keep 'cores' to let rig choose the CPUs, or 'cpus' to choose them yourself

      1 error

      """)
  }

  @Test func powerRangeDefaultOutside() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, memory: 12GiB, power: { default: 250W, min: 100W, max: 215W } }
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:8:54: error: default power 250W is outside 100W...215W [invalid-value]
      8 |     - { name: gpu0, memory: 12GiB, power: { default: 250W, min: 100W, max: 215W } }
        |                                                      ^~~~
      help: copy the range from 'nvidia-smi -q -d POWER'

      1 error

      """)
  }

  @Test func thermalOrder() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      policies:
        gpu:
          thermal: { warning: 90C, critical: 85C, for: 5m }

      """,
      """
      rig.yaml:10:25: error: thermal warning 90C must be below critical 85C [invalid-value]
      10 |     thermal: { warning: 90C, critical: 85C, for: 5m }
         |                         ^~~
      rig.yaml:10:40: note: critical is written here
      10 |     thermal: { warning: 90C, critical: 85C, for: 5m }
         |                                        ^~~

      1 error

      """)
  }

  @Test func yamlSyntaxError() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func tabIndentation() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func twoDocuments() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func aliasBudget() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      x0: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
      x1: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
      x2: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
      x3: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]

      """,
      """
      rig.yaml:11:5: error: aliases expand past the limit of 10000 nodes [alias-budget]
      11 | x3: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
         |     ^
      help: write the repeated parts out, or use fewer levels of aliases

      1 error

      """)
  }

  @Test func aliasAsKey() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func nestingDepth() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      stack: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]

      """,
      """
      rig.yaml:8:71: error: nesting is deeper than the limit of 64 levels [nesting-too-deep]
      8 | …[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]…
        |                                          ^
      help: rig files nest a few levels; flatten the structure

      1 error

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

  @Test func undefinedAlias() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      stack: *nothing

      """,
      """
      rig.yaml:8:8: error: found undefined alias [yaml-syntax]
      8 | stack: *nothing
        |        ^

      1 error

      """)
  }

  @Test func missingTopology() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          model: Some CPU
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:4:3: error: missing required key 'cores' or 'hybrid' in 'hardware.cpu' [missing-key]
      4 |   cpu:
        |   ^~~
      help: add 'hybrid: { performance: 8, efficiency: 12 }' or list every core under 'cores:'

      1 error

      """)
  }

  @Test func missingCPURequest() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      components:
        app:
          resources:
            cpu: { placement: isolated }

      """,
      """
      rig.yaml:11:7: error: missing required key 'cores' or 'cpus' in 'components.app.resources.cpu' [missing-key]
      11 |       cpu: { placement: isolated }
         |       ^~~
      help: add 'cores: 4' or 'cpus: "8-15"'

      1 error

      """)
  }

  @Test func targetSwitchIsAMapping() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func aliasBytesBudget() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      stack: [&a "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]

      """,
      """
      rig.yaml:8:8: error: aliases expand past the limit of 1048576 bytes of text [alias-budget]
      8 | stack: [&a "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…
        |        ^
      help: write the repeated parts out, or repeat shorter values

      1 error

      """)
  }

  @Test func collectionKeyWithAliases() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func errorAtEndOfFileWithoutNewline() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func plainScalarFoldedOverLines() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func duplicateKeyInNestedFlowMapping() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func cpuNumberBeyondLinux() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      components:
        app:
          resources:
            cpu: { cpus: "0-1048576" }

      """,
      """
      rig.yaml:11:23: error: CPU number is larger than 8191, the most Linux supports [bad-cpu-list]
      11 |       cpu: { cpus: "0-1048576" }
         |                       ^~~~~~~

      1 error

      """)
  }

  @Test func manyCPUsInTwoCoresIsOneError() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          cores:
            - { type: performance, threads: "0-8191" }
            - { type: efficiency, threads: "0-8191" }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:7:38: error: CPUs 0-8191 belong to two cores [bad-topology]
      7 |       - { type: efficiency, threads: "0-8191" }
        |                                      ^~~~~~~~
      rig.yaml:6:39: note: first listed here
      6 |       - { type: performance, threads: "0-8191" }
        |                                       ^~~~~~~~
      help: each logical CPU is a thread of exactly one core; see 'lscpu -e' for the machine's topology

      1 error

      """)
  }

  @Test func nestingPastTheParsersOwnLimit() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      stack: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]

      """,
      """
      rig.yaml:8:71: error: nesting is deeper than the limit of 64 levels [nesting-too-deep]
      8 | …[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[…
        |                                          ^
      help: rig files nest a few levels; flatten the structure

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

  @Test func duplicateKeyWrittenWithAnAnchor() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func includePathWithControlCharacter() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func componentNameFix() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
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

  @Test func sourceAndPortListedTwice() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      sources: [nvidia-cuda, nvidia-cuda]
      components:
        a: { ports: [80, 80] }

      """,
      """
      rig.yaml:8:24: error: source 'nvidia-cuda' is listed twice [duplicate-definition]
      8 | sources: [nvidia-cuda, nvidia-cuda]
        |                        ^~~~~~~~~~~
      rig.yaml:8:11: note: first listed here
      8 | sources: [nvidia-cuda, nvidia-cuda]
        |           ^~~~~~~~~~~

      rig.yaml:10:20: error: port 80 is listed twice [duplicate-definition]
      10 |   a: { ports: [80, 80] }
         |                    ^~
      rig.yaml:10:16: note: first listed here
      10 |   a: { ports: [80, 80] }
         |                ^~

      2 errors

      """)
  }

  @Test func gpuDeclaredTwice() {
    expectDiagnostics(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, memory: 12GiB }
          - { name: gpu0, memory: 8GiB }
        os: { distribution: debian, release: bookworm }

      """,
      """
      rig.yaml:9:15: error: GPU 'gpu0' is declared twice [duplicate-definition]
      9 |     - { name: gpu0, memory: 8GiB }
        |               ^~~~
      rig.yaml:8:15: note: first declared here
      8 |     - { name: gpu0, memory: 12GiB }
        |               ^~~~
      help: give each GPU its own name

      1 error

      """)
  }

}

/// Components' images, environment and storage, and the inventory host: grammars checked where written.
@Suite struct TargetInputDiagnosticTests {
  static let machine = """
    apiVersion: rig/v1
    name: t
    hardware:
      cpu:
        hybrid: { performance: 2, efficiency: 2 }
      memory: 8GiB
      os: { distribution: debian, release: bookworm }
    stack: [app]

    """

  /// Warnings only: the model is still produced.
  @Test func unpinnedImagesAreWarnings() {
    let result = RigCompiler.check(
      text: Self.machine + """
        components:
          app:
            versions: { "1.0": {} }
            runtime: kubernetes
            image: docker.io/library/nginx
          web:
            versions: { "1.0": {} }
            image: ghcr.io/example/web:latest

        """, file: "rig.yaml")
    #expect(result.spec != nil)
    #expect(
      DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics) == """
        rig.yaml:13:12: warning: image 'docker.io/library/nginx' has no tag [image-not-pinned]
        13 |     image: docker.io/library/nginx
           |            ^~~~~~~~~~~~~~~~~~~~~~~
        note: the artifacts pin the image as written, so what runs can change without a change here
        help: pin a version tag or a digest, such as 'docker.io/library/nginx:1.2.3' or 'docker.io/library/nginx@sha256:…'

        rig.yaml:16:12: warning: image 'ghcr.io/example/web:latest' uses the moving tag 'latest' [image-not-pinned]
        16 |     image: ghcr.io/example/web:latest
           |            ^~~~~~~~~~~~~~~~~~~~~~~~~~
        note: the artifacts pin the image as written, so what runs can change without a change here
        help: pin a version tag or a digest, such as 'ghcr.io/example/web:1.2.3' or 'ghcr.io/example/web@sha256:…'

        2 warnings

        """)
  }

  @Test func kubernetesWorkloadNamesAndMemory() {
    expectDiagnostics(
      Self.machine + """
        components:
          app:
            versions: { "1.0": {} }
            runtime: kubernetes
            resources:
              cpu: { cores: 1, placement: isolated }
          my.tool:
            versions: { "1.0": {} }
            runtime: kubernetes
        targets:
          ansible: { host: all }

        """,
      """
      rig.yaml:14:35: error: isolated Kubernetes workload 'app' has no memory request [invalid-value]
      14 |       cpu: { cores: 1, placement: isolated }
         |                                   ^~~~~~~~
      note: only a Guaranteed pod (memory and CPU requests equal to limits) gets whole cores from the kubelet's static CPU manager
      help: add 'memory:' under 'resources:', such as 'memory: 8GiB'

      rig.yaml:15:3: error: 'my.tool' cannot name a Kubernetes workload: it must be a DNS-1035 label (a lowercase letter, then lowercase letters, digits and '-', at most 63 characters) [invalid-value]
      15 |   my.tool:
         |   ^~~~~~~
      help: rename it, or run it with 'runtime: systemd' or 'runtime: host'

      rig.yaml:19:20: error: 'all' is an Ansible inventory group, not a host name [invalid-value]
      19 |   ansible: { host: all }
         |                    ^~~
      help: name the machine, such as 'workstation'

      3 errors

      """)
  }

  @Test func badImageEnvironmentStorageAndHost() {
    expectDiagnostics(
      Self.machine + """
        components:
          app:
            versions: { "1.0": {} }
            runtime: kubernetes
            image: "ghcr.io/Example/app:1.0"
            env:
              1BAD: x
              GOOD: { secret: "My_Secret", key: token }
              PORT: 8080
            storage: { path: data, size: 1GiB }
        targets:
          ansible: { host: "box; rm -rf /" }

        """,
      """
      rig.yaml:13:12: error: 'components.app.image' must be a container image reference, such as 'ghcr.io/example/comfyui:0.3.10', not 'ghcr.io/Example/app:1.0' [invalid-value]
      13 |     image: "ghcr.io/Example/app:1.0"
         |            ^~~~~~~~~~~~~~~~~~~~~~~~~
      help: for example 'ghcr.io/example/comfyui:0.3.10'

      rig.yaml:15:7: error: key '1BAD' must be an environment variable name: letters, digits and '_' [invalid-value]
      15 |       1BAD: x
         |       ^~~~
      help: for example 'OLLAMA_HOST'

      rig.yaml:16:23: error: 'components.app.env.GOOD.secret' must be a Kubernetes object name: lowercase letters, digits, '-' and '.', not 'My_Secret' [invalid-value]
      16 |       GOOD: { secret: "My_Secret", key: token }
         |                       ^~~~~~~~~~~
      help: for example 'hf-token'

      rig.yaml:17:13: error: 'components.app.env.PORT' must be a string, not the number 8080 [type-mismatch]
      17 |       PORT: 8080
         |             ^~~~
      help: quote it: '"8080"' (YAML reads 8080 as a number)

      rig.yaml:18:22: error: 'components.app.storage.path' must be an absolute path of letters, digits, '.', '_' and '-', not 'data' [invalid-value]
      18 |     storage: { path: data, size: 1GiB }
         |                      ^~~~
      help: for example '/data'

      rig.yaml:20:20: error: 'targets.ansible.host' must be an inventory host name: letters, digits, '-', '_' and '.', not 'box; rm -rf /' [invalid-value]
      20 |   ansible: { host: "box; rm -rf /" }
         |                    ^~~~~~~~~~~~~~~
      help: for example 'workstation'

      6 errors

      """)
  }
}
