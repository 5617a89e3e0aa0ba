import Foundation

/// What AWS answers when an UpdateSecretVersionStage call breaks a rule.
public struct StagingRuleError: Error, Equatable, Sendable {
  /// AWS's error name (InvalidParameterException, ResourceNotFoundException, …).
  public var code: String
  public var message: String

  public init(code: String, message: String) {
    self.code = code
    self.message = message
  }

  /// Every change to a secret scheduled for deletion.
  public static let markedForDeletion = StagingRuleError(
    code: "InvalidRequestException",
    message: "You can't perform this operation on the secret because it was marked for deletion.")

  /// Every change to a secret another service owns.
  public static func managed(by service: String) -> StagingRuleError {
    StagingRuleError(
      code: "InvalidRequestException", message: "You can't modify this secret because it's managed by \(service).")
  }

  /// A change that would put more labels on the secret than AWS's quota.
  public static let labelQuota = StagingRuleError(
    code: "LimitExceededException", message: "You exceeded the maximum number of staging labels allowed on a secret.")

  /// Every change to a replica (as moto and AWS word it).
  public static let replica = StagingRuleError(
    code: "InvalidParameterException",
    message: "Operation not permitted on a replica secret. Call must be made in primary secret's region.")
}

/// The context a call is checked in: the secret's labels and the flags AWS looks at.
public struct StagingContext: Equatable, Sendable {
  public var labels: LabelMap
  public var owningService: String?
  public var scheduledForDeletion: Bool
  /// Set on a replica (its primary's Region): AWS refuses every change there.
  public var primaryRegion: String?

  public init(
    labels: LabelMap, owningService: String? = nil, scheduledForDeletion: Bool = false, primaryRegion: String? = nil
  ) {
    self.labels = labels
    self.owningService = owningService
    self.scheduledForDeletion = scheduledForDeletion
    self.primaryRegion = primaryRegion
  }
}

/// AWS's UpdateSecretVersionStage semantics as a pure function, written from
/// staging-semantics.md (the confirmed rules), independently of the planner. The embedded
/// store applies calls with it, and the planner's tests check that applying a plan's steps
/// with it gives exactly the state the planner predicted.
public enum StagingRules {
  /// Label values AWS accepts: 1-256 characters (the model has no pattern). Stagehand also
  /// refuses control characters and surrounding white space, which can only be mistakes.
  public static func validate(label: String) -> String? {
    if label.isEmpty { return "A staging label can't be empty." }
    if label.count > 256 { return "A staging label is at most 256 characters (this one has \(label.count))." }
    if label.unicodeScalars.contains(where: {
      $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
    }) {
      return "A staging label can't contain control or invisible formatting characters."
    }
    if label.first!.isWhitespace || label.last!.isWhitespace {
      return "A staging label can't start or end with white space."
    }
    return nil
  }

  /// Applies one call to `context`, or throws the error AWS would return.
  public static func apply(_ step: StageStep, to context: StagingContext) throws(StagingRuleError) -> LabelMap {
    let label = step.versionStage
    var map = context.labels
    if context.scheduledForDeletion { throw .markedForDeletion }
    if context.primaryRegion != nil { throw .replica }
    if let service = context.owningService { throw .managed(by: service) }
    if label.isEmpty || label.count > 256 {
      throw StagingRuleError(
        code: "InvalidParameterException", message: "The parameter VersionStage must be 1 to 256 characters long.")
    }
    if step.removeFromVersionId == nil && step.moveToVersionId == nil {
      throw StagingRuleError(
        code: "InvalidParameterException",
        message: "You must specify MoveToVersionId, RemoveFromVersionId, or both.")
    }
    for id in [step.removeFromVersionId, step.moveToVersionId].compactMap({ $0 }) where !map.contains(version: id) {
      throw StagingRuleError(
        code: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret version: \(id).")
    }
    let holder = map.holder(of: label)
    if let from = step.removeFromVersionId, holder != from {
      throw StagingRuleError(
        code: "InvalidParameterException",
        message: "The staging label \(label) is not attached to version \(from), so it can't be removed from it.")
    }
    guard let target = step.moveToVersionId else {
      // Removal only.
      if label == StandardLabel.current {
        throw StagingRuleError(
          code: "InvalidParameterException",
          message:
            "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
      }
      map.remove(label, from: step.removeFromVersionId!)
      return map
    }
    if let holder, holder != target, step.removeFromVersionId != holder {
      throw StagingRuleError(
        code: "InvalidParameterException",
        message:
          "The parameter RemoveFromVersionId can't be empty. Staging label \(label) is currently attached to version \(holder), so you must explicitly reference that version in RemoveFromVersionId."
      )
    }
    if holder == target { return map }
    if let holder { map.remove(label, from: holder) }
    map.add(label, to: target)
    if label == StandardLabel.current, let previousCurrent = holder {
      map.removeEverywhere(StandardLabel.previous)
      map.add(StandardLabel.previous, to: previousCurrent)
    }
    if map.labelCount > StandardLabel.quota { throw .labelQuota }
    return map
  }

  /// Applies calls in order, stopping at the first refusal.
  public static func apply(_ steps: [StageStep], to context: StagingContext) throws(StagingRuleError) -> LabelMap {
    var current = context
    for step in steps { current.labels = try apply(step, to: current) }
    return current.labels
  }
}
