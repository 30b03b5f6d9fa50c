import RigBasics
import RigDSL
import Testing

/// `import RigDSL` names the model's enumerations and quantities; importing RigBasics beside it is no ambiguity.
@Suite struct NamesTests {
  /// A helper that names the DSL's types, as a user's description would.
  static func worker(_ name: String, placement: Placement, memory: ByteCount, runtime: Runtime) -> Component {
    Component(name) {
      Runs(runtime)
      CPU(cores: 1, placement: placement)
      Memory(memory)
    }
  }

  @Test func helperFunctionsNameTheTypes() throws {
    let rig = Rig("names") {
      Hardware.cpu(.hybrid(performance: 2, efficiency: 0)).memory(.gib(8)).os(.debian(.bookworm))
      Self.worker("a", placement: .isolated, memory: .gib(1), runtime: .systemd)
    }
    let spec = try #require(rig.lower().spec)
    #expect(spec.components[0].resources.cpu?.placement.value == .isolated)
    #expect(spec.components[0].resources.memory?.value == ByteCount.gib(1))
  }
}
