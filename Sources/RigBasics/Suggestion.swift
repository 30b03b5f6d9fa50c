/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
  /// The candidate closest to `word` when it is close enough to be a likely typo, else nil.
  /// Close enough: at most half the word's length in edits (at least one), ties broken by order.
  public static func closest(to word: String, among candidates: [String]) -> String? {
    let limit = max(1, word.count / 2)
    var best: (String, Int)?
    for candidate in candidates {
      let distance = editDistance(word.lowercased(), candidate.lowercased())
      if distance <= limit, distance < (best?.1 ?? Int.max) {
        best = (candidate, distance)
      }
    }
    return best?.0
  }

  /// `did you mean 'CANDIDATE'?` for the candidate `closest` finds, else nil: the help line every refusal of a
  /// misspelt name gives.
  public static func didYouMean(_ word: String, among candidates: [String]) -> String? {
    closest(to: word, among: candidates).map { "did you mean '\($0)'?" }
  }

  /// Levenshtein distance counting an adjacent transposition as one edit.
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars)
    let y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previousPrevious = [Int](repeating: 0, count: y.count + 1)
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
      current[0] = i
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
          value = min(value, previousPrevious[j - 2] + 1)
        }
        current[j] = value
      }
      (previousPrevious, previous, current) = (previous, current, previousPrevious)
    }
    return previous[y.count]
  }
}
