import Foundation
import RigCLI

#if canImport(Glibc)
  import Glibc

  // glibc raises its trim threshold each time a large block is freed (up to 64 MiB), so memory freed after
  // reading a big project stays resident while the artifacts are made; a fixed threshold gives it back (about
  // 10 MiB less peak at 10,000 components, no slower: scripts/bench.sh). mallopt is in malloc.h, which Swift's
  // Glibc module leaves out, so it is looked up by name; M_TRIM_THRESHOLD is -1 there.
  if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    _ = unsafeBitCast(symbol, to: Mallopt.self)(-1, 64 * 1024)
  }
#endif

exit(RigCommand.run(Array(CommandLine.arguments.dropFirst())))
