// swift-tools-version:6.0
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
  name: "rig",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "rig", targets: ["rig"]),
    // The model, the Swift DSL and the compiler facade, for tools that embed rig.
    .library(name: "Rig", targets: ["RigModel", "RigDSL", "RigCompiler"]),
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    // SHA-256 of the files in an output folder's manifest and in `rig plan --format json`.
    .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
  ],
  targets: [
    // Source locations, diagnostics and their rendering, quantities, CPU lists: no domain logic.
    .target(name: "RigBasics", swiftSettings: swift6),
    // Sendable value types: hardware, components, requirements, policies, targets.
    .target(name: "RigModel", dependencies: ["RigBasics"], swiftSettings: swift6),
    // rig.yaml: Yams nodes with their marks lowered to the model; the schema and its JSON Schema.
    .target(
      name: "RigYAML",
      dependencies: ["RigBasics", "RigModel", .product(name: "Yams", package: "Yams")],
      swiftSettings: swift6),
    // The Swift DSL: result builders and typed values lowered to the same model as rig.yaml.
    .target(name: "RigDSL", dependencies: ["RigBasics", "RigModel", "RigYAML"], swiftSettings: swift6),
    // The built-in catalog (data files), Debian version order, the PubGrub solver with its explanations,
    // the dependency graph (cycles, install order).
    .target(
      name: "RigResolver",
      dependencies: ["RigBasics", "RigModel", .product(name: "Yams", package: "Yams")],
      resources: [.copy("Catalog/data")],
      swiftSettings: swift6),
    // One folder per target; each emitter is a pure function from a plan to artifacts (YAML through Yams).
    .target(
      name: "RigEmitters",
      dependencies: ["RigBasics", "RigModel", "RigResolver", .product(name: "Yams", package: "Yams")],
      swiftSettings: swift6),
    // The facade every command calls: check, plan, render and graph; the output folder (manifest, staging, swap).
    .target(
      name: "RigCompiler",
      dependencies: [
        "RigBasics", "RigModel", "RigYAML", "RigDSL", "RigResolver", "RigEmitters",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swift6),
    // The command line: thin commands over RigCompiler.
    .executableTarget(
      name: "rig",
      dependencies: ["RigCompiler", "RigModel", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: swift6),
    // Prints how long resolution of a synthetic catalog takes (`swift run -c release rig-benchmark`).
    .executableTarget(
      name: "rig-benchmark", dependencies: ["RigBasics", "RigModel", "RigResolver"], swiftSettings: swift6),
    // The workstation example written in the Swift DSL (`swift run workstation-dsl render --out out`).
    .executableTarget(
      name: "workstation-dsl", dependencies: ["RigDSL", "RigCompiler"], path: "examples/workstation-dsl",
      swiftSettings: swift6),
    // A second DSL example: a worker per GPU (a loop) and a server only for a large GPU (a conditional).
    .executableTarget(
      name: "gpu-lab-dsl", dependencies: ["RigDSL", "RigCompiler"], path: "examples/gpu-lab-dsl",
      swiftSettings: swift6),
    .testTarget(name: "RigBasicsTests", dependencies: ["RigBasics"], swiftSettings: swift6),
    .testTarget(name: "RigModelTests", dependencies: ["RigModel"], swiftSettings: swift6),
    .testTarget(name: "RigDSLTests", dependencies: ["RigDSL", "RigYAML", "RigBasics"], swiftSettings: swift6),
    .testTarget(name: "RigResolverTests", dependencies: ["RigResolver", "RigYAML"], swiftSettings: swift6),
    .testTarget(
      name: "RigEmittersTests", dependencies: ["RigEmitters", "RigCompiler", "RigYAML"], swiftSettings: swift6),
    .testTarget(
      name: "RigYAMLTests",
      dependencies: ["RigYAML", "RigCompiler", .product(name: "Yams", package: "Yams")],
      swiftSettings: swift6),
    // Depends on the executables too, so `swift test` builds the binaries its command-line tests run; the DSL
    // examples' descriptions are also imported (`@testable import workstation_dsl`).
    .testTarget(
      name: "RigCompilerTests",
      dependencies: ["RigCompiler", "RigEmitters", "RigDSL", "rig", "workstation-dsl", "gpu-lab-dsl"],
      swiftSettings: swift6),
  ]
)
