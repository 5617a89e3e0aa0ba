import Foundation
import StagingModel

/// Marks and change sets: secrets are marked in the secrets pane, one change is planned for
/// every marked secret (`ChangeSet.plan`), shown in one combined preview, and only `y` in it
/// sends; the answers arrive per secret. Any label preview can instead be written to a plan
/// file, which sends nothing.
extension AppState {
  /// The listed secrets that are marked, in the order they were listed.
  public var markedSecrets: [Secret] {
    index.positions(mayHavingIDIn: marks).compactMap { position in
      let secret = secrets[position]
      return marks.contains(secret.id) ? secret : nil
    }
  }

  /// How many listed secrets are marked. Drawn in every frame while marks are set: the index's
  /// id hashes pick the candidates, so only they are read from the packed list (reading every
  /// secret took about 290 ms at 500,000).
  public var markedCount: Int {
    index.positions(mayHavingIDIn: marks).reduce(0) { $0 + (marks.contains(secrets[$1].id) ? 1 : 0) }
  }

  public func isMarked(_ secret: Secret) -> Bool { marks.contains(secret.id) }

  mutating func performChangeSet(_ action: Action) -> [Effect] {
    switch action {
    case .toggleMark:
      guard let secret = selectedSecret else { return [] }
      if marks.remove(secret.id) == nil {
        marks.insert(secret.id)
        status = StatusMessage("marked \(secret.name) (\(markedCount) marked)")
      } else {
        status = StatusMessage("unmarked \(secret.name) (\(markedCount) marked)")
      }
      // On to the next row, so a run of secrets is marked by holding the key.
      return selectSecret(at: secretCursor + 1)
    case .markAllShown:
      let shown = rows.map { secrets[$0].id }
      guard !shown.isEmpty else { return [] }
      if shown.allSatisfy(marks.contains) {
        marks.subtract(shown)
        status = StatusMessage("unmarked the \(shown.count) shown (\(markedCount) marked)")
      } else {
        marks.formUnion(shown)
        status = StatusMessage("marked the \(shown.count) shown (\(markedCount) marked)")
      }
      return []
    case .clearMarks:
      let count = markedCount
      marks = []
      status = StatusMessage(count == 1 ? "1 mark cleared" : "\(count) marks cleared")
      return []
    case .bulkPromote:
      return openChangeSetPreview(.promote)
    case .bulkRollback:
      return openChangeSetPreview(.rollback)
    case .bulkRemoveLabel:
      popup = .bulkLabelInput(BulkLabelInputState(text: "", error: validateRemovedLabel("")))
      return []
    case .acceptInput:
      switch popup {
      case .bulkLabelInput(let input)?:
        guard input.error == nil else { return [] }
        popup = nil
        return openChangeSetPreview(.remove(label: input.text))
      case .planPathInput(let input)?:
        return writePlanFile(input)
      default:
        return []
      }
    case .deleteInputCharacter:
      switch popup {
      case .bulkLabelInput(var input)?:
        if !input.text.isEmpty { input.text.removeLast() }
        input.error = validateRemovedLabel(input.text)
        popup = .bulkLabelInput(input)
      case .planPathInput(var input)?:
        if !input.text.isEmpty { input.text.removeLast() }
        popup = .planPathInput(input)
      default:
        break
      }
      return []
    case .confirmCommit:
      return confirmChangeSet()
    case .cancelPreview:
      popup = nil
      status = StatusMessage("preview closed: nothing sent")
      return []
    case .writePlanFile:
      let source: PlanSource
      switch popup {
      case .preview(let preview)?: source = .single(preview)
      case .changeSetPreview(let preview)?: source = .changeSet(preview)
      default: return []
      }
      popup = .planPathInput(PlanPathInputState(text: defaultPlanPath, source: source))
      return []
    default:
      return []
    }
  }

  /// True when `action` is one this file performs in the popup that is open.
  func isChangeSetPopupAction(_ action: Action) -> Bool {
    switch (popup, action) {
    case (.changeSetPreview?, .confirmCommit), (.changeSetPreview?, .cancelPreview): return true
    case (.bulkLabelInput?, .acceptInput), (.bulkLabelInput?, .deleteInputCharacter): return true
    case (.planPathInput?, .acceptInput), (.planPathInput?, .deleteInputCharacter): return true
    default: return false
    }
  }

  /// Typed text reaches the open input popup of this file.
  mutating func typeIntoChangeSetInput(_ character: Character) {
    switch popup {
    case .bulkLabelInput(var input)?:
      input.text.append(character)
      input.error = validateRemovedLabel(input.text)
      popup = .bulkLabelInput(input)
    case .planPathInput(var input)?:
      input.text.append(character)
      popup = .planPathInput(input)
    default:
      break
    }
  }

  /// Why the label typed can't be removed from every marked secret, or nil.
  func validateRemovedLabel(_ text: String) -> String? {
    if let problem = StagingRules.validate(label: text) { return problem }
    if text == StandardLabel.current { return "AWSCURRENT can only be moved to another version, never removed" }
    return nil
  }

  /// Plans `intent` for every marked secret and opens the combined preview: every plan, and
  /// every marked secret the planner refused with its reason.
  mutating func openChangeSetPreview(_ intent: BulkIntent) -> [Effect] {
    let marked = markedSecrets
    guard !marked.isEmpty else {
      status = StatusMessage("no secret is marked", kind: .warning)
      return []
    }
    let set = ChangeSet.plan(marked) { _ in intent.moveIntent }
    popup = .changeSetPreview(ChangeSetPreviewState(set: set, intent: intent, marked: marked.count))
    status = nil
    return []
  }

  /// `y` in the combined preview: send every plan, or in a dry run nothing.
  mutating func confirmChangeSet() -> [Effect] {
    guard case .changeSetPreview(let preview)? = popup else { return [] }
    if let reason = reasonChangeSetCommit {
      status = StatusMessage(reason, kind: .warning)
      return []
    }
    if dryRun {
      popup = nil
      status = StatusMessage("nothing sent (dry run): \(preview.set.summary)", kind: .warning)
      return []
    }
    let id = makeRequestID()
    changeSetRun = ChangeSetRun(requestID: id, set: preview.set, title: preview.title)
    popup = .changeSetProgress(requestID: id)
    status = StatusMessage("sending \(preview.set.summary)")
    return [.executeChangeSet(preview.set, requestID: id)]
  }

  /// Why `y` can't send the combined preview that is open, or nil.
  var reasonChangeSetCommit: String? {
    guard case .changeSetPreview(let preview)? = popup else { return nil }
    if config.readOnly { return "read-only mode: nothing can be changed" }
    if preview.set.plans.isEmpty { return "every marked secret is skipped: nothing to send" }
    return nil
  }

  mutating func receiveChangeSetSecret(requestID: Int, index: Int, outcome: BulkOutcome) -> [Effect] {
    guard var run = changeSetRun, run.requestID == requestID, run.isRunning, run.results.indices.contains(index),
      run.results[index] == nil
    else { return [] }
    run.results[index] = outcome
    let plan = run.set.plans[index]
    switch outcome {
    case .applied:
      history.append(CommittedChange(plan: plan, at: now))
    case .failed(_, let applied, _) where applied > 0:
      history.append(CommittedChange(plan: plan, at: now))
    default:
      break
    }
    changeSetRun = run
    if let secret = outcome.secret { replace(secret) }
    return []
  }

  /// Every secret answered: the summary stays in the popup until it is closed, and the
  /// secrets not read back by the executor are read again for the list.
  mutating func finishChangeSet(requestID: Int) -> [Effect] {
    guard var run = changeSetRun, run.requestID == requestID, run.isRunning else { return [] }
    run.finished = true
    changeSetRun = run
    status = StatusMessage(run.summary, kind: run.allApplied ? .info : .warning)
    var effects: [Effect] = []
    for (plan, result) in zip(run.set.plans, run.results) where result?.secret == nil {
      guard let secret = listed(plan) else { continue }
      let address = Self.address(of: secret)
      describes = describes.filter { $0.value.secretId != address }
      effects.append(describe(secret, includeDeprecated: showDeprecated))
    }
    return effects
  }

  /// Why the change set's progress can't close yet, or nil.
  var reasonCloseChangeSet: String? {
    guard case .changeSetProgress(let requestID)? = popup, let run = changeSetRun, run.requestID == requestID,
      run.isRunning
    else { return nil }
    return "the change set is being sent: it closes once every secret has answered"
  }

  // MARK: Plan files

  /// "stagehand-plan-20261129-120000.json", in the current directory, from the UI's clock.
  var defaultPlanPath: String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = config.timeZone
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
    func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
    let date = String(format: "%04d", parts.year ?? 0) + two(parts.month) + two(parts.day)
    return "stagehand-plan-\(date)-\(two(parts.hour))\(two(parts.minute))\(two(parts.second)).json"
  }

  /// Enter in the path input: back to the preview, and the file written; nothing is sent.
  mutating func writePlanFile(_ input: PlanPathInputState) -> [Effect] {
    let path = input.text.trimmingCharacters(in: .whitespaces)
    guard !path.isEmpty else { return [] }
    let set = input.source.set
    let id = makeRequestID()
    planWrite = PlanWriteRequest(requestID: id, path: path, summary: set.summary)
    popup = input.source.popup
    status = StatusMessage("writing the plan to \(path)")
    var origins: [String: SecretOrigin] = [:]
    for plan in set.plans {
      if let origin = listed(plan)?.origin {
        origins[plan.secretId] = origin
      }
    }
    return [.writePlanFile(path: path, set, command: input.source.command, origins: origins, requestID: id)]
  }

  mutating func receivePlanFileWritten(requestID: Int, path: String) -> [Effect] {
    guard let request = planWrite, request.requestID == requestID else { return [] }
    planWrite = nil
    status = StatusMessage("plan written to \(path) (\(request.summary)); nothing sent")
    return []
  }

  mutating func receivePlanFileFailed(requestID: Int, message: String) -> [Effect] {
    guard let request = planWrite, request.requestID == requestID else { return [] }
    planWrite = nil
    // The message names the file.
    status = StatusMessage("plan not written: \(message)", kind: .error)
    return []
  }

  /// The listed secret a plan was made for: by ARN (a name can be in several pairs), else
  /// the first listed of that name, looked up under each pair's key.
  func listed(_ plan: Plan) -> Secret? {
    let byID = index.positions(mayHavingIDIn: [plan.secretId]).lazy.map { secrets[$0] }.first {
      $0.id == plan.secretId
    }
    if let byID { return byID }
    let keys = [plan.secretName] + rowsByPair.keys.map { Self.key(name: plan.secretName, origin: $0) }
    return keys.compactMap { index.position(of: $0) }.min().map { secrets[$0] }
  }

  /// Drops the marks of secrets a completed reload no longer lists.
  mutating func pruneMarks() {
    guard !marks.isEmpty else { return }
    // Only a secret whose id hash is a mark's can be marked: the rest are never read.
    marks.formIntersection(index.positions(mayHavingIDIn: marks).map { secrets[$0].id })
  }
}
