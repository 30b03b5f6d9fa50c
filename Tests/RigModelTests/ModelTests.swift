import RigBasics
import RigModel
import Testing

@Suite struct VersionSyntaxTests {
  @Test(arguments: [
    "1.0", "550.54.14", "550.54.14-1", "1:2.0~rc1-3", "0.3.10", "12.4.1-1~deb12u1", "3.3.9-3.6.1", "1.0+dfsg-1",
    "b4200",
  ])
  func valid(text: String) {
    #expect((try? Version.parse(text).get())?.text == text)
  }

  @Test(arguments: [
    ("", "empty version", 0), ("v1.0", "a version has no 'v': write the tag without it", 0),
    ("latest", "version must start with a digit, or with a build tag's letters and a digit ('b4200')", 0),
    ("a:1.0", "epoch must be a number", 0),
    ("1.0-", "version has an empty revision after '-'", 3), ("1.0 beta", "' ' is not allowed in a version", 3),
    ("1.0-a_b", "'_' is not allowed in a version's revision", 5), ("1:", "version has no upstream part", 2),
  ])
  func invalid(text: String, message: String, offset: Int) {
    guard case .failure(let p) = Version.parse(text) else {
      Issue.record("'\(text)' was accepted")
      return
    }
    #expect(p.message == message)
    #expect(p.offset == offset)
  }
}

@Suite struct RequirementGrammarTests {
  func parsed(_ text: String) -> Requirement.Parsed? { try? Requirement.parse(text).get() }

  @Test func bareName() {
    #expect(parsed("steam")?.name == "steam")
    #expect(parsed("steam")?.constraint == .any)
  }

  @Test(arguments: [
    ("ollama = 0.5.7", "= 0.5.7"), ("ollama >= 0.5", ">= 0.5"), ("ollama>=0.5", ">= 0.5"), ("kubelet < 1.31", "< 1.31"),
    ("kubelet >= 1.30, < 1.31", ">= 1.30, < 1.31"), ("cuda-toolkit ^12", "^12"), ("x > 1", "> 1"), ("x <= 2", "<= 2"),
    ("nvidia-driver >= 550.54.14", ">= 550.54.14"),
  ])
  func constraints(text: String, printed: String) {
    #expect(parsed(text)?.constraint.description == printed)
  }

  @Test func nameOffsets() {
    let p = parsed("  ollama >= 0.5")
    #expect(p?.nameOffset == 2 && p?.nameLength == 6)
  }

  @Test(arguments: [
    ("ollama >> 0.5", "unknown operator '>>'", 7), ("ollama 0.5", "expected an operator before version '0.5'", 7),
    ("ollama >=", "expected a version after '>='", 7), ("Ollama", "component names are lowercase", 0),
    ("ollama >= 0.5,", "expected a clause after ','", 13),
    ("ollama >= 0.5 < 1", "expected ',' between clauses, found '<'", 14),
    ("x ^12, < 13", "'^' cannot be combined with other clauses", 5),
    ("x >= 1, ^2", "'^' cannot be combined with other clauses", 8),
    ("ollama >= v1", "a version has no 'v': write the tag without it", 10), ("", "expected a component name", 0),
    ("ol_lama", "'_' is not allowed in a component name", 2), ("x == 1", "unknown operator '=='", 2),
    (">= 1", "expected a component name", 0),
  ])
  func invalid(text: String, message: String, offset: Int) {
    guard case .failure(let p) = Requirement.parse(text) else {
      Issue.record("'\(text)' was accepted")
      return
    }
    #expect(p.message == message)
    #expect(p.offset == offset)
  }

  @Test func operatorHints() {
    if case .failure(let p) = Requirement.parse("x => 1") { #expect(p.help == ["write '>='"]) } else { Issue.record() }
    if case .failure(let p) = Requirement.parse("x 1.0") {
      #expect(p.help == ["write 'x = 1.0' for exactly that version or 'x >= 1.0' for it or newer"])
    } else {
      Issue.record()
    }
  }
}

@Suite struct TopologyTests {
  @Test func hybridExpandsLikeLinux() {
    let cores = CPU.hybridTopology(performance: 8, efficiency: 12, threadsPerPerformanceCore: 2)
    #expect(cores.count == 20)
    #expect(cores[0] == Core(kind: .performance, threads: [0, 1]))
    #expect(cores[7] == Core(kind: .performance, threads: [14, 15]))
    #expect(cores[8] == Core(kind: .efficiency, threads: [16]))
    #expect(cores[19] == Core(kind: .efficiency, threads: [27]))
    let cpu = CPU(model: nil, cores: cores, bootCPU: Located(0, at: nil))
    #expect(cpu.logicalCPUs.description == "0-27")
    #expect(cpu.lastCPU == 27)
    #expect(cpu.core(of: 9)?.threads == [8, 9])
  }

  @Test func singleThreadedPerformanceCores() {
    let cores = CPU.hybridTopology(performance: 2, efficiency: 1, threadsPerPerformanceCore: 1)
    #expect(cores.map(\.threads) == [[0], [1], [2]])
  }

  @Test func architecturesAreOrdered() {
    #expect(GPUArchitecture.ampere < .ada)
    #expect(GPUArchitecture.blackwell > .hopper)
  }
}
