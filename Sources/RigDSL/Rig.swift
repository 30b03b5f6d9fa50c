import RigBasics
import RigModel

/// A whole project written in Swift: the machine, the stack, the components it declares, the policies and the
/// targets, as `rig.yaml` holds them. It lowers to the same `RigSpec` as YAML (`lower()`); RigCompiler checks,
/// plans and renders it.
///
/// ```swift
/// let rig = Rig("ai-workstation") {
///   Hardware.cpu(.hybrid(performance: 8, efficiency: 12)).memory(.gib(32))
///     .gpu("gpu0", model: "NVIDIA GeForce RTX 4070", memory: .gib(12))
///     .os(.debian(.bookworm))
///   Stack {
///     "comfyui"
///     Require("ollama", .atLeast("0.5"))
///   }
/// }
/// ```
public struct Rig: Sendable {
  /// The project's name (`name:` in YAML): a DNS label.
  public var name: String
  let parts: [RigPart]
  let position: SourcePosition

  /// A project called `name` with the given parts; each part may appear once, except `Sources`, `Stack` and
  /// `Component`, which add up.
  public init(
    _ name: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column, @RigBuilder _ content: () -> [RigPart]
  ) {
    self.name = name
    self.parts = content()
    self.position = SourcePosition(fileID: fileID, filePath: filePath, line: line, column: column)
  }

  /// The model this description stands for, with every diagnostic found on the way (the rules of the YAML front
  /// end, `ModelRules`); `spec` is nil when there is an error.
  public func lower() -> LoweredRig {
    var lowering = Lowering()
    let spec = lowering.lower(self)
    return LoweredRig(
      spec: lowering.diagnostics.hasErrors ? nil : spec, diagnostics: lowering.diagnostics, file: position.fileID,
      filePath: position.filePath,
      files: lowering.lines.paths.sorted { $0.key < $1.key }.map { (fileID: $0.key, filePath: $0.value) },
      sources: lowering.lines.sources)
  }
}

/// A `Rig` lowered to the model.
public struct LoweredRig: Sendable {
  /// The model; nil when a diagnostic is an error.
  public var spec: RigSpec?
  /// Every diagnostic lowering found, errors and warnings.
  public var diagnostics: DiagnosticEngine
  /// The `#fileID` of the file that wrote `Rig(…)`, which stands for the project in messages.
  public var file: String
  /// The `#filePath` of that file: where the project is on disk.
  public var filePath: String
  /// Every Swift file the description was written in (`#fileID` and `#filePath`), sorted by `#fileID`.
  public var files: [(fileID: String, filePath: String)]
  /// The text of those files that could be read, by `#fileID`, for quoting lines in diagnostics.
  public var sources: SourceFiles
}

/// One part of a `Rig`: hardware, sources, stack, a component, policies or targets.
public struct RigPart: Sendable {
  enum Kind: Sendable {
    case hardware(Hardware)
    case sources(Sources)
    case stack(Stack)
    case component(Component)
    case policies(Policies)
    case targets(Targets)
  }
  let kind: Kind
}

/// Collects the parts of a `Rig`.
@resultBuilder
public enum RigBuilder: ListBuilder {
  /// What this builder collects.
  public typealias Element = RigPart
  /// The machine.
  public static func buildExpression(_ hardware: Hardware) -> [RigPart] { [RigPart(kind: .hardware(hardware))] }
  /// Catalog sources.
  public static func buildExpression(_ sources: Sources) -> [RigPart] { [RigPart(kind: .sources(sources))] }
  /// Stack items.
  public static func buildExpression(_ stack: Stack) -> [RigPart] { [RigPart(kind: .stack(stack))] }
  /// A component declaration.
  public static func buildExpression(_ component: Component) -> [RigPart] {
    [RigPart(kind: .component(component))]
  }
  /// Several component declarations, such as one per GPU.
  public static func buildExpression(_ components: [Component]) -> [RigPart] {
    components.map { RigPart(kind: .component($0)) }
  }
  /// Machine-wide policies.
  public static func buildExpression(_ policies: Policies) -> [RigPart] { [RigPart(kind: .policies(policies))] }
  /// The artifacts to emit.
  public static func buildExpression(_ targets: Targets) -> [RigPart] { [RigPart(kind: .targets(targets))] }
}
