import Foundation
import RigMCP

exit(MCPServerCommand.main(Array(CommandLine.arguments.dropFirst())))
