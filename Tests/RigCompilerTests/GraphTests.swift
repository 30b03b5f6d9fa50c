import Foundation
import RigCompiler
import Testing

/// `rig graph`'s output (`RigCompiler.graph`): the workstation example pinned by golden files in both formats,
/// cycles in red and nothing else, escaping, determinism, and every output accepted by its real consumer
/// (`scripts/validate/check-graph.sh`: Graphviz's `dot`, Mermaid's own parser and renderer), which is also
/// shown to reject broken input.
@Suite struct GraphTests {
  /// The hardware and sources every small stack below shares; the stack and components follow.
  static let header = """
    apiVersion: rig/v1
    name: t
    hardware:
      cpu:
        hybrid: { performance: 8, efficiency: 12 }
      memory: 32GiB
      os: { distribution: debian, release: bookworm }
    sources: [debian-bookworm]

    """

  /// Two cycles: a → b → c → a, and e requiring itself; a → d and the stack's arrows are on none.
  static let cycles =
    header + """
      stack:
        - a
        - e >= 1
      components:
        a:
          versions:
            "1.0":
              requires: [b, d]
        b:
          versions:
            "1.0":
              requires: [c >= 1]
        c:
          versions:
            "1.0":
              requires: [a]
        d:
          versions:
            "1.0": {}
        e:
          versions:
            "1.0":
              requires: [e]
      """

  /// Versions with an epoch, a tilde and a plus, constraints with every operator.
  static let oddVersions =
    header + """
      stack:
        - a ^1:2
      components:
        a:
          versions:
            "1:2.0~rc1+dfsg":
              requires: ["b >= 1:2.0~rc1, < 1:3", "c = 0.9~beta.2-1+b1", "d > 2:0", "e <= 5"]
        b:
          versions:
            "1:2.0~rc1+dfsg-2": {}
        c:
          versions:
            "0.9~beta.2-1+b1": {}
        d:
          versions:
            "2:0.1": {}
        e:
          versions:
            "4.0": {}
      """

  static func graph(_ yaml: String, _ format: GraphFormat) throws -> String {
    try #require(RigCompiler.graph(RigCompiler.check(text: yaml, file: "rig.yaml"), format: format))
  }

  static func workstation(_ format: GraphFormat) throws -> String {
    try #require(RigCompiler.graph(RigCompiler.check(path: packageRoot + "/examples/workstation"), format: format))
  }

  @Test func workstationMatchesTheGoldenFiles() throws {
    try Golden.check(Self.workstation(.dot), "graph/workstation.dot")
    try Golden.check(Self.workstation(.mermaid), "graph/workstation.mmd")
  }

  /// Every component and every `requires` edge is drawn, with its version, source and constraint.
  @Test func workstationShowsEveryComponentAndEdge() throws {
    let result = RigCompiler.check(path: packageRoot + "/examples/workstation")
    let resolution = try #require(result.resolution)
    let graph = try #require(result.graph)
    let dot = try Self.workstation(.dot)
    for component in resolution.components {
      let label = "\"\(component.name)\" [label=\"\(component.name) \(component.version.text)\\n"
      #expect(dot.contains(label + component.origin.sourceName + "\"];"), "\(component.name)")
    }
    var arrows = 0
    for node in graph.nodes {
      for edge in graph.edges[node] ?? [] {
        arrows += 1
        #expect(dot.contains("  \"\(edge.from)\" -> \"\(edge.to)\""), "\(edge.from) -> \(edge.to)")
      }
    }
    #expect(dot.contains("  \"comfyui\" -> \"cuda-runtime\" [label=\">= 12.4\"];\n"))
    #expect(dot.contains("  \"(stack)\" -> \"kubelet\" [label=\">= 1.30, < 1.31\"];\n"))
    #expect(dot.contains("  \"(stack)\" -> \"git\";\n"))
    let stackArrows = dot.components(separatedBy: "\n").filter { $0.hasPrefix("  \"(stack)\" -> ") }
    #expect(stackArrows.count == resolution.roots.count)
    let mermaid = try Self.workstation(.mermaid)
    #expect(mermaid.components(separatedBy: "\n").filter { $0.contains(" --") }.count == arrows + stackArrows.count)
    #expect(!dot.contains("red") && !mermaid.contains("red"), "the example has no cycle")
  }

  /// The cycles `rig check` reports, and only they, are red: their edges and their nodes.
  @Test func cyclesAreRed() throws {
    let result = RigCompiler.check(text: Self.cycles, file: "rig.yaml")
    #expect(result.diagnostics.diagnostics.map(\.id.rawValue) == ["dependency-cycle", "dependency-cycle"])
    #expect(
      try Self.graph(Self.cycles, .dot) == #"""
        // rig graph of 't': each resolved component with its version and source. 'stack' points at the
        // stack items (labels: the constraints written in rig.yaml); the other arrows are 'requires' (labels: their
        // constraints).
        // red: a dependency cycle (rig check reports it as 'dependency-cycle').
        digraph rig {
          rankdir=LR;
          label="red: a dependency cycle (rig check reports it as 'dependency-cycle')";
          labelloc=t;
          fontcolor=red;
          node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];
          edge [fontname="Helvetica", fontsize=9];
          "(stack)" [label="stack: t", shape=ellipse, style=bold];
          "a" [label="a 1.0\ncomponents", color=red, fontcolor=red, penwidth=2];
          "b" [label="b 1.0\ncomponents", color=red, fontcolor=red, penwidth=2];
          "c" [label="c 1.0\ncomponents", color=red, fontcolor=red, penwidth=2];
          "d" [label="d 1.0\ncomponents"];
          "e" [label="e 1.0\ncomponents", color=red, fontcolor=red, penwidth=2];
          "(stack)" -> "a";
          "(stack)" -> "e" [label=">= 1"];
          "a" -> "b" [color=red, fontcolor=red, penwidth=2];
          "a" -> "d";
          "b" -> "c" [label=">= 1", color=red, fontcolor=red, penwidth=2];
          "c" -> "a" [color=red, fontcolor=red, penwidth=2];
          "e" -> "e" [color=red, fontcolor=red, penwidth=2];
        }

        """#)
    #expect(
      try Self.graph(Self.cycles, .mermaid) == #"""
        ---
        title: "red: a dependency cycle (rig check reports it as 'dependency-cycle')"
        ---
        %% rig graph of 't': each resolved component with its version and source. 'stack' points at the
        %% stack items (labels: the constraints written in rig.yaml); the other arrows are 'requires' (labels: their
        %% constraints).
        %% red: a dependency cycle (rig check reports it as 'dependency-cycle').
        flowchart LR
          stack(["stack: t"])
          n0["a 1.0<br/>components"]
          n1["b 1.0<br/>components"]
          n2["c 1.0<br/>components"]
          n3["d 1.0<br/>components"]
          n4["e 1.0<br/>components"]
          stack --> n0
          stack -->|"#62;= 1"| n4
          n0 --> n1
          n0 --> n3
          n1 -->|"#62;= 1"| n2
          n2 --> n0
          n4 --> n4
          classDef cycle stroke:red,stroke-width:2px,color:red
          class n0,n1,n2,n4 cycle
          linkStyle 2,4,5,6 stroke:red,stroke-width:2px,color:red

        """#)
  }

  /// Versions and constraints reach both formats intact: DOT needs no escape for them; Mermaid gets `<` and `>`
  /// as entity codes (which it shows as the characters).
  @Test func oddVersionsAreQuoted() throws {
    let dot = try Self.graph(Self.oddVersions, .dot)
    #expect(dot.contains("  \"(stack)\" -> \"a\" [label=\"^1:2\"];\n"))
    #expect(dot.contains("  \"a\" [label=\"a 1:2.0~rc1+dfsg\\ncomponents\"];\n"))
    #expect(dot.contains("  \"a\" -> \"b\" [label=\">= 1:2.0~rc1, < 1:3\"];\n"))
    #expect(dot.contains("  \"a\" -> \"c\" [label=\"= 0.9~beta.2-1+b1\"];\n"))
    #expect(dot.contains("  \"c\" [label=\"c 0.9~beta.2-1+b1\\ncomponents\"];\n"))
    let mermaid = try Self.graph(Self.oddVersions, .mermaid)
    #expect(mermaid.contains("  n0[\"a 1:2.0~rc1+dfsg<br/>components\"]\n"))
    #expect(mermaid.contains("  stack -->|\"^1:2\"| n0\n"))
    #expect(mermaid.contains("  n0 -->|\"#62;= 1:2.0~rc1, #60; 1:3\"| n1\n"))
    #expect(mermaid.contains("  n0 -->|\"#62; 2:0\"| n3\n"))
    #expect(mermaid.contains("  n0 -->|\"#60;= 5\"| n4\n"))
  }

  /// The escapers themselves, on what no valid rig.yaml can hold today (quotes, backslashes, line breaks).
  @Test func escapers() {
    #expect(DOT.quoted(#"a "b" \N c"#) == #""a \"b\" \\N c""#)
    #expect(DOT.quoted("one\ntwo\tthree") == #""one\ntwo three""#)
    #expect(Mermaid.text(#"a "b" #1 <x> & y|z `w` \"#) == "a #34;b#34; #35;1 #60;x#62; #38; y#124;z #96;w#96; #92;")
    #expect(Mermaid.text("one\ntwo") == "one#10;two")
    #expect(Mermaid.text("1:2.0~rc1+dfsg, ^12 = 3") == "1:2.0~rc1+dfsg, ^12 = 3")
  }

  /// The same project gives the same bytes every time, and with its stack written in reverse order.
  @Test(arguments: GraphFormat.allCases)
  func outputIsDeterministic(format: GraphFormat) throws {
    let first = try Self.workstation(format)
    #expect(try Self.workstation(format) == first)
    #expect(first.hasSuffix("\n") && !first.hasSuffix("\n\n"))
    let file = packageRoot + "/examples/workstation/rig.yaml"
    let text = try String(contentsOfFile: file, encoding: .utf8)
    let reversed = reversingStack(text)
    #expect(reversed != text)
    let result = RigCompiler.check(text: reversed, file: file)
    #expect(!result.hasErrors, "\(renderedDiagnostics(result))")
    #expect(RigCompiler.graph(result, format: format) == first)
    #expect(try Self.graph(Self.cycles, format) == Self.graph(Self.cycles, format))
  }

  /// No graph without a resolution: an unresolvable stack, or a file the front end refuses.
  @Test(arguments: GraphFormat.allCases)
  func nothingWhenTheStackIsNotResolved(format: GraphFormat) {
    let unresolvable =
      Self.header + """
        stack:
          - a
        components:
          a:
            versions:
              "1.0":
                requires: [b >= 2]
          b:
            versions:
              "1.0": {}
        """
    let result = RigCompiler.check(text: unresolvable, file: "rig.yaml")
    #expect(result.diagnostics.diagnostics.map(\.id.rawValue) == ["unresolvable"])
    #expect(RigCompiler.graph(result, format: format) == nil)
    #expect(RigCompiler.graph(RigCompiler.check(text: "name: [", file: "rig.yaml"), format: format) == nil)
  }

  /// What `check-graph.sh` is given: a committed golden file, or text written to a temporary file.
  enum Input: Sendable {
    case golden(String)
    case text(name: String, String)
  }

  /// One run of the checker, and whether it must accept the input.
  struct ValidatorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: Input
    var accepted: Bool
    /// Text the checker must print (a reason for a rejection).
    var expected: String
    var testDescription: String { name }
  }

  static let validatorCases: [ValidatorCase] = {
    let dot = (try? graph(cycles, .dot)) ?? ""
    let mermaid = (try? graph(cycles, .mermaid)) ?? ""
    return [
      ValidatorCase(name: "workstation DOT", input: .golden("graph/workstation.dot"), accepted: true, expected: "OK"),
      ValidatorCase(
        name: "workstation Mermaid", input: .golden("graph/workstation.mmd"), accepted: true, expected: "OK"),
      ValidatorCase(name: "cycles DOT", input: .text(name: "cycles.dot", dot), accepted: true, expected: "OK"),
      ValidatorCase(
        name: "cycles Mermaid", input: .text(name: "cycles.mmd", mermaid), accepted: true, expected: "OK"),
      ValidatorCase(
        name: "odd versions DOT", input: .text(name: "odd.dot", (try? graph(oddVersions, .dot)) ?? ""),
        accepted: true, expected: "OK"),
      ValidatorCase(
        name: "odd versions Mermaid", input: .text(name: "odd.mmd", (try? graph(oddVersions, .mermaid)) ?? ""),
        accepted: true, expected: "OK"),
      // Broken copies of the cycle case: a DOT syntax error, a DOT warning (an unknown color), a Mermaid label
      // left open, and a Mermaid style for a link that does not exist.
      ValidatorCase(
        name: "DOT without its closing brace",
        input: .text(name: "broken.dot", String(dot.dropLast(2)) + "\n"), accepted: false, expected: "syntax error"),
      ValidatorCase(
        name: "DOT with an unknown color",
        input: .text(name: "color.dot", dot.replacingOccurrences(of: "color=red", with: "color=redd")),
        accepted: false, expected: "redd is not a known color"),
      ValidatorCase(
        name: "Mermaid label left open",
        input: .text(
          name: "broken.mmd", mermaid.replacingOccurrences(of: "\"b 1.0<br/>components\"]", with: "\"b 1.0")),
        accepted: false, expected: "Parse error"),
      ValidatorCase(
        name: "Mermaid style of a missing link",
        input: .text(name: "link.mmd", mermaid.replacingOccurrences(of: "linkStyle 2,", with: "linkStyle 9,")),
        accepted: false, expected: "'style' of undefined"),
    ]
  }()

  @Test(arguments: validatorCases)
  func realConsumersJudgeTheOutput(_ check: ValidatorCase) throws {
    let folder = NSTemporaryDirectory() + "rig-graph-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path: String
    switch check.input {
    case .golden(let relative): path = Golden.root + "/" + relative
    case .text(let name, let text):
      #expect(!text.isEmpty)
      path = folder + "/" + name
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    let result = try run(packageRoot + "/scripts/validate/check-graph.sh", [path])
    #expect(result.status == (check.accepted ? 0 : 1), "\(result.stdout)\(result.stderr)")
    #expect((result.stdout + result.stderr).contains(check.expected), "\(result.stdout)\(result.stderr)")
  }

  /// The checker takes a folder too: every graph under `golden/graph/` in one run.
  @Test func checkerAcceptsTheGoldenFolder() throws {
    let result = try run(packageRoot + "/scripts/validate/check-graph.sh", [Golden.root + "/graph"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("OK: 1 DOT file(s)"), "\(result.stdout)")
    #expect(result.stdout.contains("1 Mermaid file(s) parsed and rendered by Mermaid v11.16.0"), "\(result.stdout)")
  }
}
