import Foundation

/// Date wording for people, the screen's and the CLI's tables alike (machine-read dates are
/// `ISO8601Text`'s). Computed from calendar components in an explicit time zone (no
/// DateFormatter, no process locale) so a fixed `now` renders the same everywhere.
public struct DateText: Sendable {
  public var timeZone: TimeZone

  /// The CLI's tables, which say "UTC" after the time.
  public static let utc = DateText(timeZone: TimeZone(identifier: "UTC")!)

  public init(timeZone: TimeZone) {
    self.timeZone = timeZone
  }

  private var calendar: Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    return calendar
  }

  /// `date` to the nearest millisecond, AWS's precision. Fields are read from it as
  /// DateFormatter read them, so 09:29:59.9996 is 09:30, as the CLI has always printed it.
  public static func nearestMillisecond(_ date: Date) -> Date {
    Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
  }

  private func fields(_ components: Set<Calendar.Component>, of date: Date) -> DateComponents {
    calendar.dateComponents(components, from: Self.nearestMillisecond(date))
  }

  /// "2026-11-26 09:30".
  public func absolute(_ date: Date) -> String {
    let c = fields([.year, .month, .day, .hour, .minute], of: date)
    return
      "\(pad(c.year ?? 0, 4))-\(pad(c.month ?? 0, 2))-\(pad(c.day ?? 0, 2)) \(pad(c.hour ?? 0, 2)):\(pad(c.minute ?? 0, 2))"
  }

  /// "2026-11-26": AWS reports last access by day only.
  public func day(_ date: Date) -> String {
    let c = fields([.year, .month, .day], of: date)
    return "\(pad(c.year ?? 0, 4))-\(pad(c.month ?? 0, 2))-\(pad(c.day ?? 0, 2))"
  }

  /// "3d ago", "in 2h", "just now".
  public func relative(_ date: Date, now: Date) -> String {
    let seconds = now.timeIntervalSince(date)
    let magnitude = abs(seconds)
    let amount: String
    switch magnitude {
    case ..<60: return "just now"
    case ..<3600: amount = "\(Int(magnitude / 60))m"
    case ..<86_400: amount = "\(Int(magnitude / 3600))h"
    case ..<(86_400 * 60): amount = "\(Int(magnitude / 86_400))d"
    case ..<(86_400 * 365): amount = "\(Int(magnitude / (86_400 * 30)))mo"
    case ..<(86_400 * 365 * 10_000): amount = "\(Int(magnitude / (86_400 * 365)))y"
    // No real date is this far off (a server sent nonsense, say 1e300 seconds): said
    // plainly, where Int(_:) would trap.
    default: amount = ">9999y"
    }
    return seconds >= 0 ? "\(amount) ago" : "in \(amount)"
  }

  private func pad(_ value: Int, _ width: Int) -> String {
    var text = String(value)
    while text.count < width { text = "0" + text }
    return text
  }
}
