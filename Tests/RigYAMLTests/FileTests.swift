import Foundation
import RigBasics
import RigCompiler
import RigYAML
import Testing

/// A temporary project folder; files are written relative to it and checks run with it as the working folder's
/// stand-in (paths are passed as `root/…`).
struct Project {
  let root: String

  init() throws {
    root = NSTemporaryDirectory() + "rig-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
  }

  func write(_ path: String, _ text: String) throws {
    let full = root + "/" + path
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: full, atomically: true, encoding: .utf8)
  }

  func writeData(_ path: String, _ data: Data) throws {
    try data.write(to: URL(fileURLWithPath: root + "/" + path))
  }

  /// Rendered diagnostics with the project folder shown as `P`.
  func check(_ path: String = "rig.yaml") -> (String, CheckResult) {
    let result = RigCompiler.check(path: root + "/" + path)
    let text = DiagnosticRenderer(sources: result.sources, colors: false).render(result.diagnostics)
    return (text.replacingOccurrences(of: root, with: "P"), result)
  }
}

let header = """
  apiVersion: rig/v1
  name: t

  """

let hardware = """
  hardware:
    cpu: { hybrid: { performance: 2, efficiency: 0 } }
    memory: 8GiB
    os: { distribution: debian, release: bookworm }

  """

@Suite struct IncludeTests {
  @Test func sectionsFromIncludedFilesAreMerged() throws {
    let p = try Project()
    try p.write("rig.yaml", header + "include: [machine.yaml, apps/stack.yaml]\nstack: [neovim]\n")
    try p.write("machine.yaml", hardware)
    try p.write("apps/stack.yaml", "include: [more.yaml]\nstack: [steam]\ncomponents:\n  app: { runtime: host }\n")
    try p.write("apps/more.yaml", "stack: [blender]\nsources: [debian-bookworm]\n")
    let (text, result) = p.check()
    #expect(text == "")
    #expect(result.spec?.stack.map(\.name.value) == ["neovim", "steam", "blender"])
    #expect(result.spec?.components.map(\.name.value) == ["app"])
    #expect(result.spec?.hardware.memory.value == .gib(8))
    #expect(result.spec?.stack[1].name.range?.start.description == p.root + "/apps/stack.yaml:2:9")
  }

  @Test func includeOutsideProject() throws {
    let p = try Project()
    try p.write(
      "rig.yaml", header + hardware + "include:\n  - ../secrets.yaml\n  - /etc/passwd\n  - sub/../../x.yaml\n")
    let (text, _) = p.check()
    #expect(
      text == """
        P/rig.yaml:8:5: error: included file '../secrets.yaml' is outside the project folder [include-outside-project]
        8 |   - ../secrets.yaml
          |     ^~~~~~~~~~~~~~~
        note: the project folder is 'P', the folder of 'P/rig.yaml'
        help: move the file into the project folder and include it by a relative path

        P/rig.yaml:9:5: error: included file '/etc/passwd' is outside the project folder [include-outside-project]
        9 |   - /etc/passwd
          |     ^~~~~~~~~~~
        note: the project folder is 'P', the folder of 'P/rig.yaml'
        help: move the file into the project folder and include it by a relative path

        P/rig.yaml:10:5: error: included file 'sub/../../x.yaml' is outside the project folder [include-outside-project]
        10 |   - sub/../../x.yaml
           |     ^~~~~~~~~~~~~~~~
        note: the project folder is 'P', the folder of 'P/rig.yaml'
        help: move the file into the project folder and include it by a relative path

        3 errors

        """)
  }

  @Test func includeThroughSymlinkLeavingProject() throws {
    let p = try Project()
    let outside = try Project()
    try outside.write("x.yaml", "stack: [steam]\n")
    try FileManager.default.createSymbolicLink(
      atPath: p.root + "/link.yaml", withDestinationPath: outside.root + "/x.yaml")
    try p.write("rig.yaml", header + hardware + "include: [link.yaml]\n")
    let (text, _) = p.check()
    #expect(
      text == """
        P/rig.yaml:7:11: error: included file 'link.yaml' is outside the project folder [include-outside-project]
        7 | include: [link.yaml]
          |           ^~~~~~~~~
        note: it is a symbolic link that leads out of the project folder
        help: copy the file into the project folder

        1 error

        """)
  }

  @Test func includesReadTogetherReportAsIfReadInOrder() throws {
    // Several includes are read and parsed at once, and components lowered in chunks: the diagnostics, the
    // duplicate rule across files and the byte order mark are as one pass in order gives them.
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [a.yaml, b.yaml, c.yaml, nope.yaml, d.yaml]\n")
    try p.write("a.yaml", "components:\n  app: { runtime: hots }\n  ok1: { runtime: host }\n")
    try p.write("b.yaml", "stack: [\n")
    try p.write("c.yaml", "components:\n  app: { runtime: host }\n  Bad_Name: { runtime: host }\n")
    try p.write("d.yaml", "\u{FEFF}stack: [ok1]\ncomponents:\n  ok2: { versions: { \"1.0\": {} }, runtime: host }\n")
    let (text, _) = p.check()
    #expect(
      text == """
        P/a.yaml:2:19: error: 'components.app.runtime' must be one of 'kubernetes', 'systemd', 'host'; not 'hots' [invalid-value]
        2 |   app: { runtime: hots }
          |                   ^~~~
        help: did you mean 'host'?

        P/b.yaml:2:1: error: did not find expected node content [yaml-syntax]
        2 |
          | ^

        P/c.yaml:2:3: error: component 'app' is declared twice [duplicate-definition]
        2 |   app: { runtime: host }
          |   ^~~
        P/a.yaml:2:3: note: first declared here
        2 |   app: { runtime: hots }
          |   ^~~
        help: merge the two declarations into one

        P/c.yaml:3:3: error: invalid component name 'Bad_Name': component names are lowercase [invalid-value]
        3 |   Bad_Name: { runtime: host }
          |   ^~~~~~~~
        help: write 'bad-name'

        P/rig.yaml:7:35: error: included file 'P/nope.yaml' does not exist [include-not-found]
        7 | include: [a.yaml, b.yaml, c.yaml, nope.yaml, d.yaml]
          |                                   ^~~~~~~~~

        5 errors

        """)
    try p.write("b.yaml", "stack: [neovim]\n")
    try p.write("c.yaml", "components:\n  ok3: { runtime: host }\n")
    try p.write("a.yaml", "components:\n  ok1: { runtime: host }\n")
    try p.write("d.yaml", "\u{FEFF}stack: [ok2]\ncomponents:\n  ok2: { versions: { \"1.0\": {} }, runtime: host }\n")
    try p.write("rig.yaml", header + hardware + "include: [a.yaml, b.yaml, c.yaml, d.yaml]\n")
    let (clean, result) = p.check()
    #expect(clean == "")
    #expect(result.spec?.components.map(\.name.value) == ["ok1", "ok3", "ok2"])
    #expect(
      result.spec?.stack.map(\.name.range?.start.description) == [p.root + "/b.yaml:1:9", p.root + "/d.yaml:1:9"])
  }

  @Test func includeMissingFile() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [nope.yaml]\n")
    let (text, _) = p.check()
    #expect(
      text == """
        P/rig.yaml:7:11: error: included file 'P/nope.yaml' does not exist [include-not-found]
        7 | include: [nope.yaml]
          |           ^~~~~~~~~

        1 error

        """)
  }

  @Test func includeCycle() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [a.yaml]\n")
    try p.write("a.yaml", "include: [b.yaml]\n")
    try p.write("b.yaml", "include: [a.yaml]\n")
    let (text, _) = p.check()
    #expect(
      text == """
        P/b.yaml:1:11: error: 'P/a.yaml' includes itself through this include [include-cycle]
        1 | include: [a.yaml]
          |           ^~~~~~
        P/rig.yaml:7:11: note: first included here
        7 | include: [a.yaml]
          |           ^~~~~~
        help: remove this include: the file is already being read

        1 error

        """)
  }

  @Test func sameFileTwiceIsNotACycle() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [a.yaml, b.yaml]\n")
    try p.write("a.yaml", "stack: [steam]\n")
    try p.write("b.yaml", "include: [a.yaml]\n")
    let (text, _) = p.check()
    #expect(
      text == """
        P/b.yaml:1:11: error: 'P/a.yaml' is already included [include-twice]
        1 | include: [a.yaml]
          |           ^~~~~~
        P/rig.yaml:7:11: note: first included here
        7 | include: [a.yaml, b.yaml]
          |           ^~~~~~
        help: include each file once

        1 error

        """)
  }

  @Test func includeOfAFolderOrEmptyPath() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [., \"\", sub/]\n")
    try FileManager.default.createDirectory(atPath: p.root + "/sub", withIntermediateDirectories: true)
    let (text, _) = p.check()
    let headers = text.split(separator: "\n").filter { $0.hasPrefix("P/") }
    #expect(
      headers == [
        "P/rig.yaml:7:11: error: 'P' is not a regular file [file-not-found]",
        "P/rig.yaml:7:14: error: an included file needs a path [invalid-value]",
        "P/rig.yaml:7:18: error: 'P/sub/' is not a regular file [file-not-found]",
      ])
  }

  @Test func includeIsResolvedAsTheSystemWould() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [missing/../e.yaml, e.yaml/., e.yaml]\n")
    try p.write("e.yaml", "stack: [steam]\n")
    let (text, result) = p.check()
    let headers = text.split(separator: "\n").filter { $0.hasPrefix("P/") }
    #expect(
      headers == [
        "P/rig.yaml:7:11: error: included file 'P/missing/../e.yaml' does not exist [include-not-found]",
        "P/rig.yaml:7:30: error: included file 'P/e.yaml/.' does not exist [include-not-found]",
      ])
    #expect(result.diagnostics.errorCount == 2)
  }

  @Test func sectionInTwoFiles() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [more.yaml]\n")
    try p.write("more.yaml", hardware)
    let (text, _) = p.check()
    #expect(
      text == """
        P/more.yaml:1:1: error: section 'hardware' is written in more than one file [duplicate-definition]
        1 | hardware:
          | ^~~~~~~~
        P/rig.yaml:3:1: note: first written here
        3 | hardware:
          | ^~~~~~~~
        help: keep 'hardware' in one file; only 'sources', 'stack' and 'components' add up across files

        1 error

        """)
  }

  @Test func componentDeclaredInTwoFiles() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [more.yaml]\ncomponents:\n  app: {}\n")
    try p.write("more.yaml", "components:\n  app: { runtime: host }\n")
    let (text, _) = p.check()
    #expect(
      text == """
        P/more.yaml:2:3: error: component 'app' is declared twice [duplicate-definition]
        2 |   app: { runtime: host }
          |   ^~~
        P/rig.yaml:9:3: note: first declared here
        9 |   app: {}
          |   ^~~
        help: merge the two declarations into one

        1 error

        """)
  }

  @Test func fragmentsHoldSectionsOnly() throws {
    let p = try Project()
    try p.write("rig.yaml", header + hardware + "include: [more.yaml]\n")
    try p.write("more.yaml", "apiVersion: rig/v1\n")
    let (text, _) = p.check()
    #expect(text.hasPrefix("P/more.yaml:1:1: error: unknown key 'apiVersion' at the top level [unknown-key]\n"))
  }

  @Test func symbolicLinksInsideTheProjectAreReadAsTheirFiles() throws {
    let p = try Project()
    try p.write("real.yaml", header + "include: [machine.yaml, apps.yaml]\n")
    try p.write("machine.yaml", hardware)
    try p.write("real/apps.yaml", "stack: [steam]\n")
    // The root file is a link to a file of the project, and one include a link into a folder of it.
    try FileManager.default.createSymbolicLink(atPath: p.root + "/rig.yaml", withDestinationPath: "real.yaml")
    try FileManager.default.createSymbolicLink(atPath: p.root + "/apps.yaml", withDestinationPath: "real/apps.yaml")
    let (text, result) = p.check()
    #expect(text == "")
    #expect(result.spec?.stack.map(\.name.value) == ["steam"])
    #expect(result.spec?.hardware.memory.value == .gib(8))
  }

  @Test func sixtyFourIncludesAreReadAndTheNextIsRefused() throws {
    let limit = InputLimits.includedFiles
    #expect(limit == 64)
    let p = try Project()
    for index in 1...(limit + 1) { try p.write("part\(index).yaml", "components:\n  app\(index): { runtime: host }\n") }
    let names = (1...limit).map { "part\($0).yaml" }
    try p.write("rig.yaml", header + hardware + "include:\n" + names.map { "  - \($0)\n" }.joined())
    let (text, result) = p.check()
    #expect(text == "")
    #expect(result.spec?.components.count == limit)
    try p.write("rig.yaml", header + hardware + "include:\n" + (names + ["part65.yaml"]).map { "  - \($0)\n" }.joined())
    let (refused, _) = p.check()
    #expect(
      refused == """
        P/rig.yaml:72:5: error: more than 64 files are included [include-limit]
        72 |   - part65.yaml
           |     ^~~~~~~~~~~

        1 error

        """)
  }
}

@Suite struct FileLimitTests {
  @Test func fileTooLarge() throws {
    let p = try Project()
    try p.write("rig.yaml", header + String(repeating: "#" + String(repeating: "x", count: 1023) + "\n", count: 1024))
    let (text, _) = p.check()
    #expect(
      text == """
        P/rig.yaml:1:1: error: file is 1049627 bytes, more than the limit of 1048576 bytes [file-too-large]
        help: split it with 'include:', or remove what rig does not need

        1 error

        """)
  }

  @Test func fileAtTheLimitIsRead() throws {
    let p = try Project()
    let body = header + hardware
    let padding = 1 << 20 - body.utf8.count - 2
    try p.write("rig.yaml", body + "#" + String(repeating: "x", count: padding) + "\n")
    let (text, result) = p.check()
    #expect(text == "")
    #expect(result.spec != nil)
  }

  @Test func notUTF8() throws {
    let p = try Project()
    var data = Data((header + "# caf").utf8)
    data.append(contentsOf: [0xE9, 0x0A])
    try p.writeData("rig.yaml", data)
    let (text, _) = p.check()
    #expect(
      text == """
        P/rig.yaml:3:6: error: file is not valid UTF-8 [not-utf8]
        3 | # caf\u{FFFD}
          |      ^
        help: save the file as UTF-8

        1 error

        """)
  }

  @Test func missingFileAndFolder() throws {
    let p = try Project()
    let (text, result) = p.check("nothing.yaml")
    #expect(text == "error: no such file 'P/nothing.yaml' [file-not-found]\n\n1 error\n")
    #expect(result.hasErrors)
    let (folderText, _) = p.check("")
    #expect(folderText == "error: no such file 'P/rig.yaml' [file-not-found]\n\n1 error\n")
  }

  @Test func deepNestingWithinYAMLsOwnLimitDoesNotOverflowTheStack() {
    let yaml = header + "stack: " + String(repeating: "[", count: 999) + String(repeating: "]", count: 999) + "\n"
    let result = RigCompiler.check(text: yaml, file: "rig.yaml")
    #expect(result.diagnostics.diagnostics.map(\.id) == ["nesting-too-deep"])
    let deeper = header + "stack:\n  " + String(repeating: "- ", count: 5000) + "x\n"
    #expect(RigCompiler.check(text: deeper, file: "rig.yaml").diagnostics.diagnostics.map(\.id) == ["nesting-too-deep"])
  }

  @Test func aliasesWithinBudgetAreExpanded() {
    let yaml = header + hardware + "x-common: &apps [neovim, steam]\nstack: *apps\n"
    let result = RigCompiler.check(text: yaml, file: "rig.yaml")
    // 'x-common' is not a rig key: anchors must live in a known place.
    #expect(result.diagnostics.diagnostics.map(\.id) == ["unknown-key"])
    let inPlace =
      header + hardware
      + "stack: &apps [neovim, steam]\ncomponents:\n  a: { versions: { \"1.0\": { requires: *apps } } }\n"
    let ok = RigCompiler.check(text: inPlace, file: "rig.yaml")
    #expect(ok.diagnostics.diagnostics.isEmpty)
    #expect(ok.spec?.components.first?.versions.first?.requires.map(\.name.value) == ["neovim", "steam"])
  }

  /// Alias-looking text in comments and strings is not mistaken for an alias key.
  @Test func aliasLookingCommentsAreFine() {
    let yaml =
      header + "# Note *todo: tune later\n" + hardware + "stack: [neovim] # see *x: y\n"
      + "components:\n  a: { description: \"*k : v\" }\n"
    let result = RigCompiler.check(text: yaml, file: "rig.yaml")
    #expect(result.diagnostics.diagnostics.isEmpty)
    #expect(result.spec?.components.first?.description == "*k : v")
  }

  /// A byte order mark is not content: the file is read and columns on line 1 do not count it.
  @Test func byteOrderMark() throws {
    let p = try Project()
    try p.write("rig.yaml", "\u{FEFF}" + header + hardware + "stack: [neovim]\n")
    let (text, result) = p.check()
    #expect(text == "")
    #expect(result.spec?.apiVersion.range?.start.column == 13)
  }

  /// Lines are counted as YAML counts them (CR, NEL, LS and PS break lines too).
  @Test func unicodeLineBreaksKeepLocations() {
    let yaml = header + "stack: [\"a\u{2028}b\"]\u{85}" + hardware.replacingOccurrences(of: "8GiB", with: "8GB")
    let result = RigCompiler.check(text: yaml, file: "rig.yaml")
    // Line 3 holds the string up to LS; NEL ends line 4; 'memory' is on line 7. (The string itself, "a b" once
    // YAML folds the LS, is not a requirement.)
    #expect(result.diagnostics.sorted.map(\.range?.start.description) == ["rig.yaml:3:9", "rig.yaml:7:12"])
  }

  /// No prefix of a valid file may crash or hang the front end; each either passes or reports errors.
  @Test func everyTruncationOfTheExampleIsHandled() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("examples/workstation/rig.yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let scalars = Array(text.unicodeScalars)
    var stride = 0
    while stride < scalars.count {
      let prefix = String(String.UnicodeScalarView(scalars[0..<stride]))
      let result = RigCompiler.check(text: prefix, file: "rig.yaml")
      // Errors exactly when there is no model, no resolution (a prefix may cut the stack or a component), or the
      // resolved stack cannot run (a prefix may cut a workload's image).
      let cannotRun = result.diagnostics.diagnostics.contains { ["no-image", "no-program"].contains($0.id) }
      #expect(result.hasErrors == (result.spec == nil || result.resolution == nil || cannotRun))
      stride += 7
    }
  }
}
