import RigBasics

/// A package version in Debian's syntax: `[epoch:]upstream[-revision]` (Debian Policy §5.6.12), ordered as
/// `dpkg --compare-versions` orders them.
///
/// Equality is Debian's: `1.0` and `0:1.0` or `1.00` are the same version (dpkg compares them equal), so a
/// set or dictionary keyed by versions never holds both.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
  public let text: String
  /// The epoch, upstream and revision as bytes, split once so comparisons do not parse again.
  private let epochBytes: [UInt8]
  private let upstreamBytes: [UInt8]
  private let revisionBytes: [UInt8]

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
    // A build tag (llama.cpp's `b4200`) starts with letters, then a digit: dpkg orders such versions by their
    // number too (and warns), so they are accepted. A tag's `v` (`v0.5.0`) is not part of a version.
    let letters = scalars[upstreamStart..<upstreamEnd].prefix { $0.isASCIILetter }.count
    let first = scalars[upstreamStart]
    if first == "v" || first == "V", letters == 1, upstreamStart + 1 < upstreamEnd {
      return .failure(
        SyntaxProblem(
          "a version has no 'v': write the tag without it", help: [help], offset: upstreamStart, length: 1))
    }
    guard upstreamStart + letters < upstreamEnd, scalars[upstreamStart + letters].isASCIIDigit else {
      return .failure(
        SyntaxProblem(
          "version must start with a digit, or with a build tag's letters and a digit ('b4200')", help: [help],
          offset: upstreamStart, length: 1))
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

  private init(text: String) {
    self.text = text
    var bytes = Array(text.utf8)[...]
    var epoch: ArraySlice<UInt8> = [UInt8(ascii: "0")]
    if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
      epoch = bytes[..<colon]
      bytes = bytes[(colon + 1)...]
    }
    epochBytes = Array(epoch)
    if let hyphen = bytes.lastIndex(of: UInt8(ascii: "-")) {
      upstreamBytes = Array(bytes[..<hyphen])
      revisionBytes = Array(bytes[(hyphen + 1)...])
    } else {
      upstreamBytes = Array(bytes)
      revisionBytes = []
    }
  }

  /// Parses text already known to be valid, such as a version from the built-in catalog; nil otherwise.
  public init?(exactly text: String) {
    guard case .success(let version) = Version.parse(text) else { return nil }
    self = version
  }

  /// The epoch, upstream and revision parts (Debian Policy §5.6.12): a missing epoch is 0 and a missing
  /// revision is empty, which dpkg orders like "0".
  public var parts: (epoch: String, upstream: String, revision: String) {
    (
      String(decoding: epochBytes, as: UTF8.self), String(decoding: upstreamBytes, as: UTF8.self),
      String(decoding: revisionBytes, as: UTF8.self)
    )
  }

  /// The leading number of the upstream part: 12 for `12.4.1-1`, the part `^12` matches.
  public var major: String {
    String(decoding: upstreamBytes.prefix(while: Version.isDigit), as: UTF8.self)
  }

  public static func == (a: Version, b: Version) -> Bool { compare(a, b) == 0 }
  public static func < (a: Version, b: Version) -> Bool { compare(a, b) < 0 }

  public func hash(into hasher: inout Hasher) {
    // Hash a canonical form so that versions dpkg calls equal hash alike: numbers without leading zeros and
    // an empty or all-zero revision dropped. The bytes go to the hasher as they are read; nothing is built.
    Version.combineCanonical(epochBytes, into: &hasher)
    Version.combineCanonical(upstreamBytes, into: &hasher)
    if revisionBytes.contains(where: { $0 != UInt8(ascii: "0") }) {
      Version.combineCanonical(revisionBytes, into: &hasher)
    } else {
      hasher.combine(UInt8.max)
    }
  }

  /// The bytes with every run of digits written without leading zeros, then a byte no version holds (0xFF), so
  /// that the parts cannot run into each other.
  private static func combineCanonical(_ bytes: [UInt8], into hasher: inout Hasher) {
    var index = 0
    while index < bytes.count {
      guard isDigit(bytes[index]) else {
        hasher.combine(bytes[index])
        index += 1
        continue
      }
      var end = index
      while end < bytes.count && isDigit(bytes[end]) { end += 1 }
      // The run's last digit stays even when it is a zero: "00" is "0".
      while index < end - 1 && bytes[index] == UInt8(ascii: "0") { index += 1 }
      while index < end {
        hasher.combine(bytes[index])
        index += 1
      }
    }
    hasher.combine(UInt8.max)
  }

  /// dpkg's `verrevcmp` over epoch, upstream and revision in turn: negative, zero or positive.
  public static func compare(_ a: Version, _ b: Version) -> Int {
    let epochOrder = compareNumbers(a.epochBytes[...], b.epochBytes[...])
    if epochOrder != 0 { return epochOrder }
    let upstreamOrder = compareParts(a.upstreamBytes, b.upstreamBytes)
    if upstreamOrder != 0 { return upstreamOrder }
    return compareParts(a.revisionBytes, b.revisionBytes)
  }

  /// Compares digit strings by value (leading zeros do not count).
  private static func compareNumbers(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
    let x = a.drop(while: { $0 == UInt8(ascii: "0") })
    let y = b.drop(while: { $0 == UInt8(ascii: "0") })
    if x.count != y.count { return x.count < y.count ? -1 : 1 }
    for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
    return 0
  }

  /// The weight of one character in the non-digit runs, as dpkg's `order()`: `~` before the end of the text,
  /// the end before letters, letters before everything else.
  private static func weight(_ c: UInt8?) -> Int {
    guard let c else { return 0 }
    if c == UInt8(ascii: "~") { return -1 }
    if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) {
      return Int(c)
    }
    return Int(c) + 256
  }

  private static func isDigit(_ c: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) }

  /// Alternating non-digit and digit runs, as Debian Policy §5.6.12 describes.
  private static func compareParts(_ x: [UInt8], _ y: [UInt8]) -> Int {
    var i = 0
    var j = 0
    while i < x.count || j < y.count {
      // Non-digit prefixes, character by character; a digit or the end weighs 0.
      while (i < x.count && !isDigit(x[i])) || (j < y.count && !isDigit(y[j])) {
        let p = i < x.count && !isDigit(x[i]) ? weight(x[i]) : 0
        let q = j < y.count && !isDigit(y[j]) ? weight(y[j]) : 0
        if p != q { return p < q ? -1 : 1 }
        if i < x.count && !isDigit(x[i]) { i += 1 }
        if j < y.count && !isDigit(y[j]) { j += 1 }
      }
      let digitStartX = i
      while i < x.count && isDigit(x[i]) { i += 1 }
      let digitStartY = j
      while j < y.count && isDigit(y[j]) { j += 1 }
      let order = compareNumbers(x[digitStartX..<i], y[digitStartY..<j])
      if order != 0 { return order }
    }
    return 0
  }
}

extension Unicode.Scalar {
  var isASCIIDigit: Bool { ("0"..."9").contains(self) }
  var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
  var isASCIIAlphanumeric: Bool { isASCIIDigit || isASCIILetter }
}
