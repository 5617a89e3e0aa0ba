import StagingModel

/// How running a plan ended, as the executable reports it back.
public enum CommitOutcome: Equatable, Sendable {
  /// Every step succeeded; `secret` is the state re-read afterwards.
  case applied(plan: Plan, secret: Secret)
  /// The labels changed since the preview, so nothing was sent. `changes` says what moved.
  case conflict(plan: Plan, current: Secret, changes: [String])
  /// A step failed with AWS's `message` after `appliedSteps` succeeded; `current` is the
  /// state re-read after the failure, when that worked.
  case failed(plan: Plan, message: String, appliedSteps: Int, current: Secret?)
}
