import Foundation

/// Why the planner will not make a plan, and what would work instead when something would.
public struct PlanRefusal: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
  public enum Reason: Equatable, Hashable, Sendable {
    case scheduledForDeletion
    case managedByService
    case unknownVersion
    case unknownLabel
    case removeCurrent
    case invalidLabel
    case quotaExceeded
    case noOp
    case conflict
    case nothingToRollBack
    case nothingPending
    case labelExists
    case malformedState
    case rotationNotConfigured
    case rotationInProgress
    case replica
    case invalidValue
  }

  public var reason: Reason
  /// The state and the rule it breaks, in words; no front end's syntax.
  public var message: String
  public var suggestion: RefusalSuggestion?

  public init(_ reason: Reason, _ message: String, suggestion: RefusalSuggestion? = nil) {
    self.reason = reason
    self.message = message
    self.suggestion = suggestion
  }

  public var description: String { message }

  /// A secret scheduled for deletion: AWS refuses what `refused` names ("label changes on
  /// it"); restoring the secret is what works.
  public static func scheduledForDeletion(secretName: String, refused: String) -> PlanRefusal {
    PlanRefusal(
      .scheduledForDeletion, "\(secretName) is scheduled for deletion, and AWS refuses \(refused).",
      suggestion: .restoreSecret(secretName: secretName))
  }

  /// Any change to a replica: AWS refuses it (moto accepts label moves there, and so changes
  /// the primary). The same change on the primary is what works.
  public static func replica(secretName: String, primaryRegion region: String) -> PlanRefusal {
    PlanRefusal(
      .replica,
      "\(secretName) here is a replica of the secret in \(region), and AWS refuses changes on replicas. "
        + "Make the change on the primary; AWS copies it to every replica.",
      suggestion: .changeOnPrimary(secretName: secretName, region: region))
  }
}

/// What would work instead of a refused intent: an action and what it needs. Each front end
/// says it in its own terms (the CLI as a command line, the UI as the key to press).
public enum RefusalSuggestion: Equatable, Hashable, Sendable {
  /// Move `label` rather than add or remove it: onto `to`, or onto a version the person
  /// chooses when `to` is nil.
  case move(secretName: String, label: String, to: VersionID?)
  /// Take `label` off every version but one, which the person chooses.
  case removeFromAllButOne(label: String)
  /// Look at every version of the secret, deprecated ones included.
  case listVersions(secretName: String)
  /// Cancel the secret's scheduled deletion.
  case restoreSecret(secretName: String)
  /// A rotation left AWSPENDING on `pendingVersion`: promote it (if its value was tested) or
  /// remove AWSPENDING to abandon it.
  case finishOrAbandonRotation(secretName: String, pendingVersion: VersionID)
  /// The secret is a replica: make the same change on the primary, in `region`.
  case changeOnPrimary(secretName: String, region: String)
}
