import Foundation
import RigCLI

// `swift run workstation-dsl render --out out`, `… plan`, `… check`: rig's commands for the project in
// Workstation.swift.
exit(workstation.main())
