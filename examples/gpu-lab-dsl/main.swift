import Foundation
import RigCLI

// `swift run gpu-lab-dsl plan`, `… render --out out`: rig's commands for the project in GPULab.swift.
exit(gpuLab.main())
