import Foundation
import RigBasics
import RigModel
import RigRules

/// What reading a project produced: the model when there were no errors, every diagnostic, and the text of
/// every file read (for snippets).
public struct FrontEndResult: Sendable {
  /// What the file describes: one machine or a fleet; nil when it has errors.
  public var project: ProjectModel?
  /// The machine of a single-machine project.
  public var spec: RigSpec? {
    if case .host(let spec) = project { return spec }
    return nil
  }
  public var diagnostics: DiagnosticEngine
  public var sources: SourceFiles
  /// Every file read, root first, as displayed in diagnostics.
  public var files: [String]
}

/// Reads `rig.yaml` and the files it includes, and lowers them to a `RigSpec`.
public enum FrontEnd {
  /// Loads the project whose root file is `path` (as the user wrote it; displayed in diagnostics).
  public static func load(path: String) -> FrontEndResult {
    var loader = Loader(rootPath: path)
    return loader.run()
  }

  /// Parses YAML text given directly (tests, stdin); includes are resolved relative to `file`'s folder.
  public static func load(text: String, file: String) -> FrontEndResult {
    var loader = Loader(rootPath: file)
    return loader.run(rootText: text)
  }
}

/// One file parsed on its own: its lines, its document, and what parsing it found.
struct Parsed: Sendable {
  var path: String
  var source: SourceText
  var document: Unshared<YAMLDocument>?
  var diagnostics = DiagnosticEngine(limit: .max)

  init(_ path: String, _ original: String) {
    // A byte order mark is not content: drop it so columns on the first line count from the first key.
    var text = original
    if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
    self.path = path
    source = SourceText(text)
    // The document's lines as scalars, for the columns of its values: dropped with the document once lowered.
    let lines = source.lines.map { Array(text.unicodeScalars[$0]) }
    document = YAMLDocument.parse(file: path, text: text, lines: lines, diagnostics: &diagnostics).map(Unshared.init)
  }
}

/// A section of the merged project, with the file that wrote it.
struct Section {
  var name: String
  var value: Value
}

struct Loader {
  let rootPath: String
  var lowering = Lowering()
  var sources = SourceFiles()
  var files: [String] = []
  var visited: [String: SourceRange?] = [:]
  /// The files being read right now, root first: including one of them again is a cycle.
  var chain: [String] = []
  var sections: [Section] = []
  let projectRoot: String
  /// Included files already read and parsed by `prefetch`, by path.
  var prefetched: [String: Parsed] = [:]

  init(rootPath: String) {
    self.rootPath = rootPath
    self.projectRoot = Paths.directory(of: rootPath)
  }

  mutating func run(rootText: String? = nil) -> FrontEndResult {
    let text: String?
    if let rootText {
      text = rootText
    } else {
      text = read(rootPath, at: nil)
    }
    if let text, let document = parse(rootPath, text) {
      visited.updateValue(nil, forKey: Paths.canonical(rootPath))
      chain = [Paths.canonical(rootPath)]
      let root = lowering.value(document.root, in: document, path: "", keyRange: nil)
      if let fields = lowering.object(root, RigSchema.root) {
        collect(fields, from: document)
        let project = lower(fields)
        return finish(lowering.diagnostics.hasErrors ? nil : project)
      }
    }
    return finish(nil)
  }

  func finish(_ project: ProjectModel?) -> FrontEndResult {
    FrontEndResult(project: project, diagnostics: lowering.diagnostics, sources: sources, files: files)
  }

  // MARK: Files

  /// Reads a file within the limits; reports at `range` (the include that named it) or without location.
  mutating func read(_ path: String, at range: SourceRange?) -> String? {
    // One stat, through symbolic links (a link to a file is read as that file; includes that lead out are
    // refused before): what FileManager's attributes would say, without the owner's and group's names it looks
    // up in the user database.
    var status = stat()
    guard stat(path, &status) == 0 else {
      lowering.diagnostics.emit(
        range == nil ? YAMLMessage.fileNotFound(path) : YAMLMessage.includeNotFound(path), at: range)
      return nil
    }
    guard status.st_mode & S_IFMT == S_IFREG else {
      lowering.diagnostics.emit(YAMLMessage.notAFile(path), at: range)
      return nil
    }
    let size = Int(status.st_size)
    guard size <= InputLimits.fileSize else {
      lowering.diagnostics.emit(
        YAMLMessage.fileTooLarge(size: size, limit: InputLimits.fileSize),
        at: range ?? .start(of: path),
        help: ["split it with 'include:', or remove what rig does not need"])
      return nil
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      lowering.diagnostics.emit(YAMLMessage.fileNotFound(path), at: range)
      return nil
    }
    defer { try? handle.close() }
    // Read one byte past the limit so a file that grew since the size check is still refused.
    let data = (try? handle.read(upToCount: InputLimits.fileSize + 1)) ?? Data()
    guard data.count <= InputLimits.fileSize else {
      lowering.diagnostics.emit(
        YAMLMessage.fileTooLarge(size: data.count, limit: InputLimits.fileSize),
        at: range ?? .start(of: path))
      return nil
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      let (line, column) = Paths.firstInvalidUTF8(in: data)
      sources.add(file: path, text: String(decoding: data, as: UTF8.self))
      lowering.diagnostics.emit(
        YAMLMessage.notUTF8,
        at: SourceRange(start: SourceLocation(file: path, line: line, column: column), length: 1),
        help: ["save the file as UTF-8"])
      return nil
    }
    return text
  }

  mutating func parse(_ path: String, _ original: String) -> YAMLDocument? {
    let parsed = prefetched.removeValue(forKey: path) ?? Parsed(path, original)
    files.append(path)
    sources.add(file: path, source: parsed.source)
    for diagnostic in parsed.diagnostics.diagnostics { lowering.diagnostics.emit(diagnostic) }
    return parsed.document?.value
  }

  // MARK: Includes and sections

  /// Records the sections of one file, then follows its includes, depth first in the order written.
  mutating func collect(_ fields: Fields, from document: YAMLDocument) {
    for (name, value) in fields.entries where name != "include" && name != "apiVersion" && name != "name" {
      sections.append(Section(name: name, value: value))
    }
    guard let includeValue = fields["include"] else { return }
    prefetch(includeValue, from: document.file)
    for item in lowering.list(includeValue) ?? [] {
      guard let path = lowering.string(item) else { continue }
      include(path, from: document.file)
    }
  }

  /// Reads and parses the files an `include:` list names, all at once on every core, before they are taken in
  /// order: what `parse` then finds ready. Writes no diagnostic; a file that is not plainly readable (missing, a
  /// folder, too large, not UTF-8) is left for `include` to read and report.
  mutating func prefetch(_ includeValue: Value, from file: String) {
    guard case .sequence(let items) = includeValue.node, items.count > 1 else { return }
    let targets = items.compactMap { item -> String? in
      guard case .scalar(let scalar) = item, ScalarKind.of(scalar) == .string, !scalar.string.isEmpty,
        let resolved = Paths.resolveInclude(scalar.string, from: file, projectRoot: projectRoot),
        !resolved.isEmpty, prefetched[resolved] == nil
      else { return nil }
      return resolved
    }
    let parsed = Array(Set(targets)).sorted().concurrentMap(minimum: 2) { path -> Parsed? in
      guard let text = Loader.plainRead(path) else { return nil }
      return Parsed(path, text)
    }
    for case let parsed? in parsed { prefetched[parsed.path] = parsed }
  }

  /// The text of a regular file within the size limit, in UTF-8; nil for anything else (see `read`).
  static func plainRead(_ path: String) -> String? {
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size <= InputLimits.fileSize,
      let handle = FileHandle(forReadingAtPath: path)
    else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: InputLimits.fileSize + 1), data.count <= InputLimits.fileSize
    else { return nil }
    return String(validating: data, as: UTF8.self)
  }

  mutating func include(_ path: Located<String>, from file: String) {
    if path.value.isEmpty {
      lowering.diagnostics.emit(
        RuleMessage.invalidValue("an included file needs a path"), at: path.range,
        help: ["write the path of a YAML file relative to this one"])
      return
    }
    if let bad = path.value.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
      lowering.diagnostics.emit(
        RuleMessage.invalidValue("an include path cannot hold the control character \(bad.escapedForDisplay)"),
        at: path.range, help: ["write the path of a YAML file relative to this one"])
      return
    }
    guard let resolved = Paths.resolveInclude(path.value, from: file, projectRoot: projectRoot) else {
      lowering.diagnostics.emit(
        YAMLMessage.includeOutsideProject(path.value), at: path.range,
        notes: [
          DiagnosticNote(
            "the project folder is '\(projectRoot.isEmpty ? "." : projectRoot)', the folder of '\(rootPath)'")
        ],
        help: ["move the file into the project folder and include it by a relative path"])
      return
    }
    let target = resolved.isEmpty ? "." : resolved
    // The path as written must exist too, as the system would resolve it ('missing/../x.yaml' does not).
    let literal = (Paths.directory(of: file).isEmpty ? "" : Paths.directory(of: file) + "/") + path.value
    if !FileManager.default.fileExists(atPath: literal) {
      lowering.diagnostics.emit(YAMLMessage.includeNotFound(literal), at: path.range)
      return
    }
    let canonical = Paths.canonical(target)
    if visited.keys.contains(canonical) {
      let first = visited[canonical].flatMap { $0 }.map { [DiagnosticNote("first included here", at: $0)] } ?? []
      if chain.contains(canonical) {
        lowering.diagnostics.emit(
          YAMLMessage.includeCycle(target), at: path.range, notes: first,
          help: ["remove this include: the file is already being read"])
      } else {
        lowering.diagnostics.emit(
          YAMLMessage.includedTwice(target), at: path.range, notes: first, help: ["include each file once"])
      }
      return
    }
    // The root file is in `visited` too, and is not an include.
    guard visited.count - 1 < InputLimits.includedFiles else {
      lowering.diagnostics.emit(YAMLMessage.includeLimit(InputLimits.includedFiles), at: path.range)
      return
    }
    if FileManager.default.fileExists(atPath: target), !Paths.isInside(target, projectRoot) {
      lowering.diagnostics.emit(
        YAMLMessage.includeOutsideProject(path.value), at: path.range,
        notes: [DiagnosticNote("it is a symbolic link that leads out of the project folder")],
        help: ["copy the file into the project folder"])
      return
    }
    visited[canonical] = path.range
    guard let text = read(target, at: path.range), let document = parse(target, text) else { return }
    let root = lowering.value(document.root, in: document, path: "", keyRange: nil)
    guard let fields = lowering.object(root, RigSchema.fragment) else { return }
    chain.append(canonical)
    collect(fields, from: document)
    chain.removeLast()
  }

  /// The one section called `name`; a second one is an error pointing at both.
  mutating func single(_ name: String) -> Value? {
    let all = sections.filter { $0.name == name }
    for extra in all.dropFirst() {
      lowering.diagnostics.emit(
        RuleMessage.duplicateDefinition("section '\(name)' is written in more than one file"),
        at: extra.value.keyRange, notes: [DiagnosticNote("first written here", at: all[0].value.keyRange)],
        help: ["keep '\(name)' in one file; only 'sources', 'stack' and 'components' add up across files"])
    }
    return all.first?.value
  }

  mutating func lower(_ fields: Fields) -> ProjectModel? {
    let apiVersion = fields["apiVersion"].flatMap { value in
      lowering.string(value).flatMap { text in ModelRules.apiVersion(text, &lowering.diagnostics) ? text : nil }
    }
    let name = fields["name"].flatMap { lowering.patterned($0, "dnsLabel", example: "ai-workstation") }
    let hostsValue = single("hosts")
    let groupsValue = single("groups")
    let isFleet = hostsValue != nil || groupsValue != nil
    let hardwareValue = single("hardware")
    let hardware = hardwareValue.flatMap { lowering.hardware($0) }
    if hardwareValue == nil, !isFleet {
      lowering.missing(RigSchema.root.property("hardware") ?? SchemaProperty("hardware", .string, ""), in: fields.value)
    }
    let sources = lowering.sources(sections.filter { $0.name == "sources" }.map(\.value))
    let stack = lowering.stack(sections.filter { $0.name == "stack" }.map(\.value))
    let components = self.components(sections.filter { $0.name == "components" }.map(\.value))
    let policies = single("policies").map { lowering.policies($0) } ?? Policies()
    let targetsValue = single("targets")
    let targets = targetsValue.map { lowering.targets($0, fleet: isFleet) } ?? Targets()
    for component in components {
      ModelRules.checkSecurity(component, namespace: targets?.kubernetes?.namespace.value, &lowering.diagnostics)
    }
    if !isFleet, let value = single("cluster") {
      lowering.diagnostics.emit(
        RuleMessage.invalidValue("'cluster' belongs to a fleet, and this project has no 'hosts' or 'groups'"),
        at: value.keyRange, help: ["describe the machines under 'hosts:', or remove 'cluster'"])
    }
    guard let apiVersion, let name, let policies, let targets else { return nil }
    let shared = MachineSections(
      hardware: hardware, sources: sources, stack: stack, components: components, policies: policies)
    if isFleet {
      return lowerFleet(
        hostsValue, groups: groupsValue, cluster: single("cluster"), shared: shared, apiVersion: apiVersion,
        name: name, targets: targets, targetsValue: targetsValue
      ).map(ProjectModel.fleet)
    }
    guard let hardware else { return nil }
    return .host(
      RigSpec(
        apiVersion: apiVersion, name: name, hardware: hardware, sources: sources, stack: stack,
        components: components, policies: policies, targets: targets))
  }

  /// The declarations of every `components` section in `values`, in the order written; a name declared twice is
  /// an error at the second.
  mutating func components(_ values: [Value]) -> [Component] {
    var components: [Component] = []
    var componentRanges: [String: SourceRange?] = [:]
    for value in values {
      let entries = lowering.map(value) ?? []
      // Every declaration is lowered on its own first (the work that grows with the stack, spread over the
      // cores), then taken in the order written: what it found is reported after its name's checks, and only when
      // they pass, exactly as one pass in order would.
      let lowered = Lowering.components(entries)
      for ((key, _), (component, found)) in zip(entries, lowered) {
        guard lowering.componentName(key),
          lowering.isFirst(
            key, in: &componentRanges, named: "component '\(key.value.excerpt)'", verb: "declared",
            help: ["merge the two declarations into one"])
        else { continue }
        for diagnostic in found { lowering.diagnostics.emit(diagnostic) }
        if let component { components.append(component) }
      }
    }
    return components
  }
}

/// Path arithmetic for includes; lexical first, then through symbolic links.
enum Paths {
  /// The folder part of `path` (empty for a bare file name).
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    return path[..<slash].isEmpty ? "/" : String(path[..<slash])
  }

  /// `include` resolved against the folder of `file`; nil when it is absolute or climbs out of `projectRoot`.
  static func resolveInclude(_ include: String, from file: String, projectRoot: String) -> String? {
    guard !include.hasPrefix("/"), !include.isEmpty else { return nil }
    let base = directory(of: file)
    let rootParts = components(projectRoot)
    var parts = components(base)
    for part in include.split(separator: "/", omittingEmptySubsequences: true) {
      switch part {
      case ".": continue
      case "..":
        guard parts.count > rootParts.count else { return nil }
        parts.removeLast()
      default: parts.append(String(part))
      }
    }
    // A trailing slash or '.' names a folder; keep a slash so a file spelled that way is not read.
    let namesFolder = include.hasSuffix("/") || include.hasSuffix("/.") || include.hasSuffix("/..")
    let joined = parts.joined(separator: "/") + (namesFolder && !parts.isEmpty ? "/" : "")
    return projectRoot.hasPrefix("/") ? "/" + joined : joined
  }

  static func components(_ path: String) -> [String] {
    path.split(separator: "/").filter { $0 != "." }.map(String.init)
  }

  /// The absolute path with symbolic links resolved (the path itself when it does not exist).
  static func canonical(_ path: String) -> String {
    let url = URL(fileURLWithPath: path.isEmpty ? "." : path)
    return url.resolvingSymlinksInPath().standardizedFileURL.path
  }

  /// Whether `path`, with links resolved, lies inside `folder`.
  static func isInside(_ path: String, _ folder: String) -> Bool {
    let resolved = canonical(path)
    let root = canonical(folder.isEmpty ? "." : folder)
    return resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
  }

  /// Line and column of the first byte that is not valid UTF-8.
  static func firstInvalidUTF8(in data: Data) -> (Int, Int) {
    var position = LinePosition()
    var iterator = data.makeIterator()
    var decoder = UTF8()
    while case .scalarValue(let scalar) = decoder.decode(&iterator) {
      position.advance(past: scalar)
    }
    return (position.line, position.column)
  }
}
