import RigBasics

/// How a component runs on the machine.
public enum Runtime: String, Sendable, Hashable, CaseIterable {
  /// A workload in the local Kubernetes node.
  case kubernetes
  /// A systemd service on the host.
  case systemd
  /// Installed on the host as packages, not supervised by rig.
  case host
}

/// Where a component's threads may run.
public enum Placement: String, Sendable, Hashable, CaseIterable {
  /// On the housekeeping CPUs, shared with everything else.
  case shared
  /// On whole physical cores dedicated to it.
  case isolated
}

/// How a component uses a GPU.
public enum GPUSharing: String, Sendable, Hashable, CaseIterable {
  /// The GPU is the component's alone while it runs.
  case exclusive
  /// Shared with other workloads by time slicing.
  case timeSliced = "time-sliced"
}

/// CPU a component asks for.
public struct CPURequest: Sendable, Hashable {
  /// Number of whole physical cores (isolated) or CPUs (shared).
  public var cores: Located<Int>?
  /// An explicit set of logical CPUs, written by the user.
  public var cpus: Located<CPUListExpression>?
  public var placement: Located<Placement>

  public init(cores: Located<Int>?, cpus: Located<CPUListExpression>?, placement: Located<Placement>) {
    self.cores = cores
    self.cpus = cpus
    self.placement = placement
  }
}

/// GPU a component asks for.
public struct GPURequest: Sendable, Hashable {
  /// The GPU memory it uses on each of its GPUs.
  public var memory: Located<ByteCount>
  /// As written; nil lets rig choose (see `Component.gpuSharing`).
  public var sharing: Located<GPUSharing>?
  /// How many GPUs, as written; nil is one.
  public var count: Located<Int>?

  public init(memory: Located<ByteCount>, sharing: Located<GPUSharing>? = nil, count: Located<Int>? = nil) {
    self.memory = memory
    self.sharing = sharing
    self.count = count
  }

  /// How many GPUs it uses.
  public var gpus: Int { count?.value ?? 1 }

  /// The GPU memory it uses on all its GPUs together (saturating).
  public var totalMemory: ByteCount {
    let (total, overflow) = memory.value.bytes.multipliedReportingOverflow(by: gpus)
    return ByteCount(bytes: overflow ? Int.max : total)
  }
}

/// Resources a component needs while it runs.
public struct Resources: Sendable, Hashable {
  public var cpu: CPURequest?
  public var memory: Located<ByteCount>?
  public var gpu: GPURequest?
  /// The size of the container's `/dev/shm` (Kubernetes: a memory-backed volume, counted in the pod's memory).
  public var shm: Located<ByteCount>?

  public init(
    cpu: CPURequest? = nil, memory: Located<ByteCount>? = nil, gpu: GPURequest? = nil, shm: Located<ByteCount>? = nil
  ) {
    self.cpu = cpu
    self.memory = memory
    self.gpu = gpu
    self.shm = shm
  }
}

/// The value of an environment variable: text, or a reference to a Kubernetes Secret (the secret's value never
/// appears in rig's input or output).
public enum EnvironmentValue: Sendable, Hashable {
  case text(Located<String>)
  case secret(name: Located<String>, key: Located<String>)
}

/// An environment variable a component runs with.
public struct EnvironmentVariable: Sendable, Hashable {
  public var name: Located<String>
  public var value: EnvironmentValue

  public init(name: Located<String>, value: EnvironmentValue) {
    self.name = name
    self.value = value
  }
}

/// State a component keeps across restarts: in Kubernetes a volume of `size` mounted at `path`; under systemd the
/// service's state directory at `path` (under `/var/lib/`), whose size systemd cannot cap.
public struct Storage: Sendable, Hashable {
  public var path: Located<String>
  public var size: Located<ByteCount>?

  public init(path: Located<String>, size: Located<ByteCount>?) {
    self.path = path
    self.size = size
  }
}

/// Whether a container may write to its root filesystem.
public enum RootFilesystem: String, Sendable, Hashable, CaseIterable {
  case readOnly = "read-only"
  case writable
}

/// A Kubernetes component's way out of rig's restricted defaults (a non-root user, 65532, and a read-only root
/// filesystem) for an image that needs root, a user of its own or a writable root.
public struct ContainerSecurity: Sendable, Hashable {
  public var user: Located<Int>?
  public var group: Located<Int>?
  public var rootFilesystem: Located<RootFilesystem>?

  public init(user: Located<Int>? = nil, group: Located<Int>? = nil, rootFilesystem: Located<RootFilesystem>? = nil) {
    self.user = user
    self.group = group
    self.rootFilesystem = rootFilesystem
  }

  /// Root, which Pod Security `restricted` forbids and `baseline` allows.
  public var runsAsRoot: Bool { user?.value == 0 }
}

/// One version of a component and what it needs.
public struct ComponentVersion: Sendable, Hashable {
  public var version: Located<Version>
  public var requires: [Requirement]

  public init(version: Located<Version>, requires: [Requirement]) {
    self.version = version
    self.requires = requires
  }
}

/// Something that can be installed or run, declared by the stack (`components:`) to extend or override
/// the built-in catalog. Its fields (`Component.Fields`, each also a property of its own) live in one shared,
/// copy-on-write box, so a copy of a component (in a plan, a filtered list, a dictionary) costs one reference,
/// not the whole declaration, and a stack of thousands stays small.
public struct Component: Sendable, Hashable {
  public struct Fields: Sendable, Hashable {
    public var name: Located<String>
    public var description: String?
    public var versions: [ComponentVersion]
    public var runtime: Located<Runtime>?
    public var image: Located<String>?
    /// The program a systemd service runs (an absolute path), or a container's command.
    public var exec: Located<String>?
    /// Arguments of the program, in order.
    public var args: [Located<String>]
    public var ports: [Located<Int>]
    /// Environment variables, in the order written.
    public var environment: [EnvironmentVariable]
    public var storage: Storage?
    public var resources: Resources
    public var exclusiveGroup: Located<String>?
    /// How its container runs, where rig's restricted defaults do not fit the image (Kubernetes only).
    public var security: ContainerSecurity?

    public init(
      name: Located<String>, description: String? = nil, versions: [ComponentVersion] = [],
      runtime: Located<Runtime>? = nil, image: Located<String>? = nil, exec: Located<String>? = nil,
      args: [Located<String>] = [], ports: [Located<Int>] = [],
      environment: [EnvironmentVariable] = [], storage: Storage? = nil, resources: Resources = Resources(),
      exclusiveGroup: Located<String>? = nil, security: ContainerSecurity? = nil
    ) {
      self.name = name
      self.description = description
      self.versions = versions
      self.runtime = runtime
      self.image = image
      self.exec = exec
      self.args = args
      self.ports = ports
      self.environment = environment
      self.storage = storage
      self.resources = resources
      self.exclusiveGroup = exclusiveGroup
      self.security = security
    }
  }

  /// Written only while this component holds the one reference to it (see `edit`). A front end builds the fields
  /// first (appending to a list of a component would copy the list each time) and boxes them once.
  private final class Box: @unchecked Sendable {
    var fields: Fields
    init(_ fields: Fields) { self.fields = fields }
  }

  private var box: Box

  public init(
    name: Located<String>, description: String? = nil, versions: [ComponentVersion] = [],
    runtime: Located<Runtime>? = nil, image: Located<String>? = nil, exec: Located<String>? = nil,
    args: [Located<String>] = [], ports: [Located<Int>] = [],
    environment: [EnvironmentVariable] = [], storage: Storage? = nil, resources: Resources = Resources(),
    exclusiveGroup: Located<String>? = nil
  ) {
    box = Box(
      Fields(
        name: name, description: description, versions: versions, runtime: runtime, image: image, exec: exec,
        args: args, ports: ports, environment: environment, storage: storage, resources: resources,
        exclusiveGroup: exclusiveGroup, security: nil))
  }

  /// `change` applied to the fields, copied first when another component shares them.
  private mutating func edit(_ change: (inout Fields) -> Void) {
    if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
    change(&box.fields)
  }

  public init(_ fields: Fields) { box = Box(fields) }

  public var name: Located<String> {
    get { box.fields.name }
    set { edit { $0.name = newValue } }
  }

  public var description: String? {
    get { box.fields.description }
    set { edit { $0.description = newValue } }
  }

  public var versions: [ComponentVersion] {
    get { box.fields.versions }
    set { edit { $0.versions = newValue } }
  }

  public var runtime: Located<Runtime>? {
    get { box.fields.runtime }
    set { edit { $0.runtime = newValue } }
  }

  public var image: Located<String>? {
    get { box.fields.image }
    set { edit { $0.image = newValue } }
  }

  public var exec: Located<String>? {
    get { box.fields.exec }
    set { edit { $0.exec = newValue } }
  }

  public var args: [Located<String>] {
    get { box.fields.args }
    set { edit { $0.args = newValue } }
  }

  public var ports: [Located<Int>] {
    get { box.fields.ports }
    set { edit { $0.ports = newValue } }
  }

  public var environment: [EnvironmentVariable] {
    get { box.fields.environment }
    set { edit { $0.environment = newValue } }
  }

  public var storage: Storage? {
    get { box.fields.storage }
    set { edit { $0.storage = newValue } }
  }

  public var resources: Resources {
    get { box.fields.resources }
    set { edit { $0.resources = newValue } }
  }

  public var exclusiveGroup: Located<String>? {
    get { box.fields.exclusiveGroup }
    set { edit { $0.exclusiveGroup = newValue } }
  }

  public var security: ContainerSecurity? {
    get { box.fields.security }
    set { edit { $0.security = newValue } }
  }

  public static func == (a: Component, b: Component) -> Bool { a.box === b.box || a.box.fields == b.box.fields }

  public func hash(into hasher: inout Hasher) { box.fields.hash(into: &hasher) }
}

extension Component {
  /// How the component runs: as written, else installed on the host.
  public var effectiveRuntime: Runtime { runtime?.value ?? .host }

  /// How the component uses its GPU: as written, else exclusively when it runs on isolated cores (a latency
  /// workload is not time-sliced unless the stack says so) or asks for several GPUs (time-sliced replicas are not
  /// distinct GPUs), else time-sliced. Nil without a GPU request.
  public var gpuSharing: GPUSharing? {
    guard let gpu = resources.gpu else { return nil }
    if let sharing = gpu.sharing { return sharing.value }
    return resources.cpu?.placement.value == .isolated || gpu.gpus > 1 ? .exclusive : .timeSliced
  }
}
