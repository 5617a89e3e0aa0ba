import Foundation

/// `2023-11-14T22:13:20Z`: UTC, whole seconds rounded down, without a formatter per call.
/// Total: every `Date` gets a valid ISO 8601 date-time string (a server's `CreatedDate` of
/// -1e15 or 1e300 must not crash `list --json`, nor turn the member into another type).
///
/// - From 1582-10-15 (the Gregorian reform) to year 506713, where JSONEncoder's `.iso8601`
///   (`Date.formatted(.iso8601)`) writes the true date, the bytes are JSONEncoder's: years
///   0000-9999 in four digits, later years in as many as they need (`10000-01-01T00:00:00Z`).
/// - Elsewhere JSONEncoder wrote no true date: before the reform it switches to the Julian
///   calendar (so an ISO 8601 reader got an instant days off), and past its calendar's limits it
///   writes `-4712-01-01T12:00:00Z` or `506713-02-07T00:00:00Z` whatever the date. Here the
///   proleptic Gregorian calendar, as ISO 8601 has it, continues both ways: year 0 is 1 BC,
///   earlier years have a minus sign and at least four digits (`-0001-12-31T23:59:59Z`), so
///   what a reader parses back is the instant the server sent, and a later date never reads
///   as an earlier one.
/// - Whole seconds are saturated to 64 bits: nothing before `-292277022657-01-27T08:29:52Z`
///   or after `292277026596-12-04T15:30:07Z` (about 292 billion years either way, the limits
///   of every 64-bit seconds clock); NaN, which no reader gives, is written as the earliest.
public enum ISO8601Text {
  /// The longest text, the earliest date: `-292277022657-01-27T08:29:52Z`.
  public static let maxLength = 29

  public static func string(_ date: Date) -> String {
    var text = [UInt8]()
    text.reserveCapacity(maxLength)
    append(date, to: &text)
    return String(decoding: text, as: UTF8.self)
  }

  /// The same bytes (20 for years 0000-9999), appended to `text`.
  public static func append(_ date: Date, to text: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
      var written = 0
      write(date) { byte in
        buffer[written] = byte
        written += 1
      }
      text.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<written]))
    }
  }

  /// Seconds since 1970 rounded down, saturated to 64 bits (NaN as the earliest).
  static func wholeSeconds(_ interval: TimeInterval) -> Int {
    let floor = interval.rounded(.down)
    if floor >= 0x1p63 { return .max }
    guard floor >= -0x1p63 else { return .min }
    return Int(floor)
  }

  @inline(__always) private static func write(_ date: Date, _ put: (UInt8) -> Void) {
    // Floor division: no overflow even at Int.min.
    var (days, secondOfDay) = wholeSeconds(date.timeIntervalSince1970).quotientAndRemainder(dividingBy: 86_400)
    if secondOfDay < 0 {
      days -= 1
      secondOfDay += 86_400
    }
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian; |days| < 1.1e14 here).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    if year < 0 { put(UInt8(ascii: "-")) }
    digits(year.magnitude, 4, put)
    put(UInt8(ascii: "-"))
    digits(UInt(month), 2, put)
    put(UInt8(ascii: "-"))
    digits(UInt(day), 2, put)
    put(UInt8(ascii: "T"))
    digits(UInt(secondOfDay / 3_600), 2, put)
    put(UInt8(ascii: ":"))
    digits(UInt(secondOfDay / 60 % 60), 2, put)
    put(UInt8(ascii: ":"))
    digits(UInt(secondOfDay % 60), 2, put)
    put(UInt8(ascii: "Z"))
  }

  /// `value` in decimal, zero-padded to at least `count` digits.
  @inline(__always) private static func digits(_ value: UInt, _ count: Int, _ put: (UInt8) -> Void) {
    var divisor: UInt = 1
    var width = 1
    while width < count || value / divisor >= 10 {
      divisor *= 10
      width += 1
    }
    while divisor > 0 {
      put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
      divisor /= 10
    }
  }
}
