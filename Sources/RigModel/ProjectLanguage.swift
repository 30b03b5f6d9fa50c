/// The language a project is written in, and how help names what its author writes there: a rig.yaml's keys, or
/// the Swift DSL's elements. Phases after the front end word their help through it, so a DSL user reads Swift.
public enum ProjectLanguage: Sendable, Hashable {
  case yaml
  case swift

  /// Enabling one more catalog source.
  public func addSource(_ source: String) -> String {
    switch self {
    case .yaml: "add '\(source)' to 'sources:'"
    case .swift: "add '.\(Self.caseName(source))' to 'Sources(…)'"
    }
  }

  /// Leaving out a catalog source.
  public func removeSource(_ source: String) -> String {
    switch self {
    case .yaml: "remove '\(source)' from 'sources:'"
    case .swift: "remove '.\(Self.caseName(source))' from 'Sources(…)'"
    }
  }

  /// Giving a declared component the versions it lacks.
  public func giveVersions(to component: String) -> String {
    switch self {
    case .yaml: "give '\(component)' its 'versions:' under 'components:'"
    case .swift: "give 'Component(\"\(component)\")' its versions with 'Version(…)'"
    }
  }

  /// Declaring a component no source offers.
  public func declareComponent(_ component: String) -> String {
    switch self {
    case .yaml: "declare '\(component)' under 'components:' with its versions"
    case .swift: "declare 'Component(\"\(component)\")' with its versions"
    }
  }

  /// Naming the container image a Kubernetes workload runs.
  public func nameImage(of component: String) -> String {
    switch self {
    case .yaml:
      "name its image with 'image:' under 'components.\(component)', such as 'ghcr.io/example/\(component):1.0'"
    case .swift: "name its image with 'Image(…)' in 'Component(\"\(component)\")'"
    }
  }

  /// Naming the program a service runs.
  public func nameProgram(of component: String) -> String {
    switch self {
    case .yaml: "name its program with 'exec:' (and 'args:') under 'components.\(component)'"
    case .swift: "name its program with 'Exec(…)' in 'Component(\"\(component)\")'"
    }
  }

  /// Enabling an output target (`ansible`, `kubernetes`, …) in `file`.
  public func enableTarget(_ target: String, in file: String) -> String {
    switch self {
    case .yaml: "add '\(target):' under 'targets:' in '\(file)'"
    case .swift: "add '\(target.prefix(1).uppercased() + target.dropFirst())(…)' to 'Targets' in '\(file)'"
    }
  }

  /// A source's name as a case of the DSL's `Source`: `debian-bookworm` is `debianBookworm`.
  static func caseName(_ source: String) -> String {
    let words = source.split(separator: "-")
    return (words.prefix(1) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }).joined()
  }
}
