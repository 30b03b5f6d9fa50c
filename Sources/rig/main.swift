import Foundation
import RigCLI

exit(RigCommand.run(Array(CommandLine.arguments.dropFirst())))
