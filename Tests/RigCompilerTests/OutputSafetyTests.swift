import Foundation
import RigCompiler
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// What `rig render` does to the output folder and what it refuses (issue 19): leftovers of a render killed while it
/// clears the old folder, extended attributes of folders of one's own, `--out /` and the project's own folders,
/// folders rig did not make (`--adopt`).
@Suite struct OutputSafetyTests {
  // MARK: a render killed while it clears the old folder

  /// Killed after each step of the clean-up that follows the swap: the next render (up to date) clears what is
  /// left and says so, and the folder is the planned one. (The old folder's marker used to go first: a kill then
  /// left a folder rig no longer recognised, and every render after failed, but an up-to-date one said nothing.)
  @Test func aRenderKilledWhileItClearsTheOldFolderIsClearedByTheNext() throws {
    let scratch = try KillScratch("cleanup")
    let first = try scratch.project("v1", TinyProject.version1)
    let second = try scratch.project("v2", TinyProject.version2)
    let template = scratch.path + "/template"
    #expect(try rigRun(["render", first, "--out", template]).status == 0)
    try addUserFiles(to: template)
    let out = scratch.path + "/out"
    let staging = scratch.path + "/.out.rig-staging"
    try resetOutput(out, to: template)
    let steps = try renderSteps([second, "--out", out])
    let expected = try folderState(out)
    let swap = try #require(steps.firstIndex { $0.hasPrefix("exchange ") }) + 1
    #expect(steps.last == "rmdir \(staging)")
    #expect(steps[steps.count - 2] == "unlink \(staging)/.rig-staging-old", "the old folder's marker goes last")
    #expect(steps.count - swap > 10, "\(steps)")
    for step in swap...steps.count {
      try resetOutput(out, to: template)
      let killed = try rigRun(["render", second, "--out", out], killAfter: step)
      #expect(killed.status == SIGKILL)
      let next = try rigRun(["render", "--color", "never", second, "--out", out])
      #expect(next.status == 0, "killed after step \(step) (\(steps[step - 1])): \(next.stderr)")
      #expect(next.stdout.hasPrefix("'\(out)' is up to date"), "killed after step \(step): \(next.stdout)")
      #expect(!FileManager.default.fileExists(atPath: staging), "killed after step \(step): the old folder is left")
      #expect(try folderState(out) == expected, "killed after step \(step)")
    }
  }

  /// An up-to-date render clears leftovers like any other, and fails like any other when it cannot: a folder at
  /// the staging place that rig did not make is an error, not a silent success.
  @Test func anUpToDateRenderFailsLikeAnyOtherWhenTheStagingPlaceIsTaken() throws {
    let scratch = try KillScratch("staging-taken")
    let project = try scratch.project("v1", TinyProject.version1)
    let out = scratch.path + "/out"
    #expect(try rigRun(["render", project, "--out", out]).status == 0)
    let staging = scratch.path + "/.out.rig-staging"
    try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    try "precious\n".write(toFile: staging + "/data.txt", atomically: false, encoding: .utf8)
    let render = try rigRun(["render", "--color", "never", project, "--out", out])
    #expect(render.status == 1)
    #expect(
      render.stderr.hasPrefix(
        "error: cannot write '\(staging)': it is in the way of rig's staging folder and rig did not make it; move it "
          + "away, then render again [write-failed]\n"), "\(render.stderr)")
    #expect(try String(contentsOfFile: staging + "/data.txt", encoding: .utf8) == "precious\n")
    // Emptied by hand, it is nothing to keep: the next render removes it.
    try FileManager.default.removeItem(atPath: staging + "/data.txt")
    #expect(try rigRun(["render", project, "--out", out]).status == 0)
    #expect(!FileManager.default.fileExists(atPath: staging))
  }

  // MARK: extended attributes

  /// Folders of one's own (and rig's folders holding files of one's own) are made anew by every render that
  /// writes: they keep their extended attributes (`user.*`; as root, ACLs and `trusted.*` on a link too), modes and
  /// owners; files keep their inodes and so their attributes.
  @Test func aRenderKeepsTheExtendedAttributesOfFoldersOfOnesOwn() throws {
    let scratch = try KillScratch("xattr")
    let first = try scratch.project("v1", TinyProject.version1)
    let second = try scratch.project("v2", TinyProject.version2)
    let out = scratch.path + "/out"
    #expect(try rigRun(["render", first, "--out", out]).status == 0)
    let paths = try addUserFiles(to: out) + ["kubernetes/"]
    let before = try folderState(out, inodes: true)
    let render = try rigRun(["render", "--color", "never", second, "--out", out])
    #expect(render.status == 0, "\(render.stderr)")
    let after = try folderState(out, inodes: true)
    for path in paths { #expect(after[path] == before[path], "\(path)") }
    #expect(try Xattr.all(out + "/mine").contains("user.rig-test.folder=6b6570740a"))
    #expect(try Xattr.all(out + "/kubernetes").contains { $0.hasPrefix("user.rig-test.rigs=") })
    if geteuid() == 0 {
      let acls = try Xattr.all(out + "/mine").filter { $0.hasPrefix("system.posix_acl_") }
      #expect(acls.count == 2, "\(acls)")
      #expect(try Xattr.all(out + "/latest").contains { $0.hasPrefix("trusted.rig-test.link=") })
    }
    #expect(try rigRun(["plan", first, "--out", out]).status == 0)
  }

  // MARK: folders rig must not take

  /// `--out /` is refused at once, before anything is read (it used to walk the whole file system first).
  @Test(arguments: ["plan", "render"])
  func theRootOfTheFileSystemIsRefusedAtOnce(command: String) throws {
    let scratch = try KillScratch("root")
    let project = try scratch.project("v1", TinyProject.version1)
    let clock = ContinuousClock()
    let began = clock.now
    let result = try rigRun([command, "--color", "never", project, "--out", "/"])
    let elapsed = clock.now - began
    #expect(result.status == 1)
    #expect(
      result.stderr == """
        error: the output folder '/' is the root of the file system [bad-output-folder]
        help: rig replaces the output folder as a whole; render into a folder of its own, such as 'out'

        1 error

        """)
    #expect(elapsed < .seconds(3), "\(elapsed)")
    #expect(!FileManager.default.fileExists(atPath: "/.rig-manifest.json"))
  }

  /// The project's own folder, or one of its ancestors (named through a link or not), is refused before anything
  /// in it is read: a special file in it is not even seen.
  @Test func aFolderHoldingTheProjectIsRefusedBeforeItIsRead() throws {
    let scratch = try KillScratch("ancestor")
    let top = scratch.path + "/top"
    try FileManager.default.createDirectory(atPath: top + "/deep", withIntermediateDirectories: true)
    try TinyProject.version1.write(toFile: top + "/deep/rig.yaml", atomically: true, encoding: .utf8)
    #expect(mkfifo(top + "/pipe", 0o644) == 0)
    try FileManager.default.createSymbolicLink(atPath: scratch.path + "/link", withDestinationPath: "top/deep")
    let before = try folderState(scratch.path)
    for out in [top, top + "/deep", scratch.path + "/link"] {
      for command in ["plan", "render"] {
        let result = try rigRun([command, "--color", "never", top + "/deep", "--out", out])
        #expect(result.status == 1)
        #expect(
          result.stderr.hasPrefix(
            "error: the output folder '\(out)' holds the project file '\(top)/deep/rig.yaml' [bad-output-folder]\n"),
          "\(result.stderr)")
        #expect(result.stderr.hasSuffix("\n1 error\n"), "\(command) --out \(out): \(result.stderr)")
      }
    }
    #expect(try folderState(scratch.path) == before)
  }

  /// A folder that is not empty and has no manifest is not rig's: plan and render refuse it (a link to `/etc`, a
  /// folder of notes) without writing anything, even the lock; with `--adopt`, render adds rig's files beside the
  /// ones there, and the folder is rig's from then on.
  @Test func aFolderRigDidNotMakeIsRefusedUnlessAdopted() throws {
    let scratch = try KillScratch("adopt")
    let project = try scratch.project("v1", TinyProject.version1)
    // Only planned: rendering into /etc is never tried, not even by a test.
    let etc = scratch.path + "/etc"
    try FileManager.default.createSymbolicLink(atPath: etc, withDestinationPath: "/etc")
    let plan = try rigRun(["plan", "--color", "never", project, "--out", etc])
    #expect(plan.status == 1)
    #expect(
      plan.stderr == """
        error: the output folder '\(etc)' is not empty and has no rig manifest ('\(etc)/.rig-manifest.json'): rig \
        did not make it [bad-output-folder]
        help: render into a new or empty folder; or, to have rig add its files beside the ones there (it never \
        changes or removes those), pass --adopt

        1 error

        """)

    let notes = scratch.path + "/notes"
    try FileManager.default.createDirectory(atPath: notes + "/kubernetes", withIntermediateDirectories: true)
    try "mine\n".write(toFile: notes + "/todo.txt", atomically: false, encoding: .utf8)
    try "mine too\n".write(toFile: notes + "/kubernetes/extra.yaml", atomically: false, encoding: .utf8)
    let before = try folderState(notes, inodes: true)
    for command in ["plan", "render"] {
      let refused = try rigRun([command, "--color", "never", project, "--out", notes])
      #expect(refused.status == 1)
      #expect(refused.stderr.hasPrefix("error: the output folder '\(notes)' is not empty and has no rig manifest"))
    }
    #expect(try folderState(notes, inodes: true) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["etc", "notes", "v1"])

    let adopted = try rigRun(["plan", project, "--out", notes, "--adopt"])
    #expect(adopted.status == 0)
    #expect(adopted.stdout.contains("\n  2 files rig does not own, left as they are.\n"), "\(adopted.stdout)")
    #expect(try rigRun(["render", project, "--out", notes, "--adopt"]).status == 0)
    let after = try folderState(notes, inodes: true)
    for (path, state) in before { #expect(after[path] == state, "\(path)") }
    #expect(after[".rig-manifest.json"] != nil)
    // rig's from now on: no --adopt needed.
    let again = try rigRun(["render", project, "--out", notes])
    #expect(again.status == 0)
    #expect(again.stdout.hasPrefix("'\(notes)' is up to date"))
  }

  /// An empty folder, or one holding only what an interrupted render left in it (its marker), is rig's to fill
  /// without `--adopt`.
  @Test func anEmptyFolderOrOneWithOnlyRigsMarkerIsRigsToFill() throws {
    let scratch = try KillScratch("empty")
    let project = try scratch.project("v1", TinyProject.version1)
    let empty = scratch.path + "/empty"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    #expect(try rigRun(["plan", project, "--out", empty]).status == 0)
    #expect(try rigRun(["render", project, "--out", empty]).status == 0)
    let marked = scratch.path + "/marked"
    try FileManager.default.createDirectory(atPath: marked, withIntermediateDirectories: true)
    #expect(FileManager.default.createFile(atPath: marked + "/.rig-staging-new", contents: Data()))
    #expect(try rigRun(["plan", project, "--out", marked]).status == 0)
    #expect(try rigRun(["render", project, "--out", marked]).status == 0)
    #expect(try folderState(marked) == (try folderState(empty)))
  }
}
