/// A line diff of two texts in the unified format that `diff -u` prints and `patch` and `git apply` read.
public enum UnifiedDiff {
  /// One step of an edit script, by line index in the old and new texts.
  enum Edit: Equatable {
    case equal(old: Int, new: Int)
    case delete(old: Int)
    case insert(new: Int)
  }

  /// The unified diff from `old` to `new` with `context` lines around each change, headed by `---`/`+++` lines
  /// naming `oldName` and `newName`; empty when the texts are equal. A last line without a newline is marked
  /// `\ No newline at end of file`, as `diff` does.
  public static func diff(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
    guard old != new else { return "" }
    let a = lines(old)
    let b = lines(new)
    let edits = editScript(a, b)
    var out = "--- \(oldName)\n+++ \(newName)\n"
    for hunk in hunks(edits, context: context) {
      var oldStart = 0
      var newStart = 0
      var oldCount = 0
      var newCount = 0
      // Lines before the hunk fix where it starts; diff numbers an empty side by the line before it.
      for edit in edits[..<hunk.lowerBound] {
        switch edit {
        case .equal: oldStart += 1; newStart += 1
        case .delete: oldStart += 1
        case .insert: newStart += 1
        }
      }
      var body = ""
      for edit in edits[hunk] {
        switch edit {
        case .equal(let x, _):
          oldCount += 1; newCount += 1
          body += line(" ", a[x])
        case .delete(let x):
          oldCount += 1
          body += line("-", a[x])
        case .insert(let y):
          newCount += 1
          body += line("+", b[y])
        }
      }
      out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n" + body
    }
    return out
  }

  /// `start,count` as diff writes it: the first line (1-based; the line before when empty) and the count,
  /// which is left out when it is 1.
  private static func range(_ before: Int, _ count: Int) -> String {
    switch count {
    case 0: "\(before),0"
    case 1: "\(before + 1)"
    default: "\(before + 1),\(count)"
    }
  }

  private static func line(_ marker: String, _ text: Substring) -> String {
    text.hasSuffix("\n") ? marker + text : marker + text + "\n\\ No newline at end of file\n"
  }

  /// The lines of `text`, each with its newline (the last one may have none).
  public static func lines(_ text: String) -> [Substring] {
    var result: [Substring] = []
    var start = text.startIndex
    while start < text.endIndex {
      if let newline = text[start...].firstIndex(of: "\n") {
        let end = text.index(after: newline)
        result.append(text[start..<end])
        start = end
      } else {
        result.append(text[start...])
        start = text.endIndex
      }
    }
    return result
  }

  /// Rounds of Myers' search kept before giving up on a shortest script: its memory grows with their square.
  static let maximumRounds = 2000

  /// A shortest edit script from `a` to `b` (Myers' O(ND) algorithm, "An O(ND) Difference Algorithm and Its
  /// Variations", 1986), deletions before insertions where both are possible, like `diff`. Texts that differ in
  /// more than `maximumRounds` lines get a correct but longer script: every line between their common start and
  /// end deleted, then inserted.
  static func editScript(_ a: [Substring], _ b: [Substring]) -> [Edit] {
    var prefix = 0
    while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
      suffix += 1
    }
    var edits = (0..<prefix).map { Edit.equal(old: $0, new: $0) }
    let middleA = a[prefix..<(a.count - suffix)]
    let middleB = b[prefix..<(b.count - suffix)]
    if let middle = myers(middleA, middleB) {
      edits += middle
    } else {
      edits += middleA.indices.map { Edit.delete(old: $0) } + middleB.indices.map { Edit.insert(new: $0) }
    }
    edits += (0..<suffix).map { Edit.equal(old: a.count - suffix + $0, new: b.count - suffix + $0) }
    return edits
  }

  /// Myers' search over two slices (indices are the slices' own); nil after `maximumRounds` rounds.
  private static func myers(_ a: ArraySlice<Substring>, _ b: ArraySlice<Substring>) -> [Edit]? {
    let n = a.count
    let m = b.count
    let (baseA, baseB) = (a.startIndex, b.startIndex)
    let offset = n + m + 1
    var v = [Int](repeating: 0, count: 2 * offset + 1)
    // Before each round d, the furthest x on the diagonals -d...d that round reads, for walking back.
    var trace: [[Int]] = []
    var found = false
    search: for d in 0...(n + m) {
      guard d <= maximumRounds else { return nil }
      trace.append(Array(v[(offset - d)...(offset + d)]))
      for k in stride(from: -d, through: d, by: 2) {
        var x =
          (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1
        var y = x - k
        while x < n, y < m, a[baseA + x] == b[baseB + y] {
          x += 1
          y += 1
        }
        v[offset + k] = x
        if x >= n, y >= m {
          found = true
          break search
        }
      }
    }
    guard found else { return nil }
    var edits: [Edit] = []
    var x = n
    var y = m
    for d in stride(from: trace.count - 1, through: 0, by: -1) {
      // trace[d][i] is diagonal i - d.
      let kept = trace[d]
      let furthest = { (k: Int) in kept[k + d] }
      let k = x - y
      let previousK = (k == -d || (k != d && furthest(k - 1) < furthest(k + 1))) ? k + 1 : k - 1
      let previousX = d == 0 ? 0 : furthest(previousK)
      let previousY = previousX - previousK
      while x > previousX, y > max(previousY, 0) {
        x -= 1
        y -= 1
        edits.append(.equal(old: baseA + x, new: baseB + y))
      }
      if d > 0 {
        if x == previousX {
          edits.append(.insert(new: baseB + y - 1))
        } else {
          edits.append(.delete(old: baseA + x - 1))
        }
      }
      x = previousX
      y = previousY
    }
    return edits.reversed()
  }

  /// The ranges of `edits` shown as hunks: each change with up to `context` unchanged lines around it; changes
  /// closer than twice the context share a hunk.
  static func hunks(_ edits: [Edit], context: Int) -> [Range<Int>] {
    let changes = edits.indices.filter { if case .equal = edits[$0] { false } else { true } }
    var result: [Range<Int>] = []
    for index in changes {
      let start = max(0, index - context)
      let end = min(edits.count, index + 1 + context)
      if let last = result.last, start <= last.upperBound {
        result[result.count - 1] = last.lowerBound..<end
      } else {
        result.append(start..<end)
      }
    }
    return result
  }
}
