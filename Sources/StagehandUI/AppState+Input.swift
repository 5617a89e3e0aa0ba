import StagingModel

/// Keys and mouse events: resolved through the keymap, then performed.
extension AppState {
  mutating func handle(key: Key) -> [Effect] {
    if let binding = Keymap.standard.binding(for: key, in: self) {
      lastAction = binding.action
      if let reason = binding.disabledReason(self) {
        status = StatusMessage("\(key.name) (\(binding.short)): \(reason)", kind: .warning)
        return []
      }
      return perform(binding.action)
    }
    lastAction = nil
    guard case .char(let character) = key else { return [] }
    if filterEditing {
      filterText.append(character)
      secretCursor = 0
      versionCursor = 0
      versionScroll = 0
      recomputeRows(keeping: nil)
      return prefetch()
    }
    if case .labelInput(var input)? = popup {
      input.text.append(character)
      input.error = validateLabel(input.text)
      popup = .labelInput(input)
    }
    if case .valueInput(var input)? = popup {
      input.value.append(character)
      popup = .valueInput(input)
    }
    typeIntoChangeSetInput(character)
    return []
  }

  mutating func perform(_ action: Action) -> [Effect] {
    switch action {
    case .moveUp, .moveDown, .pageUp, .pageDown, .top, .bottom:
      return navigate(action)
    case .nextPane:
      focus = focus == .secrets ? .versions : .secrets
      return []
    case .focusSecrets:
      focus = .secrets
      return []
    case .focusVersions, .open:
      focus = .versions
      return prefetch()
    case .refreshSelected:
      guard let secret = selectedSecret else { return [] }
      let address = Self.address(of: secret)
      describes = describes.filter { $0.value.secretId != address }
      return [describe(secret, includeDeprecated: showDeprecated)]
    case .refreshAll:
      if case .error? = popup { popup = nil }
      describes = [:]
      return startLoad()
    case .toggleDeprecated:
      let selectedID = selectedVersion?.versionId
      showDeprecated.toggle()
      if let selectedID, let position = visibleVersions.firstIndex(where: { $0.versionId == selectedID }) {
        versionCursor = position
      }
      keepCursorsInView()
      status = StatusMessage(showDeprecated ? "showing deprecated versions" : "hiding deprecated versions")
      return prefetch()
    case .startFilter:
      filterEditing = true
      return []
    case .acceptFilter:
      filterEditing = false
      return []
    case .clearFilter:
      filterEditing = false
      filterText = ""
      recomputeRows(keeping: selectedKey)
      return prefetch()
    case .deleteFilterCharacter:
      if !filterText.isEmpty {
        filterText.removeLast()
        recomputeRows(keeping: selectedKey)
      }
      return prefetch()
    case .reveal:
      guard let secret = selectedSecret, let version = selectedVersion else { return [] }
      let id = makeRequestID()
      popup = .reveal(
        RevealState(requestID: id, secretName: secret.name, versionId: version.versionId, value: nil, error: nil))
      return [.reveal(secretId: Self.address(of: secret), versionId: version.versionId, requestID: id)]
    case .help:
      popup = .help(scroll: 0)
      return []
    case .history:
      popup = .history(scroll: 0)
      return []
    case .showReplicas:
      if let run = replication { popup = .replication(requestID: run.requestID) }
      return []
    case .closePopup:
      closePopup()
      return []
    case .quit:
      return [.quit]
    case .suspend:
      return [.suspend]
    case .cancel:
      return cancel()
    case .toggleDryRun:
      dryRun.toggle()
      status = StatusMessage(dryRun ? "dry run on: commits send nothing" : "dry run off: y sends changes")
      return []
    case .rotateNow, .stageTypedValue, .stageEditedValue, .cancelRotation:
      return performRotation(action)
    case .toggleMark, .markAllShown, .clearMarks, .bulkPromote, .bulkRollback, .bulkRemoveLabel, .writePlanFile:
      return performChangeSet(action)
    case .pickPair:
      return performPairPicker(action)
    case .choiceUp, .choiceDown, .choose:
      if case .pairs? = popup { return performPairPicker(action) }
      return performMove(action)
    default:
      if isChangeSetPopupAction(action) { return performChangeSet(action) }
      if isRotationPopupAction(action) { return performRotation(action) }
      return performMove(action)
    }
  }

  /// Esc outside popups: stop whatever is in progress, most recent first.
  mutating func cancel() -> [Effect] {
    if move != nil {
      move = nil
      status = StatusMessage("move cancelled: nothing changed")
      return []
    }
    if let preparing {
      self.preparing = nil
      status = StatusMessage("pre-flight of \(preparing.secretName) stopped: nothing sent")
      return []
    }
    if let load = loading {
      loading = nil
      stopPairs()
      status = StatusMessage("loading stopped after \(load.received) secrets; R reloads", kind: .warning)
      return [.cancelLoading]
    }
    if !filterText.isEmpty {
      filterText = ""
      recomputeRows(keeping: selectedKey)
      return prefetch()
    }
    status = nil
    return []
  }

  mutating func navigate(_ action: Action) -> [Effect] {
    if let scroll = popupScroll {
      let delta = action == .moveUp || action == .pageUp ? -1 : 1
      setPopupScroll(max(0, scroll + delta))
      return []
    }
    let layout = self.layout
    let onSecrets = filterEditing || (focus == .secrets && move == nil)
    let count = onSecrets ? rows.count : visibleVersions.count
    let current = onSecrets ? secretCursor : versionCursor
    let page = max(1, onSecrets ? layout.secretRowCount : layout.versionRowCount)
    let target: Int
    switch action {
    case .moveUp: target = current - 1
    case .moveDown: target = current + 1
    case .pageUp: target = current - page
    case .pageDown: target = current + page
    case .top: target = 0
    default: target = count - 1
    }
    if onSecrets { return selectSecret(at: target) }
    selectVersion(at: target)
    return []
  }

  var popupScroll: Int? {
    switch popup {
    case .help(let scroll)?, .history(let scroll)?: return scroll
    case .preview(let preview)?: return preview.scroll
    case .rotationPreview(let preview)?: return preview.scroll
    case .changeSetPreview(let preview)?: return preview.scroll
    case .changeSetProgress(let requestID)?:
      return changeSetRun?.requestID == requestID ? changeSetRun?.scroll : nil
    default: return nil
    }
  }

  mutating func setPopupScroll(_ scroll: Int) {
    switch popup {
    case .help?: popup = .help(scroll: min(scroll, 500))
    case .history?: popup = .history(scroll: min(scroll, max(0, history.count - 1)))
    case .preview(var preview)?:
      preview.scroll = min(scroll, 200)
      popup = .preview(preview)
    case .rotationPreview(var preview)?:
      preview.scroll = min(scroll, 200)
      popup = .rotationPreview(preview)
    case .changeSetPreview(var preview)?:
      // A few lines a secret: the popup stops at the last line whatever the number.
      preview.scroll = min(scroll, 20 + 12 * preview.set.plans.count + 4 * preview.set.skipped.count)
      popup = .changeSetPreview(preview)
    case .changeSetProgress?:
      guard var run = changeSetRun else { break }
      run.scroll = min(scroll, 10 + 4 * (run.set.plans.count + run.set.skipped.count))
      changeSetRun = run
    default: break
    }
  }

  mutating func handle(mouse event: MouseEvent) -> [Effect] {
    let layout = self.layout
    if isTooSmall { return [] }
    if case .dragging(let label, let from, _, _)? = move {
      switch event.kind {
      case .drag, .move:
        move = .dragging(label: label, from: from, x: event.x, y: event.y)
        return []
      case .release, .press:
        return dropDragged(label: label, from: from, x: event.x, y: event.y)
      case .wheelUp, .wheelDown:
        return []
      }
    }
    if case .pairs? = popup {
      // The wheel moves the picker's cursor, as j and k do.
      switch event.kind {
      case .wheelUp: return performPairPicker(.choiceUp)
      case .wheelDown: return performPairPicker(.choiceDown)
      default: return []
      }
    }
    if popup != nil {
      switch event.kind {
      case .wheelUp: return navigate(.moveUp)
      case .wheelDown: return navigate(.moveDown)
      default: return []
      }
    }
    switch event.kind {
    case .press(button: 1):
      if let row = layout.secretRow(atX: event.x, y: event.y) {
        lastAction = nil
        let position = secretScroll + row
        guard rows.indices.contains(position) else { return [] }
        focus = .secrets
        filterEditing = false
        return selectSecret(at: position)
      }
      if let row = layout.versionRow(atX: event.x, y: event.y) {
        let position = versionScroll + row
        guard visibleVersions.indices.contains(position) else { return [] }
        focus = .versions
        filterEditing = false
        selectVersion(at: position)
        return pressOnChip(x: event.x, y: event.y)
      }
      return []
    case .wheelUp, .wheelDown:
      let delta = event.kind == .wheelUp ? -3 : 3
      if event.x < layout.leftWidth {
        return selectSecret(at: secretCursor + delta)
      }
      selectVersion(at: versionCursor + delta)
      return []
    default:
      return []
    }
  }
}
