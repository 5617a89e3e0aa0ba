import Foundation

/// Where a step stands given a secret's labels, judged by the step alone.
public enum StageStepProgress: Equatable, Sendable {
  case applied
  case notStarted
  case unknown
}

extension StageStep {
  /// Compares the labels with what the step requires before and produces after.
  public func progress(in labels: [VersionID: Set<String>]) -> StageStepProgress {
    func has(_ id: VersionID?) -> Bool? { id.map { labels[$0]?.contains(versionStage) ?? false } }
    let onTarget = has(moveToVersionId)
    let onSource = removeFromVersionId == moveToVersionId ? nil : has(removeFromVersionId)
    if onTarget != false && onSource != true { return .applied }
    if onTarget != true && onSource != false { return .notStarted }
    return .unknown
  }
}
