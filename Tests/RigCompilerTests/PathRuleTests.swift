import RigCompiler
import Testing

/// The byte-level path rules that render uses for every file agree with their plain definitions (split on
/// `/`, then look at the parts) on every path of up to six characters over `a`, `.` and `/`.
@Suite struct PathRuleTests {
  static let paths: [String] = (0...6).reduce(into: [[""]]) { levels, _ in
    levels.append(levels[levels.count - 1].flatMap { prefix in ["a", ".", "/"].map { prefix + $0 } })
  }.flatMap { $0 }

  @Test func safeRelativePathsAreThePlainRule() {
    #expect(Self.paths.count == 1 + 3 + 9 + 27 + 81 + 243 + 729 + 2187)
    var safe = 0
    for path in Self.paths {
      let parts = path.split(separator: "/", omittingEmptySubsequences: false)
      let expected = !path.isEmpty && !parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }
      #expect(isSafeRelativePath(path) == expected, "\(path)")
      if expected { safe += 1 }
    }
    #expect(safe > 100 && safe < Self.paths.count / 2)
  }

  @Test func ancestorsAreThePlainRule() {
    for path in Self.paths {
      let parts = path.split(separator: "/")
      let expected = (1..<max(parts.count, 1)).map { parts[0..<$0].joined(separator: "/") }
      #expect(OutputFolder.ancestors(path) == expected, "\(path)")
    }
    #expect(OutputFolder.ancestors("kubernetes/workload-a.yaml") == ["kubernetes"])
    #expect(OutputFolder.ancestors("ansible/files/etc/x") == ["ansible", "ansible/files", "ansible/files/etc"])
  }
}
