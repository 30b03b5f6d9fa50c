import RigBasics
import RigModel

// The model's enumerations and quantities under the DSL's roof, so that `import RigDSL` is enough to name them in
// helper functions.

/// How a component runs: `.kubernetes`, `.systemd` or `.host`.
public typealias Runtime = RigModel.Runtime
/// Where a component's threads run: `.shared` or `.isolated`.
public typealias Placement = RigModel.Placement
/// How a component uses a GPU: `.exclusive` or `.timeSliced`.
public typealias GPUSharing = RigModel.GPUSharing
/// Whether a container may write to its root filesystem: `.readOnly` or `.writable`.
public typealias RootFilesystem = RigModel.RootFilesystem
/// A performance or efficiency core.
public typealias CoreKind = RigModel.CoreKind
/// An NVIDIA GPU architecture, such as `.ada`.
public typealias GPUArchitecture = RigModel.GPUArchitecture
/// A size in bytes: `.gib(12)`, `.mib(512)`.
public typealias ByteCount = RigBasics.ByteCount
/// Electrical power: `.watts(180)`.
public typealias Power = RigBasics.Power
/// A temperature: `.celsius(85)`.
public typealias Temperature = RigBasics.Temperature
/// A length of time: `.minutes(5)`, `.seconds(30)`.
public typealias TimeSpan = RigBasics.TimeSpan
