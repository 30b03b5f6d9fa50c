import Glibc
import RigCompiler
import Testing

/// The C library functions rig looks up by name are there in the build the tests run: without them a render
/// would quietly fall back (a flush per file instead of one `syncfs`, the user's extended attributes not kept,
/// no atomic swap), which is what happens in a fully static executable, where `dlsym` finds nothing.
@Suite struct LibCTests {
  @Test func everyFunctionLookedUpByNameIsFound() {
    #expect(LibC.syncfs != nil)
    #expect(LibC.llistxattr != nil)
    #expect(LibC.lgetxattr != nil)
    #expect(LibC.lsetxattr != nil)
    #expect(LibC.lremovexattr != nil)
    typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    #expect(LibC.symbol("renameat2", as: Renameat2.self) != nil)
    #expect(LibC.symbol("no_such_function_in_libc", as: (@convention(c) () -> Void).self) == nil)
  }
}
