import RigBasics
import RigCatalog
import RigModel

/// A component that runs on Kubernetes (`runtime: kubernetes`) and the container image it runs: its declaration's
/// `image:`, else the image the catalog names for the resolved version.
public enum Workload {
  /// The image of `declaration` at `version`; nil when neither the declaration nor the catalog names one.
  public static func image(of declaration: Component, entry: CatalogComponent?, version: Version?) -> String? {
    if let image = declaration.image { return image.value }
    guard let entry, let version else { return nil }
    return entry.image(for: version)
  }

  /// A chosen Kubernetes component without an image: the API server refuses a container without one.
  public static func diagnostics(
    spec: RigSpec, versions: [String: Version], catalogEntry: (String) -> CatalogComponent?,
    language: ProjectLanguage
  ) -> [Diagnostic] {
    spec.components.compactMap { declaration in
      let name = declaration.name.value
      guard declaration.effectiveRuntime == .kubernetes, let version = versions[name],
        image(of: declaration, entry: catalogEntry(name), version: version) == nil
      else { return nil }
      return Diagnostic(
        PlanMessage.noImage("Kubernetes workload '\(name.excerpt)' has no container image"),
        at: declaration.runtime?.range ?? declaration.name.range,
        notes: catalogEntry(name) == nil
          ? [] : [DiagnosticNote("the catalog names no image for '\(name.excerpt)' \(version)")],
        help: [language.nameImage(of: name)])
    }
  }
}

extension Plan {
  /// The image a Kubernetes component runs (`Workload.image`).
  public func image(of declaration: Component) -> String? {
    let planned = component(named: declaration.name.value)
    return Workload.image(
      of: declaration, entry: planned.flatMap { catalogEntry($0)?.component }, version: planned?.version)
  }
}
