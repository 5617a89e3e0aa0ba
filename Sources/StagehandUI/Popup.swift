import StagingModel

/// The modal on top of the panes, at most one at a time.
public enum Popup: Equatable, Sendable {
  case help(scroll: Int)
  case reveal(RevealState)
  case error(title: String, message: String)
  case preview(PreviewState)
  case choice(ChoiceState)
  case labelInput(LabelInputState)
  case history(scroll: Int)
  case committing(CommitState)
  /// The pre-flight and predicted labels of a rotation, a staged value or a cancellation.
  case rotationPreview(RotationPreviewState)
  /// Typing a value to stage as AWSPENDING; only `•`s are drawn.
  case valueInput(ValueInputState)
  /// The rotation whose request id this is, followed live. Closing it stops nothing.
  case rotationProgress(requestID: Int)
  /// The combined preview of one change to every marked secret.
  case changeSetPreview(ChangeSetPreviewState)
  /// The change set whose request id this is, its secrets' answers arriving.
  case changeSetProgress(requestID: Int)
  /// Typing the label to remove from every marked secret.
  case bulkLabelInput(BulkLabelInputState)
  /// Typing where to write a plan file from a label preview.
  case planPathInput(PlanPathInputState)
  /// Every profile × Region pair of an estate with its state; one can be picked to narrow
  /// the list to it.
  case pairs(PairPickerState)
  /// The wait for a primary's replicas whose request id this is: each Region as it matches,
  /// stays behind or can't be read. Closing it stops nothing.
  case replication(requestID: Int)
}

/// The value popup. The value lives here only: closing the popup drops it.
public struct RevealState: Equatable, Sendable {
  public var requestID: Int
  public var secretName: String
  public var versionId: VersionID
  public var value: RevealedValue?
  public var error: String?

  public init(
    requestID: Int, secretName: String, versionId: VersionID, value: RevealedValue? = nil, error: String? = nil
  ) {
    self.requestID = requestID
    self.secretName = secretName
    self.versionId = versionId
    self.value = value
    self.error = error
  }
}

/// A dry run of one plan. `y` executes this very `plan` value.
public struct PreviewState: Equatable, Sendable {
  public var plan: Plan
  public var title: String
  /// Why this preview exists besides a fresh request: what changed underneath (conflict)
  /// or what was already applied (partial failure).
  public var context: [String]
  public var scroll: Int

  public init(plan: Plan, title: String, context: [String] = [], scroll: Int = 0) {
    self.plan = plan
    self.title = title
    self.context = context
    self.scroll = scroll
  }
}

/// A small list to pick from (which label to remove, keep AWSPENDING or not).
public struct ChoiceState: Equatable, Sendable {
  public enum Purpose: Equatable, Sendable {
    case promotePending
    case removeLabel(versionId: VersionID)
    /// A multi-step plan failed part way: finish it or go back.
    case recover(plan: Plan)
  }

  public var title: String
  public var options: [String]
  public var cursor: Int
  public var purpose: Purpose

  public init(title: String, options: [String], cursor: Int, purpose: Purpose) {
    self.title = title
    self.options = options
    self.cursor = cursor
    self.purpose = purpose
  }
}

/// Typing a new custom label; `error` is the validation result of the text so far.
public struct LabelInputState: Equatable, Sendable {
  public var versionId: VersionID
  public var text: String
  public var error: String?

  public init(versionId: VersionID, text: String, error: String? = nil) {
    self.versionId = versionId
    self.text = text
    self.error = error
  }
}

/// A plan being executed; progress arrives as messages.
public struct CommitState: Equatable, Sendable {
  public var plan: Plan
  public var requestID: Int
  public var step: Int
  public var of: Int
  /// Once applied, read the primary's replicas until they match ("commit and wait").
  public var waitForReplicas: Bool

  public init(plan: Plan, requestID: Int, step: Int, of: Int, waitForReplicas: Bool = false) {
    self.plan = plan
    self.requestID = requestID
    self.step = step
    self.of = of
    self.waitForReplicas = waitForReplicas
  }
}
