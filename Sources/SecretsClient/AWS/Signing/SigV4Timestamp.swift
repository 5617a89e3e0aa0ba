import Foundation

/// The two UTC time formats SigV4 uses, computed without a shared DateFormatter.
struct SigV4Timestamp {
  var amzDate: String
  var dateStamp: String

  /// Seconds from 1970 to the year 10000.
  private static let arithmeticRange: Range<Double> = 0..<253_402_300_800

  init(_ date: Date) {
    // Whole seconds floored as the calendar floors them, on the reference date it counts
    // from; 1970 is a whole number of seconds before it, so the result is exact.
    let whole = Date(timeIntervalSinceReferenceDate: date.timeIntervalSinceReferenceDate.rounded(.down))
    guard Self.arithmeticRange.contains(whole.timeIntervalSince1970) else {
      self.init(calendarDate: date)
      return
    }
    // `yyyy-MM-ddTHH:mm:ssZ` by arithmetic, much cheaper than a Calendar on Linux; from 1970
    // to 9999 its proleptic Gregorian dates are the calendar's.
    self.init(iso8601: Array(ISO8601Text.string(whole).utf8))
  }

  private init(iso8601 iso: [UInt8]) {
    func text(_ ranges: Range<Int>...) -> String {
      String(decoding: ranges.flatMap { iso[$0] }, as: UTF8.self)
    }
    dateStamp = text(0..<4, 5..<7, 8..<10)
    amzDate = dateStamp + text(10..<11, 11..<13, 14..<16, 17..<20)
  }

  /// Outside 1970...9999, the calendar itself (its dates before 1582 are Julian).
  private init(calendarDate date: Date) {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    func two(_ n: Int?) -> String { String(n ?? 0).sigV4ZeroPadded(to: 2) }
    dateStamp = String(c.year ?? 0).sigV4ZeroPadded(to: 4) + two(c.month) + two(c.day)
    amzDate = dateStamp + "T" + two(c.hour) + two(c.minute) + two(c.second) + "Z"
  }
}

extension String {
  func sigV4ZeroPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
