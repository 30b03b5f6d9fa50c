import RigModel
import RigResolver

/// Output format of `rig graph`.
public enum GraphFormat: String, CaseIterable, Sendable {
  /// Graphviz DOT, for `dot -Tsvg` and the other Graphviz layouts.
  case dot
  /// A Mermaid flowchart, for Markdown viewers that render `mermaid` blocks.
  case mermaid
}

extension RigCompiler {
  /// The resolved dependency graph as Graphviz DOT or a Mermaid flowchart; nil when the stack was not resolved.
  ///
  /// What it draws, the same in both formats:
  /// - every resolved component as a box labelled `name version` on the first line and its source (`nvidia-cuda`,
  ///   `components`, …) on the second;
  /// - one more node, `stack: NAME` (an ellipse in DOT, a stadium in Mermaid), with an arrow to each stack item,
  ///   labelled with the constraint written in rig.yaml when there is one. A separate node, rather than bold
  ///   components, keeps those constraints visible, and shows a stack item that something else also requires
  ///   with both of its arrows;
  /// - an arrow for every `requires` edge between resolved components, labelled with its constraint when it has
  ///   one;
  /// - the dependency cycles `rig check` reports (one path per strongly connected component, as in its
  ///   `dependency-cycle` errors) in red and thicker: their edges and their components; the others stay black.
  ///
  /// The output depends only on the resolution: components in name order, the stack's arrows by target name
  /// (not in the order of rig.yaml), each component's edges by target name. It ends with a newline.
  public static func graph(_ result: CheckResult, format: GraphFormat) -> String? {
    guard let resolution = result.resolution, let graph = result.graph else { return nil }
    let drawing = GraphDrawing(resolution: resolution, graph: graph, name: result.spec?.name.value ?? "")
    switch format {
    case .dot: return drawing.dot
    case .mermaid: return drawing.mermaid
    }
  }
}

/// The nodes and arrows of `rig graph`, in output order, before either format writes them.
struct GraphDrawing: Sendable {
  /// A resolved component.
  struct Node: Sendable {
    var name: String
    var version: String
    var source: String
    var onCycle: Bool
  }

  /// An arrow from the stack (`from == nil`) or from a component.
  struct Link: Sendable {
    var from: String?
    var to: String
    /// The constraint, when the requirement has one.
    var label: String?
    var onCycle: Bool
  }

  /// The project's name.
  var name: String
  var nodes: [Node]
  /// The stack's arrows first, then the components' `requires`.
  var links: [Link]

  /// The legend shown when a cycle is drawn.
  static let cycleLegend = "red: a dependency cycle (rig check reports it as 'dependency-cycle')"

  init(resolution: Resolution, graph: DependencyGraph, name: String) {
    self.name = name
    /// An edge as its two ends, for looking up which edges lie on a cycle.
    struct Ends: Hashable {
      var from: String
      var to: String
    }
    var cycleEdges = Set<Ends>()
    var cycleNodes = Set<String>()
    for edge in graph.cycles.joined() {
      cycleEdges.insert(Ends(from: edge.from, to: edge.to))
      cycleNodes.insert(edge.from)
      cycleNodes.insert(edge.to)
    }
    nodes = resolution.components.map { component in
      Node(
        name: component.name, version: component.version.text, source: component.origin.sourceName,
        onCycle: cycleNodes.contains(component.name))
    }
    let resolved = Set(graph.nodes)
    let stackLinks = graph.roots.filter { resolved.contains($0.name.value) }.map { root in
      Link(from: nil, to: root.name.value, label: Self.label(root.constraint), onCycle: false)
    }.sorted { ($0.to, $0.label ?? "") < ($1.to, $1.label ?? "") }
    let requiresLinks = graph.nodes.flatMap { node in
      (graph.edges[node] ?? []).map { edge in
        Link(
          from: edge.from, to: edge.to, label: Self.label(edge.requirement.constraint),
          onCycle: cycleEdges.contains(Ends(from: edge.from, to: edge.to)))
      }
    }
    links = stackLinks + requiresLinks
  }

  /// The constraint as written, or nil for "any version".
  static func label(_ constraint: VersionConstraint) -> String? {
    constraint.clauses.isEmpty ? nil : constraint.description
  }

  /// Whether any component is on a cycle (then the legend is shown).
  var hasCycles: Bool { nodes.contains { $0.onCycle } }

  /// The header comment's lines, the same in both formats.
  var summary: [String] {
    var lines = [
      "rig graph of '\(name)': each resolved component with its version and source. 'stack' points at the",
      "stack items (labels: the constraints written in rig.yaml); the other arrows are 'requires' (labels: their",
      "constraints).",
    ]
    if hasCycles { lines.append(Self.cycleLegend + ".") }
    return lines
  }

  // MARK: DOT

  /// The stack node's ID: parentheses cannot occur in a component name, so it names no component.
  static let dotStackID = "(stack)"

  /// Graphviz DOT: IDs are the component names, double-quoted.
  var dot: String {
    var out = summary.map { "// \($0)\n" }.joined()
    out += "digraph rig {\n"
    out += "  rankdir=LR;\n"
    if hasCycles {
      out += "  label=\(DOT.quoted(Self.cycleLegend));\n"
      out += "  labelloc=t;\n"
      out += "  fontcolor=red;\n"
    }
    out += "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];\n"
    out += "  edge [fontname=\"Helvetica\", fontsize=9];\n"
    out += "  \(DOT.quoted(Self.dotStackID)) [label=\(DOT.quoted("stack: \(name)")), shape=ellipse, style=bold];\n"
    for node in nodes {
      var attributes = ["label=" + DOT.quoted("\(node.name) \(node.version)\n\(node.source)")]
      if node.onCycle { attributes += ["color=red", "fontcolor=red", "penwidth=2"] }
      out += "  \(DOT.quoted(node.name)) [\(attributes.joined(separator: ", "))];\n"
    }
    for link in links {
      var attributes: [String] = []
      if let label = link.label { attributes.append("label=" + DOT.quoted(label)) }
      if link.onCycle { attributes += ["color=red", "fontcolor=red", "penwidth=2"] }
      let from = DOT.quoted(link.from ?? Self.dotStackID)
      let suffix = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
      out += "  \(from) -> \(DOT.quoted(link.to))\(suffix);\n"
    }
    out += "}\n"
    return out
  }

  // MARK: Mermaid

  /// A Mermaid flowchart: nodes get generated IDs (`n0`, `n1`, … in name order; `stack`), since a component
  /// name such as `end` or one with dots could be read as syntax.
  var mermaid: String {
    var ids: [String: String] = [:]
    for (index, node) in nodes.enumerated() { ids[node.name] = "n\(index)" }
    var out = ""
    if hasCycles {
      // The title is the only visible legend Mermaid has; it is front matter, so it comes first.
      out += "---\ntitle: \"\(Self.cycleLegend)\"\n---\n"
    }
    out += summary.map { "%% \($0)\n" }.joined()
    out += "flowchart LR\n"
    out += "  stack([\"\(Mermaid.text("stack: \(name)"))\"])\n"
    for (index, node) in nodes.enumerated() {
      out += "  n\(index)[\"\(Mermaid.text("\(node.name) \(node.version)"))<br/>\(Mermaid.text(node.source))\"]\n"
    }
    var cycleLinks: [Int] = []
    for (index, link) in links.enumerated() {
      let from = link.from.map { ids[$0] ?? "" } ?? "stack"
      let arrow = link.label.map { "-->|\"\(Mermaid.text($0))\"|" } ?? "-->"
      out += "  \(from) \(arrow) \(ids[link.to] ?? "")\n"
      if link.onCycle { cycleLinks.append(index) }
    }
    let cycleNodes = nodes.indices.filter { nodes[$0].onCycle }
    if !cycleNodes.isEmpty {
      out += "  classDef cycle stroke:red,stroke-width:2px,color:red\n"
      out += "  class \(cycleNodes.map { "n\($0)" }.joined(separator: ",")) cycle\n"
    }
    if !cycleLinks.isEmpty {
      out += "  linkStyle \(cycleLinks.map(String.init).joined(separator: ",")) stroke:red,stroke-width:2px,color:red\n"
    }
    return out
  }
}

/// Graphviz DOT text.
package enum DOT {
  /// `text` as a double-quoted DOT string: `"` and `\` escaped with a backslash (so no escape sequence of
  /// Graphviz's, such as `\N` or `\l`, comes from the input), line breaks as `\n`, other control characters
  /// as spaces.
  package static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += " "
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}

/// Mermaid flowchart text.
package enum Mermaid {
  /// `text` for inside a double-quoted Mermaid label (`["…"]`, `|"…"|`): each character Mermaid would read as
  /// syntax or markup (`"`, `#`, `&`, `<`, `>`, `|`, `` ` ``, `\`) and each control character as Mermaid's
  /// entity code `#N;` (N its decimal code point), which Mermaid shows as the character itself.
  package static func text(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if "\"#&<>|`\\".unicodeScalars.contains(scalar) || scalar.value < 0x20 || scalar.value == 0x7F {
        out += "#\(scalar.value);"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
