extension String {
  /// Longest piece of user text quoted in a message.
  public static let excerptLimit = 60

  /// This text for quoting in a message: control characters escaped (`\n`, `\u{1B}`) so user text cannot move
  /// the cursor or color the terminal, and cut to `excerptLimit` scalars with `…` so it cannot flood the output.
  public var excerpt: String { excerpt(limit: Self.excerptLimit) }

  /// This text escaped and cut to `limit` scalars with `…` (paths use the system's 4096).
  public func excerpt(limit: Int) -> String {
    // Most text is short printable ASCII, which stands as it is.
    if utf8.count < limit, utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) { return self }
    var out = ""
    var count = 0
    let cut = unicodeScalars.count > limit
    for scalar in unicodeScalars {
      if cut, count == limit - 1 {
        return out + "…"
      }
      out += scalar.escapedForDisplay
      count += 1
    }
    return out
  }
}

extension Unicode.Scalar {
  /// Control characters (C0, DEL, C1) and line or paragraph separators as escapes; anything else as itself.
  public var escapedForDisplay: String {
    switch self {
    case "\n": return "\\n"
    case "\r": return "\\r"
    case "\t": return "\\t"
    default:
      if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029 || value == 0xFEFF {
        return "\\u{\(String(value, radix: 16, uppercase: true))}"
      }
      return String(self)
    }
  }
}
