// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "rig",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "rig", targets: ["rig"]),
    .library(name: "Rig", targets: ["RigModel", "RigCompiler"]),
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
  ],
  targets: [
    .target(
      name: "RigBasics",
      path: "Sources/RigBasics",
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .target(
      name: "RigModel",
      dependencies: ["RigBasics"],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .target(
      name: "RigYAML",
      dependencies: ["RigBasics", "RigModel", .product(name: "Yams", package: "Yams")],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .target(
      name: "RigCompiler",
      dependencies: ["RigBasics", "RigModel", "RigYAML"],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .executableTarget(
      name: "rig",
      dependencies: ["RigCompiler", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .testTarget(name: "RigBasicsTests", dependencies: ["RigBasics"]),
    .testTarget(name: "RigModelTests", dependencies: ["RigModel"]),
    .testTarget(name: "RigYAMLTests", dependencies: ["RigYAML", "RigCompiler"]),
    .testTarget(name: "RigCompilerTests", dependencies: ["RigCompiler"]),
  ]
)
