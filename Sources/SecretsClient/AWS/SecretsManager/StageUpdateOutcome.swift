import Foundation
import StagingModel

/// How an UpdateSecretVersionStage call ended. When it took more than one plain call, the
/// request log (`--log-file`) says so in its `note`.
public enum StageUpdateOutcome: Equatable, Sendable {
  /// The call succeeded.
  case applied
  /// The call failed ambiguously, but the re-read labels show the step in place.
  case appliedAfterAmbiguousFailure
  /// The call failed ambiguously, the labels showed it had not happened, and one resend succeeded.
  case retriedAfterAmbiguousFailure

  public var note: String? {
    switch self {
    case .applied: return nil
    case .appliedAfterAmbiguousFailure: return "applied after ambiguous failure"
    case .retriedAfterAmbiguousFailure: return "not applied after ambiguous failure; resent once"
    }
  }
}
