import RigBasics

/// A package version in Debian's syntax: `[epoch:]upstream[-revision]` (Debian Policy §5.6.12).
/// Ordering lives with the resolver; this type only guarantees the syntax.
public struct Version: Sendable, Hashable, CustomStringConvertible {
  public let text: String

  public var description: String { text }

  /// Checks `text` against Debian Policy §5.6.12: the epoch is digits; the upstream part starts with a digit
  /// and holds only alphanumerics and `. + ~ -` (a hyphen only when a revision follows); the revision holds
  /// only alphanumerics and `. + ~`.
  public static func parse(_ text: String) -> Result<Version, SyntaxProblem> {
    let scalars = Array(text.unicodeScalars)
    let help = "a version looks like '1.2.3', '550.54.14-1' or '1:2.0~rc1'"
    guard !scalars.isEmpty else { return .failure(SyntaxProblem("empty version", help: [help])) }
    var upstreamStart = 0
    if let colon = scalars.firstIndex(of: ":") {
      let epoch = scalars[0..<colon]
      if epoch.isEmpty || !epoch.allSatisfy(\.isASCIIDigit) {
        return .failure(SyntaxProblem("epoch must be a number", help: [help], offset: 0, length: max(1, colon)))
      }
      upstreamStart = colon + 1
    }
    let hyphen = scalars.lastIndex(of: "-").flatMap { $0 >= upstreamStart ? $0 : nil }
    let upstreamEnd = hyphen ?? scalars.count
    guard upstreamStart < upstreamEnd else {
      return .failure(SyntaxProblem("version has no upstream part", help: [help], offset: upstreamStart, length: 1))
    }
    guard scalars[upstreamStart].isASCIIDigit else {
      return .failure(
        SyntaxProblem("version must start with a digit", help: [help], offset: upstreamStart, length: 1))
    }
    for index in upstreamStart..<upstreamEnd {
      let c = scalars[index]
      if !(c.isASCIIAlphanumeric || c == "." || c == "+" || c == "~" || c == "-") {
        return .failure(
          SyntaxProblem("'\(c.escapedForDisplay)' is not allowed in a version", help: [help], offset: index, length: 1))
      }
    }
    if let hyphen {
      guard hyphen + 1 < scalars.count else {
        return .failure(
          SyntaxProblem("version has an empty revision after '-'", help: [help], offset: hyphen, length: 1))
      }
      for index in hyphen + 1..<scalars.count {
        let c = scalars[index]
        if !(c.isASCIIAlphanumeric || c == "." || c == "+" || c == "~") {
          return .failure(
            SyntaxProblem(
              "'\(c.escapedForDisplay)' is not allowed in a version's revision", help: [help], offset: index, length: 1)
          )
        }
      }
    }
    return .success(Version(text: text))
  }

  private init(text: String) { self.text = text }
}

extension Unicode.Scalar {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
  var isASCIIAlphanumeric: Bool { isASCIIDigit || ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
