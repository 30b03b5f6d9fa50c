import RigBasics
import Testing

@Suite struct ByteCountTests {
  @Test(arguments: [
    ("12GiB", 12 << 30), ("12Gi", 12 << 30), ("512MiB", 512 << 20), ("1TiB", 1 << 40), ("4KiB", 4096),
    ("4096", 4096), ("4096B", 4096), ("1.5GiB", 3 << 29), ("0", 0),
  ])
  func parses(text: String, bytes: Int) throws {
    #expect(try ByteCount.parse(text).get().bytes == bytes)
  }

  @Test func canonical() throws {
    #expect(ByteCount.gib(12).description == "12GiB")
    #expect(ByteCount.mib(1536).description == "1.5GiB")
    #expect(ByteCount.mib(1537).description == "1537MiB")
    #expect(ByteCount(bytes: 1000).description == "1000")
    #expect(ByteCount(bytes: 0).description == "0")
    // Large counts, where thousandths would overflow, stay exact.
    #expect(ByteCount(bytes: Int.max).description == String(Int.max))
    #expect(ByteCount.tib(8_000_000).description == "8000000TiB")
    // The canonical form reads back to the same count.
    for bytes in [1, 1023, 1024, 1536, 1537 << 20, 24064 << 20, (1 << 40) + (1 << 30)] {
      #expect(try ByteCount.parse(ByteCount(bytes: bytes).description).get().bytes == bytes)
    }
  }

  func problem(_ text: String) -> SyntaxProblem? {
    if case .failure(let p) = ByteCount.parse(text) { return p }
    return nil
  }

  @Test func decimalUnitIsRefusedWithBinaryHint() {
    let p = problem("12GB")
    #expect(p?.message == "'GB' is ambiguous: rig takes binary units for sizes")
    #expect(p?.help.first?.hasPrefix("write '12GiB' if you mean 12GiB") == true)
    #expect(p?.offset == 2 && p?.length == 2)
  }

  @Test func unknownUnit() { #expect(problem("12XiB")?.message == "unknown size unit 'XiB'") }

  @Test func spaceBeforeUnit() {
    let p = problem("12 GiB")
    #expect(p?.message == "'12 GiB' has a space before its unit")
    #expect(p?.help.first?.hasPrefix("write '12GiB'") == true)
  }
  @Test func negative() { #expect(problem("-1GiB")?.message == "a size cannot be negative") }
  @Test func notANumber() { #expect(problem("lots")?.message == "'lots' is not a size") }
  @Test func fractionOfAByte() { #expect(problem("0.5")?.message == "'0.5' is not a whole number of bytes") }
  @Test func overflow() { #expect(problem("99999999999TiB")?.message == "'99999999999TiB' is too large") }
}

@Suite struct PowerTemperatureDurationTests {
  @Test func power() throws {
    #expect(try Power.parse("180W").get() == .watts(180))
    #expect(try Power.parse("180.5W").get().description == "180.5W")
    if case .failure(let p) = Power.parse("180") {
      #expect(p.message == "power '180' has no unit")
      #expect(p.help == ["write '180W' for 180 watts"])
    } else {
      Issue.record("'180' was accepted")
    }
    if case .failure(let p) = Power.parse("180kW") {
      #expect(p.message == "unknown power unit 'kW'")
    } else {
      Issue.record()
    }
  }

  @Test func temperature() throws {
    #expect(try Temperature.parse("85C").get() == .celsius(85))
    #expect(try Temperature.parse("85°C").get() == .celsius(85))
    #expect(try Temperature.parse("-5C").get() == .celsius(-5))
    #expect(Temperature.celsius(80).description == "80C")
  }

  @Test func fahrenheitIsRefusedWithConversion() {
    guard case .failure(let p) = Temperature.parse("85F") else {
      Issue.record("85F was accepted")
      return
    }
    #expect(p.message == "temperatures are in degrees Celsius, not Fahrenheit")
    #expect(p.help == ["write '29.4C' for 85F"])
    #expect(p.offset == 2 && p.length == 1)
  }

  @Test func temperatureWithoutUnit() {
    if case .failure(let p) = Temperature.parse("85") {
      #expect(p.message == "temperature '85' has no unit")
    } else {
      Issue.record()
    }
  }

  @Test(arguments: [
    ("30s", 30_000), ("5m", 300_000), ("1h", 3_600_000), ("1h30m", 5_400_000), ("250ms", 250), ("1d", 86_400_000),
  ])
  func durations(text: String, milliseconds: Int) throws {
    #expect(try TimeSpan.parse(text).get().milliseconds == milliseconds)
  }

  @Test func durationCanonical() {
    #expect(TimeSpan(milliseconds: 5_400_000).description == "1h30m")
    #expect(TimeSpan.minutes(5).description == "5m")
    #expect(TimeSpan(milliseconds: 0).description == "0s")
  }

  @Test(arguments: [
    ("5min", "unknown duration unit 'min'"), ("5", "duration '5' has no unit"), ("m", "'m' is not a duration"),
    ("5m1h", "duration units must go from largest to smallest, each once"), ("", "empty duration"),
    ("99999999999999w", "duration '99999999999999w' is too long"),
  ])
  func badDurations(text: String, message: String) {
    if case .failure(let p) = TimeSpan.parse(text) {
      #expect(p.message == message)
    } else {
      Issue.record("\(text) accepted")
    }
  }
}
