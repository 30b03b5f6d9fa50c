import RigBasics

/// A comparison in a version constraint.
public enum VersionOperator: String, Sendable, Hashable, CaseIterable {
  case equal = "="
  case greaterOrEqual = ">="
  case greater = ">"
  case lessOrEqual = "<="
  case less = "<"
  /// Same first version component: `^12` allows 12.x but not 13.
  case caret = "^"
}

/// One `operator version` clause.
public struct VersionClause: Sendable, Hashable, CustomStringConvertible {
  public var op: VersionOperator
  public var version: Version

  public init(_ op: VersionOperator, _ version: Version) {
    self.op = op
    self.version = version
  }

  public var description: String { op == .caret ? "^\(version)" : "\(op.rawValue) \(version)" }
}

/// All clauses must hold; no clause means any version.
public struct VersionConstraint: Sendable, Hashable, CustomStringConvertible {
  public var clauses: [VersionClause]

  public init(_ clauses: [VersionClause] = []) { self.clauses = clauses }

  public static let any = VersionConstraint()

  public var description: String {
    clauses.isEmpty ? "any version" : clauses.map(\.description).joined(separator: ", ")
  }
}

/// "This component, at a version in this set": a stack item or an entry in `requires`.
/// Grammar (SPEC §2): `name`, `name = v`, `name >= v`, `name < v`, `name >= a, < b`, `name ^12`;
/// also `>` and `<=`.
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
  public var name: Located<String>
  public var constraint: VersionConstraint
  /// The whole requirement as written.
  public var range: SourceRange?

  public init(name: Located<String>, constraint: VersionConstraint, range: SourceRange?) {
    self.name = name
    self.constraint = constraint
    self.range = range
  }

  public var description: String {
    constraint.clauses.isEmpty ? name.value : "\(name.value) \(constraint)"
  }

  /// Parsed parts with their offsets (in scalars) into the text.
  public struct Parsed: Sendable, Hashable {
    public var name: String
    public var nameOffset: Int
    public var nameLength: Int
    public var constraint: VersionConstraint
  }

  private static let help =
    "write a requirement as 'name', 'name = 1.2', 'name >= 1.2', 'name >= 1.2, < 2' or 'name ^12'"

  private static let nameHelp =
    "component names use lowercase letters, digits, '+', '-' and '.', and start with a letter or digit"

  /// A valid component name: Debian's package-name rule (lowercase letters, digits, `+ - .`, starting
  /// with a letter or digit).
  public static func checkName(_ name: String) -> SyntaxProblem? {
    let help = nameHelp
    let scalars = Array(name.unicodeScalars)
    /// The name lowercased, with characters a name cannot hold made '-'.
    func fixed() -> String {
      String(
        String.UnicodeScalarView(
          name.lowercased().unicodeScalars.map {
            $0.isASCIIAlphanumeric || "+-.".unicodeScalars.contains($0) ? $0 : "-"
          }))
    }
    guard let first = scalars.first else { return SyntaxProblem("empty component name", help: [help]) }
    if !(first.isASCIIDigit || ("a"..."z").contains(first)) {
      if ("A"..."Z").contains(first) || scalars.contains(where: { ("A"..."Z").contains($0) }) {
        return SyntaxProblem(
          "component names are lowercase", help: ["write '\(fixed().excerpt)'"], offset: 0,
          length: scalars.count)
      }
      return SyntaxProblem(
        "component name must start with a lowercase letter or a digit", help: [help], offset: 0, length: 1)
    }
    for (index, c) in scalars.enumerated()
    where !(c.isASCIIDigit || ("a"..."z").contains(c) || "+-.".unicodeScalars.contains(c)) {
      if ("A"..."Z").contains(c) {
        return SyntaxProblem(
          "component names are lowercase", help: ["write '\(fixed().excerpt)'"], offset: 0,
          length: scalars.count)
      }
      return SyntaxProblem(
        "'\(c.escapedForDisplay)' is not allowed in a component name", help: [help], offset: index, length: 1)
    }
    return nil
  }

  public static func parse(_ text: String) -> Result<Parsed, SyntaxProblem> {
    let scalars = Array(text.unicodeScalars)
    var index = 0
    func skipSpaces() { while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 } }
    skipSpaces()
    let nameStart = index
    while index < scalars.count, !" \t=<>^,!~".unicodeScalars.contains(scalars[index]) { index += 1 }
    let name = String(String.UnicodeScalarView(scalars[nameStart..<index]))
    if name.isEmpty {
      return .failure(SyntaxProblem("expected a component name", help: [help], offset: nameStart, length: 1))
    }
    if var problem = checkName(name) {
      problem.offset += nameStart
      return .failure(problem)
    }
    var clauses: [VersionClause] = []
    skipSpaces()
    while index < scalars.count {
      let opStart = index
      while index < scalars.count, "=<>^!~".unicodeScalars.contains(scalars[index]) { index += 1 }
      let opText = String(String.UnicodeScalarView(scalars[opStart..<index]))
      let op: VersionOperator
      if opText.isEmpty {
        let rest = String(String.UnicodeScalarView(scalars[opStart...]))
        if case .success = Version.parse(rest.trimmingSpaces) {
          return .failure(
            SyntaxProblem(
              "expected an operator before version '\(rest.trimmingSpaces.excerpt)'",
              help: [
                "write '\(name.excerpt) = \(rest.trimmingSpaces.excerpt)' for exactly that version or '\(name.excerpt) >= \(rest.trimmingSpaces.excerpt)' for it or newer"
              ],
              offset: opStart, length: scalars.count - opStart))
        }
        return .failure(
          SyntaxProblem(
            "expected an operator such as '>=', found '\(scalars[opStart].escapedForDisplay)'", help: [help],
            offset: opStart, length: 1))
      } else if let known = VersionOperator(rawValue: opText) {
        op = known
      } else {
        let guess = ["==": "=", "=>": ">=", "=<": "<=", "~=": ">=", "!=": nil, "~": "^", "^=": "^"][opText] ?? nil
        return .failure(
          SyntaxProblem(
            "unknown operator '\(opText.excerpt)'",
            help: [guess.map { "write '\($0)'" } ?? "operators are =, >=, >, <=, < and ^"],
            offset: opStart, length: opText.unicodeScalars.count))
      }
      if op == .caret, !clauses.isEmpty {
        return .failure(
          SyntaxProblem("'^' cannot be combined with other clauses", help: [help], offset: opStart, length: 1))
      }
      skipSpaces()
      let versionStart = index
      while index < scalars.count, !" \t,".unicodeScalars.contains(scalars[index]) { index += 1 }
      let versionText = String(String.UnicodeScalarView(scalars[versionStart..<index]))
      if versionText.isEmpty {
        return .failure(
          SyntaxProblem(
            "expected a version after '\(opText)'", help: [help], offset: opStart, length: opText.unicodeScalars.count))
      }
      switch Version.parse(versionText) {
      case .success(let version): clauses.append(VersionClause(op, version))
      case .failure(var problem):
        problem.offset += versionStart
        return .failure(problem)
      }
      skipSpaces()
      if index < scalars.count {
        guard scalars[index] == "," else {
          return .failure(
            SyntaxProblem(
              "expected ',' between clauses, found '\(scalars[index].escapedForDisplay)'", help: [help], offset: index,
              length: 1))
        }
        if clauses.last?.op == .caret {
          return .failure(
            SyntaxProblem("'^' cannot be combined with other clauses", help: [help], offset: index, length: 1))
        }
        index += 1
        skipSpaces()
        if index == scalars.count {
          return .failure(SyntaxProblem("expected a clause after ','", help: [help], offset: index - 1, length: 1))
        }
      }
    }
    return .success(
      Parsed(
        name: name, nameOffset: nameStart, nameLength: name.unicodeScalars.count, constraint: VersionConstraint(clauses)
      ))
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " || s.first == "\t" { s = s.dropFirst() }
    while s.last == " " || s.last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
