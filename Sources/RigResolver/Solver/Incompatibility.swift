import RigBasics
import RigModel

/// "Package `package` is selected at a version in `set`" (positive) or "package is not selected at a version in
/// `set`" (negative: not selected at all, or at a version outside `set`).
struct Term: Hashable {
  var package: Int
  var set: VersionSet
  var positive: Bool

  /// The term as a set over "versions or absent": (versions allowed, absence allowed).
  var asSet: (versions: VersionSet, absent: Bool) { positive ? (set, false) : (set.complement, true) }

  init(package: Int, set: VersionSet, positive: Bool) {
    self.package = package
    self.set = set
    self.positive = positive
  }

  init(package: Int, versions: VersionSet, absent: Bool) {
    self.package = package
    self.positive = !absent
    self.set = absent ? versions.complement : versions
  }

  var inverse: Term { Term(package: package, set: set, positive: !positive) }

  func intersection(_ other: Term) -> Term {
    switch (positive, other.positive) {
    case (true, true): Term(package: package, set: set.intersection(other.set), positive: true)
    case (true, false): Term(package: package, set: set.subtracting(other.set), positive: true)
    case (false, true): Term(package: package, set: other.set.subtracting(set), positive: true)
    case (false, false): Term(package: package, set: set.union(other.set), positive: false)
    }
  }

  /// Whether every selection this term allows is also allowed by `other`.
  func satisfies(_ other: Term) -> Bool {
    switch (positive, other.positive) {
    case (true, true): set.isSubset(of: other.set)
    case (true, false): set.isDisjoint(with: other.set)
    case (false, true): false
    case (false, false): other.set.isSubset(of: set)
    }
  }

  /// Whether no selection is allowed by both.
  func contradicts(_ other: Term) -> Bool {
    switch (positive, other.positive) {
    case (true, true): set.isDisjoint(with: other.set)
    case (true, false): set.isSubset(of: other.set)
    case (false, true): other.set.isSubset(of: set)
    case (false, false): false
    }
  }

  /// What this term allows and `other` does not; nil when nothing.
  func difference(_ other: Term) -> Term? {
    let result = intersection(other.inverse)
    let s = result.asSet
    return s.versions.isEmpty && !s.absent ? nil : result
  }
}

/// Why an incompatibility holds.
enum Cause: Hashable {
  /// The stack must be selected.
  case root
  /// A version (or run of versions) requires another component.
  case dependency(Requirement, CandidateOrigin?)
  /// No candidate lies in the term's set.
  case noVersions
  /// The candidates in the set cannot run on a GPU of this machine.
  case unsupported(Unsupported)
  /// Derived from two incompatibilities during conflict resolution.
  case conflict(Int, Int)
}

/// A set of terms that must not all hold at once, with its cause.
struct Incompatibility {
  var terms: [Term]
  var cause: Cause

  /// Terms of one package are intersected; the root's positive term is dropped from derived
  /// incompatibilities (it always holds).
  init(terms: [Term], cause: Cause, root: Int) {
    var merged: [Term] = []
    for term in terms {
      if let index = merged.firstIndex(where: { $0.package == term.package }) {
        merged[index] = merged[index].intersection(term)
      } else {
        merged.append(term)
      }
    }
    if case .conflict = cause, merged.count > 1 {
      merged.removeAll { $0.package == root && $0.positive }
    }
    self.terms = merged
    self.cause = cause
  }

  func isFailure(root: Int) -> Bool {
    terms.isEmpty || (terms.count == 1 && terms[0].package == root && terms[0].positive)
  }
}
