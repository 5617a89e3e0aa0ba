import Foundation
import NIOConcurrencyHelpers

/// How far this machine's clock is from AWS's, learnt from a refused request's `Date` header
/// and kept for the rest of the process, as the AWS SDKs do: every call of every client that
/// shares it signs with `clock() + offset`. A reference type because it is shared; the offset
/// sits behind a lock.
///
/// One per process by default (`shared`): the skew is the machine's, whichever Region or
/// profile a client talks to. Tests give each client one of its own.
public final class ClockCorrection: Sendable {
  public static let shared = ClockCorrection()

  private let learnt = NIOLockedValueBox<TimeInterval>(0)

  public init() {}

  /// Seconds to add to this machine's clock to get AWS's; 0 until a skew is seen.
  public var offset: TimeInterval { learnt.withLockedValue { $0 } }

  /// Keeps `offset` (AWS's time minus this machine's). Returns true when it is news, so the
  /// caller logs it: the first skew seen, or a skew that changed by more than the threshold
  /// (the machine's clock was set while Stagehand ran). Calls refused at the same moment all
  /// learn about the same offset, and only the first of them reports it.
  func learn(_ offset: TimeInterval) -> Bool {
    learnt.withLockedValue { current in
      let isNews = abs(offset - current) > ClockSkew.threshold
      current = offset
      return isNews
    }
  }
}

/// The refusals that mean a request's signing time is too far from AWS's clock, and what the
/// answer's `Date` header says about it. AWS accepts a signature up to 5 minutes off.
public enum ClockSkew {
  /// Codes that always mean a refused time.
  static let codes: Set<String> = ["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"]
  /// Codes that mean a refused time only with one of `signatureMarkers` in the message:
  /// Secrets Manager's `InvalidSignatureException` ("Signature expired: 20260101T000000Z is now
  /// earlier than …"), and the query protocol's `SignatureDoesNotMatch` (STS).
  static let signatureCodes: Set<String> = ["InvalidSignatureException", "SignatureDoesNotMatch"]
  static let signatureMarkers = ["signature expired", "not yet current"]

  /// Offsets up to this are left alone: `Date` has whole seconds and the answer takes time to
  /// arrive, and AWS itself allows 5 minutes.
  public static let threshold: TimeInterval = 60
  /// How far off AWS accepts a signature.
  public static let allowed: TimeInterval = 300

  /// Whether AWS refused the request for its time.
  public static func isSkewError(code: String, message: String) -> Bool {
    if codes.contains(code) { return true }
    guard signatureCodes.contains(code) else { return false }
    let lowered = message.lowercased()
    return signatureMarkers.contains { lowered.contains($0) }
  }

  /// AWS's time minus this machine's, from the answer's `Date` header and the local time it
  /// arrived; nil without a readable header.
  public static func offset(dateHeader: String?, receivedAt local: Date) -> TimeInterval? {
    guard let header = dateHeader, let server = HTTPDate.parse(header) else { return nil }
    return server.timeIntervalSince(local)
  }

  /// Why a refused time could not be corrected.
  public enum Uncorrected: Equatable, Sendable {
    /// The answer had no `Date` header (or one that could not be read).
    case noDate
    /// The `Date` header agrees with this machine's clock, within the threshold.
    case noSkew(serverTime: Date)
    /// Signed with the learnt offset, the retry was refused as well.
    case stillRefused(offset: TimeInterval)
  }

  /// AWS's refusal, with words that name this machine's clock and how to set it.
  static func error(_ refusal: SecretsError, localTime: Date, _ reason: Uncorrected) -> SecretsError {
    let reads = "This computer's clock reads \(HTTPDate.utcText(localTime)) UTC"
    let why: String
    switch reason {
    case .noDate:
      why = "\(reads), and AWS's answer had no Date header to correct it by"
    case .noSkew(let serverTime):
      why = "\(reads), and AWS's Date header (\(HTTPDate.utcText(serverTime)) UTC) agrees with it"
    case .stillRefused(let offset):
      why = "\(reads); corrected by \(Int(offset.rounded())) s from AWS's Date header, the request was still refused"
    }
    return refusal.addingAdvice(
      "\(why). AWS refuses requests signed more than 5 minutes off its clock: set the clock "
        + "(timedatectl set-ntp true on Linux, sntp -sS time.apple.com on macOS) and retry.")
  }

  /// The log note for a learnt offset.
  static func note(_ offset: TimeInterval) -> String {
    let seconds = Int(abs(offset).rounded())
    return "clock skew: this machine's clock is \(seconds) s \(offset > 0 ? "behind" : "ahead of") AWS; "
      + "corrected for this run"
  }
}

/// HTTP's date format (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`), read without a
/// DateFormatter. The two obsolete forms (RFC 850, asctime) are read too, as a recipient must.
enum HTTPDate {
  private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

  static func parse(_ text: String) -> Date? {
    // Words of letters and digits: [weekday, day, month, year, hh, mm, ss, zone] for
    // IMF-fixdate and RFC 850 (whose date is `06-Nov-94`), [weekday, month, day, hh, mm, ss,
    // year] for asctime.
    let words = text.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.map { String($0).lowercased() }
    guard words.count >= 7 else { return nil }
    let isAsctime = months.contains(words[1])
    guard isAsctime || (words.count >= 8 && (words[7] == "gmt" || words[7] == "utc")) else { return nil }
    // Indexes of day, month, year, hours, minutes, seconds.
    let at = isAsctime ? [2, 1, 6, 3, 4, 5] : [1, 2, 3, 4, 5, 6]
    let numbers = at.map { Int(words[$0]) }
    guard let monthIndex = months.firstIndex(of: words[at[1]]), let d = numbers[0], var y = numbers[2],
      let hh = numbers[3], let mm = numbers[4], let ss = numbers[5],
      (1...31).contains(d), (0...23).contains(hh), (0...59).contains(mm), (0...60).contains(ss)
    else { return nil }
    // RFC 850's two-digit year.
    if words[at[2]].count == 2 { y += y < 70 ? 2000 : 1900 }
    let days = daysFromCivil(year: y, month: monthIndex + 1, day: d)
    return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hh * 3_600 + mm * 60 + ss))
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// `2026-11-29 07:52:08`, for messages.
  static func utcText(_ date: Date) -> String {
    String(ISO8601Text.string(date).prefix(19)).replacingOccurrences(of: "T", with: " ")
  }
}
