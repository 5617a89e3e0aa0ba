import Foundation
import NIOConcurrencyHelpers

/// Client-side rate limiting after botocore's "adaptive" retry mode (`ClientRateLimiter`): a
/// token bucket every request takes a token from, whose rate follows CUBIC, as TCP's
/// congestion window does: cut to 70% of the rate measured when a ThrottlingException comes
/// back, then grown back as a cubic of the time since, past the old rate and on. Always on, but
/// dormant (no waiting) until the first throttling answer, as in botocore.
///
/// One per client: every call of the client (the pages of a list, the reads around a move, the
/// concurrent refreshes of the TUI) shares it, since AWS's limits count them together. A
/// reference type because it is shared; its state, `AdaptiveRate`, is a value behind a lock.
/// https://github.com/boto/botocore/blob/develop/botocore/retries/adaptive.py
public final class AdaptiveRateLimiter: Sendable {
  private let state: NIOLockedValueBox<AdaptiveRate>
  private let now: @Sendable () -> Double

  /// `now`: a monotonic clock in seconds (tests pass one they move).
  public init(now: @escaping @Sendable () -> Double = AdaptiveRateLimiter.monotonicSeconds) {
    self.now = now
    self.state = NIOLockedValueBox(AdaptiveRate(at: now()))
  }

  /// Seconds on the continuous clock since the first use in this process.
  public static let monotonicSeconds: @Sendable () -> Double = {
    let elapsed = ContinuousClock.now - origin
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }
  private static let origin = ContinuousClock.now

  /// How often a waiting request looks again: a rate that has grown since shortens its wait.
  public static let recheck = Duration.milliseconds(500)

  /// A place in the queue for the bucket's tokens.
  public struct Ticket: Sendable, Equatable {
    var number: Double
  }

  /// Takes the next token for one request: nil to send at once (not engaged, or the token is
  /// there), else the ticket to wait on with `wait(for:)`. Concurrent callers queue in order.
  public func acquire() -> Ticket? {
    state.withLockedValue { rate in
      let time = now()
      guard let ticket = rate.take(at: time), rate.bucket.wait(for: ticket, at: time) > 0 else { return nil }
      return Ticket(number: ticket)
    }
  }

  /// How long the holder of `ticket` still has to wait at the current rate, at most `recheck`;
  /// nil once its token is earned.
  public func wait(for ticket: Ticket) -> Duration? {
    let seconds = state.withLockedValue { $0.bucket.wait(for: ticket.number, at: now()) }
    guard seconds > 0 else { return nil }
    return min(.nanoseconds(Int64((seconds * 1e9).rounded(.up))), Self.recheck)
  }

  /// Records an answer (or a failure to get one): a throttling answer engages the limiter and
  /// cuts the rate, any other lets it grow. Returns the state after it.
  @discardableResult
  public func record(throttled: Bool) -> Snapshot {
    state.withLockedValue { rate in
      let time = now()
      rate.afterAnswer(throttled: throttled, at: time)
      return Snapshot(rate, at: time)
    }
  }

  public var snapshot: Snapshot { state.withLockedValue { Snapshot($0, at: now()) } }

  /// What the limiter does now, for tests and the log.
  public struct Snapshot: Equatable, Sendable {
    /// False until the first throttling answer: until then nothing waits.
    public var isEngaged: Bool
    /// The requests per second the bucket lets through (when engaged).
    public var sendRate: Double
    /// The requests per second the client was measured sending.
    public var measuredRate: Double

    init(_ rate: AdaptiveRate, at time: Double) {
      isEngaged = rate.isEngaged
      sendRate = rate.bucket.fillRate
      measuredRate = rate.meter.estimate(at: time)
    }
  }
}

/// botocore's `ClientRateLimiter` without the lock: the bucket, the send-rate meter and the
/// CUBIC calculator, and whether a throttling answer has engaged them. Times are seconds on a
/// monotonic clock.
public struct AdaptiveRate: Sendable, Equatable {
  /// The new rate is at most this many times the measured one.
  public static let maxAdjustScale = 2.0

  public var cubic: CubicRate
  public var meter: SendRateMeter
  public var bucket: TokenBucket
  public private(set) var isEngaged = false

  public init(at time: Double) {
    cubic = CubicRate(startingMaxRate: 0, at: time)
    meter = SendRateMeter(at: time)
    bucket = TokenBucket(maxRate: 1, at: time)
  }

  /// The ticket for the next token, nil while not engaged (nothing waits).
  public mutating func take(at time: Double) -> Double? {
    isEngaged ? bucket.take(at: time) : nil
  }

  public mutating func afterAnswer(throttled: Bool, at time: Double) {
    meter.record(at: time)
    let measured = meter.estimate(at: time)
    let rate: Double
    if throttled {
      rate = cubic.throttled(currentRate: isEngaged ? min(measured, bucket.fillRate) : measured, at: time)
      isEngaged = true
    } else {
      rate = cubic.rate(at: time)
    }
    bucket.setMaxRate(min(rate, Self.maxAdjustScale * measured), at: time)
  }
}

/// botocore's `CubicCalculator`: after a throttle at `lastThrottle` with the rate then at
/// `maxRate` (W_max), the rate is `scale * (t - lastThrottle - k)^3 + W_max`, where `k` is
/// the time it takes to climb back to W_max from `beta * W_max`.
public struct CubicRate: Sendable, Equatable {
  public static let scale = 0.4
  public static let beta = 0.7

  public private(set) var maxRate: Double
  public private(set) var lastThrottle: Double

  public init(startingMaxRate: Double, at time: Double) {
    maxRate = startingMaxRate
    lastThrottle = time
  }

  /// Seconds from a throttle back to `maxRate`.
  public var k: Double { cbrt(maxRate * (1 - Self.beta) / Self.scale) }

  /// The rate after a success at `time`.
  public func rate(at time: Double) -> Double {
    Self.scale * pow(time - lastThrottle - k, 3) + maxRate
  }

  /// A throttle at `time` while sending at `currentRate`: that rate becomes W_max, and the new
  /// rate is `beta` of it.
  public mutating func throttled(currentRate: Double, at time: Double) -> Double {
    maxRate = currentRate
    lastThrottle = time
    return currentRate * Self.beta
  }
}

/// botocore's `RateClocker`: requests counted in half-second buckets, the rate of each bucket
/// smoothed into `measuredRate` (80% the new bucket, 20% the old rate).
///
/// One departure, in `estimate`: botocore measures 0 until its first bucket closes, which
/// pins a client throttled in its first moments (a CLI run) to the bucket's floor of one
/// request every 2 s, whatever it was sending. Until a bucket has closed, the estimate is the
/// count so far over the time so far, counted as at least a whole bucket.
public struct SendRateMeter: Sendable, Equatable {
  public static let smoothing = 0.8
  public static let bucketSeconds = 0.5

  public private(set) var measuredRate = 0.0
  private var count = 0
  private var lastBucket: Double
  private let start: Double
  private var hasMeasured = false

  /// botocore starts from the whole second, so a client made in a second's second half closes
  /// a bucket on its first request; here the first bucket is the half second `time` falls in.
  public init(at time: Double) {
    start = time
    lastBucket = Self.bucket(time)
  }

  private static func bucket(_ time: Double) -> Double { (time / bucketSeconds).rounded(.down) * bucketSeconds }

  /// Counts one request at `time`; returns the measured rate.
  @discardableResult
  public mutating func record(at time: Double) -> Double {
    let bucket = Self.bucket(time)
    count += 1
    if bucket > lastBucket {
      let current = Double(count) / (bucket - lastBucket)
      measuredRate = current * Self.smoothing + measuredRate * (1 - Self.smoothing)
      count = 0
      lastBucket = bucket
      hasMeasured = true
    }
    return measuredRate
  }

  /// The send rate the limiter works from: `measuredRate`, or before any bucket has closed,
  /// the count so far over at least a bucket's time.
  public func estimate(at time: Double) -> Double {
    hasMeasured ? measuredRate : Double(count) / max(time - start, Self.bucketSeconds)
  }
}

/// botocore's `TokenBucket`, which fills at `fillRate` tokens a second up to `maxCapacity`
/// (the rate, at least 1), never below `minRate`. Instead of blocking a thread until a token
/// is there, `take` hands out the next token at once, as a ticket (the bucket may go into
/// debt), and `wait(for:at:)` says how long until that ticket is earned at the rate of the
/// moment: concurrent callers queue in the order they asked, and a rate that grows while they
/// wait shortens the wait, as botocore's condition variable does.
public struct TokenBucket: Sendable, Equatable {
  public static let minRate = 0.5

  public private(set) var fillRate: Double
  public private(set) var maxCapacity: Double
  /// Tokens earned and tokens handed out since the bucket was made.
  private var earned = 0.0
  private var taken = 0.0
  private var lastTime: Double

  /// Empty at `time`.
  public init(maxRate: Double, at time: Double) {
    fillRate = max(maxRate, Self.minRate)
    maxCapacity = max(maxRate, 1)
    lastTime = time
  }

  /// Tokens at hand; negative when tickets are waiting.
  public var capacity: Double { earned - taken }

  public mutating func setMaxRate(_ rate: Double, at time: Double) {
    refill(at: time)
    fillRate = max(rate, Self.minRate)
    maxCapacity = max(rate, 1)
    earned = min(earned, taken + maxCapacity)
  }

  /// Hands out the next token, earned or not: its ticket.
  public mutating func take(at time: Double) -> Double {
    refill(at: time)
    taken += 1
    return taken
  }

  /// Seconds until `ticket` is earned at the current rate; 0 once it is.
  public mutating func wait(for ticket: Double, at time: Double) -> Double {
    refill(at: time)
    return max(0, ticket - earned) / fillRate
  }

  private mutating func refill(at time: Double) {
    earned = min(taken + maxCapacity, earned + max(0, time - lastTime) * fillRate)
    lastTime = time
  }
}
