/// What a key binding does. `update` performs actions; the keymap maps keys to them.
public enum Action: Hashable, Sendable, CaseIterable {
  case moveUp, moveDown, pageUp, pageDown, top, bottom
  case nextPane, focusSecrets, focusVersions, open
  case refreshSelected, refreshAll, toggleDeprecated
  case startFilter, acceptFilter, clearFilter, deleteFilterCharacter
  case reveal, help, quit, suspend, cancel, closePopup
  case toggleDryRun
  case pickLabel, previousChip, nextChip, chooseChip, dropLabel
  case makeCurrent, rollback, promotePending, removeLabel, addLabel
  case acceptInput, deleteInputCharacter
  case choiceUp, choiceDown, choose
  case confirmCommit, confirmCommitAndWait, cancelPreview
  case undo, history, showReplicas
  case rotateNow, stageTypedValue, stageEditedValue, cancelRotation
  case toggleMark, markAllShown, clearMarks, bulkPromote, bulkRollback, bulkRemoveLabel
  case writePlanFile
  case pickPair
}
