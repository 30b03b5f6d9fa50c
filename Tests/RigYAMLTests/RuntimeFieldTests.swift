import Testing

/// A field the component's runtime cannot honour is refused where it is written, never dropped.
@Suite struct RuntimeFieldTests {
  @Test func fieldsARuntimeCannotHonourAreErrors() {
    expectDiagnostics(
      """
      \(Machine.base)
      stack: [web, tool]
      components:
        web:
          runtime: systemd
          image: "nginx:1.27"
          ports: [8080]
          storage: { path: /srv/web, size: 1GiB }
        tool:
          env: { MODE: fast }
          args: [--fast]

      """,
      """
      rig.yaml:12:12: error: 'web' runs as a systemd service, a program on the host: it cannot run a container image [not-for-runtime]
      12 |     image: "nginx:1.27"
         |            ^~~~~~~~~~~~
      help: name its program with 'exec:', or run it with 'runtime: kubernetes'

      rig.yaml:13:13: error: 'web' runs as a systemd service, and systemd does not publish or limit the ports a service listens on [not-for-runtime]
      13 |     ports: [8080]
         |             ^~~~
      help: remove 'ports:' and pass the port to the program in 'args:', such as '--port', '8081'

      rig.yaml:14:22: error: 'web' runs as a systemd service, which keeps its state in a directory under /var/lib/ (StateDirectory=), not at '/srv/web' [not-for-runtime]
      14 |     storage: { path: /srv/web, size: 1GiB }
         |                      ^~~~~~~~
      help: use a folder such as '/var/lib/web'

      rig.yaml:14:38: error: systemd cannot cap the size of the state directory of 'web' [not-for-runtime]
      14 |     storage: { path: /srv/web, size: 1GiB }
         |                                      ^~~~
      help: remove 'size:', or run it with 'runtime: kubernetes', whose volume has a size

      rig.yaml:16:12: error: 'tool' has no 'runtime:', so rig installs it on the host and runs nothing: its 'env' would have no effect [not-for-runtime]
      16 |     env: { MODE: fast }
         |            ^~~~
      help: run it with 'runtime: systemd' (a service) or 'runtime: kubernetes', or remove 'env'

      rig.yaml:17:12: error: 'tool' has no 'runtime:', so rig installs it on the host and runs nothing: its 'args' would have no effect [not-for-runtime]
      17 |     args: [--fast]
         |            ^~~~~~
      help: run it with 'runtime: systemd' (a service) or 'runtime: kubernetes', or remove 'args'

      6 errors

      """)
  }

  @Test func aKubernetesVolumeNeedsItsSize() {
    expectDiagnostics(
      """
      \(Machine.base)
      components:
        db: { runtime: kubernetes, image: "postgres:16", storage: { path: /data } }

      """,
      """
      rig.yaml:9:69: error: the volume of Kubernetes workload 'db' has no size [not-for-runtime]
      9 |   db: { runtime: kubernetes, image: "postgres:16", storage: { path: /data } }
        |                                                                     ^~~~~
      help: add 'size:' under 'storage:', such as 'size: 100GiB'

      1 error

      """)
  }
}
