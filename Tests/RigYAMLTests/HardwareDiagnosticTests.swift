import Testing

/// The machine: CPU topology ('cores' or 'hybrid', threads, boot CPU) and GPUs. Each case writes its hardware out.
@Suite struct HardwareDiagnosticTests {
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
}
