import StagingModel

extension PlanRefusal {
  /// The refusal as the status line says it: the planner's reason, then the key that does
  /// what would work.
  public func statusText(keymap: Keymap = .standard) -> String {
    guard let suggestion else { return message }
    return message + " " + suggestion.statusText(keymap: keymap)
  }
}

extension RefusalSuggestion {
  func statusText(keymap: Keymap) -> String {
    switch self {
    case .move: return "Move it instead" + keymap.pressing(.pickLabel) + "."
    case .removeFromAllButOne: return "Remove it from all but one first" + keymap.pressing(.removeLabel) + "."
    case .listVersions: return "Show every version" + keymap.pressing(.toggleDeprecated) + "."
    // No key restores a secret: that is AWS's RestoreSecret, outside Stagehand.
    case .restoreSecret: return "Restore the secret first."
    // No key switches Region inside one session yet.
    case .changeOnPrimary(_, let region): return "Open the primary in \(region) and change it there."
    case .finishOrAbandonRotation:
      return "Promote it" + keymap.pressing(.promotePending) + " or remove AWSPENDING" + keymap.pressing(.removeLabel)
        + "."
    }
  }
}

extension Keymap {
  /// " (m)", the key for `action` as a sentence ends with it; empty when no key does it.
  func pressing(_ action: Action) -> String {
    keyName(for: action).map { " (\($0))" } ?? ""
  }
}
