import RigBasics
import RigModel

/// Turns the derivation graph of a failed resolution into lines a person can follow, in the manner of Dart
/// pub's `_Writer` (solver.md, "Error reporting"): external facts with the place they are written, derived
/// facts that are used twice numbered and referred to by number, and the conclusion last.
struct Reporter {
  let solver: Solver
  var lines: [ExplanationLine] = []
  var numbers: [Int: Int] = [:]
  var derivations: [Int: Int] = [:]

  init(solver: Solver) { self.solver = solver }

  mutating func explain(_ failure: Int) -> [ExplanationLine] {
    count(failure)
    if case .conflict = solver.incompatibilities[failure].cause {
      visit(failure)
    } else {
      lines.append(external(failure))
    }
    return lines
  }

  /// Counts how often each derived incompatibility is used, to number those used more than once.
  mutating func count(_ index: Int) {
    derivations[index, default: 0] += 1
    guard derivations[index] == 1, isDerived(index),
      case .conflict(let a, let b) = solver.incompatibilities[index].cause
    else { return }
    count(a)
    count(b)
  }

  /// Whether the incompatibility is printed as derived from others. A derivation that only combines the
  /// requirements of versions of one component on another ("cuda-runtime 12.4.0-1 requires nvidia-driver >=
  /// 550.54.14", then 12.4.1-1, …) is printed as one fact instead, like an external one.
  func isDerived(_ index: Int) -> Bool {
    if case .conflict = solver.incompatibilities[index].cause { return summary(index) == nil }
    return false
  }

  /// For a derived "P in S requires D in T" built only from requirements of P's versions on D: the places
  /// those requirements are written and how many there are.
  func summary(_ index: Int) -> (references: [String], count: Int)? {
    let terms = solver.incompatibilities[index].terms
    guard terms.count == 2, let from = terms.first(where: \.positive), let to = terms.first(where: { !$0.positive }),
      from.package != Solver.root
    else { return nil }
    var references: [String] = []
    var count = 0
    for leaf in leaves(index) {
      let incompatibility = solver.incompatibilities[leaf]
      switch incompatibility.cause {
      case .dependency(let requirement, let origin):
        guard requirement.name.value == name(to.package),
          incompatibility.terms.contains(where: { $0.positive && $0.package == from.package })
        else { return nil }
        count += 1
        let reference = requirement.range.map { "\($0.start)" } ?? origin.map(\.sourceLabel) ?? ""
        if !references.contains(reference) { references.append(reference) }
      case .noVersions where incompatibility.terms.first?.package == from.package:
        continue  // "no other version of P": the summary speaks of P's versions only
      default: return nil
      }
    }
    return count > 1 ? (references, count) : nil
  }

  func causes(_ index: Int) -> (Int, Int) {
    guard case .conflict(let a, let b) = solver.incompatibilities[index].cause else {
      preconditionFailure("only derived incompatibilities have causes")
    }
    return (a, b)
  }

  mutating func conclude(_ index: Int, numbered: Bool) {
    var text = "so " + describe(index)
    if numbered {
      let number = numbers.count + 1
      numbers[index] = number
      text += " (\(number))"
    }
    lines.append(ExplanationLine(text))
  }

  /// A fact as the first line of a step (`because …`) or a later one (`and …`).
  func fact(_ index: Int, prefix: String) -> ExplanationLine {
    if let number = numbers[index] { return ExplanationLine("\(prefix) \(describe(index)) (\(number))") }
    var line = external(index)
    line.text = "\(prefix) \(line.text)"
    return line
  }

  mutating func visit(_ index: Int, conclusion: Bool = false) {
    let numbered = conclusion || (derivations[index] ?? 0) > 1
    let (conflict, other) = causes(index)
    switch (isDerived(conflict), isDerived(other)) {
    case (true, true):
      let conflictNumber = numbers[conflict]
      let otherNumber = numbers[other]
      if conflictNumber != nil, otherNumber != nil {
        lines.append(fact(conflict, prefix: "because"))
        lines.append(fact(other, prefix: "and"))
      } else if conflictNumber != nil || otherNumber != nil {
        let withNumber = conflictNumber != nil ? conflict : other
        let without = conflictNumber != nil ? other : conflict
        visit(without)
        lines.append(fact(withNumber, prefix: "and because"))
      } else if isSingleLine(conflict) || isSingleLine(other) {
        let first = isSingleLine(other) ? conflict : other
        let second = isSingleLine(other) ? other : conflict
        visit(first)
        visit(second)
      } else {
        visit(conflict, conclusion: true)
        visit(other)
        lines.append(fact(conflict, prefix: "and because"))
      }
    case (true, false), (false, true):
      let derived = isDerived(conflict) ? conflict : other
      let externalCause = isDerived(conflict) ? other : conflict
      if numbers[derived] != nil {
        lines.append(fact(externalCause, prefix: "because"))
        lines.append(fact(derived, prefix: "and"))
      } else if isCollapsible(derived) {
        let (a, b) = causes(derived)
        let collapsedDerived = isDerived(a) ? a : b
        let collapsedExternal = isDerived(a) ? b : a
        visit(collapsedDerived)
        lines.append(fact(collapsedExternal, prefix: "and because"))
        lines.append(fact(externalCause, prefix: "and"))
      } else {
        visit(derived)
        lines.append(fact(externalCause, prefix: "and because"))
      }
    case (false, false):
      lines.append(fact(conflict, prefix: "because"))
      lines.append(fact(other, prefix: "and"))
    }
    conclude(index, numbered: numbered)
  }

  func isSingleLine(_ index: Int) -> Bool {
    guard isDerived(index) else { return false }
    let (a, b) = causes(index)
    return !isDerived(a) && !isDerived(b)
  }

  func isCollapsible(_ index: Int) -> Bool {
    if (derivations[index] ?? 0) > 1 { return false }
    guard isDerived(index) else { return false }
    let (a, b) = causes(index)
    if isDerived(a) == isDerived(b) { return false }
    return numbers[isDerived(a) ? a : b] == nil
  }

  // MARK: Words

  func name(_ package: Int) -> String { solver.names[package] }

  /// `name`, `name 1.2` or `name >= 1.2, < 2`.
  func text(_ package: Int, _ set: VersionSet) -> String {
    if package == Solver.root { return "the stack" }
    if set.isAny { return name(package) }
    if let version = set.singleVersion { return "\(name(package)) \(version)" }
    return "\(name(package)) \(set)"
  }

  func text(_ term: Term) -> String { text(term.package, term.set) }

  /// An external fact with where it is written.
  func external(_ index: Int) -> ExplanationLine {
    let incompatibility = solver.incompatibilities[index]
    switch incompatibility.cause {
    case .dependency(let requirement, let origin):
      let depender = incompatibility.terms.first { $0.positive }
      let subject: String
      if let depender, depender.package != Solver.root {
        subject = depender.set.isAny ? "every version of \(name(depender.package))" : text(depender)
      } else {
        subject = "the stack"
      }
      return ExplanationLine("\(subject) requires \(requirement)", requirement: requirement, declaredBy: origin)
    case .noVersions:
      guard let term = incompatibility.terms.first else { return ExplanationLine("no version is available") }
      return ExplanationLine(noVersions(term.package, term.set))
    case .unsupported(let problem):
      guard let term = incompatibility.terms.first else { return ExplanationLine("no version is supported") }
      return ExplanationLine(
        "\(text(term)) does not support GPU '\(problem.gpu.value)' (\(problem.architecture.rawValue))",
        at: problem.gpu.range)
    case .root:
      return ExplanationLine("the stack is required")
    case .conflict:
      guard let summary = summary(index) else { return ExplanationLine(describe(index)) }
      return ExplanationLine(
        describe(index), reference: "\(summary.references.joined(separator: ", ")), \(summary.count) versions")
    }
  }

  /// Why no candidate fits: no such component, only disabled sources offer it, or the versions on offer.
  func noVersions(_ package: Int, _ set: VersionSet) -> String {
    let name = self.name(package)
    let list = solver.candidates[package]
    if list.isEmpty {
      let sources = solver.universe.disabled.keys.sorted().filter { solver.universe.disabled[$0]?[name] != nil }
      if sources.isEmpty {
        if solver.universe.declaredWithoutVersions.contains(name) {
          return "'components:' declares \(name) without 'versions:' and no source offers it"
        }
        return "there is no component named '\(name)'"
      }
      let quoted = sources.map { "'\($0)'" }
      let list =
        quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " and " + (quoted.last ?? "")
      return "no enabled source offers \(name); \(list) \(quoted.count == 1 ? "does" : "do")"
    }
    var bySource: [(String, [Version])] = []
    for candidate in list.reversed() {
      let source = candidate.origin.sourceName
      if let index = bySource.firstIndex(where: { $0.0 == source }) {
        bySource[index].1.append(candidate.version)
      } else {
        bySource.append((source, [candidate.version]))
      }
    }
    let offers = bySource.sorted { $0.0 < $1.0 }.map { source, versions in
      let shown = versions.prefix(3).sorted().map(\.text).joined(separator: ", ")
      let more = versions.count > 3 ? " and \(versions.count - 3) older" : ""
      let only = versions.count == 1 ? " only" : ""
      return source == "components"
        ? "'components:' declares \(name) \(shown)\(more)\(only)"
        : "source '\(source)' offers \(name) \(shown)\(more)\(only)"
    }
    // A set of several ranges is what is left after ruling versions out: name no range, say "other".
    let subject = set.intervals.count > 1 ? "no other version of \(name)" : "no version of \(text(package, set))"
    return "\(subject) is available: " + offers.joined(separator: "; ")
  }

  /// A derived incompatibility in words.
  func describe(_ index: Int) -> String {
    let incompatibility = solver.incompatibilities[index]
    if incompatibility.isFailure(root: Solver.root) { return "the stack cannot be resolved" }
    let terms = incompatibility.terms.filter { !($0.package == Solver.root && $0.positive) }
    let positives = terms.filter(\.positive)
    let negatives = terms.filter { !$0.positive }
    let rootInvolved = terms.count < incompatibility.terms.count
    if terms.count == 1, let term = terms.first {
      if rootInvolved {
        return term.positive ? "the stack forbids \(text(term))" : "the stack requires \(text(term))"
      }
      return term.positive ? "\(text(term)) cannot be installed" : "\(text(term)) is required"
    }
    if rootInvolved, positives.isEmpty {
      return "the stack requires " + negatives.map(text).joined(separator: " or ")
    }
    if negatives.isEmpty {
      if positives.count == 2 { return "\(text(positives[0])) is incompatible with \(text(positives[1]))" }
      return positives.map(text).joined(separator: ", ") + " cannot all be installed"
    }
    if positives.isEmpty {
      return "one of " + negatives.map(text).joined(separator: " or ") + " is required"
    }
    let verb = positives.count == 1 ? "requires" : "together require"
    return positives.map(text).joined(separator: " and ") + " \(verb) " + negatives.map(text).joined(separator: " or ")
  }

  /// The external incompatibilities a derivation rests on, each once, in the order the explanation meets them.
  func leaves(_ start: Int) -> [Int] {
    var seen = Set<Int>()
    var stack = [start]
    var found: [Int] = []
    while let index = stack.popLast() {
      guard seen.insert(index).inserted else { continue }
      if case .conflict(let a, let b) = solver.incompatibilities[index].cause {
        stack.append(b)
        stack.append(a)
      } else {
        found.append(index)
      }
    }
    return found
  }

  /// Components the failure depends on that the stack names, for the help trials.
  func rootRequirements(_ failure: Int) -> [Requirement] {
    var found: [Requirement] = []
    for index in leaves(failure) {
      if case .dependency(let requirement, nil) = solver.incompatibilities[index].cause, !found.contains(requirement) {
        found.append(requirement)
      }
    }
    return found
  }

  /// The components and version sets the failure found no candidate for, in the order the explanation meets
  /// them.
  func missing(_ failure: Int) -> [(name: String, set: VersionSet)] {
    var found: [(name: String, set: VersionSet)] = []
    for index in leaves(failure) {
      let incompatibility = solver.incompatibilities[index]
      if case .noVersions = incompatibility.cause, let term = incompatibility.terms.first,
        !found.contains(where: { $0.name == name(term.package) })
      {
        found.append((name(term.package), term.set))
      }
    }
    return found
  }
}
