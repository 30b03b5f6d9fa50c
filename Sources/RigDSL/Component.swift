import RigBasics
import RigModel

/// A component the stack declares (an entry under `components:` in YAML), extending or overriding the built-in
/// catalog. Its body lists what YAML writes under the component's key, one element each.
///
/// ```swift
/// Component("ollama") {
///   Description("Local LLM server")
///   Runs(.kubernetes)
///   Image("docker.io/ollama/ollama:0.21.0")
///   Ports(11434)
///   Memory(.gib(8))
/// }
/// ```
public struct Component: Sendable {
  let name: String
  let parts: [ComponentPart]
  let position: SourcePosition

  /// The component called `name`, described by `content`.
  public init(
    _ name: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column, @ComponentBuilder _ content: () -> [ComponentPart] = { [] }
  ) {
    self.name = name
    self.parts = content()
    self.position = SourcePosition(fileID: fileID, filePath: filePath, line: line, column: column)
  }
}

/// One element of a `Component`'s body.
public struct ComponentPart: Sendable {
  enum Kind: Sendable {
    case description(String)
    case version(Version)
    case runtime(Runtime)
    case image(String)
    case exec(program: String, arguments: [String])
    case ports([Int])
    case environment(Env)
    case storage(path: String, size: ByteCount?)
    case cpu(CPU)
    case memory(ByteCount)
    case gpu(memory: ByteCount, sharing: GPUSharing?, count: Int?)
    case sharedMemory(ByteCount)
    case exclusiveGroup(String)
    case security(user: Int?, group: Int?, rootFilesystem: RootFilesystem?)
  }
  let kind: Kind
  let site: Site

  /// What YAML calls this element, for diagnostics.
  var key: String {
    switch kind {
    case .description: "description"
    case .version: "versions"
    case .runtime: "runtime"
    case .image: "image"
    case .exec: "exec"
    case .ports: "ports"
    case .environment: "env"
    case .storage: "storage"
    case .cpu: "resources.cpu"
    case .memory: "resources.memory"
    case .gpu: "resources.gpu"
    case .sharedMemory: "resources.shm"
    case .exclusiveGroup: "exclusive_group"
    case .security: "security"
    }
  }
}

/// Collects the elements of a `Component`.
@resultBuilder
public enum ComponentBuilder: ListBuilder {
  /// What this builder collects.
  public typealias Element = ComponentPart
  /// What the component is.
  public static func buildExpression(_ part: Description) -> [ComponentPart] { [part.part] }
  /// A version the component has and what it requires.
  public static func buildExpression(_ part: Version) -> [ComponentPart] { [part.part] }
  /// How it runs.
  public static func buildExpression(_ part: Runs) -> [ComponentPart] { [part.part] }
  /// Its container image.
  public static func buildExpression(_ part: Image) -> [ComponentPart] { [part.part] }
  /// `Security(user:group:rootFilesystem:)`.
  public static func buildExpression(_ part: Security) -> [ComponentPart] { [part.part] }
  /// The program it runs.
  public static func buildExpression(_ part: Exec) -> [ComponentPart] { [part.part] }
  /// Ports it listens on.
  public static func buildExpression(_ part: Ports) -> [ComponentPart] { [part.part] }
  /// An environment variable.
  public static func buildExpression(_ part: Env) -> [ComponentPart] { [part.part] }
  /// State kept across restarts.
  public static func buildExpression(_ part: Storage) -> [ComponentPart] { [part.part] }
  /// The CPU it needs.
  public static func buildExpression(_ part: CPU) -> [ComponentPart] { [part.part] }
  /// The RAM it needs.
  public static func buildExpression(_ part: Memory) -> [ComponentPart] { [part.part] }
  /// The GPU memory it needs.
  public static func buildExpression(_ part: GPU) -> [ComponentPart] { [part.part] }
  /// The size of its `/dev/shm`.
  public static func buildExpression(_ part: SharedMemory) -> [ComponentPart] { [part.part] }
  /// The group of components that never run at the same time.
  public static func buildExpression(_ part: ExclusiveGroup) -> [ComponentPart] { [part.part] }
}

/// Where the call to `callee` at the given position is.
func callRange(_ callee: String, _ fileID: String, _ filePath: String, _ line: Int, _ column: Int) -> Site {
  Site(position: SourcePosition(fileID: fileID, filePath: filePath, line: line, column: column), callee: callee)
}

/// What a component is, in a few words (`description:`).
public struct Description: Sendable {
  let part: ComponentPart

  /// The description `text`.
  public init(
    _ text: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    part = ComponentPart(kind: .description(text), site: callRange("Description", fileID, filePath, line, column))
  }
}

/// A version of a component and what it requires (an entry under `versions:`).
public struct Version: Sendable {
  let version: String
  let requires: [Require]
  let site: Site
  var part: ComponentPart { ComponentPart(kind: .version(self), site: site) }

  /// Version `version` (a Debian version such as `0.3.10`), requiring what `requires` lists.
  public init(
    _ version: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column, @StackBuilder requires: () -> [Require] = { [] }
  ) {
    self.version = version
    self.requires = requires()
    self.site = callRange("Version", fileID, filePath, line, column)
  }
}

/// How the component runs (`runtime:`): a Kubernetes workload, a systemd service, or installed on the host.
public struct Runs: Sendable {
  let part: ComponentPart

  /// Runs as `runtime`.
  public init(
    _ runtime: Runtime, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    part = ComponentPart(kind: .runtime(runtime), site: callRange("Runs", fileID, filePath, line, column))
  }
}

/// The container image a Kubernetes workload runs (`image:`), pinned by a tag or a digest.
public struct Image: Sendable {
  let part: ComponentPart

  /// The image `reference`, such as `ghcr.io/example/comfyui:0.3.10`.
  public init(
    _ reference: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    part = ComponentPart(kind: .image(reference), site: callRange("Image", fileID, filePath, line, column))
  }
}

/// How the component's container runs where rig's restricted defaults do not fit its image (`security:`): its
/// user (0 is root, which moves it to the stack's baseline namespace), its group, a writable root filesystem.
public struct Security: Sendable {
  let part: ComponentPart

  /// Any of the three; what is not written stays rig's default.
  public init(
    user: Int? = nil, group: Int? = nil, rootFilesystem: RootFilesystem? = nil, fileID: String = #fileID,
    filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    part = ComponentPart(
      kind: .security(user: user, group: group, rootFilesystem: rootFilesystem),
      site: callRange("Security", fileID, filePath, line, column))
  }
}

/// The program the component runs and its arguments (`exec:` and `args:`): a systemd service's `ExecStart=`, or a
/// container's command.
public struct Exec: Sendable {
  let part: ComponentPart

  /// The program at the absolute path `program`, run with `arguments`.
  public init(
    _ program: String, _ arguments: String..., fileID: String = #fileID, filePath: String = #filePath,
    line: Int = #line, column: Int = #column
  ) {
    part = ComponentPart(
      kind: .exec(program: program, arguments: arguments), site: callRange("Exec", fileID, filePath, line, column))
  }
}

/// TCP ports the component listens on (`ports:`); several add up.
public struct Ports: Sendable {
  let part: ComponentPart

  /// These ports (within `Limits.port` of RigRules).
  public init(
    _ ports: Int..., fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    part = ComponentPart(kind: .ports(ports), site: callRange("Ports", fileID, filePath, line, column))
  }
}

/// An environment variable the component runs with (an entry under `env:`): text, or a reference to a key of a
/// Kubernetes Secret, whose value never passes through rig.
public struct Env: Sendable {
  let name: String
  let value: Value
  let site: Site
  var part: ComponentPart { ComponentPart(kind: .environment(self), site: site) }

  enum Value: Sendable {
    case text(String)
    case secret(name: String, key: String)
  }

  /// `name` set to `value`.
  public init(
    _ name: String, _ value: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    self.name = name
    self.value = .text(value)
    self.site = callRange("Env", fileID, filePath, line, column)
  }

  /// `name` set from key `key` of the Kubernetes Secret `secret`.
  public init(
    _ name: String, secret: String, key: String, fileID: String = #fileID, filePath: String = #filePath,
    line: Int = #line, column: Int = #column
  ) {
    self.name = name
    self.value = .secret(name: secret, key: key)
    self.site = callRange("Env", fileID, filePath, line, column)
  }
}

/// State the component keeps across restarts (`storage:`): in Kubernetes a volume of `size` mounted at `path`;
/// under systemd the state directory `path`, under `/var/lib/`, with no size.
public struct Storage: Sendable {
  let part: ComponentPart

  /// A volume of `size` at the absolute `path`, or a state directory at `path`.
  public init(
    path: String, size: ByteCount? = nil, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    part = ComponentPart(
      kind: .storage(path: path, size: size), site: callRange("Storage", fileID, filePath, line, column))
  }
}

/// The CPU a component needs (`resources.cpu`): a number of cores rig chooses, or CPUs chosen by hand.
public struct CPU: Sendable {
  let cores: Int?
  let cpus: CPUSelection?
  let placement: Placement?
  let site: Site
  var part: ComponentPart { ComponentPart(kind: .cpu(self), site: site) }

  /// `cores` cores: whole physical cores when `isolated`, else CPUs shared with the housekeeping set.
  public init(
    cores: Int, placement: Placement? = nil, fileID: String = #fileID, filePath: String = #filePath,
    line: Int = #line, column: Int = #column
  ) {
    self.cores = cores
    self.cpus = nil
    self.placement = placement
    self.site = callRange("CPU", fileID, filePath, line, column)
  }

  /// The logical CPUs `cpus`, chosen by hand.
  public init(
    cpus: CPUSelection, placement: Placement? = nil, fileID: String = #fileID, filePath: String = #filePath,
    line: Int = #line, column: Int = #column
  ) {
    self.cores = nil
    self.cpus = cpus
    self.placement = placement
    self.site = callRange("CPU", fileID, filePath, line, column)
  }
}

/// The RAM a component needs (`resources.memory`).
public struct Memory: Sendable {
  let part: ComponentPart

  /// `size` of RAM, such as `.gib(12)`.
  public init(
    _ size: ByteCount, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    part = ComponentPart(kind: .memory(size), site: callRange("Memory", fileID, filePath, line, column))
  }
}

/// The size of a component's `/dev/shm` (`resources.shm`): in Kubernetes a memory-backed volume, which the
/// container's memory limit counts.
public struct SharedMemory: Sendable {
  let part: ComponentPart

  /// `size` of shared memory, such as `.gib(8)`.
  public init(
    _ size: ByteCount, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
    column: Int = #column
  ) {
    part = ComponentPart(
      kind: .sharedMemory(size), site: callRange("SharedMemory", fileID, filePath, line, column))
  }
}

/// The GPU memory a component needs and how it shares the GPU (`resources.gpu`).
public struct GPU: Sendable {
  let part: ComponentPart

  /// `memory` of GPU memory on each of its `count` GPUs (nil: one); `sharing` nil lets rig choose (exclusive for
  /// isolated workloads and several GPUs, else time-sliced).
  public init(
    memory: ByteCount, count: Int? = nil, sharing: GPUSharing? = nil, fileID: String = #fileID,
    filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    part = ComponentPart(
      kind: .gpu(memory: memory, sharing: sharing, count: count),
      site: callRange("GPU", fileID, filePath, line, column))
  }
}

/// A group of components that never run at the same time (`exclusive_group:`).
public struct ExclusiveGroup: Sendable {
  let part: ComponentPart

  /// The group `name` (a DNS label).
  public init(
    _ name: String, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
  ) {
    part = ComponentPart(kind: .exclusiveGroup(name), site: callRange("ExclusiveGroup", fileID, filePath, line, column))
  }
}

/// A set of logical CPUs, in the kernel's cpulist grammar or from numbers.
public struct CPUSelection: Sendable {
  enum Form: Sendable {
    case text(String)
    case range(ClosedRange<Int>)
    case list([Int])
  }
  let form: Form

  /// CPUs in the kernel's cpulist grammar, such as `"8-15"` or `"0-7,16-27"`; `N` is the last CPU.
  public static func cpus(_ text: String) -> CPUSelection { CPUSelection(form: .text(text)) }
  /// The CPUs of a range, such as `8...15`.
  public static func cpus(_ range: ClosedRange<Int>) -> CPUSelection { CPUSelection(form: .range(range)) }
  /// These CPUs.
  public static func cpus(_ list: [Int]) -> CPUSelection { CPUSelection(form: .list(list)) }
}
