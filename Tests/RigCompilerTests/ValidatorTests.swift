import Foundation
import Testing

/// The real consumers of the kernel and systemd artifacts, over every example's golden output (which
/// `ArtifactTests` proves equal to what rig emits): Debian's `grub-mkconfig` in a private mount namespace and
/// `systemd-analyze verify` / `systemd --test` (scripts/validate/). A missing tool fails; nothing is skipped.
@Suite struct ValidatorTests {
  static let scripts = packageRoot + "/scripts/validate"

  /// The examples whose golden output holds files of `target` (a folder under `golden/EXAMPLE/`).
  static func examplesWith(_ target: String) -> [String] {
    examples.filter { FileManager.default.fileExists(atPath: Golden.root + "/\($0)/\(target)") }
  }

  @Test func everyTargetOfTheExamplesIsChecked() {
    #expect(Self.examplesWith("kernel") == ["llm-server", "workstation"])
    #expect(Self.examplesWith("systemd") == ["llm-server", "workstation"])
  }

  @Test(arguments: examplesWith("kernel"))
  func grubMkconfigAcceptsTheKernelArtifacts(example: String) throws {
    let result = try run(Self.scripts + "/check-kernel.sh", [Golden.root + "/" + example])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("check-kernel: OK: grub.d drop-in sources cleanly"))
  }

  @Test(arguments: examplesWith("systemd"))
  func systemdAcceptsTheSystemdArtifacts(example: String) throws {
    let result = try run(Self.scripts + "/check-systemd.sh", [Golden.root + "/" + example])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("check-systemd: OK: verify clean"))
  }

  /// The validators themselves reject broken copies of a good output folder (a bad CPU list, an unknown key, a
  /// dropped kernel parameter, a shell syntax error, …) and accept the good one.
  @Test func validatorsRejectBrokenArtifacts() throws {
    let result = try run(Self.scripts + "/selftest.sh", [])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.hasSuffix("32 passed, 0 failed\n"))
  }
}
