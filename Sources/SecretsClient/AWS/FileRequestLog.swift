import Foundation

/// Appends one line per request to a file, for `--log-file PATH`; nothing goes to the
/// terminal, which the TUI owns.
public final class FileRequestLog: RequestLog, @unchecked Sendable {
  // Guarded by `lock`: calls from concurrent requests must not interleave within a line.
  private let lock = NSLock()
  private let handle: FileHandle

  public let path: String

  /// Opens (creating if needed) the file for appending, readable by its owner only.
  public init(path: String) throws {
    self.path = path
    if !FileManager.default.fileExists(atPath: path) {
      guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
      else {
        throw SecretsError.configuration("Cannot create the log file \(path).")
      }
    }
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw SecretsError.configuration("Cannot open the log file \(path) for writing.")
    }
    handle.seekToEndOfFile()
    self.handle = handle
  }

  deinit { try? handle.close() }

  public func record(_ entry: RequestLogEntry) {
    let data = Data((entry.line + "\n").utf8)
    lock.lock()
    defer { lock.unlock() }
    handle.write(data)
  }
}
