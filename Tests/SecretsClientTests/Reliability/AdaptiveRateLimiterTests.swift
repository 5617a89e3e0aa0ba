import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// Where a number is botocore's (tests/unit/retries/test_throttling.py, test_bucket.py,
/// test_adaptive.py), it is checked here too, so the limiter behaves as the aws CLI's adaptive
/// mode does.
@Suite(.ownThreads) struct AdaptiveRateLimiterTests {
  struct Empty: Codable {}

  // MARK: - CUBIC

  @Test func cubicStartsAtKAndCutsToSeventyPercent() {
    var cubic = CubicRate(startingMaxRate: 10, at: 0)
    #expect(abs(cubic.k - 1.9574338205844317) < 1e-12)
    #expect(cubic.throttled(currentRate: 8, at: 1) == 8 * 0.7)
    #expect(cubic.maxRate == 8)
    #expect(cubic.lastThrottle == 1)
    #expect(abs(cubic.k - 1.8171205928321397) < 1e-12)
    #expect(abs(cubic.rate(at: 1) - 5.6) < 1e-9)
  }

  @Test func cubicClimbsBackThroughTheOldRateAndPastIt() {
    let cubic = CubicRate(startingMaxRate: 10, at: 0)
    let k = cubic.k
    for t in [k / 3, k / 2, k / 1.1] { #expect(cubic.rate(at: t) <= 10) }
    #expect(abs(cubic.rate(at: k) - 10) < 1e-9)
    for t in [k * 1.1, k * 2] { #expect(cubic.rate(at: t) >= 10) }
    // Flat around W_max, then faster and faster.
    let rates = [0.0, 1, 2, 3, 4, 5].map { cubic.rate(at: $0) }
    #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 < $1 })
    #expect(rates[5] > 20)
  }

  // MARK: - Bucket and meter

  /// Takes a token and returns the seconds its ticket waits.
  static func takeAndWait(_ bucket: inout TokenBucket, at time: Double) -> Double {
    let ticket = bucket.take(at: time)
    return bucket.wait(for: ticket, at: time)
  }

  @Test func bucketLendsAheadAndSaysHowLongToWait() {
    var bucket = TokenBucket(maxRate: 2, at: 0)
    #expect(Self.takeAndWait(&bucket, at: 0) == 0.5)  // empty at first: the token is earned in 1/2 s
    #expect(Self.takeAndWait(&bucket, at: 0) == 1.0)  // the next one queues behind it
    #expect(Self.takeAndWait(&bucket, at: 10) == 0)  // filled again, up to the capacity of 2
    #expect(Self.takeAndWait(&bucket, at: 10) == 0)
    #expect(Self.takeAndWait(&bucket, at: 10) == 0.5)
  }

  /// botocore's test_acquiring_blocks_when_capacity_reached: 10 a second, made at 0.
  @Test func bucketFillsAtItsRate() {
    var bucket = TokenBucket(maxRate: 10, at: 0)
    #expect(Self.takeAndWait(&bucket, at: 0.1) == 0)
    #expect(abs(Self.takeAndWait(&bucket, at: 0.15) - 0.05) < 1e-9)
    #expect(Self.takeAndWait(&bucket, at: 0.300001) == 0)
  }

  /// A ticket taken at a low rate is earned sooner once the rate grows.
  @Test func aWaitingTicketGainsFromAFasterRate() {
    var bucket = TokenBucket(maxRate: 1, at: 0)
    let tickets = (0..<4).map { _ in bucket.take(at: 0) }
    #expect(bucket.wait(for: tickets[3], at: 0) == 4)
    bucket.setMaxRate(8, at: 1)
    #expect(bucket.wait(for: tickets[0], at: 1) == 0)
    #expect(abs(bucket.wait(for: tickets[3], at: 1) - 3.0 / 8) < 1e-9)
  }

  @Test func bucketNeverFillsSlowerThanHalfATokenASecond() {
    var bucket = TokenBucket(maxRate: 2, at: 0)
    bucket.setMaxRate(0.01, at: 0)
    #expect(bucket.fillRate == TokenBucket.minRate)
    #expect(bucket.maxCapacity == 1)
    #expect(Self.takeAndWait(&bucket, at: 0) == 2)
  }

  /// botocore's test_times_are_grouped_per_time_bucket and test_can_measure_constant_rate.
  @Test func meterCountsHalfSecondBuckets() {
    var grouped = SendRateMeter(at: 0)
    for t in [0.1, 0.2, 0.3, 0.4, 0.49] { #expect(grouped.record(at: t) == 0) }
    // Before a bucket closes, the limiter's estimate counts the open one as if it had.
    #expect(grouped.estimate(at: 0.49) == 5 / 0.5)
    #expect(grouped.record(at: 0.5) == 12 * 0.8)
    var constant = SendRateMeter(at: 0)
    for t in 1...20 { _ = constant.record(at: Double(t)) }
    #expect(abs(constant.measuredRate - 1) < 1e-6)
  }

  @Test func meterSmoothsHalfSecondBuckets() {
    var meter = SendRateMeter(at: 0)
    for step in 0..<10 { _ = meter.record(at: Double(step) * 0.1) }  // 10 requests in 1 s
    #expect(meter.measuredRate > 5 && meter.measuredRate < 12)
    for step in 0..<40 { _ = meter.record(at: 1 + Double(step) * 0.05) }  // then 20 a second
    #expect(abs(meter.measuredRate - 20) < 3)
  }

  // MARK: - The limiter

  /// Seconds the next request waits, taking its token.
  static func nextWait(_ limiter: AdaptiveRateLimiter) -> Double {
    guard let ticket = limiter.acquire(), let wait = limiter.wait(for: ticket) else { return 0 }
    return Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
  }

  @Test func dormantUntilThrottledThenPacedAndRecovering() {
    let clock = ManualClock()
    let limiter = AdaptiveRateLimiter(now: clock.reading)
    // 20 requests a second for two seconds: nothing waits.
    for _ in 0..<40 {
      #expect(limiter.acquire() == nil)
      limiter.record(throttled: false)
      clock.advance(0.05)
    }
    #expect(!limiter.snapshot.isEngaged)
    let measured = limiter.snapshot.measuredRate
    #expect(measured > 15)
    let throttled = limiter.record(throttled: true)
    #expect(throttled.isEngaged)
    #expect(abs(throttled.sendRate - measured * CubicRate.beta) < 1)
    // Once engaged, a burst of requests is spread at the send rate.
    let waits = (0..<20).map { _ in Self.nextWait(limiter) }
    #expect(waits.last! > 0.4)
    // Further throttles drive it to the floor...
    for _ in 0..<20 {
      clock.advance(0.5)
      limiter.record(throttled: true)
    }
    #expect(limiter.snapshot.sendRate < 1)
    // ... and successes bring it back above where it started, within seconds. 50 requests a
    // second are offered (the measured rate caps the send rate at twice it).
    var seconds = 0.0
    while limiter.snapshot.sendRate < measured && seconds < 30 {
      clock.advance(0.02)
      seconds += 0.02
      _ = limiter.acquire()
      limiter.record(throttled: false)
    }
    #expect(limiter.snapshot.sendRate >= measured)
    #expect(seconds < 15)
  }

  /// A process throttled in its first moments works from the rate it was sending, not from
  /// botocore's 0 (which would pin it to one request every 2 s).
  @Test func aThrottleBeforeTheFirstMeasurementUsesTheRateSoFar() {
    let clock = ManualClock(1_000.6)
    let limiter = AdaptiveRateLimiter(now: clock.reading)
    for _ in 0..<3 {
      limiter.record(throttled: false)
      clock.advance(0.01)
    }
    let throttled = limiter.record(throttled: true)
    #expect(abs(throttled.sendRate - 4 / 0.5 * CubicRate.beta) < 1e-9)
  }

  /// Through the client: a throttled answer engages the limiter, the log says the new rate, and
  /// the following requests wait for their tokens.
  @Test func theClientWaitsForTokensOnceThrottled() async throws {
    let clock = ManualClock()
    let transport = MockTransport { _, index in
      index == 3 ? MockTransport.error(400, "ThrottlingException", "Rate exceeded") : MockTransport.json(200, "{}")
    }
    let recorder = Recorder()
    var client = AWSJSONClient.testing(transport, recorder: recorder)
    client.rateLimiter = AdaptiveRateLimiter(now: clock.reading)
    client.sleep = { duration in
      recorder.sleep(duration)
      clock.advance(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
    for _ in 0..<2 {
      _ = try await client.call(operation: "DescribeSecret", input: Empty())
      clock.advance(0.3)
    }
    #expect(recorder.sleeps.isEmpty)
    _ = try await client.call(operation: "DescribeSecret", input: Empty())  // throttled once, then ok
    #expect(client.rateLimiter?.snapshot.isEngaged == true)
    let note = try #require(recorder.entries.first { $0.outcome == "ThrottlingException" }?.note)
    #expect(note.hasPrefix("client-side rate limit now "))
    #expect(note.hasSuffix(" requests/s"))
    let before = recorder.sleeps.count
    for _ in 0..<3 { _ = try await client.call(operation: "DescribeSecret", input: Empty()) }
    #expect(recorder.sleeps.count > before)
    #expect(transport.requests.count == 7)
  }
}
