import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// RotationFollower against the store's simulated rotations, on an injected clock: its sleep
/// moves the clock instead of waiting, so a rotation of minutes is followed in milliseconds.
@Suite(.ownThreads)
struct RotationFollowerStoreTests {
  static let t = StoreRotationTests.t
  static let start = StoreRotationTests.start

  struct Followed {
    var stages: [RotationStage] = []
    var error: (any Error)?
    var last: Secret?
  }

  /// Follows `token` on prod/db, reading every `interval` seconds of the test clock, until the
  /// follower ends or `limit` seconds have passed (then its sleep throws, as a timeout would).
  /// `during` runs before each sleep, with the seconds elapsed.
  static func follow(
    _ backend: LocalStoreBackend, _ clock: TestClock, interval: Double = 1, limit: Double = 300,
    during: @escaping @Sendable (Double) async throws -> Void = { _ in }
  ) async -> Followed {
    struct TimedOut: Error {}
    let follower = RotationFollower(backend: backend, interval: .milliseconds(Int(interval * 1000)), cleanupReads: 2) {
      duration in
      let elapsed = clock.now.timeIntervalSince(start)
      try await during(elapsed)
      if elapsed >= limit { throw TimedOut() }
      clock.advance(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
    var followed = Followed()
    do {
      for try await observation in follower.follow(secretId: "prod/db", token: t) {
        followed.stages.append(observation.stage)
        followed.last = observation.secret
      }
    } catch {
      followed.error = error
    }
    return followed
  }

  @Test(arguments: [0.5, 1, 3, 7, 13])
  func aSucceedingRotationIsFollowedStageByStageToTheEnd(interval: Double) async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked(simulation: StoreRotationTests.simulation(step: 3))
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    let followed = await Self.follow(backend, clock, interval: interval)
    #expect(followed.error == nil, "\(String(describing: followed.error))")
    #expect(followed.stages == followed.stages.sorted() && Set(followed.stages).count == followed.stages.count)
    #expect(followed.stages.first == .pendingPlaceholder)
    #expect(followed.stages.last == .pendingCleanedUp)
    // The store moves AWSCURRENT and removes AWSPENDING in the same step, so currentMoved is
    // never seen; a value is seen whenever a read falls between createSecret and finishSecret.
    #expect(!followed.stages.contains(.currentMoved))
    #expect(followed.stages.contains(.valuePresent) == (interval < 9), "\(followed.stages)")
    #expect(followed.last?.labelMap.labels(on: Self.t) == ["AWSCURRENT"])
    #expect(clock.now.timeIntervalSince(Self.start) < 12 + interval, "it stops once finished")
  }

  @Test(arguments: RotationStepName.allCases)
  func aStuckRotationNeverReachesCurrentMovedAndRunsUntilTimedOut(step: RotationStepName) async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked(
      simulation: StoreRotationTests.simulation("failAt", failAt: step.rawValue, step: 2))
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    let followed = await Self.follow(backend, clock, limit: 60)
    #expect(followed.error != nil, "only the timeout ends it")
    #expect(followed.stages == (step == .createSecret ? [.pendingPlaceholder] : [.pendingPlaceholder, .valuePresent]))
    let reached = try #require(followed.stages.last)
    let diagnosis = RotationDiagnosis(
      secretName: "prod/db", token: Self.t, reached: reached,
      function: try await backend.describeSecret("prod/db", includeDeprecated: false).rotationFunction)
    #expect(diagnosis.remedies.contains(.removePending(secretName: "prod/db")))
    #expect(diagnosis.remedies.contains(.promote(secretName: "prod/db")) == (reached == .valuePresent))
  }

  @Test func anAbandonedRotationEndsTheFollowing() async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked(
      simulation: StoreRotationTests.simulation("failAt", failAt: "testSecret"))
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    // 25 s in, a person abandons it: AWSPENDING off the new version.
    let followed = await Self.follow(backend, clock) { elapsed in
      if elapsed == 25 {
        try await backend.updateSecretVersionStage(
          secretId: "prod/db", step: StageStep(versionStage: "AWSPENDING", removeFromVersionId: Self.t))
      }
    }
    #expect(followed.error == nil)
    #expect(followed.stages == [.pendingPlaceholder, .valuePresent])
    #expect(clock.now.timeIntervalSince(Self.start) < 30, "it ends at the next read")
  }

  @Test func aRotationThatLeavesAWSPENDINGOnTheNewCurrentEndsAfterTheCleanupReads() async throws {
    // An older finishSecret template: AWSCURRENT moved, AWSPENDING stays (set up by hand here).
    let (store, clock, backend) = try StoreRotationTests.clocked(
      simulation: nil,
      versions: [(StoreRotationTests.c, ["AWSPREVIOUS"]), (Self.t, ["AWSCURRENT", "AWSPENDING"])])
    defer { store.remove() }
    let followed = await Self.follow(backend, clock)
    #expect(followed.error == nil)
    #expect(followed.stages == [.currentMoved])
    #expect(clock.now.timeIntervalSince(Self.start) == 2, "cleanupReads 2: three reads in all, a second apart")
  }
}
