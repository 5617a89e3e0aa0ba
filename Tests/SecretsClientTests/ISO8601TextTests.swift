import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

/// The ISO 8601 dates against JSONEncoder's `.iso8601` where that writes the true date, and
/// read back independently everywhere else.
@Suite(.ownThreads)
struct ISO8601TextTests {
  /// 1582-10-15T00:00:00Z: before it, Foundation's calendar is Julian.
  static let gregorianReform: Double = -12_219_292_800
  /// Past about 1.59e13 seconds (year 506713) JSONEncoder writes the same date whatever it is.
  static let foundationCeiling: Double = 15_000_000_000_000

  /// Where JSONEncoder's `.iso8601` writes the true date, the bytes are its bytes.
  @Test func datesAsJSONEncoderWritesThem() throws {
    struct Wrapped: Encodable { var date: Date }
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    var rng = SplitMix64(seed: 12)
    let edges: [Double] = [
      0, -1, -86_400, -86_401, 951_782_400, 951_868_799.999, 4_102_444_800, -2_208_988_800, 1.5, -0.5, -0.0,
      Self.gregorianReform, Self.gregorianReform + 0.5, 253_402_300_799, 253_402_300_799.5, 253_402_300_800,
      Self.foundationCeiling, 1e12, 1e13,
    ]
    let everyday = (0..<20_000).map { _ in
      Double(Int64.random(in: -30_000_000_000...200_000_000_000, using: &rng)) / 1000
    }
    let anywhere = (0..<5_000).map { _ in
      Double(Int64.random(in: Int64(Self.gregorianReform)...Int64(Self.foundationCeiling), using: &rng))
        + Double(Int.random(in: 0..<1000, using: &rng)) / 1000
    }
    var longYears = 0
    for seconds in edges + everyday + anywhere {
      let date = Date(timeIntervalSince1970: seconds)
      let text = ISO8601Text.string(date)
      #expect(text == date.formatted(.iso8601), "\(seconds)")
      let encoded = String(decoding: try encoder.encode(Wrapped(date: date)), as: UTF8.self)
      #expect(encoded == #"{"date":"\#(text)"}"#, "\(seconds)")
      if text.utf8.count > 20 { longYears += 1 }
    }
    #expect(longYears > 4_000)
  }

  /// Dates JSONEncoder wrote wrong (Julian, or one saturated date) or that crashed the writer
  /// (years before 0, whole seconds past Int): an exact, valid ISO 8601 string, saturated only
  /// at 64-bit seconds.
  @Test(
    arguments: [
      (-62_135_596_800, "0001-01-01T00:00:00Z"),  // JSONEncoder: 0001-01-03 (Julian)
      (-62_167_219_200, "0000-01-01T00:00:00Z"),
      (-62_167_219_201, "-0001-12-31T23:59:59Z"),
      (-62_198_755_200, "-0001-01-01T00:00:00Z"),
      (-12_219_292_801, "1582-10-14T23:59:59Z"),  // JSONEncoder: 1582-10-04T23:59:59Z
      (-1e12, "-29719-04-05T22:13:20Z"),  // JSONEncoder: -4712-01-01T12:00:00Z
      (-1e15, "-31686769-06-29T22:13:20Z"),
      (1e15, "31690708-07-05T01:46:40Z"),  // JSONEncoder: 506713-02-07T00:00:00Z
      (1e18, "31688740476-10-23T01:46:40Z"),
      (9_223_372_036_854_774_784, "292277026596-12-04T15:13:04Z"),  // the largest Double under 2^63
      (0x1p63, "292277026596-12-04T15:30:07Z"),  // saturated: Int.max seconds
      (1e20, "292277026596-12-04T15:30:07Z"),
      (1e300, "292277026596-12-04T15:30:07Z"),
      (Double.greatestFiniteMagnitude, "292277026596-12-04T15:30:07Z"),
      (Double.infinity, "292277026596-12-04T15:30:07Z"),
      (-0x1p63, "-292277022657-01-27T08:29:52Z"),  // Int.min seconds, exactly
      (-1e20, "-292277022657-01-27T08:29:52Z"),
      (-1e300, "-292277022657-01-27T08:29:52Z"),
      (-Double.infinity, "-292277022657-01-27T08:29:52Z"),
      (Double.nan, "-292277022657-01-27T08:29:52Z"),
    ] as [(Double, String)])
  func farDates(seconds: Double, expected: String) {
    let date = Date(timeIntervalSince1970: seconds)
    #expect(ISO8601Text.string(date) == expected)
    var bytes: [UInt8] = []
    ISO8601Text.append(date, to: &bytes)
    #expect(bytes == Array(expected.utf8))
    #expect(bytes.count <= ISO8601Text.maxLength)
  }

  /// Days since 1970 of a proleptic Gregorian date (Hinnant's days_from_civil), to read the
  /// text back independently of the writer's days-to-civil.
  static func days(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The instant a writer's text names, or nil when it is not `[-]YYYY…-MM-DDThh:mm:ssZ`
  /// with a valid month, day and time.
  static func readBack(_ text: String) -> Int? {
    var body = Substring(text)
    let negative = body.first == "-"
    if negative { body = body.dropFirst() }
    let parts = body.split(separator: "T")
    guard parts.count == 2, parts[1].last == "Z" else { return nil }
    let date = parts[0].split(separator: "-")
    let time = parts[1].dropLast().split(separator: ":")
    guard date.count == 3, time.count == 3, date[0].count >= 4, !(date[0].count > 4 && date[0].first == "0"),
      [date[1], date[2], time[0], time[1], time[2]].allSatisfy({ $0.count == 2 }),
      (date + time).allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let magnitude = Int(date[0]), let month = Int(date[1]), let day = Int(date[2]),
      let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2])
    else { return nil }
    let year = negative ? -magnitude : magnitude
    guard !(negative && magnitude == 0), (1...12).contains(month), (0..<24).contains(hour), (0..<60).contains(minute),
      (0..<60).contains(second)
    else { return nil }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard (1...monthDays[month - 1]).contains(day) else { return nil }
    // The earliest day starts before Int.min: count back from the next midnight there.
    let dayCount = days(year: year, month: month, day: day)
    let secondOfDay = hour * 3_600 + minute * 60 + second
    let (midnight, overflow) = (dayCount < 0 ? dayCount + 1 : dayCount).multipliedReportingOverflow(by: 86_400)
    let (total, overflow2) = midnight.addingReportingOverflow(dayCount < 0 ? secondOfDay - 86_400 : secondOfDay)
    return overflow || overflow2 ? nil : total
  }

  /// Any date at all, from any 64-bit number of seconds (and fractions, and Doubles past
  /// Int): a valid date-time that reads back as the instant the Date holds, rounded down
  /// (saturated past 64 bits), and texts in the order of their dates.
  @Test func everyDateReadsBackAsItsInstant() throws {
    var rng = SplitMix64(seed: 14)
    var samples: [Double] = []
    for _ in 0..<4_000 {
      let whole = Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0..<63, using: &rng)
      samples.append(Double(whole))
      samples.append(Double(whole % 100_000_000_000) + 0.25)
      samples.append(
        Double(
          sign: Bool.random(using: &rng) ? .plus : .minus, exponent: Int.random(in: 63...1023, using: &rng),
          significand: 1.5))
    }
    for seconds in samples {
      // A Date keeps seconds since 2001 as a Double: far out, its 1970 seconds are not
      // quite `seconds`.
      let held = Date(timeIntervalSince1970: seconds).timeIntervalSince1970.rounded(.down)
      let expected = held >= 0x1p63 ? Int.max : held < -0x1p63 ? Int.min : Int(held)
      let text = ISO8601Text.string(Date(timeIntervalSince1970: seconds))
      #expect(Self.readBack(text) == expected, "\(seconds): \(text)")
    }
    // Later dates never read back earlier (saturation keeps the order).
    var previous = Int.min
    for seconds in samples.sorted() {
      let read = try #require(Self.readBack(ISO8601Text.string(Date(timeIntervalSince1970: seconds))))
      #expect(previous <= read)
      previous = read
    }
  }
}
