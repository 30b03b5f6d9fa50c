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
}
