import Foundation
import StagingModel

/// What a bulk key asks of every marked secret.
public enum BulkIntent: Equatable, Hashable, Sendable {
  /// Finish a rotation: AWSCURRENT onto the AWSPENDING version, AWSPENDING removed.
  case promote
  /// AWSCURRENT back onto the AWSPREVIOUS version.
  case rollback
  /// Take `label` off whichever version holds it.
  case remove(label: String)

  /// The intent the planner gets for each secret.
  public var moveIntent: MoveIntent {
    switch self {
    case .promote: return .promotePending(keepPending: false)
    case .rollback: return .rollback
    case .remove(let label): return .remove(label: label)
    }
  }

  /// "promote pending", "roll back", "remove blue".
  public var phrase: String { moveIntent.summary }
}

/// The combined preview of one bulk change: every plan, and every marked secret left out
/// with the planner's reason. `y` executes this very `set`.
public struct ChangeSetPreviewState: Equatable, Sendable {
  public var set: ChangeSet
  public var intent: BulkIntent
  /// How many secrets were marked (planned plus skipped).
  public var marked: Int
  public var scroll: Int

  public init(set: ChangeSet, intent: BulkIntent, marked: Int, scroll: Int = 0) {
    self.set = set
    self.intent = intent
    self.marked = marked
    self.scroll = scroll
  }

  /// "Promote pending on 3 marked secrets".
  public var title: String {
    let phrase = intent.phrase
    return phrase.prefix(1).uppercased() + phrase.dropFirst() + " on " + markedSecretsText(marked)
  }

  /// What a plan file says wrote it: "TUI: promote pending on 3 marked secrets".
  public var command: String { "TUI: \(intent.phrase) on \(markedSecretsText(marked))" }
}

func markedSecretsText(_ count: Int) -> String {
  count == 1 ? "1 marked secret" : "\(count) marked secrets"
}

/// How one secret of a change set ended, as the executable reports it back. Each carries
/// the secret as read afterwards when there is one, for the list.
public enum BulkOutcome: Equatable, Sendable {
  case applied(secret: Secret)
  /// The labels changed since the preview: nothing was sent for this secret.
  case conflict(current: Secret, changes: [String])
  /// Step `appliedSteps + 1` failed with AWS's `message`.
  case failed(message: String, appliedSteps: Int, current: Secret?)
  /// A step failed and the labels could not be read back: whether it took effect is not known.
  case unknown(message: String, appliedSteps: Int)

  /// The secret as read after the outcome, when it was.
  public var secret: Secret? {
    switch self {
    case .applied(let secret): return secret
    case .conflict(let current, _): return current
    case .failed(_, _, let current): return current
    case .unknown: return nil
    }
  }
}

/// A change set being sent: results arrive per secret, in the order they end.
public struct ChangeSetRun: Equatable, Sendable {
  public var requestID: Int
  public var set: ChangeSet
  public var title: String
  /// One per plan of `set`, nil until that secret's answer arrived.
  public var results: [BulkOutcome?]
  public var finished: Bool
  public var scroll: Int

  public init(requestID: Int, set: ChangeSet, title: String) {
    self.requestID = requestID
    self.set = set
    self.title = title
    results = Array(repeating: nil, count: set.plans.count)
    finished = false
    scroll = 0
  }

  public var isRunning: Bool { !finished }

  public var answered: Int { results.filter { $0 != nil }.count }

  private func count(_ matches: (BulkOutcome) -> Bool) -> Int {
    results.filter { $0.map(matches) ?? false }.count
  }

  public var applied: Int { count { if case .applied = $0 { return true } else { return false } } }
  public var conflicts: Int { count { if case .conflict = $0 { return true } else { return false } } }
  public var failed: Int { count { if case .failed = $0 { return true } else { return false } } }
  public var unknown: Int { count { if case .unknown = $0 { return true } else { return false } } }

  /// True when every marked secret was applied (none skipped, none refused).
  public var allApplied: Bool { applied == results.count && set.skipped.isEmpty }

  /// "2 applied, 1 skipped, 1 conflict, 0 failed, 0 unknown", as the CLI ends a bulk change.
  public var summary: String {
    "\(applied) applied, \(set.skipped.count) skipped, \(conflicts) conflict\(conflicts == 1 ? "" : "s"), "
      + "\(failed) failed, \(unknown) unknown"
  }
}

/// Typing the label to remove from every marked secret; `error` is the validation result
/// of the text so far.
public struct BulkLabelInputState: Equatable, Sendable {
  public var text: String
  public var error: String?

  public init(text: String, error: String? = nil) {
    self.text = text
    self.error = error
  }
}

/// The label preview a plan file is written from, returned to when the path input closes.
public enum PlanSource: Equatable, Sendable {
  case single(PreviewState)
  case changeSet(ChangeSetPreviewState)

  public var set: ChangeSet {
    switch self {
    case .single(let preview): return ChangeSet(plans: [preview.plan])
    case .changeSet(let preview): return preview.set
    }
  }

  /// What the plan file says wrote it: "TUI: roll back on prod/db".
  public var command: String {
    switch self {
    case .single(let preview): return "TUI: \(preview.plan.intent.summary) on \(preview.plan.secretName)"
    case .changeSet(let preview): return preview.command
    }
  }

  var popup: Popup {
    switch self {
    case .single(let preview): return .preview(preview)
    case .changeSet(let preview): return .changeSetPreview(preview)
    }
  }
}

/// Typing where to write a plan file; nothing is sent.
public struct PlanPathInputState: Equatable, Sendable {
  public var text: String
  public var source: PlanSource

  public init(text: String, source: PlanSource) {
    self.text = text
    self.source = source
  }
}

/// A plan file being written.
public struct PlanWriteRequest: Equatable, Sendable {
  public var requestID: Int
  public var path: String
  public var summary: String
}
