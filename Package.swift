// swift-tools-version:6.0
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
  name: "rig",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "rig", targets: ["rig"]),
    // The model, the Swift DSL and the compiler facade, for tools that embed rig.
    .library(name: "Rig", targets: ["RigModel", "RigDSL", "RigCompiler", "RigCLI"]),
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    // SHA-256 of the files in an output folder's manifest and in `rig plan --format json`.
    .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
    // `rig mcp`: the Model Context Protocol server (JSON-RPC over stdio, tools, elicitation).
    .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", from: "0.12.1"),
  ],
  targets: [
    // Source locations, diagnostics and their rendering, quantities, CPU lists: no domain logic.
    .target(name: "RigBasics", swiftSettings: swift6),
    // Sendable value types: hardware, components, requirements, policies, targets.
    .target(name: "RigModel", dependencies: ["RigBasics"], swiftSettings: swift6),
    // The model's rules and their messages, whichever front end wrote the project; the one table of limits and
    // patterns, and the schema of rig.yaml with its JSON Schema.
    .target(name: "RigRules", dependencies: ["RigBasics", "RigModel"], swiftSettings: swift6),
    // rig.yaml: Yams nodes with their marks lowered to the model, checked by RigRules as they are read.
    .target(
      name: "RigYAML",
      dependencies: ["RigBasics", "RigModel", "RigRules", .product(name: "Yams", package: "Yams")],
      swiftSettings: swift6),
    // The Swift DSL: result builders and typed values lowered to the same model as rig.yaml, checked by RigRules.
    .target(name: "RigDSL", dependencies: ["RigBasics", "RigModel", "RigRules"], swiftSettings: swift6),
    // The built-in catalog: its data files (generated from their sources where reachable), their loader, and the
    // install facts (apt repositories and areas, release archives) only emitters read.
    .target(
      name: "RigCatalog",
      dependencies: ["RigBasics", "RigModel", .product(name: "Yams", package: "Yams")],
      resources: [.copy("data")],
      swiftSettings: swift6),
    // Debian version order, the PubGrub solver with its explanations, the dependency graph (cycles, install order).
    .target(name: "RigResolver", dependencies: ["RigBasics", "RigModel", "RigCatalog"], swiftSettings: swift6),
    // CPU isolation, GPU memory and time-slicing, RAM budgets, GPU power limits.
    .target(name: "RigAllocation", dependencies: ["RigBasics", "RigModel", "RigResolver"], swiftSettings: swift6),
    // The Plan: the resolution as plain values and the allocation, which every emitter reads.
    .target(
      name: "RigPlan", dependencies: ["RigBasics", "RigModel", "RigCatalog", "RigResolver", "RigAllocation"],
      swiftSettings: swift6),
    // One folder per target; each emitter is a pure function from a plan to artifacts (YAML through rig's own
    // writer, YAMLWriter).
    .target(
      name: "RigEmitters", dependencies: ["RigBasics", "RigModel", "RigCatalog", "RigAllocation", "RigPlan"],
      swiftSettings: swift6),
    // Reads a machine (live, or a captured tree): sysfs topology, /proc, os-release, `nvidia-smi -q -x` (libxml2
    // through FoundationXML); what `rig probe` prints and `rig verify` compares with a plan.
    .target(name: "RigProbe", dependencies: ["RigBasics", "RigModel", "RigRules"], swiftSettings: swift6),
    // rig verify: a plan and its artifacts compared with the machine RigProbe reads.
    .target(
      name: "RigVerify", dependencies: ["RigBasics", "RigModel", "RigPlan", "RigEmitters", "RigProbe"],
      swiftSettings: swift6),
    // The facade every command calls: check, changes, render, graph and schema; the output folder (manifest,
    // staging, swap).
    .target(
      name: "RigCompiler",
      dependencies: [
        "RigBasics", "RigModel", "RigRules", "RigYAML", "RigDSL", "RigCatalog", "RigResolver", "RigAllocation",
        "RigPlan",
        "RigEmitters",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swift6),
    // The commands (argument-parser) and what they print (text tables, JSON, colour): thin over RigCompiler, for
    // `rig` and for an executable that describes its project in the Swift DSL (`Rig.main`); `rig mcp`, the same
    // commands as Model Context Protocol tools (the MCP Swift SDK), and its audit log.
    .target(
      name: "RigCLI",
      dependencies: [
        "RigBasics", "RigModel", "RigDSL", "RigAllocation", "RigPlan", "RigEmitters", "RigCompiler", "RigProbe",
        "RigVerify", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: swift6),
    // `rig mcp`: rig's commands as Model Context Protocol tools (the MCP Swift SDK) over stdio, confined to one
    // project folder and one output folder; render of a saved plan only, after a person approves it (elicitation);
    // the audit log. Its own program, `rig-mcp`, so that rig does not load the SDK's networking.
    .target(
      name: "RigMCP",
      dependencies: [
        "RigBasics", "RigModel", "RigCompiler", "RigProbe", "RigVerify", "RigCLI",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "MCP", package: "swift-sdk"),
      ],
      swiftSettings: swift6),
    // The `rig` executable: RigCLI's root command.
    .executableTarget(name: "rig", dependencies: ["RigCLI"], swiftSettings: swift6),
    // The MCP server `rig mcp` runs.
    .executableTarget(name: "rig-mcp", dependencies: ["RigMCP"], swiftSettings: swift6),
    // Prints how long resolution of a synthetic catalog takes (`swift run -c release rig-benchmark`).
    .executableTarget(
      name: "rig-benchmark", dependencies: ["RigBasics", "RigModel", "RigCatalog", "RigResolver"],
      swiftSettings: swift6),
    // The workstation example written in the Swift DSL (`swift run workstation-dsl render --out out`).
    .executableTarget(
      name: "workstation-dsl", dependencies: ["RigDSL", "RigCLI"], path: "examples/workstation-dsl",
      swiftSettings: swift6),
    // A second DSL example: a worker per GPU (a loop) and a server only for a large GPU (a conditional).
    .executableTarget(
      name: "gpu-lab-dsl", dependencies: ["RigDSL", "RigCLI"], path: "examples/gpu-lab-dsl",
      swiftSettings: swift6),
    // Quantities, CPU lists, diagnostics as text, unified diffs.
    .testTarget(name: "RigBasicsTests", dependencies: ["RigBasics"], swiftSettings: swift6),
    // The model's values: versions, requirements, hardware.
    .testTarget(name: "RigModelTests", dependencies: ["RigModel", "RigBasics"], swiftSettings: swift6),
    // The model check agrees with the YAML front end on every example, and catches a model broken after lowering.
    .testTarget(
      name: "RigRulesTests", dependencies: ["RigRules", "RigYAML", "RigModel", "RigBasics"], swiftSettings: swift6),
    // Every DSL element lowers as its YAML counterpart; diagnostics point into Swift files, as YAML's do into YAML.
    .testTarget(
      name: "RigDSLTests", dependencies: ["RigDSL", "RigRules", "RigYAML", "RigBasics"], swiftSettings: swift6),
    // The built-in catalog loads, its facts are consistent, and its sources are the schema's.
    .testTarget(name: "RigCatalogTests", dependencies: ["RigCatalog", "RigRules", "RigModel"], swiftSettings: swift6),
    // rig probe on every capture in shared/fixtures/hardware, and its refusals of broken captures.
    .testTarget(
      name: "RigProbeTests",
      dependencies: ["RigProbe", "RigVerify", "RigCompiler", "RigEmitters", "RigPlan", "RigModel", "RigBasics"],
      swiftSettings: swift6),
    // Debian version order, the solver and its explanations.
    .testTarget(
      name: "RigResolverTests", dependencies: ["RigResolver", "RigCatalog", "RigYAML", "RigModel", "RigBasics"],
      swiftSettings: swift6),
    // Each emitter's artifacts, from plans compiled from rig.yaml text.
    .testTarget(
      name: "RigEmittersTests",
      dependencies: [
        "RigEmitters", "RigPlan", "RigAllocation", "RigCatalog", "RigResolver", "RigCompiler", "RigYAML", "RigModel",
        "RigBasics", .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: swift6),
    // The YAML front end: its diagnostics by rule family, includes, limits on files, scalar kinds.
    .testTarget(
      name: "RigYAMLTests",
      dependencies: ["RigYAML", "RigCompiler", "RigModel", "RigBasics", .product(name: "Yams", package: "Yams")],
      swiftSettings: swift6),
    // Depends on the executables too, so `swift test` builds the binaries its command-line tests run; the DSL
    // examples' descriptions are also imported (`@testable import workstation_dsl`).
    .testTarget(
      name: "RigCompilerTests",
      dependencies: [
        "RigCompiler", "RigCLI", "RigEmitters", "RigPlan", "RigAllocation", "RigResolver", "RigDSL", "RigModel",
        "RigBasics", "rig", "rig-mcp", "workstation-dsl", "gpu-lab-dsl",
      ],
      swiftSettings: swift6),
  ]
)
