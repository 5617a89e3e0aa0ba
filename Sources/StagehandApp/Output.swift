import Foundation
import SecretsClient
import StagingModel

/// Writes to the standard streams. Everything that came from a secret's metadata goes
/// through `DisplayText.sanitized` before it reaches a terminal: tables and plans as they are
/// laid out (`safe`), messages (errors and refusals) once, as they are written (`error`). A
/// stream closed by the reader (`stagehand list | head`) stops the output, never the process:
/// FileHandle's `write` traps on EPIPE, so every write goes through `write(_:to:)`.
enum Output {
  static func line(_ text: String = "") {
    write(Array((text + "\n").utf8))
  }

  /// Writes all of `bytes` to standard output without copying them first.
  static func write(_ bytes: [UInt8], to descriptor: Int32 = 1) {
    bytes.withUnsafeBytes { write($0, to: descriptor) }
  }

  static func write(_ raw: UnsafeRawBufferPointer, to descriptor: Int32 = 1) {
    var offset = 0
    while offset < raw.count {
      let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
      if written < 0 {
        if errno == EINTR { continue }
        return
      }
      offset += written
    }
  }

  /// `text` on standard error after "stagehand: ", made safe line by line: the one place a
  /// message the CLI prints is made safe. Messages carry a server's text (an AWS error
  /// message, a store file's names) as it came, kept on its line (`DisplayText.inline`), and
  /// keep their own lines.
  static func error(_ text: String) {
    write(Array(("stagehand: " + safeLines(text) + "\n").utf8), to: 2)
  }

  static func safeLines(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { safe(String($0)) }.joined(separator: "\n")
  }

  static func safe(_ text: String) -> String { DisplayText.sanitized(text) }

  /// Pads or truncates to `width` columns (ASCII-safe for tables).
  static func cell(_ text: String, _ width: Int) -> String {
    if text.count > width { return String(text.prefix(max(0, width - 1))) + "…" }
    return text + String(repeating: " ", count: width - text.count)
  }
}
