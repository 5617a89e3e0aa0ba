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

  public var plan: Plan {
    switch self {
    case .applied(let plan, _), .conflict(let plan, _, _), .failed(let plan, _, _, _, _, _): return plan
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

  /// `progress(k, n)` is called before step k (1-based) of n is sent.
  public func execute(_ plan: Plan, progress: @Sendable (Int, Int) -> Void = { _, _ in }) async -> ExecutionReport {
    let current: Secret
    do {
      current = try await backend.describeSecret(plan.secretId, includeDeprecated: true)
    } catch {
      return .failed(
        plan: plan, error: Self.secretsError(error), appliedSteps: 0, current: nil, revert: nil, finish: nil)
    }
    let changes = Self.changes(from: plan.before, to: current.labelMap)
    if !changes.isEmpty {
      return .conflict(plan: plan, current: current, changes: changes)
    }
    for (index, step) in plan.steps.enumerated() {
      progress(index + 1, plan.steps.count)
      do {
        try await backend.updateSecretVersionStage(secretId: plan.secretId, step: step)
      } catch {
        // A failed step whose change is in place is done: saying "failed" would be untrue.
        let settled = await StepRecovery.settle(
          step, reread: { try await backend.describeSecret(plan.secretId, includeDeprecated: true) },
          labels: { $0.labelMap.stages })
        if case .inPlace = settled { continue }
        let reread = settled.reading
        let revert = reread.flatMap { try? Planner.plan(.restore(to: plan.before), for: $0).get() }
        let finish = reread.flatMap { try? Planner.plan(.restore(to: plan.after), for: $0).get() }
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

  /// Human lines for every label whose version differs between two maps.
  public static func changes(from old: LabelMap, to new: LabelMap) -> [String] {
    let labels = old.allLabels.union(new.allLabels).sorted()
    return labels.compactMap { label in
      let was = old.holders(of: label)
      let now = new.holders(of: label)
      guard was != now else { return nil }
      let wasText = was.isEmpty ? "on no version" : "on " + was.map { shortID($0) }.joined(separator: ", ")
      let nowText = now.isEmpty ? "on no version" : "on " + now.map { shortID($0) }.joined(separator: ", ")
      return "\(label) was \(wasText), now \(nowText)"
    }
  }

  static func secretsError(_ error: any Error) -> SecretsError {
    if let error = error as? SecretsError { return error }
    if error is CancellationError { return .transport("cancelled") }
    return .transport(String(describing: error))
  }
}
