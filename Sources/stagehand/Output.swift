import Foundation
import SecretsClient
import StagingModel

/// Writes to the standard streams. Everything that came from a secret's metadata goes
/// through `DisplayText.sanitized` before it reaches a terminal.
enum Output {
  static func line(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  /// Writes all of `bytes` to standard output without copying them first.
  static func write(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = Foundation.write(1, raw.baseAddress! + offset, raw.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return
        }
        offset += written
      }
    }
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
    return ISO8601Text.string(date)
  }

  /// Pads or truncates to `width` columns (ASCII-safe for tables).
  static func cell(_ text: String, _ width: Int) -> String {
    if text.count > width { return String(text.prefix(max(0, width - 1))) + "…" }
    return text + String(repeating: " ", count: width - text.count)
  }
}
