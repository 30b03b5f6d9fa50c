/// The shared base of rig's result builders: each builder collects its `Element`s into an array, and this base
/// gives every one of them blocks, `if`, `if`/`else`, `switch`, `for` and `#available`.
///
/// A builder conforms and names its element; it adds `buildExpression` overloads for the values it accepts.
public protocol ListBuilder {
  /// What the builder collects.
  associatedtype Element
}

extension ListBuilder {
  /// One element.
  public static func buildExpression(_ element: Element) -> [Element] { [element] }
  /// Several elements at once, such as the result of a function marked with the same builder.
  public static func buildExpression(_ elements: [Element]) -> [Element] { elements }
  /// The statements of a block, in order.
  public static func buildBlock(_ parts: [Element]...) -> [Element] { parts.flatMap { $0 } }
  /// `if` without `else`: nothing when the condition is false.
  public static func buildOptional(_ part: [Element]?) -> [Element] { part ?? [] }
  /// The first branch of `if`/`else` or of a `switch`.
  public static func buildEither(first part: [Element]) -> [Element] { part }
  /// The second branch of `if`/`else` or of a `switch`.
  public static func buildEither(second part: [Element]) -> [Element] { part }
  /// A `for` loop: every iteration's elements, in order.
  public static func buildArray(_ parts: [[Element]]) -> [Element] { parts.flatMap { $0 } }
  /// `if #available`.
  public static func buildLimitedAvailability(_ part: [Element]) -> [Element] { part }
}
