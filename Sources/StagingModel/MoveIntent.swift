import Foundation

/// What a person asked for, before the planner turns it into API calls.
public enum MoveIntent: Equatable, Hashable, Sendable {
  /// Move `label` onto `version`. `from`, when given, is what the person believes holds it now.
  case move(label: String, to: VersionID, from: VersionID? = nil)
  /// Take `label` off the version holding it (`from` asserts which one).
  case remove(label: String, from: VersionID? = nil)
  /// Attach a label no version carries yet.
  case add(label: String, to: VersionID)
  /// Move AWSCURRENT onto `version` (AWSPREVIOUS follows automatically).
  case makeCurrent(VersionID)
  /// Move AWSCURRENT onto the AWSPREVIOUS version: the two swap.
  case rollback
  /// Finish a rotation: AWSCURRENT onto the AWSPENDING version, then remove AWSPENDING
  /// unless `keepPending`.
  case promotePending(keepPending: Bool)
  /// Bring the labels back to `map` (undo, revert after a partial failure).
  case restore(to: LabelMap)

  /// A short phrase for titles and history lines.
  public var summary: String {
    switch self {
    case .move(let label, let to, _): return "move \(label) to \(shortID(to))"
    case .remove(let label, _): return "remove \(label)"
    case .add(let label, let to): return "add \(label) to \(shortID(to))"
    case .makeCurrent(let to): return "make \(shortID(to)) current"
    case .rollback: return "roll back"
    case .promotePending(let keep): return keep ? "promote pending (keep AWSPENDING)" : "promote pending"
    case .restore: return "restore labels"
    }
  }
}
