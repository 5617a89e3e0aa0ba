import Foundation

/// One UpdateSecretVersionStage call, with the API's own field names.
public struct StageStep: Equatable, Hashable, Sendable, Codable {
  public var versionStage: String
  public var removeFromVersionId: VersionID?
  public var moveToVersionId: VersionID?

  public init(versionStage: String, removeFromVersionId: VersionID? = nil, moveToVersionId: VersionID? = nil) {
    self.versionStage = versionStage
    self.removeFromVersionId = removeFromVersionId
    self.moveToVersionId = moveToVersionId
  }

  enum CodingKeys: String, CodingKey {
    case versionStage = "VersionStage"
    case removeFromVersionId = "RemoveFromVersionId"
    case moveToVersionId = "MoveToVersionId"
  }

  /// The exact aws CLI command that performs this step.
  public func awsCLICommand(secretId: String) -> String {
    var parts = [
      "aws secretsmanager update-secret-version-stage",
      "--secret-id \(shellQuote(secretId))",
      "--version-stage \(shellQuote(versionStage))",
    ]
    if let from = removeFromVersionId { parts.append("--remove-from-version-id \(shellQuote(from))") }
    if let to = moveToVersionId { parts.append("--move-to-version-id \(shellQuote(to))") }
    return parts.joined(separator: " ")
  }
}

/// Quotes a word for a POSIX shell only when it needs it.
public func shellQuote(_ word: String) -> String {
  let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
  if !word.isEmpty, word.allSatisfy({ safe.contains($0) }) { return word }
  return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// A label change on one version, marked when AWS does it on its own.
public struct LabelChange: Equatable, Hashable, Sendable {
  public var label: String
  public var automatic: Bool

  public init(label: String, automatic: Bool = false) {
    self.label = label
    self.automatic = automatic
  }
}

/// Before and after for one version a plan touches.
public struct VersionDiff: Equatable, Hashable, Sendable {
  public var versionId: VersionID
  public var before: Set<String>
  public var after: Set<String>
  public var added: [LabelChange]
  public var removed: [LabelChange]

  public var becomesDeprecated: Bool { !before.isEmpty && after.isEmpty }

  /// Every version whose labels differ between `before` and `after`, by id; changes of the
  /// `automatic` labels are marked as AWS's own.
  public static func changes(from before: LabelMap, to after: LabelMap, automatic: Set<String>) -> [VersionDiff] {
    Set(before.versionIDs).union(after.versionIDs).sorted().compactMap { id in
      let old = before.labels(on: id)
      let new = after.labels(on: id)
      guard old != new else { return nil }
      let added = new.subtracting(old).sorted().map { LabelChange(label: $0, automatic: automatic.contains($0)) }
      let removed = old.subtracting(new).sorted().map { LabelChange(label: $0, automatic: automatic.contains($0)) }
      return VersionDiff(versionId: id, before: old, after: new, added: added, removed: removed)
    }
  }
}

/// Something a person should know about a plan before committing it.
public enum PlanNote: Equatable, Hashable, Sendable {
  /// AWS moves AWSPREVIOUS by itself when AWSCURRENT moves.
  case previousShift(from: VersionID?, to: VersionID)
  /// The version keeps no label and becomes deprecated (hidden from ListSecrets, and
  /// eligible for deletion once a secret has about 100 versions).
  case deprecated(VersionID)
  /// Labels used after the plan, of the 20 AWS allows on one secret.
  case quota(used: Int)
  /// AWSPENDING is left on a version that is not AWSCURRENT.
  case pendingLeftBehind(VersionID)
  /// The plan takes more than one call and AWS does not apply them atomically.
  case notAtomic(steps: Int)
  /// The secret is a primary: AWS copies the change to these replicas, asynchronously.
  case replicates(to: [ReplicaStatus])

  public var message: String {
    switch self {
    case .previousShift(let from?, let to):
      return "AWSPREVIOUS moves automatically from \(shortID(from)) to \(shortID(to))"
    case .previousShift(nil, let to):
      return "AWSPREVIOUS is added automatically to \(shortID(to))"
    case .deprecated(let id):
      return "version \(shortID(id)) keeps no label and becomes deprecated"
    case .quota(let used):
      return "\(used) of \(StandardLabel.quota) labels used"
    case .pendingLeftBehind(let id):
      return "AWSPENDING stays on \(shortID(id)): RotateSecret will refuse to start until it is removed"
    case .notAtomic(let steps):
      return "\(steps) separate calls: AWS applies them one by one, not atomically"
    case .replicates(let replicas):
      return "replicates asynchronously to \(replicas.map(\.summary).joined(separator: ", "))"
    }
  }
}

/// What the planner decided: the calls to make and the state they lead to.
public struct Plan: Equatable, Hashable, Sendable {
  public var secretName: String
  public var secretARN: String?
  public var intent: MoveIntent
  public var steps: [StageStep]
  public var before: LabelMap
  public var after: LabelMap
  public var notes: [PlanNote]

  public init(
    secretName: String, secretARN: String? = nil, intent: MoveIntent, steps: [StageStep],
    before: LabelMap, after: LabelMap, notes: [PlanNote]
  ) {
    self.secretName = secretName
    self.secretARN = secretARN
    self.intent = intent
    self.steps = steps
    self.before = before
    self.after = after
    self.notes = notes
  }

  /// The id used in API calls: the ARN when known, else the name.
  public var secretId: String { secretARN ?? secretName }

  /// The replica Regions the change replicates to (its `replicates` note), in order.
  public var replicaRegions: [String] {
    notes.flatMap { note -> [String] in
      if case .replicates(let replicas) = note { return replicas.map(\.region) }
      return []
    }
  }

  /// Every version whose labels change, in a stable order (by id). AWSPREVIOUS's changes
  /// are AWS's own unless a step names it.
  public var diff: [VersionDiff] {
    let named = steps.contains { $0.versionStage == StandardLabel.previous }
    return VersionDiff.changes(from: before, to: after, automatic: named ? [] : [StandardLabel.previous])
  }

  /// The aws CLI commands that carry out the steps, one per line.
  public var awsCLICommands: [String] { steps.map { $0.awsCLICommand(secretId: secretName) } }

  /// "AWSCURRENT -> 3f2a…, AWSPREVIOUS -> 9c1b… (automatic)".
  public var outcomeSummary: String {
    var parts: [String] = []
    for change in diff {
      for added in change.added {
        parts.append("\(added.label) -> \(shortID(change.versionId))\(added.automatic ? " (automatic)" : "")")
      }
    }
    let afterLabels = after.allLabels
    for label in before.allLabels.subtracting(afterLabels).sorted() {
      parts.append("\(label) removed")
    }
    return parts.isEmpty ? "no change" : parts.joined(separator: ", ")
  }
}
