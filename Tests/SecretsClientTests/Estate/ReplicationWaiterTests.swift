import Foundation
import NIOConcurrencyHelpers
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// Waiting for replicas on a clock the test moves: a Region that catches up, one that stays
/// behind until the timeout, one that cannot be read.
@Suite(.ownThreads)
struct ReplicationWaiterTests {
  /// A clock that moves only when the waiter sleeps.
  final class FakeClock: Sendable {
    private let elapsed = NIOLockedValueBox(Duration.zero)
    let origin = ContinuousClock.now
    var now: ContinuousClock.Instant { origin + elapsed.withLockedValue { $0 } }
    func advance(_ by: Duration) { elapsed.withLockedValue { $0 += by } }
  }

  static let planned = LabelMap(["a": ["AWSCURRENT"], "b": ["AWSPREVIOUS"]])
  static let old = LabelMap(["a": ["AWSPREVIOUS"], "b": ["AWSCURRENT"]])

  @Test(arguments: [0, 1, 4]) func eachRegionIsMatchedBehindOrFailed(catchUpAfterReads: Int) async {
    let clock = FakeClock()
    let reads = NIOLockedValueBox([String: Int]())
    let waiter = ReplicationWaiter(
      interval: .seconds(1), timeout: .seconds(10), sleep: { clock.advance($0) }, now: { clock.now }
    ) { region in
      let count = reads.withLockedValue { reads in
        reads[region, default: 0] += 1
        return reads[region]!
      }
      switch region {
      case "eu-west-1": return count > catchUpAfterReads ? Self.planned : Self.old
      case "ap-south-1": return Self.old
      default: throw SecretsError.service(code: "AccessDeniedException", message: "no access in \(region)")
      }
    }
    let heard = NIOLockedValueBox([String: [ReplicationWaiter.Outcome]]())
    let outcomes = await waiter.wait(for: Self.planned, in: ["eu-west-1", "ap-south-1", "me-south-1"]) {
      region, outcome in heard.withLockedValue { $0[region, default: []].append(outcome) }
    }
    // Each Region is told once, as it ends, with the outcome returned.
    #expect(
      heard.withLockedValue { $0 } == Dictionary(uniqueKeysWithValues: outcomes.map { ($0.region, [$0.outcome]) }))
    #expect(outcomes.map(\.region) == ["eu-west-1", "ap-south-1", "me-south-1"])
    #expect(outcomes[0].outcome == .matched(after: Double(catchUpAfterReads)))
    #expect(outcomes[1].outcome == .behind(labels: Self.old))
    guard case .failed(let message) = outcomes[2].outcome else {
      Issue.record("an unreadable Region is reported as failed")
      return
    }
    #expect(message.contains("no access in me-south-1"))
    // Every Region is read until the timeout at most: 10 s at one read a second, and one more.
    #expect(reads.withLockedValue { $0["ap-south-1"] } == 11)
  }
}
