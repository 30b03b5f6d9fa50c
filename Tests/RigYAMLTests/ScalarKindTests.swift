import Testing
import Yams

@testable import RigYAML

/// Plain scalars are typed as YAML 1.2's core schema types them (what check-jsonschema sees).
@Suite struct ScalarKindTests {
  func kind(_ text: String, _ style: Node.Scalar.Style = .plain) -> ScalarKind {
    ScalarKind.of(Node.Scalar(text, .implicit, style))
  }

  @Test(arguments: ["", "~", "null", "Null", "NULL"]) func nulls(text: String) { #expect(kind(text) == .null) }
  @Test(arguments: ["true", "True", "TRUE"]) func trues(text: String) { #expect(kind(text) == .bool(true)) }
  @Test(arguments: ["false", "False", "FALSE"]) func falses(text: String) { #expect(kind(text) == .bool(false)) }

  @Test func integers() {
    #expect(kind("42") == .int(42))
    #expect(kind("-7") == .int(-7))
    #expect(kind("+7") == .int(7))
    #expect(kind("0o17") == .int(15))
    #expect(kind("0x1F") == .int(31))
    #expect(kind("99999999999999999999") == .float)
  }

  @Test(arguments: ["1.30", "1.", ".5", "-1.5e3", "1e5", "2E-2", ".inf", "-.Inf", ".nan"])
  func floats(text: String) { #expect(kind(text) == .float) }

  @Test(arguments: ["yes", "no", "on", "1.2.3", "0.3.10", "12GiB", "8-15", "1e", ".", "-", "0x", "0o8", "1_000", "e5"])
  func strings(text: String) { #expect(kind(text) == .string) }

  @Test func quotedIsAlwaysAString() {
    #expect(kind("1.30", .doubleQuoted) == .string)
    #expect(kind("true", .singleQuoted) == .string)
    #expect(kind("null", .literal) == .string)
  }
}
