import RigBasics
import RigModel

/// The shape of rig.yaml, written once: the lowering reads its keys (unknown-key and missing-key checks,
/// suggestions) from here, and `rig schema` prints it as JSON Schema.
public indirect enum SchemaType: Sendable {
  case object(ObjectSchema)
  /// A mapping with user-chosen keys (component names, versions).
  case map(key: String, value: SchemaType)
  case array(SchemaType)
  case string
  case enumeration([String])
  /// A whole number within bounds (one of `Limits`).
  case integer(ClosedRange<Int>)
  case boolean
  /// A named definition under `$defs`.
  case ref(String)
  case oneOf([SchemaType])
  /// `null` or an empty mapping: a switch with no settings (`kernel: {}`).
  case emptyObject
}

/// One key of an object.
public struct SchemaProperty: Sendable {
  public var name: String
  public var type: SchemaType
  public var required: Bool
  public var summary: String

  public init(_ name: String, _ type: SchemaType, required: Bool = false, _ summary: String) {
    self.name = name
    self.type = type
    self.required = required
    self.summary = summary
  }
}

/// A mapping with fixed keys.
public struct ObjectSchema: Sendable {
  public var properties: [SchemaProperty]
  public init(_ properties: [SchemaProperty]) { self.properties = properties }
  public var keys: [String] { properties.map(\.name) }
  public func property(_ name: String) -> SchemaProperty? { properties.first { $0.name == name } }
  public func has(_ name: String) -> Bool { properties.contains { $0.name == name } }
}

/// The rig.yaml schema (`rig/v1`).
public enum RigSchema {
  static let bytes = SchemaType.ref("bytes")
  static let power = SchemaType.ref("power")
  static let temperature = SchemaType.ref("temperature")
  static let duration = SchemaType.ref("duration")
  static let cpuList = SchemaType.ref("cpuList")
  static let requirement = SchemaType.ref("requirement")
  static let version = SchemaType.ref("version")
  static let componentName = SchemaType.ref("componentName")
  static let count = SchemaType.integer(Limits.coreCount)
  static let positive = SchemaType.integer(Limits.cores)

  /// Sources rig has catalogs for.
  /// The sources of the built-in catalog (one data file each in RigResolver; a test keeps the two in step).
  public static let knownSources = [
    "debian-bookworm", "debian-trixie", "kubernetes", "nvidia-container-toolkit", "nvidia-cuda", "upstream",
  ]
  public static let distributions = ["debian"]
  public static let releases = ["bookworm", "trixie"]

  static func names<E: CaseIterable & RawRepresentable>(_: E.Type) -> [String] where E.RawValue == String {
    E.allCases.map(\.rawValue)
  }

  public static let core = ObjectSchema([
    .init("type", .enumeration(names(CoreKind.self)), required: true, "performance or efficiency core"),
    .init(
      "threads", .oneOf([.array(.integer(Limits.cpu)), cpuList]), required: true,
      "the logical CPUs (SMT siblings) of this core"),
  ])

  public static let hybrid = ObjectSchema([
    .init("performance", count, required: true, "number of performance cores"),
    .init("efficiency", count, required: true, "number of efficiency cores"),
    .init(
      "threads_per_performance_core", .integer(Limits.threadsPerCore), "SMT threads per performance core (default 2)"),
    .init(
      "smt", .enumeration(names(SMTNumbering.self)),
      "how SMT siblings are numbered: adjacent (0/1, Intel hybrid; the default) or split (0/16, AMD)"),
  ])

  public static let cpu = ObjectSchema([
    .init("model", .string, "marketing name, for people"),
    .init("cores", .array(.object(core)), "explicit topology, one entry per physical core"),
    .init("hybrid", .object(hybrid), "shorthand for Linux's usual hybrid numbering"),
    .init("boot_cpu", .integer(Limits.cpu), "the CPU the kernel boots on (default 0)"),
  ])

  public static let powerRange = ObjectSchema([
    .init("default", power, "default power limit"),
    .init("min", power, required: true, "lowest power limit the board accepts"),
    .init("max", power, required: true, "highest power limit the board accepts"),
  ])

  public static let gpu = ObjectSchema([
    .init("name", .string, required: true, "rig's name for this GPU"),
    .init("model", .string, "marketing name"),
    .init("architecture", .enumeration(names(GPUArchitecture.self)), "NVIDIA architecture"),
    .init("memory", bytes, required: true, "video memory"),
    .init("power", .object(powerRange), "board power range"),
  ])

  public static let os = ObjectSchema([
    .init("distribution", .enumeration(distributions), required: true, "Linux distribution"),
    .init("release", .enumeration(releases), required: true, "distribution release"),
  ])

  public static let hardware = ObjectSchema([
    .init("cpu", .object(cpu), required: true, "processor topology"),
    .init("memory", bytes, required: true, "installed RAM"),
    .init("gpus", .array(.object(gpu)), "NVIDIA GPUs"),
    .init("os", .object(os), required: true, "operating system release"),
  ])

  public static let cpuRequest = ObjectSchema([
    .init("cores", positive, "whole cores (isolated) or CPUs (shared)"),
    .init("cpus", cpuList, "explicit logical CPUs"),
    .init("placement", .enumeration(names(Placement.self)), "shared (default) or isolated"),
  ])

  public static let gpuRequest = ObjectSchema([
    .init("memory", bytes, required: true, "GPU memory the component uses on each of its GPUs"),
    .init("count", .integer(Limits.gpuCount), "how many GPUs (default 1): a Kubernetes pod gets that many whole GPUs"),
    .init(
      "sharing", .enumeration(names(GPUSharing.self)),
      "exclusive or time-sliced (default: exclusive for isolated placement, else time-sliced)"),
  ])

  public static let resources = ObjectSchema([
    .init("cpu", .object(cpuRequest), "CPU"),
    .init("memory", bytes, "RAM"),
    .init("gpu", .object(gpuRequest), "GPU"),
    .init(
      "shm", bytes,
      "size of /dev/shm (Kubernetes: a memory-backed volume the container's memory limit counts; default 64MiB)"),
  ])

  public static let componentVersion = ObjectSchema([
    .init("requires", .array(requirement), "what this version needs")
  ])

  public static let secretReference = ObjectSchema([
    .init("secret", .ref("dnsSubdomain"), required: true, "name of the Kubernetes Secret"),
    .init("key", .ref("secretKey"), required: true, "key inside the Secret"),
  ])

  public static let storage = ObjectSchema([
    .init(
      "path", .ref("absolutePath"), required: true,
      "where the volume is mounted (Kubernetes), or the state directory under /var/lib/ (systemd)"),
    .init("size", bytes, "volume size (Kubernetes, where it is required; systemd cannot cap a directory's size)"),
  ])

  public static let component = ObjectSchema([
    .init("description", .string, "what it is, for people"),
    .init(
      "versions", .map(key: "version", value: .oneOf([.object(componentVersion), .emptyObject])),
      "versions and their requirements"),
    .init("runtime", .enumeration(names(Runtime.self)), "how it runs"),
    .init("image", .ref("image"), "container image reference, pinned by tag or digest"),
    .init(
      "exec", .ref("absolutePath"),
      "the program to run: a systemd service's ExecStart, a container's command (default: the catalog's)"),
    .init("args", .array(.string), "the program's arguments"),
    .init("ports", .array(.integer(Limits.port)), "TCP ports it serves"),
    .init(
      "env", .map(key: "environmentName", value: .oneOf([.string, .object(secretReference)])),
      "environment variables: text, or a reference to a Kubernetes Secret"),
    .init("storage", .object(storage), "state kept across restarts (a StatefulSet volume in Kubernetes)"),
    .init("resources", .object(resources), "what it needs while running"),
    .init("exclusive_group", .string, "never runs at the same time as other members"),
    .init(
      "security", .object(security),
      "how its container runs where rig's restricted defaults do not fit the image (Kubernetes)"),
  ])

  public static let security = ObjectSchema([
    .init(
      "user", .integer(Limits.containerID),
      "the user ID (default 65532); 0, root, moves it to the stack's 'baseline' namespace"),
    .init("group", .integer(Limits.containerID), "the group ID (default: the user's)"),
    .init(
      "root_filesystem", .enumeration(names(RootFilesystem.self)), "read-only (default), or writable"),
  ])

  public static let cpuPolicy = ObjectSchema([
    .init("housekeeping_cores", positive, "whole cores kept for the system (default 1)"),
    .init("isolated", cpuList, "the isolated CPUs, when chosen by hand (rig chooses them otherwise)"),
    .init("housekeeping", cpuList, "the housekeeping CPUs, when chosen by hand (default: every CPU not isolated)"),
  ])
  public static let memoryPolicy = ObjectSchema([
    .init("reserve", bytes, required: true, "RAM kept back from every budget")
  ])
  public static let thermalPolicy = ObjectSchema([
    .init("warning", temperature, required: true, "warning threshold"),
    .init("critical", temperature, required: true, "critical threshold"),
    .init("for", duration, required: true, "how long a threshold must hold"),
  ])
  public static let gpuPolicy = ObjectSchema([
    .init("reserve", bytes, "GPU memory kept for display and desktop"),
    .init("power_limit", power, "board power limit to apply"),
    .init("thermal", .object(thermalPolicy), "temperature alerts"),
  ])
  public static let policies = ObjectSchema([
    .init("cpu", .object(cpuPolicy), "CPU isolation policy"),
    .init("memory", .object(memoryPolicy), "RAM policy"),
    .init("gpu", .object(gpuPolicy), "GPU policy"),
  ])

  public static let targets = ObjectSchema([
    .init(
      "ansible",
      .object(
        ObjectSchema([
          .init(
            "host", .ref("hostName"),
            "inventory host name (required in a single-machine project; a fleet names its hosts under 'hosts')")
        ])),
      "Ansible playbook"),
    .init(
      "kubernetes",
      .object(
        ObjectSchema([
          .init("version", .ref("kubernetesVersion"), required: true, "Kubernetes minor version, such as \"1.30\""),
          .init("namespace", .ref("dnsLabel"), required: true, "namespace for the workloads"),
        ])), "Kubernetes manifests"),
    .init(
      "nix",
      .object(
        ObjectSchema([.init("release", .ref("nixosRelease"), required: true, "NixOS release, such as \"24.11\"")])),
      "NixOS module"),
    .init("kernel", .emptyObject, "kernel command line and GRUB drop-in"),
    .init("systemd", .emptyObject, "systemd slices and units"),
    .init("prometheus", .emptyObject, "Prometheus alert rules"),
  ])

  /// Keys every file may hold.
  static let sectionProperties: [SchemaProperty] = [
    .init("include", .array(.string), "other YAML files (relative to this one) whose sections are merged in"),
    .init("hardware", .object(hardware), "the machine"),
    .init("sources", .array(.enumeration(knownSources)), "catalog sources whose versions may be used"),
    .init("stack", .array(requirement), "what to install or run, with version constraints"),
    .init(
      "components", .map(key: "componentName", value: .object(component)),
      "components that extend or override the catalog"),
    .init("policies", .object(policies), "machine-wide budgets and limits"),
    .init("targets", .object(targets), "artifacts to emit"),
  ]

  /// What a fleet's group or host may add to the shared sections (its own hardware, sources, stack, components
  /// and policies).
  static let machineProperties: [SchemaProperty] = sectionProperties.filter {
    ["hardware", "sources", "stack", "components", "policies"].contains($0.name)
  }

  /// One host of a fleet, under `hosts:`.
  public static let host = ObjectSchema(
    [
      .init("address", .ref("hostAddress"), "where Ansible reaches it (ansible_host; default: its name)"),
      .init("groups", .array(.ref("groupName")), "the groups under 'groups:' it is a member of, in order"),
    ] + machineProperties)

  /// A group of a fleet, under `groups:`: what its members share and, with `count` or `names`, identical members
  /// declared at once.
  public static let group = ObjectSchema(
    [
      .init(
        "count", .integer(Limits.groupCount),
        "declare this many identical members, named after the group ('_' written '-'): NAME-1, NAME-2, …"),
      .init("names", .array(.ref("dnsLabel")), "declare identical members by name"),
    ] + machineProperties)

  /// A fleet's Kubernetes cluster, under `cluster:`.
  public static let cluster = ObjectSchema([
    .init("control_plane", .ref("dnsLabel"), required: true, "the host that runs the control plane")
  ])

  /// Keys of the root file alone.
  static let fleetProperties: [SchemaProperty] = [
    .init(
      "hosts", .map(key: "dnsLabel", value: .object(host)),
      "the machines of a fleet, by name (inventory host and Kubernetes node); a member a group declares may be described here too"
    ),
    .init("groups", .map(key: "groupName", value: .object(group)), "groups of a fleet's machines (inventory groups)"),
    .init("cluster", .object(cluster), "the Kubernetes cluster a fleet's machines form"),
  ]

  /// The root file.
  public static let root = ObjectSchema(
    [
      .init("apiVersion", .enumeration([RigSpec.apiVersion]), required: true, "input format version"),
      .init("name", .ref("dnsLabel"), required: true, "name of this machine description"),
    ] + sectionProperties + fleetProperties)

  /// A file pulled in with `include:`; sections only.
  public static let fragment = ObjectSchema(sectionProperties)

  /// Named string grammars: (name, pattern, description).
  static let patterns: [(String, String, String)] = [
    (
      "bytes", #"^[0-9]+(\.[0-9]+)?(B|KiB|MiB|GiB|TiB|Ki|Mi|Gi|Ti)?$"#,
      "a size in bytes: plain bytes or binary units, such as 12GiB"
    ),
    ("power", #"^[0-9]+(\.[0-9]{1,3})?W$"#, "power in watts, such as 180W"),
    ("temperature", #"^-?[0-9]+(\.[0-9]{1,3})?(C|°C)$"#, "temperature in degrees Celsius, such as 85C"),
    (
      "duration", #"^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$"#,
      "a duration such as 30s, 5m or 1h30m"
    ),
    (
      "cpuList", #"^(all|(([0-9]+|N)(-([0-9]+|N)(:[0-9]+/[0-9]+)?)?)(,([0-9]+|N)(-([0-9]+|N)(:[0-9]+/[0-9]+)?)?)*)$"#,
      "a CPU list in the kernel's cpulist grammar, such as 0-7,16-27"
    ),
    ("componentName", #"^[a-z0-9][a-z0-9+.-]*$"#, "a component name (Debian package-name rules)"),
    ("version", #"^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$"#, "a Debian version, such as 550.54.14-1"),
    (
      "requirement",
      #"^\s*[a-z0-9][a-z0-9+.-]*\s*((\^|=|>=|>|<=|<)\s*([0-9]+:)?[0-9][A-Za-z0-9.+~-]*\s*(,\s*(=|>=|>|<=|<)\s*([0-9]+:)?[0-9][A-Za-z0-9.+~-]*\s*)*)?$"#,
      "a component with an optional version constraint, such as 'ollama >= 0.5'"
    ),
    ("kubernetesVersion", #"^1\.[0-9]+$"#, "a Kubernetes minor version, such as \"1.30\""),
    ("nixosRelease", #"^[0-9]{2}\.(05|11)$"#, "a NixOS release, such as \"24.11\""),
    (
      "dnsLabel", #"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"#,
      "a DNS label: lowercase letters, digits and '-', at most 63 characters"
    ),
    (
      "dnsSubdomain", #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#,
      "a Kubernetes object name: lowercase letters, digits, '-' and '.'"
    ),
    ("secretKey", #"^[-._a-zA-Z0-9]+$"#, "a Secret key: letters, digits, '-', '_' and '.'"),
    ("environmentName", #"^[A-Za-z_][A-Za-z0-9_]*$"#, "an environment variable name: letters, digits and '_'"),
    ("absolutePath", #"^(/[A-Za-z0-9._-]+)+$"#, "an absolute path of letters, digits, '.', '_' and '-'"),
    (
      "hostName", #"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"#,
      "an inventory host name: letters, digits, '-', '_' and '.'"
    ),
    (
      "groupName", #"^[a-z][a-z0-9_]*$"#,
      "an inventory group name: lowercase letters, digits and '_', starting with a letter"
    ),
    (
      "hostAddress", #"^[A-Za-z0-9:]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$"#,
      "a host name or an IP address, such as 10.0.0.11"
    ),
    (
      // The distribution reference grammar (github.com/distribution/reference, reference.go): optional
      // registry host with port, lowercase path components, then a tag and/or a sha256 digest.
      "image",
      #"^([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:[0-9]+)?/)?[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$"#,
      "a container image reference, such as 'ghcr.io/example/comfyui:0.3.10'"
    ),
  ]

  /// Each named grammar compiled once for every thread (a test checks that none is missing: a pattern the
  /// matcher refused would reject every value).
  package static let compiledPatterns: [String: SchemaPattern] = Dictionary(
    uniqueKeysWithValues: patterns.compactMap { name, source, _ in (try? SchemaPattern(source)).map { (name, $0) } })
}
