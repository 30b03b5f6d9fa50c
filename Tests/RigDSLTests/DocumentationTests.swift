import Foundation
import Testing

/// Every public declaration of the DSL, its facade and the model's rules carries a `///` summary (attributes such as `@resultBuilder` may sit
/// between the two).
@Suite struct DocumentationTests {
  static let sources =
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path + "/Sources"

  @Test func everyPublicDeclarationIsDocumented() throws {
    let dsl = try FileManager.default.contentsOfDirectory(atPath: Self.sources + "/RigDSL")
      .filter { $0.hasSuffix(".swift") }.map { "RigDSL/" + $0 }
    let files = dsl + ["RigCompiler/DSL.swift", "RigRules/ModelRules.swift"]
    #expect(files.count >= 10)
    var publicDeclarations = 0
    var undocumented: [String] = []
    for file in files.sorted() {
      let lines = try String(contentsOfFile: Self.sources + "/" + file, encoding: .utf8)
        .split(separator: "\n", omittingEmptySubsequences: false).map {
          $0.trimmingPrefix(while: { $0 == " " })
        }
      for (index, line) in lines.enumerated() where line.hasPrefix("public ") {
        publicDeclarations += 1
        let before = lines[..<index].last { !$0.isEmpty && !$0.hasPrefix("@") }
        if before?.hasPrefix("///") != true { undocumented.append("\(file):\(index + 1): \(line)") }
      }
    }
    #expect(publicDeclarations > 80)
    #expect(undocumented == [])
  }

  /// The README's "Stable IDs" paragraph names every diagnostic ID the sources can give, and no other: an ID is
  /// written as `case ….: "id"` in a message's `id` switch, or as `id: "id"` where a diagnostic is made directly.
  @Test func theReadmeListsEveryDiagnosticID() throws {
    let root = URL(fileURLWithPath: Self.sources).deletingLastPathComponent().path
    var inSources: Set<String> = []
    let enumerator = FileManager.default.enumerator(atPath: Self.sources)
    while let file = enumerator?.nextObject() as? String {
      guard file.hasSuffix(".swift") else { continue }
      let text = try String(contentsOfFile: Self.sources + "/" + file, encoding: .utf8)
      var inSwitch = false
      for line in text.split(separator: "\n") {
        if line.contains("var id: DiagnosticID {") { inSwitch = true }
        if inSwitch, line.hasPrefix("  }") { inSwitch = false }
        let pattern = inSwitch ? /case [^"]*: "([a-z-]+)"/ : /\bid: "([a-z-]+)"/
        for match in line.matches(of: pattern) { inSources.insert(String(match.1)) }
      }
    }
    let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
    let paragraph = try #require(readme.firstRange(of: /\nStable IDs:[^\n]*(\n[^\n]+)*/).map { readme[$0] })
    let listed = Set(paragraph.matches(of: /`([a-z-]+)`/).map { String($0.1) })
    #expect(inSources.count > 50)
    #expect(inSources.subtracting(listed).sorted() == [])
    #expect(listed.subtracting(inSources).sorted() == [])
  }
}
