import Foundation

/// A clock tests move by hand, for code that takes `now: () -> Date` (the embedded store's
/// simulated rotations, for one).
public final class TestClock: @unchecked Sendable {
  private let lock = NSLock()
  private var current: Date

  public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = start }

  public var now: Date { lock.withLock { current } }

  /// `now`, as the closure the store takes.
  public var reading: @Sendable () -> Date { { self.now } }

  public func advance(_ seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }

  public func set(_ date: Date) { lock.withLock { current = date } }
}
