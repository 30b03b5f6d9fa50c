import Foundation
import RigCLI

#if canImport(Glibc)
  import Glibc

  /// glibc's `mallopt` (malloc.h, which Swift's Glibc module leaves out), bound by its C name: two `int`s in and
  /// one out pass the same way in Swift's and C's conventions. A `dlsym` lookup would find nothing in a fully
  /// static build (scripts/bench.sh builds one).
  @_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

  // glibc raises its trim threshold each time a large block is freed (up to 64 MiB), so memory freed after
  // reading a big project stays resident while the artifacts are made; a fixed threshold gives it back (about
  // 10 MiB less peak at 10,000 components, no slower: scripts/bench.sh). M_TRIM_THRESHOLD is -1 in malloc.h.
  _ = mallopt(-1, 64 * 1024)
#endif

exit(RigCommand.run(Array(CommandLine.arguments.dropFirst())))
