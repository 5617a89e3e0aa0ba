import Foundation
import StagingModel

/// Writes to the standard streams. Everything that came from a secret's metadata goes
/// through `DisplayText.sanitized` before it reaches a terminal.
enum Output {
  static func line(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  static func error(_ text: String) {
    FileHandle.standardError.write(Data(("stagehand: " + text + "\n").utf8))
  }

  static func json(_ value: Any) {
    let data =
      (try? JSONSerialization.data(
        withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
  }

  static func safe(_ text: String) -> String { DisplayText.sanitized(text) }

  static func iso(_ date: Date?) -> Any {
    guard let date else { return NSNull() }
    // A format style, not a new ISO8601DateFormatter per date: listing 10,000 secrets
    // formats 40,000 dates.
    return date.formatted(.iso8601)
  }

  /// Pads or truncates to `width` columns (ASCII-safe for tables).
  static func cell(_ text: String, _ width: Int) -> String {
    if text.count > width { return String(text.prefix(max(0, width - 1))) + "…" }
    return text + String(repeating: " ", count: width - text.count)
  }
}
