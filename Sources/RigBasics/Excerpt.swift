extension String {
  /// Longest piece of user text quoted in a message.
  public static let excerptLimit = 60

  /// This text for quoting in a message: cut to `excerptLimit` scalars with `…`, so a huge value cannot flood
  /// the output.
  public var excerpt: String { excerpt(limit: Self.excerptLimit) }

  /// This text cut to `limit` scalars with `…` (paths use the system's 4096).
  public func excerpt(limit: Int) -> String {
    let scalars = unicodeScalars
    guard scalars.count > limit else { return self }
    return String(String.UnicodeScalarView(scalars.prefix(limit - 1))) + "…"
  }
}
