import Foundation
import RigModel
import RigRules
import Testing

@testable import RigCatalog

@Suite struct CatalogTests {
  func catalog() throws -> Catalog { try Catalog.builtIn.get() }

  @Test func loadsAndNamesTheSourcesTheSchemaAccepts() throws {
    #expect(try catalog().sourceNames == RigSchema.knownSources.sorted())
  }

  /// Every requirement in the catalog names a component some source offers, so no catalog fact can point
  /// nowhere.
  @Test func everyRequirementNamesAKnownComponent() throws {
    let catalog = try catalog()
    let known = Set(catalog.allEditions.flatMap(\.components.keys))
    for source in catalog.allEditions {
      for component in source.components.values {
        for version in component.versions {
          for requirement in version.requires {
            #expect(known.contains(requirement.name.value), "\(source.name) \(component.name) \(version.version)")
          }
        }
      }
    }
  }

  /// The facts the issue names: CUDA 12.4 needs driver >= 550.54.14, Debian bookworm's driver is 535, the
  /// blueprint's components are all covered.
  @Test func holdsTheFactsStacksDependOn() throws {
    let catalog = try catalog()
    let cuda = try #require(catalog.sources["nvidia-cuda"]?.components["cuda-runtime"])
    let cuda124 = try #require(cuda.versions.first { $0.version.text == "12.4.0-1" })
    #expect(cuda124.requires.map(\.description) == ["nvidia-driver >= 550.54.14"])
    #expect(
      catalog.sources["debian-bookworm"]?.components["nvidia-driver"]?.versions.map(\.version.text) == [
        "535.309.01-0+deb12u1"
      ])
    let covered = Set(catalog.sources.values.flatMap(\.components.keys))
    for name in [
      "nvidia-driver", "cuda-toolkit", "cuda-runtime", "nvidia-container-toolkit", "containerd", "kubelet", "steam",
      "steam-libs-i386", "blender", "freecad", "neovim", "python3", "ollama", "comfyui",
    ] {
      #expect(covered.contains(name), "\(name) is in the catalog")
    }
    #expect(catalog.sources["debian-bookworm"]?.components["steam-libs-i386"]?.architecture == "i386")
  }

  /// Each data file opens with a comment that says where its facts come from (an address) before the first
  /// fact.
  @Test func everyFileOpensWithItsSource() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Sources/RigCatalog/data")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
    #expect(files.count == (try catalog().allEditions.count))
    for file in files {
      let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      let header = text.split(separator: "\n").prefix { $0.hasPrefix("#") }
      #expect(header.contains { $0.contains("https://") || $0.contains("http://") }, "\(file) names its source")
    }
  }

  /// Container images: the tag names the version, which the resolved version fills in; llama.cpp's build tags
  /// order as the project numbers them.
  @Test func imagesNameTheirVersionInTheTag() throws {
    let catalog = try catalog()
    let llama = try #require(catalog.sources["upstream"]?.components["llama-cpp-server"])
    #expect(llama.versions.map(\.version.text) == ["b8234", "b10200", "b10481", "b10666", "b11429"])
    let newest = try #require(llama.versions.last?.version)
    #expect(llama.image(for: newest) == "ghcr.io/ggml-org/llama.cpp:server-cuda-b11429")
    let vllm = try #require(catalog.sources["upstream"]?.components["vllm"]?.versions.first?.version)
    #expect(
      catalog.sources["upstream"]?.components["vllm"]?.image(for: vllm) == "docker.io/vllm/vllm-openai:v0.21.0-cu129")
    let jupyter = try #require(catalog.sources["upstream"]?.components["jupyterlab"])
    let lab = try #require(jupyter.versions.first?.version)
    #expect(jupyter.image(for: lab) == "quay.io/jupyter/pytorch-notebook:cuda12-lab-4.6.1")
    let untagged = Catalog.parse(
      text: "source: x\ncomponents:\n  a:\n    image: ghcr.io/{version}/a:1\n    versions: { \"1\": }\n",
      file: "x.yaml")
    #expect(throws: Catalog.LoadError.self) { try untagged.get() }
  }

  /// A repository published per Debian release is one source with an edition per release: a machine sees the
  /// edition built for its release; the loaded catalog says every release the source has builds for. Two editions
  /// for one release, or an edition that does not say its releases, is a broken catalog.
  @Test func aSourceWrittenPerReleaseHasAnEditionForEach() throws {
    func load(_ files: [String: String]) throws -> Result<Catalog, Catalog.LoadError> {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rig-catalog-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: folder) }
      for (name, text) in files {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
      }
      return Catalog.load(folder: folder)
    }
    func edition(_ release: String, _ tree: String, _ version: String) -> String {
      """
      source: repo
      releases: [\(release)]
      apt:
        - { uris: "https://example.org/\(tree)/", suites: [/], key: "https://example.org/\(tree)/key.pub" }
      components:
        tool: { package: tool, versions: { "\(version)": {} } }

      """
    }
    let catalog = try load([
      "a.yaml": edition("bookworm", "debian12", "1.0"), "b.yaml": edition("trixie", "debian13", "2.0"),
    ])
    .get()
    #expect(catalog.sourceNames == ["repo"])
    #expect(catalog.allEditions.count == 2)
    #expect(catalog.sources["repo"]?.releases == ["bookworm", "trixie"])
    for (release, tree, version) in [("bookworm", "debian12", "1.0"), ("trixie", "debian13", "2.0")] {
      let seen = catalog.edition(for: release).sources["repo"]
      #expect(seen?.apt.first?.uris == "https://example.org/\(tree)/")
      #expect(seen?.components["tool"]?.versions.map(\.version.text) == [version])
      #expect(seen?.builds(for: release) == true)
    }
    #expect(catalog.edition(for: "forky").sources["repo"]?.builds(for: "forky") == false)

    let twice = try load(["a.yaml": edition("bookworm", "debian12", "1.0"), "b.yaml": edition("bookworm", "x", "2.0")])
    #expect(throws: Catalog.LoadError.self) { try twice.get() }
    let unsaid = try load([
      "a.yaml": edition("bookworm", "debian12", "1.0"),
      "b.yaml": edition("trixie", "debian13", "2.0").replacingOccurrences(of: "releases: [trixie]\n", with: ""),
    ])
    #expect(throws: Catalog.LoadError.self) { try unsaid.get() }
  }

  @Test func refusesUnknownKeysAndUnorderedVersions() {
    let unknown = Catalog.parse(text: "source: x\ncomponents:\n  a:\n    versoins: {}\n", file: "x.yaml")
    #expect(throws: Catalog.LoadError.self) { try unknown.get() }
    let unordered = Catalog.parse(
      text: "source: x\ncomponents:\n  a:\n    versions:\n      \"2\":\n      \"1\":\n", file: "x.yaml")
    #expect(throws: Catalog.LoadError.self) { try unordered.get() }
  }
}
