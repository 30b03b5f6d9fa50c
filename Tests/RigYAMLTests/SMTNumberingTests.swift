import Foundation
import RigCompiler
import RigModel
import Testing

/// How the hybrid shorthand numbers SMT siblings: adjacent unless written, split on request, and an AMD model with
/// no numbering written refused. The AMD part is the one of the lscpu capture in shared/fixtures/hardware
/// (linuxhw-lscpu-ryzen9-5950x.txt: "Model name: AMD Ryzen 9 5950X 16-Core Processor", 16 cores, 2 threads each).
@Suite struct SMTNumberingTests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/hardware/lscpu/linuxhw-lscpu-ryzen9-5950x.txt")

  /// The capture's model name, core count and threads per core.
  func capturedAMD() throws -> (model: String, cores: Int, threads: Int) {
    let text = try String(contentsOf: Self.fixture, encoding: .utf8)
    func field(_ name: String) throws -> String {
      let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + ":") })
      return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return (
      try field("Model name"), try #require(Int(try field("Core(s) per socket"))),
      try #require(Int(try field("Thread(s) per core")))
    )
  }

  func yaml(model: String, cores: Int, threads: Int, smt: String?) -> String {
    let smtField = smt.map { ", smt: \($0)" } ?? ""
    return """
      apiVersion: rig/v1
      name: t
      hardware:
        cpu:
          model: \(model)
          hybrid: { performance: \(cores), efficiency: 0, threads_per_performance_core: \(threads)\(smtField) }
        memory: 32GiB
        os: { distribution: debian, release: bookworm }

      """
  }

  @Test func anAMDModelWithoutNumberingIsRefused() throws {
    let amd = try capturedAMD()
    #expect(amd.model == "AMD Ryzen 9 5950X 16-Core Processor" && amd.cores == 16 && amd.threads == 2)
    expectDiagnostics(
      yaml(model: amd.model, cores: amd.cores, threads: amd.threads, smt: nil),
      """
      rig.yaml:6:5: error: 'hardware.cpu.hybrid' does not say how 'AMD Ryzen 9 5950X 16-Core Processor' numbers \
      its SMT siblings; Linux numbers an AMD part's apart (CPU n and n+16 on one core), not next to each other \
      [bad-topology]
      6 |     hybrid: { performance: 16, efficiency: 0, threads_per_performance_core: 2 }
        |     ^~~~~~
      help: add 'smt: split' to 'hardware.cpu.hybrid', or run 'rig probe' on the machine and use the 'cores:' list \
      it prints

      1 error

      """)
  }

  @Test func splitNumbersSiblingsApart() throws {
    let amd = try capturedAMD()
    let result = RigCompiler.check(
      text: yaml(model: amd.model, cores: amd.cores, threads: amd.threads, smt: "split"), file: "rig.yaml")
    let cores = try #require(result.spec?.hardware.cpu.cores)
    #expect(cores.count == 16)
    #expect(cores.first?.threads == [0, 16])
    #expect(cores.last?.threads == [15, 31])
    #expect(cores.allSatisfy { $0.kind == CoreKind.performance })
  }

  @Test func adjacentIsTheDefaultAndCanBeWritten() throws {
    for smt in [nil, "adjacent"] {
      let result = RigCompiler.check(
        text: yaml(model: "Intel Core i7-14700K", cores: 8, threads: 2, smt: smt), file: "rig.yaml")
      let cores = try #require(result.spec?.hardware.cpu.cores)
      let expected: [[Int]] = (0..<8).map { core in [2 * core, 2 * core + 1] }
      #expect(cores.map(\.threads) == expected)
    }
  }

  /// Split numbering with efficiency cores: the performance cores' first threads, their second threads, then one
  /// thread per efficiency core.
  @Test func splitWithEfficiencyCores() {
    let cores = CPU.hybridTopology(performance: 2, efficiency: 2, threadsPerPerformanceCore: 2, smt: .split)
    #expect(cores.map(\.threads) == [[0, 2], [1, 3], [4], [5]])
  }
}
