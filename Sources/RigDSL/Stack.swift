import RigBasics
import RigModel

/// Catalog sources whose versions may be used (`sources:` in YAML); several add up, in the order written.
public struct Sources: Sendable {
  let sources: [Source]
  let site: Site

  /// These sources, in order of preference.
  public init(
    _ sources: Source..., fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    self.sources = sources
    self.site = callRange("Sources", fileID, filePath, line, column)
  }
}

/// A source of the built-in catalog.
public enum Source: String, Sendable, CaseIterable {
  /// Debian 12's archive.
  case debianBookworm = "debian-bookworm"
  /// Debian 13's archive.
  case debianTrixie = "debian-trixie"
  /// The Kubernetes project's package repository (pkgs.k8s.io).
  case kubernetes
  /// NVIDIA's container toolkit repository.
  case nvidiaContainerToolkit = "nvidia-container-toolkit"
  /// NVIDIA's CUDA repository for Debian.
  case nvidiaCuda = "nvidia-cuda"
  /// Releases published by the projects themselves (container images, installers).
  case upstream
}

/// What the machine should run (`stack:` in YAML): requirements, written as text in YAML's grammar
/// (`"ollama >= 0.5"`) or typed (`Require("ollama", .atLeast("0.5"))`). Several add up, in the order written.
public struct Stack: Sendable {
  let items: [Require]

  /// The requirements built by `items`.
  public init(@StackBuilder _ items: () -> [Require]) { self.items = items() }
}

/// "This component, at a version in this set": a stack item, or what a component version requires.
public struct Require: Sendable {
  enum Form: Sendable {
    /// YAML's grammar, parsed when lowered: `name`, `name >= 1.2`, `name >= 1.2, < 2`, `name ^12`.
    case text(String)
    case typed(name: String, constraints: [Constraint])
  }
  let form: Form
  let position: SourcePosition
  /// Whether `position` is the string literal's (a stack item) rather than a call's.
  var atLiteral = false

  /// `name` at a version that meets every constraint (any version without one).
  public init(
    _ name: String, _ constraints: Constraint..., fileID: String = #fileID, filePath: String = #filePath,
    line: Int = #line, column: Int = #column
  ) {
    self.form = .typed(name: name, constraints: constraints)
    self.position = SourcePosition(fileID: fileID, filePath: filePath, line: line, column: column)
  }

  /// A requirement in YAML's grammar, such as `"kubelet >= 1.30, < 1.31"`.
  public init(
    parsing text: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    self.form = .text(text)
    self.position = SourcePosition(fileID: fileID, filePath: filePath, line: line, column: column)
  }
}

/// One clause of a version constraint; versions are Debian versions (`550.54.14`, `1:2.0~rc1`).
public struct Constraint: Sendable, Hashable {
  let op: VersionOperator
  let version: String

  /// This version or newer (`>=`).
  public static func atLeast(_ version: String) -> Constraint { Constraint(op: .greaterOrEqual, version: version) }
  /// Newer than this version (`>`).
  public static func above(_ version: String) -> Constraint { Constraint(op: .greater, version: version) }
  /// This version or older (`<=`).
  public static func atMost(_ version: String) -> Constraint { Constraint(op: .lessOrEqual, version: version) }
  /// Older than this version (`<`).
  public static func below(_ version: String) -> Constraint { Constraint(op: .less, version: version) }
  /// Exactly this version (`=`).
  public static func exactly(_ version: String) -> Constraint { Constraint(op: .equal, version: version) }
  /// The same first number (`^12`: 12.x, not 13); cannot be combined with other clauses.
  public static func caret(_ version: String) -> Constraint { Constraint(op: .caret, version: version) }
}

/// Collects requirements: `Require` values, and strings in YAML's requirement grammar.
@resultBuilder
public enum StackBuilder: ListBuilder {
  /// What this builder collects.
  public typealias Element = Require

  /// A requirement written as text, located at the string literal.
  public static func buildExpression(
    _ text: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) -> [Require] {
    var require = Require(parsing: text, fileID: fileID, filePath: filePath, line: line, column: column)
    require.atLiteral = true
    return [require]
  }
}
