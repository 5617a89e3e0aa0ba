import Foundation
import NIOConcurrencyHelpers
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// Counts the reads in flight at once (each held a moment, so they overlap when they can),
/// and can fail a chosen secret's updates and every read of it after that.
final class InFlightBackend: SecretsBackend, @unchecked Sendable {
  let inner: any SecretsBackend
  let failing: String?
  private let state = NIOLockedValueBox((inFlight: 0, most: 0, failed: false, updates: 0))

  init(_ inner: any SecretsBackend, failing: String? = nil) {
    self.inner = inner
    self.failing = failing
  }

  /// Plans name secrets by ARN, the store's end in ":secret:NAME".
  func isFailing(_ id: String) -> Bool { failing.map { id == $0 || id.hasSuffix(":secret:" + $0) } ?? false }

  var mostInFlight: Int { state.withLockedValue { $0.most } }
  var updates: Int { state.withLockedValue { $0.updates } }
  var displayName: String { inner.displayName }
  var isReadOnly: Bool { inner.isReadOnly }
  func listSecrets(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error> {
    inner.listSecrets(filters: filters)
  }
  func describeSecret(_ id: String, includeDeprecated: Bool) async throws -> Secret {
    let failed = state.withLockedValue { state in
      state.inFlight += 1
      state.most = max(state.most, state.inFlight)
      return state.failed && isFailing(id)
    }
    defer { state.withLockedValue { $0.inFlight -= 1 } }
    try? await Task.sleep(for: .milliseconds(20))
    if failed { throw SecretsError.transport("connection reset") }
    return try await inner.describeSecret(id, includeDeprecated: includeDeprecated)
  }
  func updateSecretVersionStage(secretId: String, step: StageStep) async throws {
    state.withLockedValue { $0.updates += 1 }
    if isFailing(secretId) {
      state.withLockedValue { $0.failed = true }
      throw SecretsError.transport("connection reset")
    }
    try await inner.updateSecretVersionStage(secretId: secretId, step: step)
  }
  func secretValue(secretId: String, versionId: VersionID) async throws -> SecretValue {
    try await inner.secretValue(secretId: secretId, versionId: versionId)
  }
  func hasValue(secretId: String, versionId: VersionID) async throws -> Bool {
    try await inner.hasValue(secretId: secretId, versionId: versionId)
  }
  func rotateSecret(secretId: String, request: RotationRequest) async throws {
    try await inner.rotateSecret(secretId: secretId, request: request)
  }
  func putPendingValue(secretId: String, token: VersionID, value: SecretPayload) async throws {
    try await inner.putPendingValue(secretId: secretId, token: token, value: value)
  }
  func cancelRotation(secretId: String) async throws { try await inner.cancelRotation(secretId: secretId) }
}

@Suite(.ownThreads)
struct BulkExecutorTests {
  static let c = "cccccccc-0000-0000-0000-000000000001"
  static let n = "eeeeeeee-0000-0000-0000-000000000003"

  /// `count` secrets b-00 … each with a rotation to finish; their plans, read from the store.
  func rotations(_ count: Int) async throws -> (TemporaryStore, [Plan]) {
    let store = try TemporaryStore(
      (0..<count).map {
        TemporaryStore.secret(String(format: "b-%02d", $0), [(Self.c, ["AWSCURRENT"]), (Self.n, ["AWSPENDING"])])
      })
    let backend = LocalStoreBackend(path: store.path)
    var secrets: [Secret] = []
    for try await page in backend.listSecrets(filters: []) { secrets += page }
    let set = ChangeSet.plan(secrets) { _ in .promotePending(keepPending: false) }
    #expect(set.plans.count == count)
    return (store, set.plans)
  }

  @Test(arguments: [1, 3, 8])
  func everyPlanRunsWithNoMoreSecretsAtOnceThanAllowed(concurrency: Int) async throws {
    let (store, plans) = try await rotations(12)
    defer { store.remove() }
    let backend = InFlightBackend(LocalStoreBackend(path: store.path))
    let finished = NIOLockedValueBox<[Int]>([])
    let reports = await BulkExecutor(backend: backend, concurrency: concurrency, callsPerSecond: 0).execute(plans) {
      index, _ in finished.withLockedValue { $0.append(index) }
    }
    #expect(backend.mostInFlight <= concurrency)
    #expect(reports.map(\.plan) == plans, "reports come back in the plans' order")
    #expect(finished.withLockedValue { $0.sorted() } == Array(plans.indices), "each plan reported once as it ends")
    #expect(backend.updates == plans.count * 2)
    let after = LocalStoreBackend(path: store.path)
    for plan in plans {
      guard case .applied = reports[plans.firstIndex(of: plan)!] else {
        Issue.record("\(plan.secretName): \(reports)")
        continue
      }
      #expect(
        try await after.describeSecret(plan.secretId, includeDeprecated: true).labelMap.sameLabels(as: plan.after))
    }
  }

  /// One secret's update fails and it can't be read back: that one is unknown, the rest
  /// are applied, and nothing is sent twice.
  @Test func aSecretWhoseOutcomeCantBeReadBackIsUnknownAndTheRestGoOn() async throws {
    let (store, plans) = try await rotations(5)
    defer { store.remove() }
    let backend = InFlightBackend(LocalStoreBackend(path: store.path), failing: "b-02")
    let reports = await BulkExecutor(backend: backend, concurrency: 2).execute(plans)
    for (plan, report) in zip(plans, reports) {
      if plan.secretName == "b-02" {
        guard case .unknown(_, let error, let applied) = report else {
          Issue.record("expected unknown, got \(report)")
          continue
        }
        #expect(applied == 0)
        #expect(error == .transport("connection reset"))
      } else {
        guard case .applied = report else {
          Issue.record("\(plan.secretName): expected applied, got \(report)")
          continue
        }
      }
    }
    #expect(backend.updates == 4 * 2 + 1, "the failed call is not resent by the executor")
  }

  /// Slots are `1 / rate` apart however fast the takers come; a rate of 0 never waits.
  @Test(arguments: [1.0, 40.0, 1000.0])
  func thePacerSpacesCallsByItsRate(rate: Double) async {
    let start = ContinuousClock.now
    let slept = NIOLockedValueBox<[ContinuousClock.Instant]>([])
    let pacer = CallPacer(
      callsPerSecond: rate, now: { start }, sleep: { slot in slept.withLockedValue { $0.append(slot) } })
    var slots: [ContinuousClock.Instant] = []
    for _ in 0..<10 { slots.append(await pacer.take()) }
    let interval = Duration.nanoseconds(Int64(1e9 / rate))
    #expect(slots == (0..<10).map { start + interval * $0 })
    #expect(slept.withLockedValue { $0 } == Array(slots.dropFirst()), "every slot but the first is waited for")
    let unpaced = CallPacer(callsPerSecond: 0, now: { start }, sleep: { _ in Issue.record("slept") })
    for _ in 0..<3 { #expect(await unpaced.take() == start) }
  }
}
