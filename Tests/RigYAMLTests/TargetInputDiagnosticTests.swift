import RigBasics
import RigCompiler
import Testing

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
            runtime: kubernetes
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

        rig.yaml:17:12: warning: image 'ghcr.io/example/web:latest' uses the moving tag 'latest' [image-not-pinned]
        17 |     image: ghcr.io/example/web:latest
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
