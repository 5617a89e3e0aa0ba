import StagingModel

extension AppState {
  mutating func performMove(_ action: Action) -> [Effect] {
    status = StatusMessage("moving labels is not available in this build", kind: .warning)
    return []
  }

  mutating func pressOnChip(x: Int) -> [Effect] { [] }

  mutating func dropDragged(label: String, from: VersionID, x: Int, y: Int) -> [Effect] {
    move = nil
    return []
  }

  func validateLabel(_ text: String) -> String? { nil }

  mutating func finishCommit(requestID: Int, outcome: CommitOutcome) -> [Effect] { [] }
}
