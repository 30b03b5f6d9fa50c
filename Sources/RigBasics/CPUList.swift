/// A set of logical CPUs written in the kernel's cpulist grammar
/// (Documentation/admin-guide/kernel-parameters.rst, "cpu lists"): comma-separated items, each `a`, `a-b`
/// (ascending), or `a-b:used/group` (from each group of `group` CPUs starting at `a`, the first `used`);
/// `N` stands for the numerically last CPU and `all` for every CPU.
public struct CPUList: Sendable, Hashable, CustomStringConvertible {
  /// The highest CPU number rig accepts: Linux's largest `CONFIG_NR_CPUS` on x86-64 is 8192
  /// (arch/x86/Kconfig, `NR_CPUS_RANGE_END` with `MAXSMP`), so CPUs are numbered 0...8191.
  public static let maxCPU = 8191

  /// The CPUs, sorted and unique.
  public private(set) var cpus: [Int]

  public init<S: Sequence>(_ cpus: S) where S.Element == Int {
    self.cpus = Array(Set(cpus)).sorted()
  }

  init(sortedUnique cpus: [Int]) {
    self.cpus = cpus
  }

  /// Most items one CPU list may have; real lists have a handful.
  public static let maxItems = 1024

  public var isEmpty: Bool { cpus.isEmpty }
  public var count: Int { cpus.count }
  public func contains(_ cpu: Int) -> Bool { cpus.contains(cpu) }

  /// The CPUs in either list.
  public func union(_ other: CPUList) -> CPUList { CPUList(cpus + other.cpus) }
  /// The CPUs in both lists.
  public func intersection(_ other: CPUList) -> CPUList { CPUList(sortedUnique: cpus.filter(other.contains)) }
  /// The CPUs of this list that `other` does not hold.
  public func subtracting(_ other: CPUList) -> CPUList { CPUList(sortedUnique: cpus.filter { !other.contains($0) }) }

  /// Canonical form, as the kernel prints bitmaps (`%*pbl`): sorted, runs of two or more as `a-b`.
  public var description: String {
    var parts: [String] = []
    var index = 0
    while index < cpus.count {
      var end = index
      while end + 1 < cpus.count, cpus[end + 1] == cpus[end] + 1 { end += 1 }
      parts.append(end == index ? String(cpus[index]) : "\(cpus[index])-\(cpus[end])")
      index = end + 1
    }
    return parts.joined(separator: ",")
  }

  /// Parses `text`; `lastCPU` is what `N` and `all` stand for (nil when unknown, which makes them errors).
  public static func parse(_ text: String, lastCPU: Int?) -> Result<CPUList, SyntaxProblem> {
    let expression: CPUListExpression
    switch CPUListExpression.parse(text) {
    case .success(let parsed): expression = parsed
    case .failure(let problem): return .failure(problem)
    }
    return expression.resolve(lastCPU: lastCPU)
  }
}

/// A parsed cpulist before `N` is known.
public struct CPUListExpression: Sendable, Hashable {
  public enum Bound: Sendable, Hashable {
    case number(Int)
    case last
  }

  public struct Item: Sendable, Hashable {
    public var first: Bound
    public var last: Bound
    public var used: Int?
    public var group: Int?
    /// Where the item starts in the text and how long it is, in scalars.
    public var offset: Int
    public var length: Int
    /// Where the item is written in a source file, when the front end knows (for pointing at one item).
    public var range: SourceRange? = nil
  }

  public var items: [Item]
  public var isAll: Bool

  public init(items: [Item], isAll: Bool) {
    self.items = items
    self.isAll = isAll
  }

  private static let help =
    "a CPU list is a comma-separated list of CPUs 'a', ascending ranges 'a-b' or strided ranges 'a-b:used/group', such as '0-7,16-27'"

  public static func parse(_ text: String) -> Result<CPUListExpression, SyntaxProblem> {
    let scalars = Array(text.unicodeScalars)
    if text.lowercased() == "all" { return .success(CPUListExpression(items: [], isAll: true)) }
    if scalars.isEmpty { return .failure(SyntaxProblem("empty CPU list", help: [help])) }
    var items: [Item] = []
    var index = 0

    func number(_ what: String) -> Result<Bound, SyntaxProblem> {
      let start = index
      if index < scalars.count, scalars[index] == "N" {
        index += 1
        return .success(.last)
      }
      while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
      if index == start {
        let found = index < scalars.count ? "'\(scalars[index].escapedForDisplay)'" : "the end"
        return .failure(SyntaxProblem("expected \(what), found \(found)", help: [help], offset: start, length: 1))
      }
      guard let value = Int(String(String.UnicodeScalarView(scalars[start..<index]))), value <= CPUList.maxCPU else {
        return .failure(
          SyntaxProblem(
            "CPU number is larger than \(CPUList.maxCPU), the most Linux supports", offset: start, length: index - start
          ))
      }
      return .success(.number(value))
    }

    /// A number of CPUs in a stride (`used` or `group`), which cannot be `N`.
    func size(_ what: String) -> Result<Int, SyntaxProblem> {
      switch number(what) {
      case .success(.number(let value)): return .success(value)
      case .success(.last):
        return .failure(SyntaxProblem("'N' cannot be a group size", help: [help], offset: index - 1, length: 1))
      case .failure(let problem): return .failure(problem)
      }
    }

    while true {
      let itemStart = index
      var item: Item
      switch number("a CPU number") {
      case .success(let first):
        item = Item(first: first, last: first, used: nil, group: nil, offset: itemStart, length: 0)
      case .failure(let problem): return .failure(problem)
      }
      if index < scalars.count, scalars[index] == "-" {
        index += 1
        switch number("the end of the range") {
        case .success(let last): item.last = last
        case .failure(let problem): return .failure(problem)
        }
        if index < scalars.count, scalars[index] == ":" {
          index += 1
          switch size("the used size of a group") {
          case .success(let used): item.used = used
          case .failure(let problem): return .failure(problem)
          }
          guard index < scalars.count, scalars[index] == "/" else {
            let found = index < scalars.count ? "'\(scalars[index].escapedForDisplay)'" : "the end"
            return .failure(
              SyntaxProblem("expected '/' and a group size, found \(found)", help: [help], offset: index, length: 1))
          }
          index += 1
          switch size("a group size") {
          case .success(let group): item.group = group
          case .failure(let problem): return .failure(problem)
          }
        }
      }
      item.length = index - itemStart
      if let used = item.used, let group = item.group {
        if group == 0 {
          return .failure(
            SyntaxProblem("group size must be at least 1", help: [help], offset: itemStart, length: item.length))
        }
        if used == 0 || used > group {
          return .failure(
            SyntaxProblem(
              "used size \(used) must be between 1 and the group size \(group)", help: [help], offset: itemStart,
              length: item.length))
        }
      }
      if case .number(let a) = item.first, case .number(let b) = item.last, a > b {
        return .failure(
          SyntaxProblem(
            "range \(a)-\(b) is descending", help: ["write '\(b)-\(a)'; ranges must be ascending"], offset: itemStart,
            length: item.length))
      }
      items.append(item)
      if items.count > CPUList.maxItems {
        return .failure(
          SyntaxProblem(
            "CPU list has more than \(CPUList.maxItems) items", help: ["merge the items into ranges such as '0-7'"],
            offset: itemStart, length: item.length))
      }
      if index == scalars.count { break }
      guard scalars[index] == "," else {
        return .failure(
          SyntaxProblem(
            "unexpected '\(scalars[index].escapedForDisplay)' in CPU list", help: [help], offset: index, length: 1))
      }
      index += 1
    }
    return .success(CPUListExpression(items: items, isAll: false))
  }

  /// The CPUs this expression selects on a machine whose last CPU is `lastCPU`.
  public func resolve(lastCPU: Int?) -> Result<CPUList, SyntaxProblem> {
    if isAll {
      guard let lastCPU else { return .failure(SyntaxProblem("'all' needs a known CPU topology")) }
      return .success(CPUList(0...lastCPU))
    }
    // Each item adds at most maxCPU + 1 CPUs and items are capped, so this is bounded; the set keeps it small.
    var selected = [Bool](repeating: false, count: CPUList.maxCPU + 1)
    for item in items {
      func value(_ bound: Bound) -> Int? {
        switch bound {
        case .number(let n): n
        case .last: lastCPU
        }
      }
      guard let first = value(item.first), let last = value(item.last) else {
        return .failure(SyntaxProblem("'N' needs a known CPU topology", offset: item.offset, length: item.length))
      }
      guard first <= last else {
        return .failure(SyntaxProblem("range \(first)-\(last) is descending", offset: item.offset, length: item.length))
      }
      let used = item.used ?? 1
      let group = item.group ?? 1
      var start = first
      while start <= last {
        for cpu in start..<min(start + used, last + 1) where cpu <= CPUList.maxCPU { selected[cpu] = true }
        start += group
      }
    }
    return .success(CPUList(sortedUnique: selected.indices.filter { selected[$0] }))
  }
}
