import Foundation
import RigAllocation
import RigBasics
import RigCompiler
import RigEmitters
import RigResolver
import Testing

/// Allocation: the example machine's sets, each rule's diagnostic as whole text (STYLE §10: every diagnostic a
/// case produces is listed), and what the kernel and systemd emitters make of the result.
@Suite struct AllocationTests {
  /// The machine of every case below: an i7-14700K (8 performance cores with sibling pairs 0/1 … 14/15, then 12
  /// efficiency cores 16-27) and a 12 GiB GPU; the case's body starts on line 12.
  static let header = """
    apiVersion: rig/v1
    name: t
    hardware:
      cpu:
        hybrid: { performance: 8, efficiency: 12 }
      memory: 32GiB
      gpus:
        - name: gpu0
          memory: 12GiB
          power: { min: 100W, max: 215W }
      os: { distribution: debian, release: bookworm }

    """

  func check(_ body: String) -> CheckResult {
    RigCompiler.check(text: Self.header + body, file: "rig.yaml")
  }

  /// Everything `rig check` prints about the case on stderr.
  func report(_ body: String) -> String { renderedDiagnostics(check(body)) }

  /// SPEC §3's example: the workstation with 4 isolated cores gets isolated 8-15, housekeeping 0-7,16-27.
  @Test func workstationExample() throws {
    let result = RigCompiler.check(path: packageRoot + "/examples/workstation")
    let cpu = try #require(result.allocation?.cpu)
    #expect(cpu.isolated.description == "8-15")
    #expect(cpu.housekeeping.description == "0-7,16-27")
    #expect(cpu.components.map(\.name) == ["comfyui", "dcgm-exporter", "ollama"])
    #expect(cpu.components.first?.cpus.description == "8-15")
    #expect(result.allocation?.timeSlicing == GPUTimeSlicing(replicas: 2, sharers: ["comfyui", "ollama"]))
    #expect(result.allocation?.gpuMemory?.used == .gib(10))
    #expect(result.allocation?.gpuMemory?.usable == .gib(11))
  }

  /// Siblings come from the topology: on an AMD part whose second threads are numbered 16 higher, isolating the
  /// four highest cores takes 12-15 and 28-31.
  @Test func siblingsComeFromTheTopology() throws {
    let result = RigCompiler.check(path: packageRoot + "/examples/llm-server")
    let cpu = try #require(result.allocation?.cpu)
    #expect(cpu.isolated.description == "12-15,28-31")
    #expect(cpu.housekeeping.description == "0-11,16-27")
  }

  /// Several isolated components take cores in name order, each from the highest free performance cores.
  @Test func isolatedComponentsTakeTheHighestCoresInNameOrder() throws {
    let result = check(
      """
      stack: [b, a]
      components:
        b:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 1, placement: isolated }
        a:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 2, placement: isolated }
      """)
    let cpu = try #require(result.allocation?.cpu)
    #expect(cpu.components.map { "\($0.name)=\($0.cpus)" } == ["a=12-15", "b=10-11"])
    #expect(cpu.isolated.description == "10-15")
    #expect(result.diagnostics.diagnostics.isEmpty)
  }

  /// A hand-written isolated set: components with a number of cores are placed inside it.
  @Test func componentsArePlacedInAHandWrittenIsolatedSet() throws {
    let result = check(
      """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 2, placement: isolated }
      policies:
        cpu: { isolated: "4-11" }
      """)
    let cpu = try #require(result.allocation?.cpu)
    #expect(cpu.isolated.description == "4-11")
    #expect(cpu.components.first?.cpus.description == "8-11")
    #expect(cpu.housekeeping.description == "0-3,12-27")
  }

  /// No isolated component: no isolation parameters at all, an empty command line, no GRUB drop-in, and no
  /// CPU drop-ins for systemd.
  @Test func nothingIsolatedMeansNoParameters() throws {
    let result = check(
      """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 2 }
      targets: { kernel: {}, systemd: {} }
      """)
    let plan = try #require(result.plan)
    #expect(plan.allocation.cpu.kernelParameters == [])
    #expect(EmitterRegistry.builtIn.artifacts(for: plan) == [Artifact(path: "kernel/cmdline.txt", contents: "")])
  }

  /// `domain` joins `managed_irq` only when every user of the isolated set is a systemd service; a Kubernetes
  /// workload beside it drops it again. Never `intel_pstate=disable` on this hybrid CPU.
  @Test func domainOnlyForSystemdServices() throws {
    func parameters(_ runtimes: [String]) throws -> [String] {
      var body = "stack: [\(runtimes.indices.map { "c\($0)" }.joined(separator: ", "))]\ncomponents:\n"
      for (index, runtime) in runtimes.enumerated() {
        body += "  c\(index):\n    versions: { \"1.0\": {} }\n    runtime: \(runtime)\n"
        if runtime == "systemd" { body += "    exec: /usr/bin/true\n" }
        if runtime == "kubernetes" { body += "    image: ghcr.io/example/c\(index):1.0\n" }
        body += "    resources:\n      cpu: { cores: 1, placement: isolated }\n      memory: 1GiB\n"
      }
      return try #require(check(body).allocation).cpu.kernelParameters
    }
    #expect(
      try parameters(["systemd"]) == [
        "isolcpus=domain,managed_irq,14-15", "nohz_full=14-15", "rcu_nocbs=14-15", "irqaffinity=0-13,16-27",
      ])
    #expect(try parameters(["systemd", "systemd"]).first == "isolcpus=domain,managed_irq,12-15")
    #expect(try parameters(["systemd", "kubernetes"]).first == "isolcpus=managed_irq,12-15")
    #expect(try parameters(["host"]).first == "isolcpus=managed_irq,14-15")
    #expect(try !parameters(["systemd"]).contains { $0.hasPrefix("intel_pstate") })
  }

  /// A time-slicing plan for two Kubernetes GPU workloads; one alone, or a systemd one, needs none.
  @Test func timeSlicingPlan() throws {
    func slicing(_ runtimes: [String]) throws -> GPUTimeSlicing? {
      var body = "stack: [\(runtimes.indices.map { "c\($0)" }.joined(separator: ", "))]\ncomponents:\n"
      for (index, runtime) in runtimes.enumerated() {
        body += "  c\(index):\n    versions: { \"1.0\": {} }\n    runtime: \(runtime)\n"
        if runtime == "systemd" { body += "    exec: /usr/bin/true\n" }
        if runtime == "kubernetes" { body += "    image: ghcr.io/example/c\(index):1.0\n" }
        body += "    resources:\n      gpu: { memory: 2GiB }\n"
      }
      return try #require(check(body).allocation).timeSlicing
    }
    #expect(
      try slicing(["kubernetes", "kubernetes", "systemd"]) == GPUTimeSlicing(replicas: 2, sharers: ["c0", "c1"]))
    #expect(try slicing(["kubernetes"]) == nil)
    #expect(try slicing(["kubernetes", "systemd"]) == nil)
  }

  /// The blueprint's own `isolcpus=2-5,34-37` on a 28-CPU machine: 34-37 do not exist, and 2-5 is two cores.
  @Test func blueprint() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
      policies:
        cpu: { isolated: "2-5,34-37" }
      """
    #expect(
      report(body) == """
        rig.yaml:17:25: error: 'policies.cpu.isolated' names CPUs 34-37, which this machine does not have [cpu-out-of-range]
        17 |   cpu: { isolated: "2-5,34-37" }
           |                         ^~~~~
        rig.yaml:5:5: note: this machine has CPUs 0-27: 8 performance cores with 2 threads (0-15), 12 efficiency cores (16-27)
        5 |     hybrid: { performance: 8, efficiency: 12 }
          |     ^~~~~~
        note: 2-5 is 2 physical cores, not 4: 2-3 and 4-5 are the SMT siblings of one core each
        help: isolate whole cores, such as '8-15' for 4 whole performance cores, or give components 'cores:' with 'placement: isolated' and let rig choose

        1 error

        """)
  }

  /// CPU list syntax is checked where it is written.
  @Test func syntax() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
      policies:
        cpu: { isolated: "2-5,,7" }
      """
    #expect(
      report(body) == """
        rig.yaml:17:25: error: expected a CPU number, found ',' [bad-cpu-list]
        17 |   cpu: { isolated: "2-5,,7" }
           |                         ^
        help: a CPU list is a comma-separated list of CPUs 'a', ascending ranges 'a-b' or strided ranges 'a-b:used/group', such as '0-7,16-27'

        1 error

        """)
  }

  /// Isolating every CPU leaves nothing for housekeeping (and isolates the boot CPU).
  @Test func emptyhk() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
      policies:
        cpu: { isolated: "0-27" }
      """
    #expect(
      report(body) == """
        rig.yaml:17:20: error: 'policies.cpu.isolated' isolates the boot CPU 0 [boot-cpu-isolated]
        17 |   cpu: { isolated: "0-27" }
           |                    ^~~~~~
        help: leave out 0-1: the boot CPU's core stays housekeeping, as it takes the timer and the interrupts the kernel cannot move

        rig.yaml:17:20: error: the housekeeping set is empty [empty-cpu-set]
        17 |   cpu: { isolated: "0-27" }
           |                    ^~~~~~
        help: keep at least one whole core, such as 0-1, for the kernel and everything not isolated

        2 errors

        """)
  }

  /// A housekeeping set of every CPU leaves nothing for an isolated component.
  @Test func emptyiso() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 2, placement: isolated }
      policies:
        cpu: { housekeeping: "0-27" }
      """
    #expect(
      report(body) == """
        rig.yaml:19:24: error: the isolated set is empty, but 'app' asks for isolated cores [empty-cpu-set]
        19 |   cpu: { housekeeping: "0-27" }
           |                        ^~~~~~
        rig.yaml:17:35: note: 'app' asks here
        17 |       cpu: { cores: 2, placement: isolated }
           |                                   ^~~~~~~~
        help: leave CPUs out of 'policies.cpu.housekeeping' for isolation, or make the component 'placement: shared'

        1 error

        """)
  }

  /// The boot CPU's core is never isolated; here a hand-written list also splits it.
  @Test func boot() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cpus: "1-3", placement: isolated }
      """
    #expect(
      report(body) == """
        rig.yaml:17:20: error: 'app' splits a core: CPU 1 is isolated without its SMT sibling 0 [split-smt-siblings]
        17 |       cpu: { cpus: "1-3", placement: isolated }
           |                    ^~~~~
        note: a sibling left to the scheduler shares its core's caches and execution units with the isolated thread
        help: isolate whole cores: '0-3' adds the siblings, '2-3' leaves those cores out

        rig.yaml:17:20: error: 'app' isolates CPU 1, a sibling of the boot CPU 0 [boot-cpu-isolated]
        17 |       cpu: { cpus: "1-3", placement: isolated }
           |                    ^~~~~
        help: leave out 0-1: the boot CPU's core stays housekeeping, as it takes the timer and the interrupts the kernel cannot move

        2 errors

        """)
  }

  /// An isolated set takes whole cores: both SMT siblings.
  @Test func split() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cpus: "8-10", placement: isolated }
      """
    #expect(
      report(body) == """
        rig.yaml:17:20: error: 'app' splits a core: CPU 10 is isolated without its SMT sibling 11 [split-smt-siblings]
        17 |       cpu: { cpus: "8-10", placement: isolated }
           |                    ^~~~~~
        note: a sibling left to the scheduler shares its core's caches and execution units with the isolated thread
        help: isolate whole cores: '8-11' adds the siblings, '8-9' leaves those cores out

        1 error

        """)
  }

  /// Two isolated components cannot share CPUs.
  @Test func overlap() {
    let body = """
      stack: [a, b]
      components:
        a:
          versions: { "1.0": {} }
          resources:
            cpu: { cpus: "8-11", placement: isolated }
        b:
          versions: { "1.0": {} }
          resources:
            cpu: { cpus: "10-13", placement: isolated }
      """
    #expect(
      report(body) == """
        rig.yaml:21:20: error: 'a' and 'b' both ask for isolated CPUs 10-11 [cpu-overlap]
        21 |       cpu: { cpus: "10-13", placement: isolated }
           |                    ^~~~~~~
        rig.yaml:17:20: note: 'a' asks for 8-11 here
        17 |       cpu: { cpus: "8-11", placement: isolated }
           |                    ^~~~~~
        help: each isolated component needs cores of its own; give one of them other CPUs or 'cores:'

        1 error

        """)
  }

  /// The hand-written isolated and housekeeping sets cannot overlap.
  @Test func overlap2() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
      policies:
        cpu: { isolated: "8-15", housekeeping: "0-9,16-27" }
      """
    #expect(
      report(body) == """
        rig.yaml:17:42: error: CPUs 8-9 are both isolated and housekeeping [cpu-overlap]
        17 |   cpu: { isolated: "8-15", housekeeping: "0-9,16-27" }
           |                                          ^~~~~~~~~~~
        rig.yaml:17:20: note: the isolated set is written here
        17 |   cpu: { isolated: "8-15", housekeeping: "0-9,16-27" }
           |                    ^~~~~~
        help: a CPU is either isolated or housekeeping; remove 8-9 from one of the lists

        1 error

        """)
  }

  /// More isolated cores than the machine has after housekeeping: every contributor is listed.
  @Test func toomany() {
    let body = """
      stack: [a, b]
      components:
        a:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 12, placement: isolated }
        b:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 8, placement: isolated }
      policies:
        cpu: { housekeeping_cores: 2 }
      """
    #expect(
      report(body) == """
        rig.yaml:17:21: error: isolated components ask for 20 cores, but 18 can be isolated [not-enough-cores]
        17 |       cpu: { cores: 12, placement: isolated }
           |                     ^~
          this CPU has 20 cores: 8 performance cores with 2 threads (0-15), 12 efficiency cores (16-27)  (rig.yaml:5:5)
          2 whole cores stay for housekeeping, the boot CPU's among them            (rig.yaml:23:30)
          'a' asks for 12 isolated cores                                            (rig.yaml:17:21)
          'b' asks for 8 isolated cores                                             (rig.yaml:21:21)
        help: ask for fewer isolated cores, or keep fewer 'housekeeping_cores'

        1 error

        """)
  }

  /// Asking for more cores than the performance cores spills onto efficiency cores, with a warning.
  @Test func mixed() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cores: 9, placement: isolated }
      """
    #expect(
      report(body) == """
        rig.yaml:17:21: warning: the isolated set 2-15,26-27 mixes performance cores (2-15) and efficiency cores (26-27) [mixed-core-isolation]
        17 |       cpu: { cores: 9, placement: isolated }
           |                     ^
        help: isolated work runs at different speeds on each kind of core; ask for fewer isolated cores, or isolate cores of one kind

        1 warning

        """)
  }

  /// GPU memory over budget: an exclusive group counts as its largest member; every contributor is listed.
  @Test func gpu() {
    let body = """
      stack: [a, b, c]
      components:
        a:
          versions: { "1.0": {} }
          resources:
            gpu: { memory: 8GiB }
          exclusive_group: heavy
        b:
          versions: { "1.0": {} }
          resources:
            gpu: { memory: 6GiB }
          exclusive_group: heavy
        c:
          versions: { "1.0": {} }
          resources:
            gpu: { memory: 4GiB }
      policies:
        gpu: { reserve: 1GiB }
      """
    #expect(
      report(body) == """
        rig.yaml:17:22: error: GPU memory is over budget: components need 12GiB, 11GiB is usable [gpu-memory-over-budget]
        17 |       gpu: { memory: 8GiB }
           |                      ^~~~
          'a' needs 8GiB (the largest of group 'heavy')                   (rig.yaml:17:22)
          'b' needs 6GiB (not counted: group 'heavy' runs one at a time)  (rig.yaml:22:22)
          'c' needs 4GiB                                                  (rig.yaml:27:22)
          the display keeps 1GiB                                          (rig.yaml:29:19)
          'gpu0' has 12GiB                                                (rig.yaml:9:15)
        help: lower the components' 'gpu.memory', put components that never run together in one 'exclusive_group', or lower 'policies.gpu.reserve'

        1 error

        """)
  }

  /// RAM over budget, with the reserve.
  @Test func ram() {
    let body = """
      stack: [a, b]
      components:
        a:
          versions: { "1.0": {} }
          resources:
            memory: 20GiB
        b:
          versions: { "1.0": {} }
          resources:
            memory: 10GiB
      policies:
        memory: { reserve: 4GiB }
      """
    #expect(
      report(body) == """
        rig.yaml:17:15: error: RAM is over budget: components need 30GiB, 28GiB is usable [memory-over-budget]
        17 |       memory: 20GiB
           |               ^~~~~
          'a' needs 20GiB        (rig.yaml:17:15)
          'b' needs 10GiB        (rig.yaml:21:15)
          the system keeps 4GiB  (rig.yaml:23:22)
          the machine has 32GiB  (rig.yaml:6:11)
        help: lower the components' 'memory', put components that never run together in one 'exclusive_group', or lower 'policies.memory.reserve'

        1 error

        """)
  }

  /// The power limit must be inside the board's range.
  @Test func power() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
      policies:
        gpu: { power_limit: 250W }
      """
    #expect(
      report(body) == """
        rig.yaml:17:23: error: power limit 250W is outside the range of 'gpu0', 100W to 215W [power-limit-out-of-range]
        17 |   gpu: { power_limit: 250W }
           |                       ^~~~
        rig.yaml:10:21: note: the range is written here
        10 |       power: { min: 100W, max: 215W }
           |                     ^~~~
        help: choose a limit from 100W to 215W ('nvidia-smi -q -d POWER' shows the board's range)

        1 error

        """)
  }

  /// Time slicing applies to the whole GPU: an isolated (exclusive) Kubernetes GPU workload cannot join.
  @Test func sharing() {
    let body = """
      stack: [a, b, c]
      components:
        a:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/a:1.0
          resources:
            gpu: { memory: 2GiB }
        b:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/b:1.0
          resources:
            gpu: { memory: 2GiB }
        c:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/c:1.0
          resources:
            cpu: { cores: 2, placement: isolated }
            memory: 1GiB
            gpu: { memory: 2GiB }
      """
    #expect(
      report(body) == """
        rig.yaml:33:22: error: 'c' needs a GPU to itself, but 'a', 'b' time-slice every GPU of the node [gpu-sharing-conflict]
        33 |       gpu: { memory: 2GiB }
           |                      ^~~~
        note: the NVIDIA device plugin's time slicing applies to every GPU it advertises; isolated components use their GPU exclusively unless they say 'sharing: time-sliced'
        help: give 'c' 'sharing: time-sliced', or run it as a systemd service

        1 error

        """)
  }

  /// Several GPUs for one pod: time-sliced replicas are not distinct GPUs, so asking for two of them is refused.
  @Test func severalTimeSlicedGPUs() {
    let body = """
      stack: [a]
      components:
        a:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/a:1.0
          resources:
            gpu: { memory: 2GiB, count: 2, sharing: time-sliced }
      """
    #expect(
      report(body) == """
        rig.yaml:19:35: error: 'a' asks for 2 GPUs, but time-sliced GPUs are replicas of one [gpu-sharing-conflict]
        19 |       gpu: { memory: 2GiB, count: 2, sharing: time-sliced }
           |                                   ^
        note: the NVIDIA device plugin may give a pod that asks for several time-sliced GPUs replicas of the same one
        help: give 'a' 'sharing: exclusive', or ask for one GPU

        1 error

        """)
  }

  /// Several GPUs for one pod take that many whole GPUs (exclusive unless said otherwise); the machine's GPUs
  /// bound them, and the memory is asked for on each GPU: it must fit one GPU, and the budget counts it per GPU.
  @Test func severalGPUsMoreThanTheMachineHas() {
    let body = """
      stack: [a]
      components:
        a:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: ghcr.io/example/a:1.0
          resources:
            gpu: { memory: 13GiB, count: 2 }
      """
    #expect(
      report(body) == """
        rig.yaml:19:22: error: 'a' asks for 13GiB of GPU memory on each of its GPUs, more than any one GPU has: the largest, 'gpu0', has 12GiB [gpu-memory-over-budget]
        19 |       gpu: { memory: 13GiB, count: 2 }
           |                      ^~~~~
        help: lower its 'gpu.memory' to at most 12GiB

        rig.yaml:19:22: error: GPU memory is over budget: components need 26GiB, 12GiB is usable [gpu-memory-over-budget]
        19 |       gpu: { memory: 13GiB, count: 2 }
           |                      ^~~~~
          'a' needs 26GiB   (rig.yaml:19:22)
          'gpu0' has 12GiB  (rig.yaml:9:15)
        help: lower the components' 'gpu.memory', put components that never run together in one 'exclusive_group', or lower 'policies.gpu.reserve'

        rig.yaml:19:36: error: Kubernetes workloads need 2 whole GPUs, but the machine has 1 [not-enough-gpus]
        19 |       gpu: { memory: 13GiB, count: 2 }
           |                                    ^
        help: give them 'sharing: time-sliced', ask for fewer GPUs, or put those that never run together in one 'exclusive_group'

        3 errors

        """)
  }

  /// The boot CPU's core is never isolated.
  @Test func bootonly() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cpus: "0-3", placement: isolated }
      """
    #expect(
      report(body) == """
        rig.yaml:17:20: error: 'app' isolates the boot CPU 0 [boot-cpu-isolated]
        17 |       cpu: { cpus: "0-3", placement: isolated }
           |                    ^~~~~
        help: leave out 0-1: the boot CPU's core stays housekeeping, as it takes the timer and the interrupts the kernel cannot move

        1 error

        """)
  }

  /// A shared component's own CPUs stay out of the isolated set.
  @Test func shared() {
    let body = """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cpus: "8-9" }
      policies:
        cpu: { isolated: "8-15" }
      """
    #expect(
      report(body) == """
        rig.yaml:17:20: error: 'app' runs on shared CPUs but asks for isolated CPUs 8-9 [cpu-overlap]
        17 |       cpu: { cpus: "8-9" }
           |                    ^~~~~
        help: choose CPUs within the housekeeping set 0-7,16-27, or make it 'placement: isolated'

        1 error

        """)
  }

  /// CPUs written by hand are accepted when they are whole cores away from the boot CPU.
  @Test func handWrittenCPUsAreAccepted() throws {
    let result = check(
      """
      stack: [app]
      components:
        app:
          versions: { "1.0": {} }
          resources:
            cpu: { cpus: "8-15", placement: isolated }
      """)
    #expect(result.diagnostics.diagnostics.isEmpty)
    let cpu = try #require(result.allocation?.cpu)
    #expect(cpu.isolated.description == "8-15")
    #expect(cpu.housekeeping.description == "0-7,16-27")
  }
}
