import Foundation
import Testing

/// The module graph as Package.swift declares it, the picture of it in the README, and the imports of every source
/// file agree: a target imports exactly the modules it declares, the README draws exactly the dependencies that are
/// not implied by others, and every target says in one comment line what it is for.
@Suite struct ArchitectureTests {
  /// One target of Package.swift: its name, kind, the local targets and products it depends on, and whether a
  /// comment describes it.
  struct Target {
    var name: String
    var kind: String
    var dependencies: [String]
    var described: Bool
    /// The module name Swift gives it (`rig-benchmark` is `rig_benchmark`).
    var module: String { name.replacingOccurrences(of: "-", with: "_") }
    var folder: String {
      switch name {
      case "workstation-dsl", "gpu-lab-dsl": "examples/" + name
      default: (kind == "testTarget" ? "Tests/" : "Sources/") + name
      }
    }
  }

  /// The targets of Package.swift, read from its text: each `.target(`, `.executableTarget(` or `.testTarget(` up to
  /// the next one, with its `name:`, the string literals of `dependencies: [ … ]` and the `.product(name:)` there.
  static let targets: [Target] = {
    let text = (try? String(contentsOfFile: packageRoot + "/Package.swift", encoding: .utf8)) ?? ""
    let starts = text.ranges(of: /\n    \.(target|executableTarget|testTarget)\(/)
    return starts.indices.compactMap { index -> Target? in
      let end = index + 1 < starts.count ? starts[index + 1].lowerBound : text.endIndex
      let entry = String(text[starts[index].lowerBound..<end])
      guard let name = entry.firstMatch(of: /name: "([^"]+)"/)?.1,
        let kind = entry.firstMatch(of: /\.(target|executableTarget|testTarget)\(/)?.1
      else { return nil }
      var dependencies: [String] = []
      if let list = entry.firstMatch(of: /dependencies: \[([^\]]*)\]/)?.1 {
        // Local targets are string literals; a product is `.product(name: "Module", package: "Package")`.
        let products = list.matches(of: /\.product\(name: "([^"]+)", package: "[^"]+"\)/)
        let targets = list.replacing(/\.product\([^)]*\)/, with: "").matches(of: /"([^"]+)"/)
        dependencies = targets.map { String($0.1) } + products.map { String($0.1) }
      }
      // The line before the entry is the end of a comment that describes it.
      let before = text[..<starts[index].lowerBound].split(separator: "\n").last ?? ""
      return Target(
        name: String(name), kind: String(kind), dependencies: dependencies,
        described: before.trimmingCharacters(in: .whitespaces).hasPrefix("//"))
    }
  }()

  static var local: Set<String> { Set(targets.filter { $0.kind != "testTarget" }.map(\.name)) }

  @Test func packageSwiftIsRead() {
    #expect(Self.targets.count >= 20)
    #expect(Self.targets.first { $0.name == "RigYAML" }?.dependencies == ["RigBasics", "RigModel", "RigRules", "Yams"])
  }

  @Test func everyTargetIsDescribed() {
    #expect(Self.targets.filter { !$0.described }.map(\.name) == [])
  }

  /// A target imports the modules it declares, no fewer (the build would find them by accident) and, outside the
  /// tests, no more (a declared module nothing imports is a dependency that is not there).
  @Test func everyImportIsDeclared() throws {
    let system: Set<String> = ["Foundation", "Testing", "Glibc", "Dispatch", "XCTest"]
    let modules = Dictionary(uniqueKeysWithValues: Self.targets.map { ($0.name, $0.module) })
    for target in Self.targets {
      let folder = packageRoot + "/" + target.folder
      let files = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
        .filter { $0.hasSuffix(".swift") }
      #expect(!files.isEmpty, "\(target.name) has no Swift files in \(target.folder)")
      var imported: Set<String> = []
      for file in files {
        let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
        for match in text.matches(of: /(?m)^(?:@testable )?import (\w+)$/) { imported.insert(String(match.1)) }
      }
      imported.subtract(system)
      let declared = Set(target.dependencies.map { modules[$0] ?? $0 })
      #expect(imported.subtracting(declared).sorted() == [], "\(target.name) imports modules it does not declare")
      if target.kind != "testTarget" {
        #expect(declared.subtracting(imported).sorted() == [], "\(target.name) declares modules it does not import")
      }
    }
  }

  /// The house's rules: the DSL never goes through the YAML front end, and no emitter reads the solver.
  @Test func dependenciesPointTheRightWay() {
    let dependencies = Dictionary(uniqueKeysWithValues: Self.targets.map { ($0.name, Set($0.dependencies)) })
    func reaches(_ from: String, _ to: String) -> Bool {
      var seen: Set<String> = []
      var stack = [from]
      while let next = stack.popLast() {
        for dependency in dependencies[next] ?? [] where seen.insert(dependency).inserted { stack.append(dependency) }
      }
      return seen.contains(to)
    }
    #expect(!reaches("RigDSL", "RigYAML"))
    #expect(!reaches("RigYAML", "RigDSL"))
    #expect(dependencies["RigEmitters"]?.contains("RigResolver") == false)
    #expect(!reaches("RigRules", "RigYAML"))
    #expect(!reaches("RigCompiler", "RigCLI"))
  }

  /// The Mermaid picture under the README's "Architecture" heading draws each local dependency that no longer path
  /// implies (the transitive reduction of Package.swift's graph), and nothing else.
  @Test func readmePictureMatchesPackageSwift() throws {
    let readme = try String(contentsOfFile: packageRoot + "/README.md", encoding: .utf8)
    let section = try #require(readme.firstRange(of: "## Architecture").map { readme[$0.upperBound...] })
    let block = try #require(section.firstMatch(of: /```mermaid\n([\s\S]*?)```/)?.1)
    let drawn = Set(block.matches(of: /(?m)^\s*([\w-]+) --> ([\w-]+)\s*$/).map { "\($0.1) --> \($0.2)" })
    let local = Self.local
    var edges: [String: Set<String>] = [:]
    for target in Self.targets where local.contains(target.name) {
      edges[target.name] = Set(target.dependencies.filter(local.contains))
    }
    func reachable(from start: String, skipping direct: String) -> Bool {
      var stack = (edges[start] ?? []).filter { $0 != direct }.sorted()
      var seen = Set(stack)
      while let next = stack.popLast() {
        if next == direct { return true }
        for dependency in edges[next] ?? [] where seen.insert(dependency).inserted { stack.append(dependency) }
      }
      return false
    }
    var reduced: Set<String> = []
    for (from, tos) in edges {
      for to in tos where !reachable(from: from, skipping: to) { reduced.insert("\(from) --> \(to)") }
    }
    #expect(drawn.subtracting(reduced).sorted() == [], "edges the README draws that Package.swift does not imply")
    #expect(reduced.subtracting(drawn).sorted() == [], "edges of Package.swift the README does not draw")
    // Every local target has its sentence in the section.
    for name in local.sorted() { #expect(section.contains("`\(name)`"), "the README does not describe \(name)") }
  }
}
