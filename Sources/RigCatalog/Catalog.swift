import Foundation
import RigBasics
import RigModel
import Yams

/// Where a fact of the built-in catalog is written: the data file and its line.
public struct CatalogLocation: Sendable, Hashable, CustomStringConvertible {
  /// The source the file describes, such as `nvidia-cuda`.
  public var source: String
  public var line: Int

  public init(source: String, line: Int) {
    self.source = source
    self.line = line
  }

  public var description: String { "catalog \(source):\(line)" }
}

/// One version a source offers, with what it needs.
public struct CatalogVersion: Sendable, Hashable {
  public var version: Version
  public var requires: [Requirement]
  /// The GPU architectures this version drives; nil when the version does not depend on the GPU.
  public var supportedGPUs: Set<GPUArchitecture>?
  /// The release archive of this version, when it differs from the component's pattern.
  public var archive: String?
  public var location: CatalogLocation
}

/// How an upstream release is installed: an archive unpacked into `/opt/rig/NAME-VERSION`, with links to the
/// programs it holds.
public struct ArchiveRecipe: Sendable, Hashable {
  /// The archive's address, with `{version}` standing for the version.
  public var url: String
  /// Leading folders to strip while unpacking (`tar --strip-components`).
  public var strip: Int
  /// Links to create: absolute link path → path inside the unpacked folder.
  public var links: [(link: String, target: String)]

  public static func == (a: ArchiveRecipe, b: ArchiveRecipe) -> Bool {
    a.url == b.url && a.strip == b.strip && a.links.map(\.link) == b.links.map(\.link)
      && a.links.map(\.target) == b.links.map(\.target)
  }
  public func hash(into hasher: inout Hasher) {
    hasher.combine(url)
    hasher.combine(strip)
    for link in links { hasher.combine(link.link + "\u{0}" + link.target) }
  }

  /// The archive of `version`: the version's own address, or the pattern with the version filled in.
  public func url(for version: CatalogVersion) -> String {
    version.archive ?? url.replacingOccurrences(of: "{version}", with: version.version.description)
  }
}

/// One apt repository of a source, as a deb822 stanza (sources.list(5)).
public struct AptRepository: Sendable, Hashable {
  public var uris: String
  public var suites: [String]
  /// A keyring already on the machine (`Signed-By:` path); with neither this nor `key`, the repository is the
  /// system's own, trusted through apt's default keyrings, whose `main` area the system already lists.
  public var keyring: String?
  /// The address of the repository's signing key, when it must be fetched.
  public var key: String?
  /// Whether the repository has areas (`Components:`); a flat repository (suite `/`) has none.
  public var hasComponents: Bool
}

/// How a component that is a service runs: the unit its package ships, or the program rig's own unit starts.
public struct CatalogService: Sendable, Hashable {
  /// The unit the package installs and starts itself (`prometheus-node-exporter.service`); rig extends it with a
  /// drop-in. Nil when the package ships none.
  public var unit: String?
  /// The program rig's unit runs (an absolute path) and its arguments, when the package ships no unit.
  public var exec: String?
  public var args: [String]

  public init(unit: String? = nil, exec: String? = nil, args: [String] = []) {
    self.unit = unit
    self.exec = exec
    self.args = args
  }
}

/// What one source offers of one component.
public struct CatalogComponent: Sendable, Hashable {
  public var name: String
  /// The name of the package that provides it in this source (for Debian sources, the Debian package).
  public var package: String
  /// Packages of the same source installed beside `package` at exactly the component's version, for a product
  /// its publisher ships as several packages that must all be pinned (TensorRT's libraries, which NVIDIA
  /// publishes once per CUDA build under one version, so apt would otherwise take another build's libraries).
  public var companions: [String]
  /// The Debian architecture of the package (`amd64` unless written, `i386` for multiarch libraries).
  public var architecture: String
  /// The archive areas installing it needs (`main`, `contrib`, `non-free`, `non-free-firmware`), for sources
  /// with areas.
  public var areas: [String]
  /// How to install it when the source is not an apt repository.
  public var archive: ArchiveRecipe?
  /// How it runs as a service (`runtime: systemd`), when it is one.
  public var service: CatalogService?
  /// Its container image, for `runtime: kubernetes`: a reference with `{version}` for the resolved version
  /// (`docker.io/vllm/vllm-openai:v{version}`), when the project publishes one.
  public var image: String?
  public var versions: [CatalogVersion]
  public var location: CatalogLocation

  /// The image of `version`, when the component has one.
  public func image(for version: Version) -> String? {
    image?.replacingOccurrences(of: "{version}", with: version.description)
  }
}

/// One source of versions: a Debian release, one of NVIDIA's repositories, projects' release pages.
public struct CatalogSource: Sendable, Hashable {
  public var name: String
  public var title: String
  /// The apt repositories the source's packages come from; empty for sources that are not apt repositories.
  public var apt: [AptRepository]
  /// The Debian releases the source has builds for (`bookworm`, `trixie`); nil when its packages do not depend on
  /// the release (release archives, a repository of architecture-only builds).
  public var releases: Set<String>?
  /// Components by name, sorted by name.
  public var components: [String: CatalogComponent]

  /// Whether a machine running Debian `release` may use the source.
  public func builds(for release: String) -> Bool { releases?.contains(release) ?? true }
}

/// The built-in catalog: every source rig knows, read from the data files shipped in the package
/// (`Sources/RigCatalog/data/*.yaml`), each fact beside a comment naming where it comes from.
public struct Catalog: Sendable, Hashable {
  /// Sources by name, one edition each: in the catalog as loaded, the first edition of a source written per
  /// Debian release, carrying every release the source has builds for; in `edition(for:)`'s catalog, the one
  /// built for that release.
  public var sources: [String: CatalogSource]
  /// Every edition of each source, by name. Most sources have one; a repository that publishes a tree per Debian
  /// release (NVIDIA's `debian12` and `debian13`) has one file, and one edition, per tree.
  public var editions: [String: [CatalogSource]]

  /// A catalog of `sources`, which hold at most one edition per name and Debian release (`load` refuses others).
  public init(sources: [CatalogSource]) {
    editions = Dictionary(grouping: sources, by: \.name)
    self.sources = editions.compactMapValues { editions in
      guard var first = editions.first else { return nil }
      if editions.count > 1 { first.releases = Set(editions.flatMap { $0.releases ?? [] }) }
      return first
    }
  }

  /// Source names, sorted.
  public var sourceNames: [String] { sources.keys.sorted() }

  /// Every edition of every source, by name and then in file order.
  public var allEditions: [CatalogSource] { editions.keys.sorted().flatMap { editions[$0] ?? [] } }

  /// The catalog a machine running Debian `release` sees: each source's edition built for that release. A source
  /// with no such edition keeps its loaded form, which says the releases it has builds for, so the resolver can
  /// refuse it where it is written.
  public func edition(for release: String) -> Catalog {
    var catalog = self
    for (name, editions) in editions where editions.count > 1 {
      if let built = editions.first(where: { $0.builds(for: release) }) { catalog.sources[name] = built }
    }
    return catalog
  }

  /// A problem in a catalog data file: a bug in rig, never the user's error.
  public struct LoadError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
  }

  /// The folder the catalog shipped with rig is read from; nil when the bundle lacks it.
  public static var builtInFolder: URL? { Bundle.module.url(forResource: "data", withExtension: nil) }

  /// The catalog shipped with rig, read once.
  public static let builtIn: Result<Catalog, LoadError> = {
    guard let folder = builtInFolder else {
      return .failure(LoadError(file: "data", line: 0, message: "the catalog's data folder is missing from the bundle"))
    }
    return load(folder: folder)
  }()

  /// Reads every `*.yaml` file of `folder`.
  public static func load(folder: URL) -> Result<Catalog, LoadError> {
    let names: [String]
    do {
      // By name without the extension, so a source's own file (`nvidia-cuda`) comes before its other editions
      // (`nvidia-cuda-debian13`) and is the one the loaded catalog shows.
      names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        .sorted { $0.dropLast(5) < $1.dropLast(5) }
    } catch {
      return .failure(LoadError(file: folder.path, line: 0, message: "cannot list: \(error)"))
    }
    var sources: [CatalogSource] = []
    for name in names {
      let url = folder.appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8)
      else {
        return .failure(LoadError(file: name, line: 0, message: "cannot read"))
      }
      switch parse(text: text, file: name) {
      case .success(let source): sources.append(source)
      case .failure(let error): return .failure(error)
      }
    }
    // A source written in several files is one repository published per Debian release: each file says its
    // releases, and no release is in two of them.
    let catalog = Catalog(sources: sources)
    for (name, editions) in catalog.editions where editions.count > 1 {
      var seen = Set<String>()
      for edition in editions {
        guard let releases = edition.releases, seen.isDisjoint(with: releases) else {
          return .failure(
            LoadError(
              file: name, line: 0,
              message: "source '\(name)' is written in \(editions.count) files; each must say its 'releases', "
                + "and no release may be in two"))
        }
        seen.formUnion(releases)
      }
    }
    return .success(catalog)
  }

  /// Parses one source file.
  public static func parse(text: String, file: String) -> Result<CatalogSource, LoadError> {
    do {
      var parser = CatalogParser(file: file)
      return .success(try parser.source(text))
    } catch let error as LoadError {
      return .failure(error)
    } catch {
      return .failure(LoadError(file: file, line: 0, message: "\(error)"))
    }
  }
}

/// Reads a catalog file: `source`, `title`, `releases`, `apt`, `components: {name: {package, architecture, versions: {v: {requires,
/// supports}}}}`. Strict: an unknown key is an error, so a typo in the data cannot drop a fact silently.
private struct CatalogParser {
  var file: String
  var sourceName = ""

  init(file: String) { self.file = file }

  func fail(_ node: Node?, _ message: String) -> Catalog.LoadError {
    Catalog.LoadError(file: file, line: node?.mark?.line ?? 0, message: message)
  }

  func mapping(_ node: Node, allowed: Set<String>) throws -> [(key: String, keyNode: Node, value: Node)] {
    guard let map = node.mapping else { throw fail(node, "expected a mapping") }
    var seen = Set<String>()
    var result: [(String, Node, Node)] = []
    for (key, value) in map {
      guard let name = key.scalar?.string else { throw fail(key, "expected a string key") }
      guard allowed.isEmpty || allowed.contains(name) else { throw fail(key, "unknown key '\(name)'") }
      guard seen.insert(name).inserted else { throw fail(key, "'\(name)' written twice") }
      result.append((name, key, value))
    }
    return result
  }

  func string(_ node: Node) throws -> String {
    guard let scalar = node.scalar else { throw fail(node, "expected a string") }
    return scalar.string
  }

  mutating func source(_ text: String) throws -> CatalogSource {
    // Catalog values are read as text; Yams' tag resolver (a regular expression per scalar) would only be work.
    guard let root = try Yams.compose(yaml: text, .basic) else { throw fail(nil, "empty file") }
    var title = ""
    var apt: [AptRepository] = []
    var releases: Set<String>?
    var components: [String: CatalogComponent] = [:]
    let fields = try mapping(root, allowed: ["source", "title", "releases", "apt", "components"])
    for field in fields where field.key == "source" { sourceName = try string(field.value) }
    guard !sourceName.isEmpty else { throw fail(root, "missing 'source'") }
    for field in fields {
      switch field.key {
      case "title": title = try string(field.value)
      case "releases": releases = Set(try strings(field.value))
      case "apt":
        guard let items = field.value.sequence else { throw fail(field.value, "expected a list") }
        apt = try items.map(repository)
      case "components":
        for entry in try mapping(field.value, allowed: []) {
          components[entry.key] = try component(entry.key, keyNode: entry.keyNode, entry.value)
        }
      default: break
      }
    }
    return CatalogSource(name: sourceName, title: title, apt: apt, releases: releases, components: components)
  }

  func strings(_ node: Node) throws -> [String] {
    guard let items = node.sequence else { throw fail(node, "expected a list") }
    return try items.map(string)
  }

  func repository(_ node: Node) throws -> AptRepository {
    var repository = AptRepository(uris: "", suites: [], keyring: nil, key: nil, hasComponents: true)
    for field in try mapping(node, allowed: ["uris", "suites", "signed_by", "key"]) {
      switch field.key {
      case "uris": repository.uris = try string(field.value)
      case "suites": repository.suites = try strings(field.value)
      case "signed_by": repository.keyring = try string(field.value)
      default: repository.key = try string(field.value)
      }
    }
    guard !repository.uris.isEmpty, !repository.suites.isEmpty else { throw fail(node, "needs 'uris' and 'suites'") }
    guard repository.keyring == nil || repository.key == nil else {
      throw fail(node, "takes one of 'signed_by' and 'key', not both")
    }
    repository.hasComponents = !repository.suites.contains { $0.hasSuffix("/") }
    return repository
  }

  func location(_ node: Node) -> CatalogLocation { CatalogLocation(source: sourceName, line: node.mark?.line ?? 0) }

  func component(_ name: String, keyNode: Node, _ node: Node) throws -> CatalogComponent {
    if let problem = Requirement.checkName(name) { throw fail(keyNode, "component '\(name)': \(problem.message)") }
    var package = name
    var companions: [String] = []
    var architecture = "amd64"
    var areas = ["main"]
    var archive: ArchiveRecipe?
    var service: CatalogService?
    var image: String?
    var versions: [CatalogVersion] = []
    let allowed: Set<String> = ["package", "with", "architecture", "areas", "archive", "service", "image", "versions"]
    for field in try mapping(node, allowed: allowed) {
      switch field.key {
      case "image":
        let reference = try string(field.value)
        guard let tag = reference.split(separator: "/").last?.split(separator: ":").dropFirst().first,
          tag.contains("{version}")
        else {
          throw fail(
            field.value, "an image names its tag with {version}, such as 'docker.io/vllm/vllm-openai:v{version}'")
        }
        image = reference
      case "package": package = try string(field.value)
      case "with": companions = try strings(field.value)
      case "architecture": architecture = try string(field.value)
      case "areas": areas = try strings(field.value)
      case "archive":
        var recipe = ArchiveRecipe(url: "", strip: 0, links: [])
        for entry in try mapping(field.value, allowed: ["url", "strip", "links"]) {
          if entry.key == "url" {
            recipe.url = try string(entry.value)
          } else if entry.key == "strip" {
            guard let count = Int(try string(entry.value)) else { throw fail(entry.value, "expected a number") }
            recipe.strip = count
          } else {
            recipe.links = try mapping(entry.value, allowed: []).map { ($0.key, try string($0.value)) }
          }
        }
        archive = recipe
      case "service":
        var facts = CatalogService()
        for entry in try mapping(field.value, allowed: ["unit", "exec", "args"]) {
          switch entry.key {
          case "unit": facts.unit = try string(entry.value)
          case "exec": facts.exec = try string(entry.value)
          default: facts.args = try strings(entry.value)
          }
        }
        guard (facts.unit == nil) != (facts.exec == nil), facts.exec?.hasPrefix("/") ?? true else {
          throw fail(field.value, "a service names the package's 'unit' or an absolute 'exec', one of the two")
        }
        service = facts
      default:
        for entry in try mapping(field.value, allowed: []) {
          versions.append(try version(entry.key, keyNode: entry.keyNode, entry.value))
        }
      }
    }
    guard !versions.isEmpty else { throw fail(node, "component '\(name)' offers no version") }
    for (a, b) in zip(versions, versions.dropFirst()) where !(a.version < b.version) {
      throw fail(
        keyNode, "versions of '\(name)' must be listed in ascending Debian order ('\(a.version)', '\(b.version)')")
    }
    return CatalogComponent(
      name: name, package: package, companions: companions, architecture: architecture, areas: areas, archive: archive,
      service: service,
      image: image, versions: versions,
      location: location(keyNode))
  }

  func version(_ text: String, keyNode: Node, _ node: Node) throws -> CatalogVersion {
    guard case .success(let version) = Version.parse(text) else { throw fail(keyNode, "bad version '\(text)'") }
    var requires: [Requirement] = []
    var supported: Set<GPUArchitecture>? = nil
    var archive: String?
    if node.scalar?.string.isEmpty ?? false || node.null != nil {
      return CatalogVersion(
        version: version, requires: [], supportedGPUs: nil, archive: nil, location: location(keyNode))
    }
    for field in try mapping(node, allowed: ["requires", "supports", "archive"]) {
      if field.key == "archive" {
        archive = try string(field.value)
        continue
      }
      guard let items = field.value.sequence else { throw fail(field.value, "expected a list") }
      switch field.key {
      case "requires":
        for item in items {
          let written = try string(item)
          guard case .success(let parsed) = Requirement.parse(written) else {
            throw fail(item, "bad requirement '\(written)'")
          }
          requires.append(
            Requirement(name: Located(parsed.name, at: nil), constraint: parsed.constraint, range: nil))
        }
      default:
        var set = Set<GPUArchitecture>()
        for item in items {
          let name = try string(item)
          guard let architecture = GPUArchitecture(rawValue: name) else {
            throw fail(item, "unknown GPU architecture '\(name)'")
          }
          set.insert(architecture)
        }
        supported = set
      }
    }
    return CatalogVersion(
      version: version, requires: requires, supportedGPUs: supported, archive: archive, location: location(keyNode))
  }
}
