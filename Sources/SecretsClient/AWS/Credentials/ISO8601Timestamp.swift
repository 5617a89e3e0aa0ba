import Foundation

/// Parses the timestamps credential sources return (`2026-11-29T10:00:00Z`, with or without
/// fractional seconds, `Z` or an offset), as botocore's `dateutil.parser.parse` accepts them.
public enum ISO8601Timestamp {
  public static func parse(_ text: String) -> Date? {
    var trimmed = text.trimmingCharacters(in: .whitespaces)
    // Older aws CLI versions write SSO cache times as "2026-11-29T10:00:00UTC".
    if trimmed.hasSuffix("UTC") { trimmed = String(trimmed.dropLast(3)) + "Z" }
    let plain = ISO8601DateFormatter()
    plain.formatOptions = [.withInternetDateTime]
    if let date = plain.date(from: trimmed) { return date }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = fractional.date(from: trimmed) { return date }
    // "2026-11-29T10:00:00" without a zone is UTC for AWS.
    if !trimmed.isEmpty, !trimmed.hasSuffix("Z"), !trimmed.contains("+"), trimmed.count <= 26 {
      return plain.date(from: trimmed + "Z") ?? fractional.date(from: trimmed + "Z")
    }
    return nil
  }
}
