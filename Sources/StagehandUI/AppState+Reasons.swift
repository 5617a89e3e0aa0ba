import StagingModel

/// Why a changing key can't act now. Kept beside the state so the keymap, the hint bar and
/// mouse drags all give the same reason.
extension AppState {
  /// Reasons shared by every key that changes labels.
  public var reasonChangeBlocked: String? {
    if config.readOnly { return "read-only mode: nothing can be changed" }
    guard let secret = selectedSecret else { return "no secret selected" }
    if let service = secret.owningService {
      return "managed by \(service): change its labels through that service"
    }
    if secret.isScheduledForDeletion { return "scheduled for deletion: restore the secret first" }
    if !secret.versionsComplete { return "versions are still loading" }
    if selectedVersion == nil { return "no version selected" }
    return nil
  }

  var reasonPick: String? {
    if let reason = reasonChangeBlocked { return reason }
    if selectedVersion?.labels.isEmpty ?? true { return "this version has no label to move" }
    return nil
  }

  var reasonMakeCurrent: String? {
    if let reason = reasonChangeBlocked { return reason }
    if selectedVersion?.labels.contains(StandardLabel.current) ?? false { return "this version is already AWSCURRENT" }
    return nil
  }

  var reasonRollback: String? {
    if let reason = reasonChangeBlocked { return reason }
    if selectedSecret?.labelMap.holder(of: StandardLabel.previous) == nil { return "no version holds AWSPREVIOUS" }
    return nil
  }

  var reasonPromote: String? {
    if let reason = reasonChangeBlocked { return reason }
    guard let map = selectedSecret?.labelMap, let pending = map.holder(of: StandardLabel.pending) else {
      return "no version holds AWSPENDING"
    }
    if map.labels(on: pending).contains(StandardLabel.current) {
      return "AWSPENDING is already on the AWSCURRENT version"
    }
    return nil
  }

  var reasonRemove: String? {
    if let reason = reasonChangeBlocked { return reason }
    let labels = selectedVersion?.labels ?? []
    if labels.isEmpty { return "this version has no label to remove" }
    if labels == [StandardLabel.current] {
      return "AWSCURRENT can only be moved to another version, never removed"
    }
    return nil
  }

  var reasonAdd: String? {
    if let reason = reasonChangeBlocked { return reason }
    if let count = selectedSecret?.labelMap.labelCount, count >= StandardLabel.quota {
      return "all \(StandardLabel.quota) labels of this secret are used"
    }
    return nil
  }

  var reasonDrop: String? {
    guard case .carrying(let label, let from)? = move else { return nil }
    guard let target = selectedVersion else { return "no version selected" }
    if target.versionId == from { return "move to another version to drop \(label) there" }
    return nil
  }

  /// The bulk keys: the marks are there (their context is active only then); each secret's
  /// own refusal is the combined preview's to say.
  var reasonBulk: String? {
    if config.readOnly { return "read-only mode: nothing can be changed" }
    return nil
  }

  /// Reasons shared by the rotation keys; the rest is the pre-flight's to say, in its preview.
  var reasonRotate: String? {
    if config.readOnly { return "read-only mode: nothing can be changed" }
    if selectedSecret == nil { return "no secret selected" }
    return nil
  }

  /// A value can't be staged on a secret another service manages, or one scheduled for
  /// deletion: said before anything is typed.
  var reasonStage: String? {
    if let reason = reasonRotate { return reason }
    guard let secret = selectedSecret else { return nil }
    if let service = secret.owningService { return "managed by \(service): its values change through that service" }
    if secret.isScheduledForDeletion { return "scheduled for deletion: restore the secret first" }
    if let region = secret.primaryRegion { return "a replica, read-only: change the primary in \(region)" }
    return nil
  }
}
