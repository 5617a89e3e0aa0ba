import Foundation
import StagingModel

/// Carries out the plans of a change set, several secrets at a time, each through the plan
/// executor (re-read, refuse on drift, the steps in order, re-read after).
///
/// Two limits keep it inside AWS's quota of 50 changing requests a second: at most
/// `concurrency` secrets in flight, and their UpdateSecretVersionStage calls paced to
/// `callsPerSecond` together. Throttling that still comes back is the client's to absorb
/// (its adaptive rate limiter and retries), as for any call.
public struct BulkExecutor: Sendable {
  public let backend: any SecretsBackend
  public var concurrency: Int
  public var callsPerSecond: Double

  /// 8 secrets at once and 40 calls a second: a fifth under the quota, for whatever else the
  /// account is doing.
  public init(backend: any SecretsBackend, concurrency: Int = 8, callsPerSecond: Double = 40) {
    self.backend = backend
    self.concurrency = max(1, concurrency)
    self.callsPerSecond = callsPerSecond
  }

  /// Runs every plan; `finished(i, report)` is called as plan `i` ends, in the order they end.
  /// Returns the reports in the plans' order.
  public func execute(
    _ plans: [Plan], finished: @escaping @Sendable (Int, ExecutionReport) -> Void = { _, _ in }
  ) async -> [ExecutionReport] {
    let executor = PlanExecutor(backend: backend)
    let pacer = CallPacer(callsPerSecond: callsPerSecond)
    var reports = [ExecutionReport?](repeating: nil, count: plans.count)
    await withTaskGroup(of: (Int, ExecutionReport).self) { group in
      var next = 0
      func start() {
        let index = next
        next += 1
        group.addTask { (index, await executor.execute(plans[index], pace: { await pacer.take() })) }
      }
      while next < min(concurrency, plans.count) { start() }
      while let (index, report) = await group.next() {
        reports[index] = report
        finished(index, report)
        if next < plans.count { start() }
      }
    }
    return reports.map { $0! }
  }
}

/// Spaces calls evenly: each `take` returns at the next free slot, `1 / callsPerSecond` after
/// the one before. A rate of zero or less does not wait.
public actor CallPacer {
  public typealias Instant = ContinuousClock.Instant
  private let interval: Duration
  private var nextSlot: Instant?
  private let now: @Sendable () -> Instant
  private let sleep: @Sendable (Instant) async -> Void

  /// `now` and `sleep` are the clock's (tests pass their own).
  public init(
    callsPerSecond: Double, now: @escaping @Sendable () -> Instant = { ContinuousClock.now },
    sleep: @escaping @Sendable (Instant) async -> Void = { try? await Task.sleep(until: $0, clock: .continuous) }
  ) {
    interval = callsPerSecond > 0 ? .nanoseconds(Int64(1e9 / callsPerSecond)) : .zero
    self.now = now
    self.sleep = sleep
  }

  /// Waits for the next slot; returns it.
  @discardableResult
  public func take() async -> Instant {
    let now = self.now()
    guard interval > .zero else { return now }
    let slot = max(now, nextSlot ?? now)
    nextSlot = slot + interval
    if slot > now { await sleep(slot) }
    return slot
  }
}
