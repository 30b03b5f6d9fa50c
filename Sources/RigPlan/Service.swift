import RigBasics
import RigCatalog
import RigModel

/// A component that runs as a systemd service (`runtime: systemd`), with what its unit needs: the declaration
/// (environment, state, resources) and how it starts.
public struct Service: Sendable, Hashable {
  /// How the service starts.
  public enum Start: Sendable, Hashable {
    /// The unit its package installs and starts itself; rig extends it with a drop-in.
    case packaged(unit: String)
    /// A unit rig writes, running `program` with `arguments`.
    case program(String, arguments: [String])
  }

  public var declaration: Component
  public var start: Start

  public var name: String { declaration.name.value }

  /// The service of `declaration`: its own `exec:` and `args:` first, else what the catalog says of the package
  /// (`args:` alone replace the catalog's arguments); nil when neither names a program.
  public init?(declaration: Component, catalog entry: CatalogComponent?) {
    self.declaration = declaration
    let facts = entry?.service
    if let program = declaration.exec?.value ?? facts?.exec {
      let written = declaration.exec != nil || !declaration.args.isEmpty
      start = .program(program, arguments: written ? declaration.args.map(\.value) : facts?.args ?? [])
    } else if let unit = facts?.unit, declaration.args.isEmpty {
      start = .packaged(unit: unit)
    } else {
      return nil
    }
  }

  /// What keeps a declaration of a chosen component from running as a service: no program to start, or a setting the package's own unit
  /// cannot take (a secret, which rig hands only to a program it starts itself).
  public static func diagnostics(
    spec: RigSpec, chosen: Set<String>, catalogEntry: (String) -> CatalogComponent?, language: ProjectLanguage
  ) -> [Diagnostic] {
    var found: [Diagnostic] = []
    for declaration in spec.components
    where declaration.effectiveRuntime == .systemd && chosen.contains(declaration.name.value) {
      let name = declaration.name.value
      guard let service = Service(declaration: declaration, catalog: catalogEntry(name)) else {
        let why =
          declaration.args.isEmpty
          ? "rig does not know which program the systemd service '\(name.excerpt)' runs"
          : "'\(name.excerpt)' has 'args:' but rig does not know the program they are for"
        found.append(
          Diagnostic(
            PlanMessage.noProgram(why), at: declaration.runtime?.range ?? declaration.name.range,
            notes: [DiagnosticNote("the catalog names no program or unit for '\(name.excerpt)'")],
            help: [language.nameProgram(of: name)]))
        continue
      }
      if case .packaged(let unit) = service.start,
        let secret = declaration.environment.first(where: {
          if case .secret = $0.value { return true } else { return false }
        })
      {
        found.append(
          Diagnostic(
            PlanMessage.noProgram(
              "'\(secret.name.value)' is a secret, and '\(name.excerpt)' starts from its package's own unit "
                + "'\(unit)', which rig cannot hand a secret to"),
            at: secret.name.range,
            notes: [DiagnosticNote("rig passes a secret as a credential (LoadCredential=) to a program it starts")],
            help: [language.nameProgram(of: name)]))
      }
    }
    return found
  }
}

/// What the plan's own checks report.
package enum PlanMessage: DiagnosticMessage {
  case noProgram(String)
  case noImage(String)

  package var id: DiagnosticID {
    switch self {
    case .noProgram: "no-program"
    case .noImage: "no-image"
    }
  }
  package var severity: Severity { .error }
  package var text: String {
    switch self {
    case .noProgram(let message), .noImage(let message): message
    }
  }
}

extension Plan {
  /// The components that run as systemd services, by name; a service whose program is unknown is refused before a
  /// plan exists (`Service.diagnostics`).
  public var services: [Service] {
    components.compactMap { planned in
      guard let declaration = declaration(of: planned.name),
        declaration.effectiveRuntime == .systemd
      else { return nil }
      return Service(declaration: declaration, catalog: catalogEntry(planned)?.component)
    }
  }
}
