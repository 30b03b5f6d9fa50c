import Foundation
import RigBasics
import RigCompiler
import Testing

/// Whole-text explanations (STYLE §10: resolver explanations are asserted as whole text, like SwiftPM's
/// PubGrubTests): each case is a complete rig.yaml and everything `rig check` prints about it.
@Suite struct ResolutionExplanationTests {
  func report(_ yaml: String) -> String {
    renderedDiagnostics(RigCompiler.check(text: yaml, file: "rig.yaml"))
  }

  /// CUDA 12.4 on plain Debian bookworm: no source enabled offers it; two sources would.
  @Test func cuda124() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: ada, memory: 32GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm]
      stack:
        - comfyui
      components:
        comfyui:
          versions:
            "0.3.10":
              requires: [cuda-runtime >= 12.4]
      """
    #expect(
      report(yaml) == """
        rig.yaml:12:5: error: the stack cannot be resolved [unresolvable]
        12 |   - comfyui
           |     ^~~~~~~
          because no other version of comfyui is available: 'components:' declares comfyui 0.3.10 only
          and comfyui 0.3.10 requires cuda-runtime >= 12.4                          (rig.yaml:17:20)
          so comfyui requires cuda-runtime >= 12.4
          and because no version of cuda-runtime >= 12.4 is available: source 'debian-bookworm' offers cuda-runtime 11.8.89~11.8.0-5~deb12u1 only
          and the stack requires comfyui                                            (rig.yaml:12:5)
          so the stack cannot be resolved
        help: add 'nvidia-cuda' to 'sources:'; it offers cuda-runtime 13.2.2-1

        1 error

        """)
  }

  /// A transitive conflict: comfyui needs CUDA >= 12.4, whose every version needs a driver the stack forbids.
  @Test func transitive() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 4070, architecture: ada, memory: 12GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm, nvidia-cuda]
      stack:
        - comfyui
        - nvidia-driver < 550
      components:
        comfyui:
          versions:
            "0.3.10":
              requires: [cuda-runtime >= 12.4]
      """
    #expect(
      report(yaml) == """
        rig.yaml:12:5: error: the stack cannot be resolved [unresolvable]
        12 |   - comfyui
           |     ^~~~~~~
          because no other version of comfyui is available: 'components:' declares comfyui 0.3.10 only
          and comfyui 0.3.10 requires cuda-runtime >= 12.4                          (rig.yaml:18:20)
          so comfyui requires cuda-runtime >= 12.4
          and because cuda-runtime >= 12.4 requires nvidia-driver >= 550.54.14      (catalog nvidia-cuda, 19 versions)
          so comfyui requires nvidia-driver >= 550.54.14
          and because the stack requires comfyui                                    (rig.yaml:12:5)
          and the stack requires nvidia-driver < 550                                (rig.yaml:13:5)
          so the stack cannot be resolved
        help: relax 'nvidia-driver < 550' (rig.yaml:13:5) to 'nvidia-driver'

        1 error

        """)
  }

  /// No such component, with a did-you-mean.
  @Test func unknown() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: ada, memory: 32GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm]
      stack:
        - blendr
      """
    #expect(
      report(yaml) == """
        rig.yaml:12:5: error: no source offers 'blendr', and the project does not declare it [unknown-component]
        12 |   - blendr
           |     ^~~~~~
        help: did you mean 'blender'?

        1 error

        """)
  }

  /// A component only another release's edition of a source offers: the note names the edition's releases.
  @Test func offeredForAnotherReleaseOnly() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: blackwell, memory: 32GiB }
        os: { distribution: debian, release: trixie }
      sources: [debian-trixie, nvidia-cuda]
      stack: [tensorrt]
      """
    #expect(
      report(yaml) == """
        rig.yaml:11:9: error: no source offers 'tensorrt', and the project does not declare it [unknown-component]
        11 | stack: [tensorrt]
           |         ^~~~~~~~
        note: 'nvidia-cuda' offers it for bookworm only, not for trixie
        help: declare 'tensorrt' under 'components:' with its versions

        1 error

        """)
  }

  /// No version matches: the versions each enabled source offers.
  @Test func nomatch() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: ada, memory: 32GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm]
      stack:
        - blender >= 5
      """
    #expect(
      report(yaml) == """
        rig.yaml:12:5: error: the stack cannot be resolved [unresolvable]
        12 |   - blender >= 5
           |     ^~~~~~~~~~~~
          because no version of blender >= 5 is available: source 'debian-bookworm' offers blender 3.4.1+dfsg-2+b1 only
          and the stack requires blender >= 5                                       (rig.yaml:12:5)
          so the stack cannot be resolved
        help: relax 'blender >= 5' (rig.yaml:12:5) to 'blender'

        1 error

        """)
  }

  /// One Debian release per machine: a source of another release is refused where it is written, and resolution
  /// does not run. NVIDIA's repository has a trixie edition (its debian13 tree), so it is not refused.
  @Test func sourceOfAnotherRelease() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: trixie }
      sources: [debian-trixie, debian-bookworm, nvidia-cuda]
      stack:
        - blender
      """
    #expect(
      report(yaml) == """
        rig.yaml:8:26: error: source 'debian-bookworm' has no build for Debian trixie, the release this machine runs [source-not-for-release]
        8 | sources: [debian-trixie, debian-bookworm, nvidia-cuda]
          |                          ^~~~~~~~~~~~~~~
        rig.yaml:7:40: note: the machine's release is written here
        7 |   os: { distribution: debian, release: trixie }
          |                                        ^~~~~~
        note: rig's catalog has 'debian-bookworm' for bookworm only
        help: remove 'debian-bookworm' from 'sources:'; one machine runs one Debian release

        1 error

        """)
  }

  /// Two stack items that disagree.
  @Test func disagree() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: ada, memory: 32GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm, nvidia-cuda]
      stack:
        - cuda-toolkit ^12
        - cuda-toolkit >= 13
      """
    #expect(
      report(yaml) == """
        rig.yaml:12:5: error: the stack cannot be resolved [unresolvable]
        12 |   - cuda-toolkit ^12
           |     ^~~~~~~~~~~~~~~~
          because the stack requires cuda-toolkit ^12  (rig.yaml:12:5)
          and the stack requires cuda-toolkit >= 13    (rig.yaml:13:5)
          so the stack cannot be resolved
        help: relax 'cuda-toolkit ^12' (rig.yaml:12:5) to 'cuda-toolkit'
        help: relax 'cuda-toolkit >= 13' (rig.yaml:13:5) to 'cuda-toolkit'

        1 error

        """)
  }

  /// Hardware not supported by any candidate: Debian's driver cannot drive a Blackwell GPU.
  @Test func hardware() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: blackwell, memory: 32GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm]
      stack:
        - nvidia-driver
      """
    #expect(
      report(yaml) == """
        rig.yaml:12:5: error: the stack cannot be resolved [unresolvable]
        12 |   - nvidia-driver
           |     ^~~~~~~~~~~~~
          because no other version of nvidia-driver is available: source 'debian-bookworm' offers nvidia-driver 535.309.01-0+deb12u1 only
          and nvidia-driver 535.309.01-0+deb12u1 does not support GPU 'gpu0' (blackwell)  (rig.yaml:8:15)
          so nvidia-driver cannot be installed
          and because the stack requires nvidia-driver                              (rig.yaml:12:5)
          so the stack cannot be resolved
        help: add 'nvidia-cuda' to 'sources:'; it offers nvidia-driver 590.48.01-1

        1 error

        """)
  }

  /// A component only a source that is not enabled offers.
  @Test func notenabled() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: ada, memory: 32GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm]
      stack:
        - nvidia-container-toolkit
      """
    #expect(
      report(yaml) == """
        rig.yaml:12:5: error: the stack cannot be resolved [unresolvable]
        12 |   - nvidia-container-toolkit
           |     ^~~~~~~~~~~~~~~~~~~~~~~~
          because no enabled source offers nvidia-container-toolkit; 'nvidia-container-toolkit' does
          and the stack requires nvidia-container-toolkit                           (rig.yaml:12:5)
          so the stack cannot be resolved
        help: add 'nvidia-container-toolkit' to 'sources:'; it offers nvidia-container-toolkit 1.18.2-1

        1 error

        """)
  }

  /// A requirement cycle, every edge with its location.
  @Test func cycle() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        gpus:
          - { name: gpu0, model: RTX 5090, architecture: ada, memory: 32GiB }
        os: { distribution: debian, release: bookworm }
      sources: [debian-bookworm]
      stack:
        - a
      components:
        a:
          versions:
            "1.0":
              requires: [b]
        b:
          versions:
            "1.0":
              requires: [c >= 1]
        c:
          versions:
            "1.0":
              requires: [a]
      """
    #expect(
      report(yaml) == """
        rig.yaml:17:20: error: dependency cycle a → b → c → a [dependency-cycle]
        17 |         requires: [b]
           |                    ^
          a requires b       (rig.yaml:17:20)
          b requires c >= 1  (rig.yaml:21:20)
          c requires a       (rig.yaml:25:20)
        help: remove one of these requirements; install order needs every component after what it requires

        1 error

        """)
  }

  /// A component declared under 'components:' without versions, which no source offers.
  @Test func declaredWithoutVersions() {
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      stack:
        - myapp
      components:
        myapp:
          runtime: host
      """
    #expect(
      report(yaml) == """
        rig.yaml:9:5: error: the stack cannot be resolved [unresolvable]
        9 |   - myapp
          |     ^~~~~
          because 'components:' declares myapp without 'versions:' and no source offers it
          and the stack requires myapp                                              (rig.yaml:9:5)
          so the stack cannot be resolved
        help: give 'myapp' its 'versions:' under 'components:'

        1 error

        """)
  }
}
