import Foundation
import StagingModel

/// Moving labels: every path (keys, drag, quick keys, undo, recovery) ends in a preview of a
/// plan from `Planner`, and only `y` in that preview sends it.
extension AppState {
  mutating func performMove(_ action: Action) -> [Effect] {
    switch action {
    case .pickLabel:
      guard let version = selectedVersion else { return [] }
      let labels = orderedLabels(version.labels)
      if labels.count == 1 {
        carry(labels[0], from: version.versionId)
      } else {
        move = .choosing(versionId: version.versionId, labels: labels, index: 0)
        status = StatusMessage("choose a label with left/right, enter picks it up, esc cancels")
      }
      return []
    case .previousChip, .nextChip:
      guard case .choosing(let id, let labels, let index)? = move, !labels.isEmpty else { return [] }
      let step = action == .nextChip ? 1 : labels.count - 1
      move = .choosing(versionId: id, labels: labels, index: (index + step) % labels.count)
      return []
    case .chooseChip:
      guard case .choosing(let id, let labels, let index)? = move, labels.indices.contains(index) else { return [] }
      carry(labels[index], from: id)
      return []
    case .dropLabel:
      guard case .carrying(let label, let from)? = move, let target = selectedVersion else { return [] }
      move = nil
      return openPreview(.move(label: label, to: target.versionId, from: from))
    case .makeCurrent:
      guard let version = selectedVersion else { return [] }
      return openPreview(.makeCurrent(version.versionId))
    case .rollback:
      return openPreview(.rollback)
    case .promotePending:
      popup = .choice(
        ChoiceState(
          title: "Promote AWSPENDING to AWSCURRENT",
          options: [
            "and remove AWSPENDING (finishes the rotation)",
            "and keep AWSPENDING on the new current version",
          ], cursor: 0, purpose: .promotePending))
      return []
    case .removeLabel:
      guard let version = selectedVersion else { return [] }
      let labels = orderedLabels(version.labels)
      if labels.count == 1 { return openPreview(.remove(label: labels[0], from: version.versionId)) }
      popup = .choice(
        ChoiceState(
          title: "Remove which label from \(shortDisplayID(version.versionId))?", options: labels, cursor: 0,
          purpose: .removeLabel(versionId: version.versionId)))
      return []
    case .addLabel:
      guard let version = selectedVersion else { return [] }
      popup = .labelInput(LabelInputState(versionId: version.versionId, text: "", error: validateLabel("")))
      return []
    case .acceptInput:
      guard case .labelInput(let input)? = popup else { return [] }
      popup = nil
      return openPreview(.add(label: input.text, to: input.versionId))
    case .deleteInputCharacter:
      guard case .labelInput(var input)? = popup else { return [] }
      if !input.text.isEmpty { input.text.removeLast() }
      input.error = validateLabel(input.text)
      popup = .labelInput(input)
      return []
    case .choiceUp, .choiceDown:
      guard case .choice(var choice)? = popup, !choice.options.isEmpty else { return [] }
      let step = action == .choiceDown ? 1 : choice.options.count - 1
      choice.cursor = (choice.cursor + step) % choice.options.count
      popup = .choice(choice)
      return []
    case .choose:
      guard case .choice(let choice)? = popup, choice.options.indices.contains(choice.cursor) else { return [] }
      popup = nil
      switch choice.purpose {
      case .promotePending:
        return openPreview(.promotePending(keepPending: choice.cursor == 1))
      case .removeLabel(let versionId):
        return openPreview(.remove(label: choice.options[choice.cursor], from: versionId))
      case .recover(let plan):
        let finish = choice.cursor == 0
        let target = finish ? plan.after : plan.before
        return openPreview(
          .restore(to: target), for: plan,
          title: finish ? "Finish: \(plan.intent.summary)" : "Revert: \(plan.intent.summary)")
      }
    case .confirmCommit, .confirmCommitAndWait:
      guard case .preview(let preview)? = popup else { return [] }
      if dryRun {
        popup = nil
        status = StatusMessage("nothing sent (dry run): \(preview.plan.outcomeSummary)", kind: .warning)
        return []
      }
      let id = makeRequestID()
      popup = .committing(
        CommitState(
          plan: preview.plan, requestID: id, step: 0, of: preview.plan.steps.count,
          waitForReplicas: action == .confirmCommitAndWait))
      return [.execute(preview.plan, requestID: id)]
    case .cancelPreview:
      popup = nil
      status = StatusMessage("preview closed: nothing sent")
      return []
    case .undo:
      guard let last = history.last else { return [] }
      return openPreview(
        .restore(to: last.plan.before), for: last.plan, title: "Undo: \(last.plan.intent.summary)")
    default:
      return []
    }
  }

  private mutating func carry(_ label: String, from: VersionID) {
    move = .carrying(label: label, from: from)
    status = StatusMessage(
      "carrying \(label): move to another version, enter drops it, esc cancels")
  }

  /// Plans `intent` for the secret of `plan` (default: the selected one) and opens its
  /// preview, or says why the planner refused.
  mutating func openPreview(
    _ intent: MoveIntent, for plan: Plan? = nil, title: String? = nil, context: [String] = []
  ) -> [Effect] {
    let found = plan.map { listed($0) } ?? selectedSecret
    guard let secret = found else {
      status = StatusMessage("\(plan?.secretName ?? "the secret") is no longer listed", kind: .error)
      return []
    }
    switch Planner.plan(intent, for: secret) {
    case .success(let plan):
      if plan.steps.isEmpty {
        status = StatusMessage("nothing to change: \(intent.summary) is already so")
        return []
      }
      popup = .preview(PreviewState(plan: plan, title: title ?? capitalized(intent.summary), context: context))
    case .failure(let refusal):
      status = StatusMessage(refusal.statusText(), kind: .error)
    }
    return []
  }

  private func capitalized(_ text: String) -> String {
    text.prefix(1).uppercased() + text.dropFirst()
  }

  /// A press on a version row: on a chip it starts a drag when moving is allowed.
  mutating func pressOnChip(x: Int, y: Int) -> [Effect] {
    if case .choosing? = move { move = nil }
    guard let version = selectedVersion else { return [] }
    let columns = VersionColumns(
      x: layout.versionsInnerX, width: layout.versionsInnerWidth, asciiOnly: config.asciiOnly)
    let spans = columns.chips(orderedLabels(version.labels)).spans
    guard let chip = spans.first(where: { x >= $0.x && x < $0.x + $0.width }) else { return [] }
    if let reason = reasonPick {
      status = StatusMessage("can't move \(chip.label): \(reason)", kind: .warning)
      return []
    }
    move = .dragging(label: chip.label, from: version.versionId, x: x, y: y)
    return []
  }

  /// Release after a drag: on another version row it opens the preview, elsewhere it cancels.
  mutating func dropDragged(label: String, from: VersionID, x: Int, y: Int) -> [Effect] {
    move = nil
    if let row = layout.versionRow(atX: x, y: y) {
      let position = versionScroll + row
      let versions = visibleVersions
      if versions.indices.contains(position) && versions[position].versionId != from {
        selectVersion(at: position)
        return openPreview(.move(label: label, to: versions[position].versionId, from: from))
      }
    }
    status = StatusMessage("move cancelled: released outside another version")
    return []
  }

  func validateLabel(_ text: String) -> String? {
    if let problem = StagingRules.validate(label: text) { return problem }
    if selectedSecret?.labelMap.allLabels.contains(text) ?? false {
      return
        "\(text) is already on a version: move it instead\(Keymap.standard.pressing(.pickLabel))"
    }
    return nil
  }

  mutating func finishCommit(requestID: Int, outcome: CommitOutcome) -> [Effect] {
    guard case .committing(let commit)? = popup, commit.requestID == requestID else { return [] }
    popup = nil
    switch outcome {
    case .applied(let plan, let secret):
      replace(secret)
      history.append(CommittedChange(plan: plan, at: now))
      status = StatusMessage(plan.outcomeSummary)
      if commit.waitForReplicas { return startReplicationWait(for: plan, secret: secret) }
    case .conflict(let plan, let current, let changes):
      replace(current)
      let context = ["The labels changed since the preview, so nothing was sent."] + changes
      _ = openPreview(
        plan.intent, for: plan, title: "Changed underneath: check again", context: context)
      if popup == nil {
        status = StatusMessage(
          "nothing sent: the labels changed since the preview (\(changes.joined(separator: "; ")))", kind: .error)
      }
    case .failed(let plan, let message, let applied, let current):
      if let current { replace(current) }
      if applied > 0 && applied < plan.steps.count {
        history.append(CommittedChange(plan: plan, at: now))
        popup = .choice(
          ChoiceState(
            title: "Step \(applied + 1) of \(plan.steps.count) failed: \(message)",
            options: ["Finish the change (preview)", "Revert what was applied (preview)"], cursor: 0,
            purpose: .recover(plan: plan)))
        status = StatusMessage("\(applied) of \(plan.steps.count) steps applied; AWS said: \(message)", kind: .error)
      } else {
        popup = .error(title: "Commit failed", message: message + "\n\nNothing was changed.")
        status = StatusMessage("commit failed: \(message)", kind: .error)
      }
    }
    return []
  }
}
