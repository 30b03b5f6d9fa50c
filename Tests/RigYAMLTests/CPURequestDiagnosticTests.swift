import Testing

// A case that starts with `\(Machine.base)` (Support.swift) gets lines 1-7 from it; its own lines start at line 8.

/// Components' CPU requests: CPU list syntax, and 'cores' (rig chooses) or 'cpus' (you choose).
@Suite struct CPURequestDiagnosticTests {
  @Test func badCPUListDescending() {
    expectDiagnostics(
      """
      \(Machine.base)
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
      \(Machine.base)
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

  @Test func cpuNumberBeyondLinux() {
    expectDiagnostics(
      """
      \(Machine.base)
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

  @Test func missingCPURequest() {
    expectDiagnostics(
      """
      \(Machine.base)
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

  @Test func conflictingCPURequest() {
    expectDiagnostics(
      """
      \(Machine.base)
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
}
