import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

/// Each way a failed step settles, judged from the labels read back.
@Suite(.ownThreads)
struct StepRecoveryTests {
  static let step = StageStep(versionStage: "AWSCURRENT", removeFromVersionId: "v1", moveToVersionId: "v2")
  static let before: [VersionID: Set<String>] = ["v1": ["AWSCURRENT"], "v2": []]
  static let after: [VersionID: Set<String>] = ["v1": [], "v2": ["AWSCURRENT"]]
  static let neither: [VersionID: Set<String>] = ["v1": ["AWSCURRENT"], "v2": ["AWSCURRENT"]]

  struct Refused: Error {}

  /// Counts the resends it is asked for, failing them when told to.
  final class Resends: @unchecked Sendable {
    private(set) var count = 0
    let fail: Bool
    init(fail: Bool = false) { self.fail = fail }
    func send() throws {
      count += 1
      if fail { throw Refused() }
    }
  }

  static func settle(_ labels: [VersionID: Set<String>]?, _ resends: Resends?) async
    -> StepRecovery.Settled<[VersionID: Set<String>]>
  {
    await StepRecovery.settle(
      step,
      reread: { () throws -> [VersionID: Set<String>] in
        guard let labels else { throw Refused() }
        return labels
      }, labels: { $0 }, resend: resends.map { resends in { try resends.send() } })
  }

  @Test func inPlaceIsDoneAndNothingIsResent() async {
    let resends = Resends()
    guard case .inPlace(let labels) = await Self.settle(Self.after, resends) else {
      Issue.record("expected in place")
      return
    }
    #expect(labels == Self.after)
    #expect(resends.count == 0)
  }

  @Test func notStartedIsResentOnceWhenAResendIsGiven() async {
    let resends = Resends()
    guard case .resent = await Self.settle(Self.before, resends) else {
      Issue.record("expected resent")
      return
    }
    #expect(resends.count == 1)
    let failing = Resends(fail: true)
    let settled = await Self.settle(Self.before, failing)
    guard case .resendFailed(let error, let labels) = settled else {
      Issue.record("expected a failed resend, got \(settled)")
      return
    }
    #expect(error is Refused && labels == Self.before && settled.reading == Self.before)
    #expect(failing.count == 1)
  }

  @Test func notStartedWithoutAResendOrNeitherStateIsNotInPlace() async {
    guard case .notInPlace(let labels) = await Self.settle(Self.before, nil) else {
      Issue.record("expected not in place")
      return
    }
    #expect(labels == Self.before)
    let resends = Resends()
    guard case .notInPlace(let mixed) = await Self.settle(Self.neither, resends) else {
      Issue.record("expected not in place")
      return
    }
    #expect(mixed == Self.neither)
    #expect(resends.count == 0, "a step in neither state is never resent")
  }

  @Test func aFailedReadBackIsUnread() async {
    let resends = Resends()
    let settled = await Self.settle(nil, resends)
    guard case .unread(let error) = settled else {
      Issue.record("expected unread, got \(settled)")
      return
    }
    #expect(error is Refused)
    #expect(settled.reading == nil)
    #expect(resends.count == 0)
  }
}
