import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// Wraps a backend and fails chosen UpdateSecretVersionStage calls (or applies one and then
/// reports it refused, as when a late copy of it landed first), or lets another client move
/// a label just before the executor reads.
final class ScriptedBackend: SecretsBackend, @unchecked Sendable {
  let inner: any SecretsBackend
  private let lock = NSLock()
  private var updates = 0
  private var failOnUpdate: Int?
  private var appliedThenRefused: Int?
  private(set) var sent: [StageStep] = []

  init(_ inner: any SecretsBackend, failOnUpdate: Int? = nil, appliedThenRefused: Int? = nil) {
    self.inner = inner
    self.failOnUpdate = failOnUpdate
    self.appliedThenRefused = appliedThenRefused
  }

  var displayName: String { inner.displayName }
  var isReadOnly: Bool { inner.isReadOnly }
  func listSecrets(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error> {
    inner.listSecrets(filters: filters)
  }
  func describeSecret(_ id: String, includeDeprecated: Bool) async throws -> Secret {
    try await inner.describeSecret(id, includeDeprecated: includeDeprecated)
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
  func cancelRotation(secretId: String) async throws {
    try await inner.cancelRotation(secretId: secretId)
  }
  func updateSecretVersionStage(secretId: String, step: StageStep) async throws {
    let count: Int = lock.withLock {
      updates += 1
      sent.append(step)
      return updates
    }
    if count == failOnUpdate {
      throw SecretsError.service(
        code: "InternalServiceError", message: "An error occurred on the server side.", httpStatus: 500)
    }
    try await inner.updateSecretVersionStage(secretId: secretId, step: step)
    if count == appliedThenRefused {
      throw SecretsError.service(
        code: "InvalidParameterException", message: "Version stage \(step.versionStage) not found in version")
    }
  }
}

@Suite(.ownThreads)
struct PlanExecutorTests {
  let c = "cccccccc-0000-0000-0000-000000000001"
  let p = "dddddddd-0000-0000-0000-000000000002"
  let n = "eeeeeeee-0000-0000-0000-000000000003"

  func store() throws -> TemporaryStore {
    try TemporaryStore([TemporaryStore.secret("s", [(p, ["AWSPREVIOUS"]), (c, ["AWSCURRENT"]), (n, ["AWSPENDING"])])])
  }

  @Test func appliesAndRereads() async throws {
    let store = try store()
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path)
    let secret = try await backend.describeSecret("s", includeDeprecated: true)
    let plan = try Planner.plan(.promotePending(keepPending: false), for: secret).get()
    let report = await PlanExecutor(backend: backend).execute(plan)
    guard case .applied(_, let after) = report else {
      Issue.record("expected applied, got \(report)")
      return
    }
    #expect(after.labelMap.sameLabels(as: plan.after))
  }

  /// A step whose call failed although its change is in place (a held copy of our own
  /// request landed first) is done: the plan carries on and is reported applied.
  @Test func aStepThatFailedYetIsInPlaceCountsAsApplied() async throws {
    let store = try store()
    defer { store.remove() }
    let scripted = ScriptedBackend(LocalStoreBackend(path: store.path), appliedThenRefused: 1)
    let secret = try await scripted.describeSecret("s", includeDeprecated: true)
    let plan = try Planner.plan(.promotePending(keepPending: false), for: secret).get()
    #expect(plan.steps.count > 1)
    let report = await PlanExecutor(backend: scripted).execute(plan)
    guard case .applied(_, let after) = report else {
      Issue.record("expected applied, got \(report)")
      return
    }
    #expect(after.labelMap.sameLabels(as: plan.after))
    #expect(scripted.sent == plan.steps, "each step sent once")
  }

  @Test func aLabelMovedByAnotherClientIsAConflictAndNothingIsSent() async throws {
    let store = try store()
    defer { store.remove() }
    let backend = ScriptedBackend(LocalStoreBackend(path: store.path))
    let secret = try await backend.describeSecret("s", includeDeprecated: true)
    let plan = try Planner.plan(.rollback, for: secret).get()
    // Another client finishes the rotation in between.
    try await LocalStoreBackend(path: store.path).updateSecretVersionStage(
      secretId: "s", step: StageStep(versionStage: "AWSCURRENT", removeFromVersionId: c, moveToVersionId: n))
    let report = await PlanExecutor(backend: backend).execute(plan)
    guard case .conflict(_, let current, let changes) = report else {
      Issue.record("expected a conflict, got \(report)")
      return
    }
    #expect(backend.sent.isEmpty)
    #expect(current.labelMap.holder(of: "AWSCURRENT") == n)
    #expect(changes.contains("AWSCURRENT was on cccccccc…, now on eeeeeeee…"))
    #expect(changes.contains("AWSPREVIOUS was on dddddddd…, now on cccccccc…"))
  }

  @Test func aPartialPromoteReportsWhatWasAppliedAndHowToRevertOrFinish() async throws {
    let store = try store()
    defer { store.remove() }
    let backend = ScriptedBackend(LocalStoreBackend(path: store.path), failOnUpdate: 2)
    let secret = try await backend.describeSecret("s", includeDeprecated: true)
    let plan = try Planner.plan(.promotePending(keepPending: false), for: secret).get()
    let report = await PlanExecutor(backend: backend).execute(plan)
    guard case .failed(_, let error, let applied, let current?, let revert?, let finish?) = report else {
      Issue.record("expected a partial failure with revert and finish plans, got \(report)")
      return
    }
    #expect(error.code == "InternalServiceError")
    #expect(applied == 1)
    #expect(current.labelMap.labels(on: n) == ["AWSCURRENT", "AWSPENDING"])
    // Both recovery plans work.
    let healthy = LocalStoreBackend(path: store.path)
    guard case .applied(_, let finished) = await PlanExecutor(backend: healthy).execute(finish) else {
      Issue.record("finish failed")
      return
    }
    #expect(finished.labelMap.sameLabels(as: plan.after))
    let afterFinish = try await healthy.describeSecret("s", includeDeprecated: true)
    let undo = try Planner.plan(.restore(to: plan.before), for: afterFinish).get()
    guard case .applied(_, let reverted) = await PlanExecutor(backend: healthy).execute(undo) else {
      Issue.record("revert failed")
      return
    }
    #expect(reverted.labelMap.sameLabels(as: plan.before))
    #expect(revert.after.sameLabels(as: plan.before))
  }
}
