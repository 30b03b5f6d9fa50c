import Foundation
import Testing

/// Every public declaration of the DSL carries a `///` summary (attributes such as `@resultBuilder` may sit
/// between the two).
@Suite struct DocumentationTests {
  static let folder =
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path + "/Sources/RigDSL"

  @Test func everyPublicDeclarationIsDocumented() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".swift") }
    #expect(files.count >= 8)
    var publicDeclarations = 0
    var undocumented: [String] = []
    for file in files.sorted() {
      let lines = try String(contentsOfFile: Self.folder + "/" + file, encoding: .utf8)
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
