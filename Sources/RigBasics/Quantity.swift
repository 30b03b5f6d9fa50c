/// Why a quantity, CPU list or other small grammar was refused, pointing into the offending text.
public struct SyntaxProblem: Error, Sendable, Hashable {
  /// Lowercase, no final period.
  public var message: String
  public var help: [String]
  /// Where in the text the problem is (in Unicode scalars from its start) and how long it is.
  public var offset: Int
  public var length: Int

  public init(_ message: String, help: [String] = [], offset: Int = 0, length: Int = 0) {
    self.message = message
    self.help = help
    self.offset = offset
    self.length = length
  }
}

/// A decimal number split from its unit: `12.5GiB` → digits `12`, fraction `5`, unit `GiB`.
struct NumberWithUnit {
  var negative: Bool
  var whole: String
  var fraction: String
  var unit: String
  /// Where the unit starts, in scalars.
  var unitOffset: Int

  init?(_ text: String, allowNegative: Bool = false) {
    var scalars = Substring(text).unicodeScalars[...]
    negative = false
    if allowNegative, scalars.first == "-" {
      negative = true
      scalars = scalars.dropFirst()
    }
    let digits = scalars.prefix { ("0"..."9").contains($0) }
    guard !digits.isEmpty else { return nil }
    whole = String(String.UnicodeScalarView(digits))
    scalars = scalars.dropFirst(digits.count)
    fraction = ""
    if scalars.first == ".", let next = scalars.dropFirst().first, ("0"..."9").contains(next) {
      let fractionDigits = scalars.dropFirst().prefix { ("0"..."9").contains($0) }
      fraction = String(String.UnicodeScalarView(fractionDigits))
      scalars = scalars.dropFirst(1 + fractionDigits.count)
    }
    unit = String(String.UnicodeScalarView(scalars))
    unitOffset = text.unicodeScalars.count - scalars.count
  }

  /// The value times `scale`, divided by 10^(fraction digits); nil when not a whole number or on overflow.
  func scaled(by scale: Int) -> Int? {
    var numerator = 0
    for digit in (whole + fraction).unicodeScalars {
      let (times, o1) = numerator.multipliedReportingOverflow(by: 10)
      let (plus, o2) = times.addingReportingOverflow(Int(digit.value) - 48)
      if o1 || o2 { return nil }
      numerator = plus
    }
    let (product, overflow) = numerator.multipliedReportingOverflow(by: scale)
    if overflow { return nil }
    var divisor = 1
    for _ in 0..<fraction.count {
      let (next, o) = divisor.multipliedReportingOverflow(by: 10)
      if o { return nil }
      divisor = next
    }
    guard product % divisor == 0 else { return nil }
    return (negative ? -1 : 1) * (product / divisor)
  }

  var numberText: String { (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction) }
}

/// An exact amount of memory in bytes. Written with binary units (`12GiB`, `512Mi`) or as plain bytes.
public struct ByteCount: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var bytes: Int
  public init(bytes: Int) { self.bytes = bytes }

  /// `n` KiB; like every quantity factory, it saturates at `Int.max` (or `-Int.max`) instead of trapping or wrapping
  /// (rig's limits, `ModelRules`, then refuse the value).
  public static func kib(_ n: Int) -> ByteCount { ByteCount(bytes: saturating(n, 1 << 10)) }
  /// `n` MiB.
  public static func mib(_ n: Int) -> ByteCount { ByteCount(bytes: saturating(n, 1 << 20)) }
  /// `n` GiB.
  public static func gib(_ n: Int) -> ByteCount { ByteCount(bytes: saturating(n, 1 << 30)) }
  /// `n` TiB.
  public static func tib(_ n: Int) -> ByteCount { ByteCount(bytes: saturating(n, 1 << 40)) }

  public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }
  /// The sum, saturating at the largest and smallest counts (budgets add many sizes).
  public static func + (a: ByteCount, b: ByteCount) -> ByteCount {
    let (sum, overflow) = a.bytes.addingReportingOverflow(b.bytes)
    return ByteCount(bytes: overflow ? (b.bytes > 0 ? Int.max : -Int.max) : sum)
  }
  /// The difference, saturating like `+`.
  public static func - (a: ByteCount, b: ByteCount) -> ByteCount {
    let (difference, overflow) = a.bytes.subtractingReportingOverflow(b.bytes)
    return ByteCount(bytes: overflow ? (b.bytes < 0 ? Int.max : -Int.max) : difference)
  }

  static let units: [(String, Int)] = [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]

  /// Canonical form: the largest binary unit it fills at least once and in which it is exact to three decimals
  /// (`12GiB`, `1.5GiB`, `24064.5MiB`), else plain bytes; `parse` reads it back to the same count.
  public var description: String {
    for (unit, size) in Self.units where bytes >= size {
      let (thousandths, overflow) = bytes.multipliedReportingOverflow(by: 1000)
      if !overflow, thousandths % size == 0 { return Fixed.format(thousandths / size, scale: 1000) + unit }
      if bytes % size == 0 { return "\(bytes / size)\(unit)" }
    }
    return String(bytes)
  }

  /// Parses `12GiB`, `12Gi`, `1.5GiB`, `4096`, `4096B`.
  public static func parse(_ text: String) -> Result<ByteCount, SyntaxProblem> {
    let length = text.unicodeScalars.count
    let binaryHelp = "binary units are B, KiB, MiB, GiB and TiB (or Ki, Mi, Gi, Ti)"
    guard let number = NumberWithUnit(text) else {
      if text.hasPrefix("-") { return .failure(SyntaxProblem("a size cannot be negative", length: length)) }
      return .failure(
        SyntaxProblem(
          "'\(text.excerpt)' is not a size", help: ["write a size such as '12GiB'; " + binaryHelp], length: length))
    }
    let unitLength = number.unit.unicodeScalars.count
    if number.unit.hasPrefix(" ") {
      let unit = number.unit.trimmingPrefix(while: { $0 == " " })
      let binary = unit.isEmpty ? number.numberText : "\(number.numberText.excerpt)\(unit.prefix(1).uppercased())iB"
      return .failure(
        SyntaxProblem(
          "'\(text.excerpt)' has a space before its unit", help: ["write '\(binary)'; " + binaryHelp],
          offset: number.unitOffset,
          length: 1))
    }
    let scale: Int
    switch number.unit {
    case "", "B": scale = 1
    case "KiB", "Ki": scale = 1 << 10
    case "MiB", "Mi": scale = 1 << 20
    case "GiB", "Gi": scale = 1 << 30
    case "TiB", "Ti": scale = 1 << 40
    case "kB", "KB", "K", "k", "MB", "M", "GB", "G", "TB", "T", "kb", "mb", "gb", "tb", "Mb", "Gb", "Tb":
      let letter = number.unit.uppercased().prefix(1)
      let binary = "\(number.numberText.excerpt)\(letter)iB"
      return .failure(
        SyntaxProblem(
          "'\(number.unit)' is ambiguous: rig takes binary units for sizes",
          help: ["write '\(binary)' if you mean \(binary); " + binaryHelp], offset: number.unitOffset,
          length: unitLength))
    default:
      return .failure(
        SyntaxProblem(
          "unknown size unit '\(number.unit.excerpt)'", help: [binaryHelp], offset: number.unitOffset,
          length: unitLength))
    }
    guard let bytes = number.scaled(by: scale) else {
      let wholeFits = Int(number.whole).map { !$0.multipliedReportingOverflow(by: scale).overflow } ?? false
      if wholeFits, !number.fraction.isEmpty {
        return .failure(
          SyntaxProblem("'\(text.excerpt)' is not a whole number of bytes", help: [binaryHelp], length: length))
      }
      return .failure(SyntaxProblem("'\(text.excerpt)' is too large", length: length))
    }
    return .success(ByteCount(bytes: bytes))
  }
}

/// Electrical power, kept in milliwatts; written `180W` or `180.5W`.
public struct Power: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var milliwatts: Int
  public init(milliwatts: Int) { self.milliwatts = milliwatts }
  /// `n` watts, saturating like `ByteCount.gib`.
  public static func watts(_ n: Int) -> Power { Power(milliwatts: saturating(n, 1000)) }
  public static func < (a: Power, b: Power) -> Bool { a.milliwatts < b.milliwatts }

  public var description: String { wattsText + "W" }
  /// The number of watts without the unit, as `nvidia-smi --power-limit` takes it: `180`, `172.5`.
  public var wattsText: String { Fixed.format(milliwatts, scale: 1000) }

  public static func parse(_ text: String) -> Result<Power, SyntaxProblem> {
    let length = text.unicodeScalars.count
    guard let number = NumberWithUnit(text) else {
      return .failure(
        SyntaxProblem("'\(text.excerpt)' is not a power", help: ["write watts such as '180W'"], length: length))
    }
    switch number.unit {
    case "W":
      guard let value = number.scaled(by: 1000) else {
        return .failure(
          SyntaxProblem("'\(text.excerpt)' has more precision than a milliwatt or is too large", length: length))
      }
      return .success(Power(milliwatts: value))
    case "":
      return .failure(
        SyntaxProblem(
          "power '\(text.excerpt)' has no unit", help: ["write '\(text.excerpt)W' for \(text.excerpt) watts"],
          offset: 0, length: length))
    default:
      return .failure(
        SyntaxProblem(
          "unknown power unit '\(number.unit.excerpt)'", help: ["write watts such as '\(number.numberText.excerpt)W'"],
          offset: number.unitOffset, length: number.unit.unicodeScalars.count))
    }
  }
}

/// A temperature in degrees Celsius, kept in millidegrees; written `85C` (or `85°C`).
public struct Temperature: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var millicelsius: Int
  public init(millicelsius: Int) { self.millicelsius = millicelsius }
  /// `n` degrees Celsius, saturating like `ByteCount.gib`.
  public static func celsius(_ n: Int) -> Temperature { Temperature(millicelsius: saturating(n, 1000)) }
  public static func < (a: Temperature, b: Temperature) -> Bool { a.millicelsius < b.millicelsius }

  public var description: String { Fixed.format(millicelsius, scale: 1000) + "C" }

  public static func parse(_ text: String) -> Result<Temperature, SyntaxProblem> {
    let length = text.unicodeScalars.count
    guard let number = NumberWithUnit(text, allowNegative: true) else {
      return .failure(
        SyntaxProblem(
          "'\(text.excerpt)' is not a temperature", help: ["write degrees Celsius such as '85C'"], length: length))
    }
    let unitLength = number.unit.unicodeScalars.count
    switch number.unit {
    case "C", "°C":
      guard let value = number.scaled(by: 1000) else {
        return .failure(SyntaxProblem("'\(text.excerpt)' is too precise or too large", length: length))
      }
      return .success(Temperature(millicelsius: value))
    case "F", "°F":
      let celsius = ((number.scaled(by: 1000) ?? 0) - 32_000) * 5 / 9
      return .failure(
        SyntaxProblem(
          "temperatures are in degrees Celsius, not Fahrenheit",
          help: ["write '\(Fixed.format(celsius, scale: 1000, maxFractionDigits: 1))C' for \(text.excerpt)"],
          offset: number.unitOffset, length: unitLength))
    case "":
      return .failure(
        SyntaxProblem(
          "temperature '\(text.excerpt)' has no unit",
          help: ["write '\(text.excerpt)C' for \(text.excerpt) degrees Celsius"], length: length))
    default:
      return .failure(
        SyntaxProblem(
          "unknown temperature unit '\(number.unit.excerpt)'",
          help: ["write degrees Celsius such as '\(number.numberText.excerpt)C'"],
          offset: number.unitOffset, length: unitLength))
    }
  }
}

/// A length of time, kept in milliseconds; written like Prometheus durations: `30s`, `5m`, `1h30m`.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var milliseconds: Int
  public init(milliseconds: Int) { self.milliseconds = milliseconds }
  /// `n` seconds, saturating like `ByteCount.gib`.
  public static func seconds(_ n: Int) -> TimeSpan { TimeSpan(milliseconds: saturating(n, 1000)) }
  /// `n` minutes, saturating like `ByteCount.gib`.
  public static func minutes(_ n: Int) -> TimeSpan { TimeSpan(milliseconds: saturating(n, 60_000)) }
  public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.milliseconds < b.milliseconds }

  static let units: [(String, Int)] = [
    ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
  ]

  /// Canonical form: largest units first, zero parts left out (`1h30m`, `0s` for nothing).
  public var description: String {
    if milliseconds == 0 { return "0s" }
    var rest = milliseconds
    var out = ""
    for (unit, size) in Self.units where rest >= size {
      out += "\(rest / size)\(unit)"
      rest %= size
    }
    return out
  }

  public static func parse(_ text: String) -> Result<TimeSpan, SyntaxProblem> {
    let help = "write a duration such as '30s', '5m' or '1h30m' (units ms, s, m, h, d, w)"
    let scalars = Array(text.unicodeScalars)
    guard !scalars.isEmpty else { return .failure(SyntaxProblem("empty duration", help: [help])) }
    var index = 0
    var total = 0
    var lastUnitRank = -1
    while index < scalars.count {
      let start = index
      while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
      guard index > start else {
        return .failure(
          SyntaxProblem(
            "'\(text.excerpt)' is not a duration", help: [help], offset: start, length: scalars.count - start))
      }
      let digits = Int(String(String.UnicodeScalarView(scalars[start..<index])))
      let unitStart = index
      while index < scalars.count, !("0"..."9").contains(scalars[index]) { index += 1 }
      let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
      if unit.isEmpty {
        return .failure(
          SyntaxProblem(
            "duration '\(text.excerpt)' has no unit",
            help: ["write '\(text.excerpt)s' for \(text.excerpt) seconds; " + help],
            length: scalars.count))
      }
      guard let rank = units.firstIndex(where: { $0.0 == unit }) else {
        return .failure(
          SyntaxProblem(
            "unknown duration unit '\(unit.excerpt)'", help: [help], offset: unitStart, length: index - unitStart))
      }
      guard rank > lastUnitRank else {
        return .failure(
          SyntaxProblem(
            "duration units must go from largest to smallest, each once", help: [help], offset: unitStart,
            length: index - unitStart))
      }
      lastUnitRank = rank
      guard let value = digits, case let (product, false) = value.multipliedReportingOverflow(by: units[rank].1),
        case let (sum, false) = total.addingReportingOverflow(product)
      else {
        return .failure(SyntaxProblem("duration '\(text.excerpt)' is too long", length: scalars.count))
      }
      total = sum
    }
    return .success(TimeSpan(milliseconds: total))
  }
}

/// `n * unit`, or `Int.max` (`-Int.max` below zero, so that its magnitude still fits) when the product does not fit.
func saturating(_ n: Int, _ unit: Int) -> Int {
  let (product, overflow) = n.multipliedReportingOverflow(by: unit)
  return overflow ? (n < 0 ? -Int.max : Int.max) : product
}

enum Fixed {
  /// `value / scale` in decimal with trailing zeros of the fraction removed.
  static func format(_ value: Int, scale: Int, maxFractionDigits: Int = 3) -> String {
    let negative = value < 0
    var magnitude = abs(value)
    var digits = 0
    var s = scale
    while s > 1 {
      s /= 10
      digits += 1
    }
    var dropped = digits - min(digits, maxFractionDigits)
    var divisor = scale
    while dropped > 0 {
      magnitude = (magnitude + 5) / 10
      divisor /= 10
      dropped -= 1
    }
    let whole = magnitude / divisor
    var fraction = String(magnitude % divisor)
    let width = String(divisor).count - 1
    fraction = String(repeating: "0", count: max(0, width - fraction.count)) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return (negative ? "-" : "") + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
  }
}
