import Foundation
import StagingModel

/// After a change on a primary, reads each replica until its labels are the plan's `after`,
/// or the time runs out: AWS copies label changes to replicas asynchronously.
public struct ReplicationWaiter: Sendable {
  /// Matched, still behind, or failed.
  public typealias Outcome = ReplicaOutcome

  /// Reads a replica's labelled versions in one Region.
  public var read: @Sendable (_ region: String) async throws -> LabelMap
  public var interval: Duration
  public var timeout: Duration
  public var sleep: @Sendable (Duration) async throws -> Void
  public var now: @Sendable () -> ContinuousClock.Instant

  public init(
    interval: Duration = .seconds(1), timeout: Duration,
    sleep: @escaping @Sendable (Duration) async throws -> Void = {
      try await Task.sleep(for: $0)
    }, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
    read: @escaping @Sendable (_ region: String) async throws -> LabelMap
  ) {
    self.read = read
    self.interval = interval
    self.timeout = timeout
    self.sleep = sleep
    self.now = now
  }

  /// Each Region's outcome, the Regions read side by side; `each` hears of every Region as
  /// soon as its outcome is known (the UI shows them as they come).
  public func wait(
    for expected: LabelMap, in regions: [String], each: (_ region: String, _ outcome: Outcome) -> Void = { _, _ in }
  ) async -> [(region: String, outcome: Outcome)] {
    let target = expected.labelledVersions
    return await withTaskGroup(of: (Int, Outcome).self) { group in
      for (index, region) in regions.enumerated() {
        group.addTask { (index, await self.wait(for: target, in: region)) }
      }
      var outcomes: [(Int, Outcome)] = []
      for await outcome in group {
        each(regions[outcome.0], outcome.1)
        outcomes.append(outcome)
      }
      return outcomes.sorted { $0.0 < $1.0 }.map { (regions[$0.0], $0.1) }
    }
  }

  private func wait(for target: LabelMap, in region: String) async -> Outcome {
    let start = now()
    var last: LabelMap?
    var failure: String?
    while true {
      do {
        let labels = try await read(region).labelledVersions
        if labels.sameLabels(as: target) { return .matched(after: Self.seconds(now() - start)) }
        last = labels
      } catch {
        failure = (error as? SecretsError)?.userMessage ?? String(describing: error)
      }
      if now() - start >= timeout { break }
      do { try await sleep(interval) } catch { break }
    }
    if let last { return .behind(labels: last) }
    return .failed(failure ?? "no answer")
  }

  static func seconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) + Double(attoseconds) / 1e18
  }
}
