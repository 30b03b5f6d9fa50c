import Foundation
import RigBasics
import RigCompiler
import RigModel
import RigYAML
import Testing

/// A fleet's machine, written once for the tests below: `gpu` adds one GPU of that much memory.
func fleetHardware(gpu: String? = nil, indent: Int = 4) -> String {
  let pad = String(repeating: " ", count: indent)
  var text = "\(pad)hardware:\n\(pad)  cpu: { hybrid: { performance: 4, efficiency: 0 } }\n\(pad)  memory: 32GiB\n"
  if let gpu {
    text += "\(pad)  gpus: [{ name: gpu0, model: NVIDIA GeForce RTX 4070, architecture: ada, memory: \(gpu) }]\n"
  }
  return text + "\(pad)  os: { distribution: debian, release: bookworm }\n"
}

/// rig.yaml with hosts: shared sections, groups and hosts merged into each host's description.
@Suite struct FleetLoweringTests {
  @Test func eachHostIsTheSharedSectionsThenItsGroupsThenItsOwn() throws {
    let p = try Project()
    try p.write(
      "rig.yaml",
      header + """
        sources: [debian-bookworm]
        stack: [git]
        components:
          tool: { runtime: host, description: shared }
        policies:
          memory: { reserve: 2GiB }
          cpu: { housekeeping_cores: 1 }
        groups:
          lab:
            stack: [htop]
            components:
              tool: { runtime: host, description: lab }
            policies:
              memory: { reserve: 3GiB }
          classroom:
            count: 2
            stack: [tmux]

        """ + fleetHardware() + """
          hosts:
            a:
              address: 10.0.0.1
              groups: [lab]
              stack: [curl]
              sources: [debian-bookworm, upstream]
              policies:
                cpu: { housekeeping_cores: 2 }

          """ + fleetHardware(indent: 4))
    let (text, result) = p.check()
    #expect(text == "")
    let fleet = try #require(result.fleet?.fleet)
    #expect(fleet.hosts.map(\.name.value) == ["classroom-1", "classroom-2", "a"])
    let a = try #require(fleet.host(named: "a"))
    #expect(a.address?.value == "10.0.0.1")
    #expect(a.groups.map(\.value) == ["lab"])
    #expect(a.spec.stack.map(\.name.value) == ["git", "htop", "curl"])
    #expect(a.spec.components.map { $0.description } == ["lab"])
    #expect(a.spec.sources.map(\.value) == ["debian-bookworm", "upstream"])
    #expect(a.spec.policies.memoryReserve?.value == .gib(3))
    #expect(a.spec.policies.housekeepingCores?.value == 2)
    let member = try #require(fleet.host(named: "classroom-2"))
    #expect(member.groups.map(\.value) == ["classroom"])
    #expect(member.spec.stack.map(\.name.value) == ["git", "tmux"])
    #expect(member.spec.components.map { $0.description } == ["shared"])
    #expect(member.spec.sources.map(\.value) == ["debian-bookworm"])
    #expect(member.spec.policies.memoryReserve?.value == .gib(2))
    #expect(member.spec.policies.housekeepingCores?.value == 1)
    #expect(result.fleet?.hosts.count == 3)
    #expect(result.fleet?.plans?.count == 3)
  }

  @Test func namedMembersAndTheirLimits() throws {
    let p = try Project()
    try p.write(
      "rig.yaml",
      header + fleetHardware(indent: 0) + """
        groups:
          lab: { names: [x, y] }
        hosts:
          z: {}

        """)
    let (text, result) = p.check()
    #expect(text == "")
    #expect(result.fleet?.fleet.hosts.map(\.name.value) == ["x", "y", "z"])
  }

  /// Every refusal of the fleet sections, each at its place with a hint.
  @Test func fleetSectionsAreChecked() throws {
    let p = try Project()
    try p.write(
      "rig.yaml",
      header + """
        groups:
          lab: { count: 2, names: [a] }
          all: {}
          empty: { count: 1 }
        hosts:
          a:
            groups: [labb]
        """ + "\n" + fleetHardware(indent: 4) + """
            b:
              groups: [empty]
            lab-1: {}
          cluster: { control_plane: srv }
          targets:
            ansible: { host: ws }

          """)
    let (text, _) = p.check()
    #expect(
      text == """
        P/rig.yaml:4:10: error: 'count' and 'names' both declare the members of group 'lab' [conflicting-keys]
        4 |   lab: { count: 2, names: [a] }
          |          ^~~~~
        help: keep one of them

        P/rig.yaml:5:3: error: 'all' is a group every inventory has [invalid-value]
        5 |   all: {}
          |   ^~~
        help: write what every host shares at the top level, or choose another name

        P/rig.yaml:6:3: error: missing required key 'hardware' in 'groups.empty' [missing-key]
        6 |   empty: { count: 1 }
          |   ^~~~~
        help: add 'hardware:' (the machine)

        P/rig.yaml:9:14: error: host 'a' is in group 'labb', which 'groups' does not declare [invalid-value]
        9 |     groups: [labb]
          |              ^~~~
        help: did you mean 'lab'?

        P/rig.yaml:14:3: error: missing required key 'hardware' in host 'b' [missing-key]
        14 |   b:
           |   ^
        help: add 'hardware:' to the host, to one of its groups, or at the top level for every host

        P/rig.yaml:15:14: error: group 'empty' declares its members with 'count' or 'names'; a host cannot join it [invalid-value]
        15 |     groups: [empty]
           |              ^~~~~
        help: list the host under the group's 'names'

        P/rig.yaml:16:3: error: missing required key 'hardware' in host 'lab-1' [missing-key]
        16 |   lab-1: {}
           |   ^~~~~
        help: add 'hardware:' to the host, to one of its groups, or at the top level for every host

        P/rig.yaml:17:1: error: 'cluster' needs the Kubernetes target [invalid-value]
        17 | cluster: { control_plane: srv }
           | ^~~~~~~
        help: add 'kubernetes: { version: "1.30", namespace: ai }' under 'targets:', or remove 'cluster'

        P/rig.yaml:17:27: error: the control plane 'srv' is not a host of the fleet [invalid-value]
        17 | cluster: { control_plane: srv }
           |                           ^~~
        help: name one of the hosts under 'hosts:'

        P/rig.yaml:19:14: error: a fleet's inventory names its hosts under 'hosts', not 'targets.ansible.host' [invalid-value]
        19 |   ansible: { host: ws }
           |              ^~~~
        help: remove 'host' (write 'ansible: {}')

        10 errors

        """)
  }
}
