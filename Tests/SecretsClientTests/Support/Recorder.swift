import Foundation

@testable import SecretsClient

/// Collects log entries and sleeps, for assertions.
final class Recorder: RequestLog, @unchecked Sendable {
  private let lock = NSLock()
  private var storedEntries: [RequestLogEntry] = []
  private var storedSleeps: [Duration] = []

  var entries: [RequestLogEntry] {
    lock.lock()
    defer { lock.unlock() }
    return storedEntries
  }

  var sleeps: [Duration] {
    lock.lock()
    defer { lock.unlock() }
    return storedSleeps
  }

  func record(_ entry: RequestLogEntry) {
    lock.lock()
    storedEntries.append(entry)
    lock.unlock()
  }

  func sleep(_ duration: Duration) {
    lock.lock()
    storedSleeps.append(duration)
    lock.unlock()
  }
}
