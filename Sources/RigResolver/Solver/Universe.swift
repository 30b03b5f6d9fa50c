import RigBasics
import RigCatalog
import RigModel

/// Where a candidate version comes from.
public enum CandidateOrigin: Sendable, Hashable, CustomStringConvertible {
  /// A fact of the built-in catalog.
  case catalog(CatalogLocation)
  /// A version declared under `components:` in the project.
  case project(SourceRange?)

  /// The source's name as `rig plan` prints it.
  public var sourceName: String {
    switch self {
    case .catalog(let location): location.source
    case .project: "components"
    }
  }

  /// The source as an explanation cites it: `catalog nvidia-cuda` or `components`.
  public var sourceLabel: String {
    switch self {
    case .catalog(let location): "catalog \(location.source)"
    case .project: "components"
    }
  }

  public var description: String {
    switch self {
    case .catalog(let location): location.description
    case .project(let range): range.map { "\($0.start)" } ?? "components"
    }
  }
}

extension ExplanationLine {
  /// `text`, located where `requirement` is written: its own place in the project, else the catalog line or
  /// `components:` entry of the version that declares it.
  init(_ text: String, requirement: Requirement, declaredBy origin: CandidateOrigin?) {
    if let range = requirement.range {
      self.init(text, at: range)
      return
    }
    switch origin {
    case .catalog(let location)?: self.init(text, reference: location.description)
    case .project(let range)?: self.init(text, at: range)
    case nil: self.init(text)
    }
  }
}

/// Why a candidate cannot be used on this machine.
public struct Unsupported: Sendable, Hashable {
  /// The GPU's name as written, with its location.
  public var gpu: Located<String>
  public var architecture: GPUArchitecture
}

/// One version the solver may choose.
public struct Candidate: Sendable, Hashable {
  public var version: Version
  public var requires: [Requirement]
  public var origin: CandidateOrigin
  public var unsupported: Unsupported?

  public init(version: Version, requires: [Requirement], origin: CandidateOrigin, unsupported: Unsupported? = nil) {
    self.version = version
    self.requires = requires
    self.origin = origin
    self.unsupported = unsupported
  }
}

extension Universe {
  /// The sources a project uses: `sources:` as written, or, when it is left out, the Debian archive of the
  /// machine's release (`debian-bookworm` for `os: { release: bookworm }`).
  public static func enabledSources(_ spec: RigSpec) -> [String] {
    if !spec.sources.isEmpty { return spec.sources.map(\.value) }
    let os = spec.hardware.os
    return ["\(os.distribution.value)-\(os.release.value)"]
  }
}

/// Everything the solver may choose from: each component's candidates in ascending Debian order, and what the
/// stack asks for. Also knows what is *not* available (components of sources that are not enabled), so that
/// failures can say which source to add.
public struct Universe: Sendable {
  /// Candidates by component name, ascending.
  public var candidates: [String: [Candidate]]
  /// The stack's requirements, as written.
  public var roots: [Requirement]
  /// For components or versions that only disabled sources offer: source name → versions by component.
  public var disabled: [String: [String: [Version]]]
  /// Components the project declares under `components:` without `versions:`.
  public var declaredWithoutVersions: Set<String> = []

  public init(candidates: [String: [Candidate]], roots: [Requirement], disabled: [String: [String: [Version]]] = [:]) {
    self.candidates = candidates
    self.roots = roots
    self.disabled = disabled
  }

  /// The candidates of the project: the enabled sources' versions (a version two sources offer comes from the
  /// one listed first in `sources:`), replaced by the project's own `versions:` where a component declares them,
  /// with the GPUs of `hardware:` checked against what each driver version supports.
  public init(spec: RigSpec, catalog: Catalog) {
    let enabled = Universe.enabledSources(spec).filter { catalog.sources[$0] != nil }
    var byName: [String: [Version: Candidate]] = [:]
    for sourceName in enabled.reversed() {
      guard let source = catalog.sources[sourceName] else { continue }
      for (name, component) in source.components {
        for offered in component.versions {
          var candidate = Candidate(
            version: offered.version, requires: offered.requires, origin: .catalog(offered.location))
          if let supported = offered.supportedGPUs {
            for gpu in spec.hardware.gpus {
              if let architecture = gpu.architecture?.value, !supported.contains(architecture) {
                candidate.unsupported = Unsupported(gpu: gpu.name, architecture: architecture)
                break
              }
            }
          }
          byName[name, default: [:]][offered.version] = candidate
        }
      }
    }
    for component in spec.components where !component.versions.isEmpty {
      byName[component.name.value] = Dictionary(
        component.versions.map {
          (
            $0.version.value,
            Candidate(version: $0.version.value, requires: $0.requires, origin: .project($0.version.range))
          )
        }, uniquingKeysWith: { a, _ in a })
    }
    var disabled: [String: [String: [Version]]] = [:]
    for (sourceName, source) in catalog.sources where !enabled.contains(sourceName) {
      disabled[sourceName] = source.components.mapValues { $0.versions.map(\.version) }
    }
    self.init(
      candidates: byName.mapValues { $0.values.sorted { $0.version < $1.version } }, roots: spec.stack,
      disabled: disabled)
    declaredWithoutVersions = Set(spec.components.filter { $0.versions.isEmpty }.map(\.name.value))
  }
}
