import RigBasics
import RigCatalog

/// Messages of resolution and the dependency graph.
public enum ResolverMessage: DiagnosticMessage {
  case unresolvable
  case cycle(String)
  case brokenCatalog(String)
  case sourceNotForRelease(source: String, release: String)
  case unknownComponent(String)

  public var id: DiagnosticID {
    switch self {
    case .unresolvable: "unresolvable"
    case .cycle: "dependency-cycle"
    case .brokenCatalog: "internal-error"
    case .sourceNotForRelease: "source-not-for-release"
    case .unknownComponent: "unknown-component"
    }
  }

  public var severity: Severity { .error }

  public var text: String {
    switch self {
    case .unresolvable: "the stack cannot be resolved"
    case .cycle(let path): "dependency cycle \(path)"
    case .brokenCatalog(let problem): "internal error: the built-in catalog cannot be read: \(problem)"
    case .sourceNotForRelease(let source, let release):
      "source '\(source)' has no build for Debian \(release), the release this machine runs"
    case .unknownComponent(let name): "no source offers '\(name)', and the project does not declare it"
    }
  }
}

extension ResolutionFailure {
  /// The failure as one diagnostic: the conclusion, the chain of facts, and help.
  public var diagnostic: Diagnostic {
    var diagnostic = Diagnostic(ResolverMessage.unresolvable, at: range, help: help)
    diagnostic.explanation = explanation
    return diagnostic
  }
}

extension DependencyGraph {
  /// One diagnostic per cycle: `a → b → a`, each edge with where it is written.
  public var cycleDiagnostics: [Diagnostic] {
    cycles.map { path in
      let names = path.map(\.from) + [path.first?.from ?? ""]
      var diagnostic = Diagnostic(
        ResolverMessage.cycle(names.joined(separator: " → ")),
        at: path.lazy.compactMap(\.requirement.range).first,
        help: ["remove one of these requirements; install order needs every component after what it requires"])
      diagnostic.explanation = path.map(\.line)
      return diagnostic
    }
  }
}
