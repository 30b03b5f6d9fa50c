import RigModel

/// One end of an interval of versions.
struct VersionBound: Sendable, Hashable {
  var version: Version
  var inclusive: Bool
}

/// A contiguous run of versions in Debian order; nil bounds are unbounded.
struct VersionInterval: Sendable, Hashable {
  var lower: VersionBound?
  var upper: VersionBound?

  func contains(_ v: Version) -> Bool {
    if let lower {
      if lower.inclusive ? v < lower.version : v <= lower.version { return false }
    }
    if let upper {
      if upper.inclusive ? v > upper.version : v >= upper.version { return false }
    }
    return true
  }

  var isEmpty: Bool {
    guard let lower, let upper else { return false }
    if lower.version < upper.version { return false }
    return !(lower.version == upper.version && lower.inclusive && upper.inclusive)
  }
}

/// A set of versions: a union of disjoint intervals in Debian order, kept sorted. The algebra PubGrub needs
/// (intersection, union, complement, subset) on sets that print as the constraints people write.
public struct VersionSet: Sendable, Hashable, CustomStringConvertible {
  var intervals: [VersionInterval]

  init(intervals: [VersionInterval]) { self.intervals = intervals }

  public static let any = VersionSet(intervals: [VersionInterval(lower: nil, upper: nil)])
  public static let none = VersionSet(intervals: [])

  public static func exactly(_ v: Version) -> VersionSet {
    VersionSet(
      intervals: [
        VersionInterval(
          lower: VersionBound(version: v, inclusive: true), upper: VersionBound(version: v, inclusive: true))
      ])
  }

  /// From `lower` (inclusive) to `upper` (inclusive); nil ends are open.
  static func closed(_ lower: Version?, _ upper: Version?) -> VersionSet {
    VersionSet(
      intervals: [
        VersionInterval(
          lower: lower.map { VersionBound(version: $0, inclusive: true) },
          upper: upper.map { VersionBound(version: $0, inclusive: true) })
      ])
  }

  /// The versions a written constraint allows. `^N` is `>= N~, < (N+1)~` in N's epoch, so `12~rc1` is in
  /// `^12` and `13~rc1` is not.
  public init(_ constraint: VersionConstraint) {
    var set = VersionSet.any
    for clause in constraint.clauses {
      let v = clause.version
      let clauseSet: VersionSet
      switch clause.op {
      case .equal: clauseSet = .exactly(v)
      case .greaterOrEqual:
        clauseSet = VersionSet(intervals: [VersionInterval(lower: .init(version: v, inclusive: true), upper: nil)])
      case .greater:
        clauseSet = VersionSet(intervals: [VersionInterval(lower: .init(version: v, inclusive: false), upper: nil)])
      case .lessOrEqual:
        clauseSet = VersionSet(intervals: [VersionInterval(lower: nil, upper: .init(version: v, inclusive: true))])
      case .less:
        clauseSet = VersionSet(intervals: [VersionInterval(lower: nil, upper: .init(version: v, inclusive: false))])
      case .caret: clauseSet = VersionSet.caret(v)
      }
      set = set.intersection(clauseSet)
    }
    self = set
  }

  static func caret(_ v: Version) -> VersionSet {
    let epoch = v.parts.epoch
    let prefix = epoch == "0" && !v.text.contains(":") ? "" : "\(epoch):"
    let major = v.major.isEmpty ? "0" : String(v.major)
    let next = Self.increment(major)
    guard let low = Version(exactly: "\(prefix)\(major)~"), let high = Version(exactly: "\(prefix)\(next)~") else {
      return .exactly(v)
    }
    return VersionSet(
      intervals: [
        VersionInterval(lower: .init(version: low, inclusive: true), upper: .init(version: high, inclusive: false))
      ])
  }

  /// Adds one to a decimal digit string of any length.
  private static func increment(_ digits: String) -> String {
    var scalars = Array(digits.drop(while: { $0 == "0" }).utf8)
    if scalars.isEmpty { return "1" }
    var index = scalars.count - 1
    while true {
      if scalars[index] == UInt8(ascii: "9") {
        scalars[index] = UInt8(ascii: "0")
        if index == 0 {
          scalars.insert(UInt8(ascii: "1"), at: 0)
          break
        }
        index -= 1
      } else {
        scalars[index] += 1
        break
      }
    }
    return String(decoding: scalars, as: UTF8.self)
  }

  public var isEmpty: Bool { intervals.isEmpty }
  public var isAny: Bool { intervals.count == 1 && intervals[0].lower == nil && intervals[0].upper == nil }

  public func contains(_ v: Version) -> Bool {
    // Binary search: the first interval whose upper end is not below v.
    var low = 0
    var high = intervals.count
    while low < high {
      let mid = (low + high) / 2
      if let upper = intervals[mid].upper, upper.inclusive ? upper.version < v : upper.version <= v {
        low = mid + 1
      } else {
        high = mid
      }
    }
    return low < intervals.count && intervals[low].contains(v)
  }

  /// The exact version when the set holds one version only.
  public var singleVersion: Version? {
    guard intervals.count == 1, let lower = intervals[0].lower, let upper = intervals[0].upper, lower.inclusive,
      upper.inclusive, lower.version == upper.version
    else { return nil }
    return lower.version
  }

  public func intersection(_ other: VersionSet) -> VersionSet {
    var result: [VersionInterval] = []
    var i = 0
    var j = 0
    while i < intervals.count && j < other.intervals.count {
      let a = intervals[i]
      let b = other.intervals[j]
      let lower = Self.maxLower(a.lower, b.lower)
      let upper = Self.minUpper(a.upper, b.upper)
      let candidate = VersionInterval(lower: lower, upper: upper)
      if !candidate.isEmpty { result.append(candidate) }
      if Self.upperLess(a.upper, b.upper) { i += 1 } else { j += 1 }
    }
    return VersionSet(intervals: result)
  }

  public var complement: VersionSet {
    var result: [VersionInterval] = []
    var lower: VersionBound? = nil
    var open = true  // whether the gap starts at minus infinity
    for interval in intervals {
      if let l = interval.lower {
        let gap = VersionInterval(
          lower: open ? nil : lower, upper: VersionBound(version: l.version, inclusive: !l.inclusive))
        if !gap.isEmpty { result.append(gap) }
      }
      guard let u = interval.upper else { return VersionSet(intervals: result) }
      lower = VersionBound(version: u.version, inclusive: !u.inclusive)
      open = false
    }
    result.append(VersionInterval(lower: open ? nil : lower, upper: nil))
    return VersionSet(intervals: result)
  }

  public func union(_ other: VersionSet) -> VersionSet {
    complement.intersection(other.complement).complement
  }

  public func subtracting(_ other: VersionSet) -> VersionSet { intersection(other.complement) }

  /// Whether every interval lies inside one interval of `other` (intervals are disjoint and sorted).
  public func isSubset(of other: VersionSet) -> Bool {
    if other.isAny || intervals.isEmpty { return true }
    var j = 0
    for interval in intervals {
      while j < other.intervals.count && Self.upperLess(other.intervals[j].upper, interval.upper) { j += 1 }
      guard j < other.intervals.count else { return false }
      let container = other.intervals[j]
      // The container's lower end must not be above the interval's.
      if Self.maxLower(container.lower, interval.lower) != interval.lower { return false }
    }
    return true
  }

  public func isDisjoint(with other: VersionSet) -> Bool {
    var i = 0
    var j = 0
    while i < intervals.count && j < other.intervals.count {
      let a = intervals[i]
      let b = other.intervals[j]
      if !VersionInterval(lower: Self.maxLower(a.lower, b.lower), upper: Self.minUpper(a.upper, b.upper)).isEmpty {
        return false
      }
      if Self.upperLess(a.upper, b.upper) { i += 1 } else { j += 1 }
    }
    return true
  }

  private static func maxLower(_ a: VersionBound?, _ b: VersionBound?) -> VersionBound? {
    guard let a else { return b }
    guard let b else { return a }
    if a.version != b.version { return a.version > b.version ? a : b }
    return a.inclusive ? b : a
  }

  private static func minUpper(_ a: VersionBound?, _ b: VersionBound?) -> VersionBound? {
    guard let a else { return b }
    guard let b else { return a }
    if a.version != b.version { return a.version < b.version ? a : b }
    return a.inclusive ? b : a
  }

  /// Whether upper end `a` is below upper end `b` (nil is infinity).
  private static func upperLess(_ a: VersionBound?, _ b: VersionBound?) -> Bool {
    guard let a else { return false }
    guard let b else { return true }
    if a.version != b.version { return a.version < b.version }
    return !a.inclusive && b.inclusive
  }

  /// As a constraint: `any version`, `= 1.2`, `>= 1.2, < 2`, `^12`; several intervals joined with `or`.
  public var description: String {
    if intervals.isEmpty { return "no version" }
    if isAny { return "any version" }
    return intervals.map(Self.describe).joined(separator: " or ")
  }

  private static func describe(_ interval: VersionInterval) -> String {
    if let lower = interval.lower, let upper = interval.upper, lower.inclusive, !upper.inclusive,
      lower.version.text.hasSuffix("~"), upper.version.text.hasSuffix("~"),
      caret(lower.version.dropTilde) == VersionSet(intervals: [interval])
    {
      return "^\(lower.version.dropTilde)"
    }
    if let lower = interval.lower, let upper = interval.upper, lower.version == upper.version {
      return "= \(lower.version)"
    }
    var parts: [String] = []
    if let lower = interval.lower { parts.append("\(lower.inclusive ? ">=" : ">") \(lower.version)") }
    if let upper = interval.upper { parts.append("\(upper.inclusive ? "<=" : "<") \(upper.version)") }
    return parts.joined(separator: ", ")
  }
}

extension Version {
  /// The version without its final `~` (for printing `^12` from its lower end `12~`).
  fileprivate var dropTilde: Version { Version(exactly: String(text.dropLast())) ?? self }
}
