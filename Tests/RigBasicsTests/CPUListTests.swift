import RigBasics
import Testing

@Suite struct CPUListTests {
  func cpus(_ text: String, last: Int? = 27) -> [Int]? {
    try? CPUList.parse(text, lastCPU: last).get().cpus
  }

  func problem(_ text: String, last: Int? = 27) -> SyntaxProblem? {
    if case .failure(let problem) = CPUList.parse(text, lastCPU: last) { return problem }
    return nil
  }

  @Test func singleCPU() { #expect(cpus("5") == [5]) }
  @Test func list() { #expect(cpus("3,1,2") == [1, 2, 3]) }
  @Test func range() { #expect(cpus("8-15") == Array(8...15)) }
  @Test func rangeOfOne() { #expect(cpus("4-4") == [4]) }
  @Test func mixed() { #expect(cpus("0,2-3,10-11") == [0, 2, 3, 10, 11]) }
  @Test func overlappingItemsMerge() { #expect(cpus("0-4,2-6,6") == Array(0...6)) }

  @Test func stridedRangeFromKernelDocs() {
    // kernel-parameters.rst: "100-2000:2/25" represents CPUs 100,101,125,126,150,151,...
    let result = cpus("100-2000:2/25", last: 2047)
    #expect(result?.prefix(6) == [100, 101, 125, 126, 150, 151])
    #expect(result?.last == 2000)
    #expect(result?.count == 77 * 2 - 1)
  }

  @Test func stridedUsesWholeGroup() { #expect(cpus("0-7:2/2") == Array(0...7)) }
  @Test func lastCPU() { #expect(cpus("N") == [27]) }
  @Test func rangeToLast() { #expect(cpus("16-N") == Array(16...27)) }
  @Test func all() { #expect(cpus("all") == Array(0...27)) }

  @Test func lastNeedsTopology() {
    #expect(problem("16-N", last: nil)?.message == "'N' needs a known CPU topology")
    #expect(problem("all", last: nil)?.message == "'all' needs a known CPU topology")
  }

  @Test func lastBeyondRangeIsDescending() {
    // "16-N" on a 4-CPU system is "16-3", which the kernel rejects.
    #expect(problem("16-N", last: 3)?.message == "range 16-3 is descending")
  }

  @Test func canonicalForm() throws {
    #expect(try CPUList.parse("15,0-7,16-27,8-14", lastCPU: 27).get().description == "0-27")
    #expect(try CPUList.parse("0,1,3", lastCPU: 27).get().description == "0-1,3")
    #expect(try CPUList.parse("0-7,16-27", lastCPU: 27).get().description == "0-7,16-27")
    #expect(CPUList([9]).description == "9")
    #expect(CPUList([]).description == "")
  }

  @Test func descendingRange() {
    let p = problem("5-2")
    #expect(p?.message == "range 5-2 is descending")
    #expect(p?.help == ["write '2-5'; ranges must be ascending"])
    #expect(p?.offset == 0 && p?.length == 3)
  }

  @Test func descendingRangeLocatedInList() {
    let p = problem("0-3,9-8")
    #expect(p?.offset == 4 && p?.length == 3)
  }

  @Test func usedLargerThanGroup() {
    #expect(problem("0-7:3/2")?.message == "used size 3 must be between 1 and the group size 2")
  }

  @Test func usedZero() { #expect(problem("0-7:0/2")?.message == "used size 0 must be between 1 and the group size 2") }
  @Test func groupZero() { #expect(problem("0-7:0/0")?.message == "group size must be at least 1") }

  @Test func strideWithoutGroup() {
    #expect(problem("0-7:2")?.message == "expected '/' and a group size, found the end")
  }

  @Test func empty() { #expect(problem("")?.message == "empty CPU list") }

  @Test func trailingComma() {
    let p = problem("1,")
    #expect(p?.message == "expected a CPU number, found the end")
    #expect(p?.offset == 2)
  }

  @Test func spaces() { #expect(problem("1, 2")?.message == "expected a CPU number, found ' '") }
  @Test func negative() { #expect(problem("-1")?.message == "expected a CPU number, found '-'") }
  @Test func letters() { #expect(problem("a")?.message == "expected a CPU number, found 'a'") }
  @Test func doubleDash() { #expect(problem("1--2")?.message == "expected the end of the range, found '-'") }

  @Test func junkAfterItem() {
    let p = problem("1-2x")
    #expect(p?.message == "unexpected 'x' in CPU list")
    #expect(p?.offset == 3)
  }

  @Test func hugeNumber() {
    #expect(problem("99999999999999999999")?.message == "CPU number is larger than 8191, the most Linux supports")
    #expect(problem("0-8192")?.message == "CPU number is larger than 8191, the most Linux supports")
    #expect(cpus("0-8191", last: 8191)?.count == 8192)
  }
  @Test func tooManyItems() {
    let list = Array(repeating: "0-8191", count: 1025).joined(separator: ",")
    #expect(problem(list)?.message == "CPU list has more than 1024 items")
    let many = Array(repeating: "0-8191", count: 1024).joined(separator: ",")
    #expect(cpus(many, last: 8191)?.count == 8192)
  }

  @Test func groupSizeCannotBeN() { #expect(problem("0-7:1/N")?.message == "'N' cannot be a group size") }

  @Test func setOperations() {
    let a = CPUList([0, 1, 2, 3, 8, 9])
    let b = CPUList([2, 3, 4, 9, 20])
    #expect(a.union(b).description == "0-4,8-9,20")
    #expect(a.intersection(b).description == "2-3,9")
    #expect(a.subtracting(b).description == "0-1,8")
    #expect(b.subtracting(a).description == "4,20")
    #expect(a.intersection(CPUList([])).isEmpty)
  }
}
