import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

extension Array where Element: Sendable {
  /// `transform` of every element, in order, computed on all of the machine's cores when there are enough
  /// elements to be worth it (a file per component at thousands of components). `transform` must depend on its
  /// element alone; the result is then `map`'s, whatever the number of cores.
  public func concurrentMap<Result: Sendable>(
    minimum: Int = 64, _ transform: @Sendable (Element) -> Result
  ) -> [Result] {
    let workers = Cores.count
    guard count >= minimum, workers > 1 else { return map(transform) }
    // Contiguous chunks, a few per core, so that a slow chunk does not leave a core idle for long.
    let chunks = Swift.min(count, workers * 4)
    let slots = Slots<Result>(count: count)
    defer { slots.free() }
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
      for index in (chunk * count / chunks)..<((chunk + 1) * count / chunks) {
        slots.base[index] = transform(self[index])
      }
    }
    return slots.base.compactMap { $0 }
  }
}

/// The results: each chunk writes its own indices only, and they are read after every chunk has ended.
private struct Slots<Result>: @unchecked Sendable {
  let base: UnsafeMutableBufferPointer<Result?>

  init(count: Int) {
    base = .allocate(capacity: count)
    base.initialize(repeating: nil)
  }

  func free() {
    _ = base.deinitialize()
    base.deallocate()
  }
}

/// The number of cores online.
private enum Cores {
  static let count: Int = {
    #if canImport(Glibc)
      return Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    #else
      return 1
    #endif
  }()
}
