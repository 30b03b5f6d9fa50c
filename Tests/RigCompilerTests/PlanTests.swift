import Foundation
import Testing

/// `rig plan` end to end: each example's resolution and allocation are pinned by a golden file
/// (`golden/plan/EXAMPLE.txt`; `RIG_RECORD=1` rewrites them).
@Suite struct PlanTests {
  @Test(arguments: examples)
  func examplePlanMatchesTheGoldenFile(example: String) throws {
    let result = try run(rigBinary(), ["plan", "examples/" + example])
    #expect(result.status == 0)
    let warnings = result.stderr.split(separator: "\n").compactMap { line in
      line.contains(": warning: ") ? line.split(separator: "[").last?.dropLast() : nil
    }
    #expect(warnings.map(String.init) == exampleWarnings[example] ?? [])
    if exampleWarnings[example] == nil { #expect(result.stderr == "") }
    try Golden.check(result.stdout, "plan/\(example).txt")
  }

  /// `--format json` carries the allocation for scripts: sets, kernel parameters, budgets in bytes, sharing.
  @Test func planJSONCarriesTheAllocation() throws {
    let result = try run(rigBinary(), ["plan", "--format", "json", "examples/workstation"])
    #expect(result.status == 0)
    let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let allocation = try #require(document?["allocation"] as? [String: Any])
    let cpu = try #require(allocation["cpu"] as? [String: Any])
    #expect(cpu["isolated"] as? String == "8-15")
    #expect(cpu["housekeeping"] as? String == "0-7,16-27")
    #expect((cpu["kernel_parameters"] as? [String])?.first == "isolcpus=managed_irq,8-15")
    let gpu = try #require(allocation["gpu_memory"] as? [String: Any])
    #expect(gpu["used_bytes"] as? Int == 10 << 30)
    #expect(gpu["usable_bytes"] as? Int == 11 << 30)
    let slicing = try #require(allocation["time_slicing"] as? [String: Any])
    #expect(slicing["replicas"] as? Int == 2)
    let power = try #require((allocation["power_limits"] as? [[String: Any]])?.first)
    #expect(power["milliwatts"] as? Int == 180_000)
  }

  /// The same project with its stack and components written in another order plans the same bytes.
  @Test func planIsTheSameForAnyOrderOfTheInput() throws {
    let text = try String(contentsOfFile: packageRoot + "/examples/workstation/rig.yaml", encoding: .utf8)
    let reversed = reversingStack(text)
    #expect(reversed != text)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rig-plan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try reversed.write(to: folder.appendingPathComponent("rig.yaml"), atomically: true, encoding: .utf8)
    let original = try run(rigBinary(), ["plan", "examples/workstation"])
    let reordered = try run(rigBinary(), ["plan", folder.path])
    #expect(reordered.status == 0)
    // The "required by" column names the file; the rest is identical.
    let strip = { (s: String) in
      s.replacingOccurrences(of: #"\([^)]*rig\.yaml:\d+:\d+\)"#, with: "", options: .regularExpression)
    }
    #expect(strip(reordered.stdout) == strip(original.stdout))
  }

  @Test func unresolvableStackExitsOneWithTheExplanationOnStderr() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rig-plan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let yaml = """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          hybrid: { performance: 8, efficiency: 12 }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }
      stack:
        - cuda-runtime >= 12.4

      """
    try yaml.write(to: folder.appendingPathComponent("rig.yaml"), atomically: true, encoding: .utf8)
    let result = try run(rigBinary(), ["plan", "--color", "never", folder.path])
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(result.stderr.contains("error: the stack cannot be resolved [unresolvable]"))
    #expect(result.stderr.contains("help: add 'nvidia-cuda' to 'sources:'"))
  }

  /// The golden helper's diff shows removed and added lines with context.
  @Test func goldenDiffShowsTheChangedLines() {
    #expect(
      Golden.lineDiff("a\nb\nc\nd\ne\nf\n", "a\nb\nC\nd\ne\nf\n") == """
          a
          b
        - c
        + C
          d
          e
        """)
  }

  /// A golden file that does not exist is a failure, not a pass (outside recording, which would write it).
  @Test(.enabled(if: !recording)) func missingGoldenFileFails() throws {
    try withKnownIssue {
      try Golden.check("anything", "no-such-example/no-such-file.txt")
    }
    #expect(!FileManager.default.fileExists(atPath: Golden.root + "/no-such-example"))
  }
}
