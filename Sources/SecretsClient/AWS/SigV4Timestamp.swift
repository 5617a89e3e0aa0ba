import Foundation

/// The two UTC time formats SigV4 uses, computed without a shared DateFormatter.
struct SigV4Timestamp {
  var amzDate: String
  var dateStamp: String

  init(_ date: Date) {
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
