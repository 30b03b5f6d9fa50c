import RigBasics
import RigCompiler
import Testing

/// Projects whose Kubernetes objects the API server would refuse, or that would break the cluster, are refused
/// where they are written.
@Suite struct KubernetesRefusalTests {
  @Test func theClustersOwnNamespacesAreRefused() {
    for namespace in ["kube-system", "default", "kube-public", "kube-node-lease"] {
      let padding = String(repeating: "~", count: namespace.count - 1)
      expectDiagnostics(
        """
        \(Machine.base)
        targets:
          kubernetes: { version: "1.30", namespace: \(namespace) }

        """,
        """
        rig.yaml:9:45: error: '\(namespace)' is one of the cluster's own namespaces [invalid-value]
        9 |   kubernetes: { version: "1.30", namespace: \(namespace) }
          |                                             ^\(padding)
        note: rig denies every connection in its namespace but the stack's own; in '\(namespace)' that would cut off the cluster's services (CoreDNS, the API server)
        help: name a namespace of the stack's own, such as 'ai'

        1 error

        """)
    }
  }

  /// A node agent runs on the host network on every node: it keeps no volume, sizes no /dev/shm and takes no GPU.
  @Test func aNodeAgentWithAVolumeOrAGPUIsRefused() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        dcgm-exporter:
          versions: { "3.3.9-3.6.1": {} }
          runtime: kubernetes
          image: "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.9-3.6.1-ubuntu22.04"
          storage: { path: /data, size: 1GiB }
          resources: { gpu: { memory: 1GiB }, shm: 1GiB }

      """,
      """
      rig.yaml:13:22: error: 'dcgm-exporter' runs on every node as rig's node agent (a DaemonSet on the host network), which keeps no volume [not-for-runtime]
      13 |     storage: { path: /data, size: 1GiB }
         |                      ^~~~~
      help: remove 'storage:'; the exporter reads the host and keeps nothing

      rig.yaml:14:33: error: 'dcgm-exporter' runs on every node as rig's node agent (a DaemonSet on the host network), which sees every GPU through the NVIDIA runtime without taking one [not-for-runtime]
      14 |     resources: { gpu: { memory: 1GiB }, shm: 1GiB }
         |                                 ^~~~
      help: remove 'gpu:' under 'resources:', so no workload loses a GPU to the exporter

      rig.yaml:14:46: error: 'dcgm-exporter' runs on every node as rig's node agent (a DaemonSet on the host network), whose /dev/shm rig does not size [not-for-runtime]
      14 |     resources: { gpu: { memory: 1GiB }, shm: 1GiB }
         |                                              ^~~~
      help: remove 'shm:' under 'resources:'; the exporter shares no memory

      3 errors

      """)
  }

  /// `/dev/shm` is memory the container's limit counts: larger than the memory, and the pod is killed when it
  /// fills it; a systemd service shares the host's, which no unit sizes.
  @Test func sharedMemoryBeyondTheMemoryOrOnASystemdServiceIsRefused() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        trainer:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: "ghcr.io/example/trainer:1.0"
          resources: { memory: 4GiB, shm: 8GiB }
        worker:
          versions: { "1.0": {} }
          runtime: systemd
          exec: /usr/bin/worker
          resources: { shm: 1GiB }

      """,
      """
      rig.yaml:13:37: error: the shared memory of 'trainer' (8GiB) is larger than its memory (4GiB) [invalid-value]
      13 |     resources: { memory: 4GiB, shm: 8GiB }
         |                                     ^~~~
      rig.yaml:13:26: note: Kubernetes counts what a container writes to a memory-backed /dev/shm in its memory limit
      13 |     resources: { memory: 4GiB, shm: 8GiB }
         |                          ^~~~
      help: lower 'shm:' to 4GiB or less, or raise 'memory:'

      rig.yaml:18:23: error: 'worker' runs as a systemd service, which shares the host's /dev/shm: systemd cannot size it per unit [not-for-runtime]
      18 |     resources: { shm: 1GiB }
         |                       ^~~~
      help: remove 'shm:' under 'resources:', or run it with 'runtime: kubernetes'

      2 errors

      """)
  }

  /// Leaving rig's restricted defaults is allowed, and said: root moves the workload to the baseline namespace.
  @Test func rootAndAWritableRootAreWarnedAbout() {
    let result = RigCompiler.check(
      text:
        """
        \(Machine.base)
        components:
          vllm:
            versions: { "0.21.0": {} }
            runtime: kubernetes
            image: "docker.io/vllm/vllm-openai:v0.21.0-cu129"
            security: { user: 0, root_filesystem: writable }
        targets:
          kubernetes: { version: "1.30", namespace: lab }

        """, file: "rig.yaml")
    #expect(result.spec != nil, "warnings keep the model")
    let rendered = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
    #expect(
      rendered == """
        rig.yaml:13:23: warning: 'vllm' runs as root, which Pod Security 'restricted' forbids: it runs in 'lab-baseline', at 'baseline' [security-relaxed]
        13 |     security: { user: 0, root_filesystem: writable }
           |                       ^
        note: a process that escapes a root container is root on the node; its Secrets and the services it reaches follow it to that namespace
        help: run it as a user of its own, such as 'user: 1000', where the image allows it

        rig.yaml:13:43: warning: 'vllm' may write to its container's root filesystem [security-relaxed]
        13 |     security: { user: 0, root_filesystem: writable }
           |                                           ^~~~~~~~
        note: what it writes there is lost when the container restarts; 'storage:' keeps state
        help: keep 'read-only' and give what it writes a volume ('storage:') where the image allows it

        2 warnings

        """)
  }

  /// A systemd service runs under systemd's own sandbox: a container's security is refused there.
  @Test func containerSecurityOnASystemdServiceIsRefused() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        web:
          versions: { "1.0": {} }
          runtime: systemd
          exec: /usr/bin/busybox
          security: { user: 1000 }

      """,
      """
      rig.yaml:13:23: error: 'web' runs as a systemd service, under a dynamic user in systemd's sandbox: 'security' describes a container [not-for-runtime]
      13 |     security: { user: 1000 }
         |                       ^~~~
      help: remove 'security:', or run it with 'runtime: kubernetes'

      1 error

      """)
  }

  @Test func aVolumeAtAScratchMountIsRefused() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        cache:
          versions: { "1.0": {} }
          runtime: kubernetes
          image: "example/cache:1.0"
          storage: { path: /tmp, size: 1GiB }

      """,
      """
      rig.yaml:13:22: error: the volume of 'cache' is mounted at '/tmp', where another volume is: rig mounts a writable /tmp in every container, whose root filesystem is read-only [invalid-value]
      13 |     storage: { path: /tmp, size: 1GiB }
         |                      ^~~~
      note: the API server refuses a pod with two mounts at one path
      help: mount it at a folder of its own, such as '/data'

      1 error

      """)
  }

  /// 53 characters: one more than a StatefulSet's pods allow.
  @Test func aStatefulSetNameTooLongForItsPodsIsRefused() {
    let name = "a" + String(repeating: "b", count: 51) + "c"
    let carets = String(repeating: "~", count: 52)
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        \(name):
          versions: { "1.0": {} }
          runtime: kubernetes
          image: "example/db:1.0"
          storage: { path: /data, size: 1GiB }

      """,
      """
      rig.yaml:9:3: error: '\(name)' keeps state, so it runs as a StatefulSet, whose name may have at most 52 characters; this one has 53 [invalid-value]
      9 |   \(name):
        |   ^\(carets)
      note: Kubernetes labels each pod 'controller-revision-hash: NAME-HASH', and a label value has at most 63 characters: a longer name makes pods that can never be created
      help: shorten the name to 52 characters or fewer

      1 error

      """)
  }

  /// Eight GPUs of 24GiB hold 192GiB between them, but no process gets 100GiB on one.
  @Test func aGPURequestLargerThanEveryGPUIsRefused() {
    let gpus = (0..<8).map { "    - { name: gpu\($0), model: RTX 3090, architecture: ampere, memory: 24GiB }" }
    expectReport(
      """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 256GiB
        gpus:
      \(gpus.joined(separator: "\n"))
        os: { distribution: debian, release: bookworm }
      stack: [big]
      components:
        big:
          versions: { "1.0": {} }
          resources:
            gpu: { memory: 100GiB }

      """,
      """
      rig.yaml:22:22: error: 'big' asks for 100GiB of GPU memory, more than any one GPU has: the largest, 'gpu0', has 24GiB [gpu-memory-over-budget]
      22 |       gpu: { memory: 100GiB }
         |                      ^~~~~~
      note: a process's GPU memory is on the GPU it runs on; the GPUs' memory does not add up
      help: lower its 'gpu.memory' to at most 24GiB

      1 error

      """)
  }

  /// Every name no source offers and no component declares, in one run.
  @Test func everyUnknownComponentIsReportedAtOnce() {
    expectReport(
      """
      \(Machine.base)
      sources: [debian-bookworm]
      stack: [blendr, git, no-such-tool]
      components:
        app:
          versions:
            "1.0":
              requires: [also-missing >= 1]

      """,
      """
      rig.yaml:9:9: error: no source offers 'blendr', and the project does not declare it [unknown-component]
      9 | stack: [blendr, git, no-such-tool]
        |         ^~~~~~
      help: did you mean 'blender'?

      rig.yaml:9:22: error: no source offers 'no-such-tool', and the project does not declare it [unknown-component]
      9 | stack: [blendr, git, no-such-tool]
        |                      ^~~~~~~~~~~~
      help: declare 'no-such-tool' under 'components:' with its versions

      rig.yaml:14:20: error: no source offers 'also-missing', and the project does not declare it [unknown-component]
      14 |         requires: [also-missing >= 1]
         |                    ^~~~~~~~~~~~
      help: declare 'also-missing' under 'components:' with its versions

      3 errors

      """)
  }

  /// What `rig check` prints for a project the front end accepts and resolution or allocation refuses.
  func expectReport(_ yaml: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let result = RigCompiler.check(text: yaml, file: "rig.yaml")
    let rendered = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
    #expect(rendered == expected, sourceLocation: sourceLocation)
    #expect(result.hasErrors, sourceLocation: sourceLocation)
  }
}
