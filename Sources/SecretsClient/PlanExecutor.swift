import Foundation
import StagingModel

/// How a plan's execution ended.
public enum ExecutionReport: Sendable, Equatable {
  /// Every step was applied; `secret` is the secret as re-read afterwards.
  case applied(plan: Plan, secret: Secret)
  /// The labels changed since the plan was made: nothing was sent. `changes` says what moved.
  case conflict(plan: Plan, current: Secret, changes: [String])
  /// Step `appliedSteps + 1` failed. `current` is the secret as re-read (nil if even that
  /// failed); `revert` brings the labels back to the plan's `before`, `finish` completes it.
  case failed(
    plan: Plan, error: SecretsError, appliedSteps: Int, current: Secret?, revert: Plan?, finish: Plan?)
  /// Step `appliedSteps + 1` failed and the labels could not be read back: whether that step
  /// took effect is not known.
  case unknown(plan: Plan, error: SecretsError, appliedSteps: Int)

  public var plan: Plan {
    switch self {
    case .applied(let plan, _), .conflict(let plan, _, _), .failed(let plan, _, _, _, _, _), .unknown(let plan, _, _):
      return plan
    }
  }
}

/// Carries out plans through a backend: re-read first, refuse on drift, run the steps in
/// order, re-read after.
public struct PlanExecutor: Sendable {
  public let backend: any SecretsBackend

  public init(backend: any SecretsBackend) {
    self.backend = backend
  }

  /// `progress(k, n)` is called before step k (1-based) of n is sent, once `pace` lets it go.
  public func execute(
    _ plan: Plan, progress: @Sendable (Int, Int) -> Void = { _, _ in }, pace: @Sendable () async -> Void = {}
  ) async -> ExecutionReport {
    let current: Secret
    do {
      current = try await backend.describeSecret(plan.secretId, includeDeprecated: true)
    } catch {
      return .failed(
        plan: plan, error: Self.secretsError(error), appliedSteps: 0, current: nil, revert: nil, finish: nil)
    }
    let changes = LabelMap.changes(from: plan.before, to: current.labelMap)
    if !changes.isEmpty {
      return .conflict(plan: plan, current: current, changes: changes)
    }
    for (index, step) in plan.steps.enumerated() {
      await pace()
      progress(index + 1, plan.steps.count)
      do {
        try await backend.updateSecretVersionStage(secretId: plan.secretId, step: step)
      } catch {
        // A failed step whose change is in place is done: saying "failed" would be untrue.
        let settled = await StepRecovery.settle(
          step, reread: { try await backend.describeSecret(plan.secretId, includeDeprecated: true) },
          labels: { $0.labelMap.stages })
        if case .inPlace = settled { continue }
        guard let reread = settled.reading else {
          return .unknown(plan: plan, error: Self.secretsError(error), appliedSteps: index)
        }
        let revert = try? Planner.plan(.restore(to: plan.before), for: reread).get()
        let finish = try? Planner.plan(.restore(to: plan.after), for: reread).get()
        return .failed(
          plan: plan, error: Self.secretsError(error), appliedSteps: index, current: reread,
          revert: index == 0 ? nil : revert, finish: finish)
      }
    }
    do {
      let after = try await backend.describeSecret(plan.secretId, includeDeprecated: true)
      return .applied(plan: plan, secret: after)
    } catch {
      // Every step was accepted; only the confirmation read failed.
      var predicted = current
      predicted.applyLabels(plan.after)
      return .applied(plan: plan, secret: predicted)
    }
  }

  static func secretsError(_ error: any Error) -> SecretsError {
    if let error = error as? SecretsError { return error }
    if error is CancellationError { return .transport("cancelled") }
    return .transport(String(describing: error))
  }
}
