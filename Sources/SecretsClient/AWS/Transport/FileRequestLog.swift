import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appends one line per request to a file, for `--log-file PATH`; nothing goes to the
/// terminal, which the TUI owns.
public final class FileRequestLog: RequestLog, @unchecked Sendable {
  // Guarded by `lock`: calls from concurrent requests must not interleave within a line.
  private let lock = NSLock()
  private let descriptor: Int32

  public let path: String

  /// Opens the file for appending, creating it if needed, readable by its owner only (an
  /// existing file is made so too: the log names secrets and accounts). A symbolic link is
  /// refused rather than followed, so the log cannot be pointed at another file.
  public init(path: String) throws {
    self.path = path
    let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      let code = errno
      // O_NOFOLLOW fails with ELOOP on Linux and macOS, EMLINK on FreeBSD.
      if code == ELOOP || code == EMLINK {
        throw SecretsError.configuration(
          "The log file \(path) is a symbolic link, which Stagehand does not follow. Give --log-file the path of "
            + "the file itself, or remove the link.")
      }
      throw SecretsError.configuration(
        "Cannot open the log file \(path): \(String(cString: strerror(code))). Check that its directory exists and "
          + "is writable, or give --log-file another path.")
    }
    var status = stat()
    // A device or pipe (/dev/stderr) is written to as it is; only a regular file is tightened.
    if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, fchmod(descriptor, 0o600) != 0 {
      let code = errno
      close(descriptor)
      throw SecretsError.configuration(
        "Cannot make the log file \(path) readable by its owner only (mode 0600): "
          + "\(String(cString: strerror(code))). Give --log-file a file you own.")
    }
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }

  public func record(_ entry: RequestLogEntry) {
    let data = Array((entry.line + "\n").utf8)
    lock.lock()
    defer { lock.unlock() }
    var offset = 0
    while offset < data.count {
      let written = data[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if written < 0 && errno == EINTR { continue }
      // A log that cannot be written must not stop the work it records.
      guard written > 0 else { return }
      offset += written
    }
  }
}
