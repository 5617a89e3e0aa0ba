import Foundation
import StagingModel

/// Rotating, staging a value and cancelling rotation: every path reads the secret for a
/// pre-flight, shows `RotationPlanner`'s preview (or its refusal), and only `y` sends. A
/// rotation is then followed by a long-lived effect whose stages arrive as messages, while
/// the user goes on browsing.
extension AppState {
  mutating func performRotation(_ action: Action) -> [Effect] {
    switch action {
    case .rotateNow:
      guard let secret = selectedSecret else { return [] }
      if let index = rotations.lastIndex(where: { $0.isOf(secret) }),
        rotations[index].isRunning || !rotations[index].outcomeSeen
      {
        rotations[index].outcomeSeen = !rotations[index].isRunning
        popup = .rotationProgress(requestID: rotations[index].requestID)
        return []
      }
      return prepare(.rotate, for: secret.name, at: Self.address(of: secret))
    case .stageTypedValue:
      guard let secret = selectedSecret else { return [] }
      popup = .valueInput(ValueInputState(secretName: secret.name, secretId: Self.address(of: secret)))
      return []
    case .stageEditedValue:
      guard let secret = selectedSecret else { return [] }
      return prepare(.stage(nil), for: secret.name, at: Self.address(of: secret))
    case .cancelRotation:
      guard let secret = selectedSecret else { return [] }
      return prepare(.cancel, for: secret.name, at: Self.address(of: secret))
    case .acceptInput:
      guard case .valueInput(let input)? = popup, !input.value.isEmpty else { return [] }
      popup = nil
      return prepare(.stage(input.value), for: input.secretName, at: input.secretId)
    case .deleteInputCharacter:
      guard case .valueInput(var input)? = popup else { return [] }
      input.value.removeLast()
      popup = .valueInput(input)
      return []
    case .confirmCommit:
      return confirmRotation()
    case .cancelPreview:
      guard case .rotationPreview(let preview)? = popup else { return [] }
      popup = nil
      let dropped = preview.operation.kind == .stage ? "; the value is dropped" : ""
      status = StatusMessage("preview closed: nothing sent\(dropped)")
      return []
    default:
      return []
    }
  }

  /// True when `action` is one this file performs in the popup that is open.
  func isRotationPopupAction(_ action: Action) -> Bool {
    switch (popup, action) {
    case (.valueInput?, .acceptInput), (.valueInput?, .deleteInputCharacter): return true
    case (.rotationPreview?, .confirmCommit), (.rotationPreview?, .cancelPreview): return true
    default: return false
    }
  }

  /// Closes the popup; closing a rotation popup says what closing did (and did not) do.
  mutating func closePopup() {
    switch popup {
    case .valueInput?:
      status = StatusMessage("nothing staged: the typed value is dropped")
    case .rotationProgress(let requestID)?:
      if let run = rotations.first(where: { $0.requestID == requestID }), run.isRunning {
        let reopen = Keymap.standard.keyName(for: .rotateNow).map { " (\($0) reopens it)" } ?? ""
        status = StatusMessage(
          "progress closed, nothing stopped: the rotation of \(run.secretName) goes on and is still followed\(reopen)")
      }
    case .changeSetProgress(let requestID)?:
      // Closing while secrets are still being sent is refused by the keymap; the summary stays.
      if let run = changeSetRun, run.requestID == requestID, run.isRunning { return }
      if let run = changeSetRun, run.requestID == requestID {
        status = StatusMessage(run.summary, kind: run.allApplied ? .info : .warning)
      }
    case .planPathInput(let input)?:
      popup = input.source.popup
      status = StatusMessage("no plan file written")
      return
    case .bulkLabelInput?:
      status = StatusMessage("nothing removed")
    case .replication(let requestID)?:
      if let run = replication, run.requestID == requestID, run.isRunning {
        let reopen = Keymap.standard.keyName(for: .showReplicas).map { " (\($0) reopens it)" } ?? ""
        status = StatusMessage(
          "progress closed, nothing stopped: the replicas of \(run.secretName) are still read; this line says how "
            + "it ends\(reopen)")
      }
    default:
      break
    }
    popup = nil
  }

  /// Reads the secret named `name` for the pre-flight of `operation`, at `secretId` (its
  /// address: in an estate the row's own ARN, so a name held in several pairs is no
  /// ambiguity).
  mutating func prepare(_ operation: RotationOperation, for name: String, at secretId: String) -> [Effect] {
    let id = makeRequestID()
    preparing = PreparingRotation(requestID: id, secretName: name, secretId: secretId, operation: operation)
    let editing = operation == .stage(nil)
    status = StatusMessage(
      editing ? "writing the new value of \(name) in $EDITOR" : "reading \(name) for the pre-flight")
    return [.prepareRotation(secretId: secretId, editValue: editing, requestID: id)]
  }

  mutating func receivePrepared(requestID: Int, secret: Secret, token: VersionID, editedValue: MaskedValue?)
    -> [Effect]
  {
    guard let preparing, preparing.requestID == requestID else { return [] }
    self.preparing = nil
    replace(secret)
    var operation = preparing.operation
    if operation == .stage(nil) {
      guard let editedValue, !editedValue.isEmpty else {
        status = StatusMessage("nothing staged: the editor left the file empty", kind: .warning)
        return []
      }
      operation = .stage(editedValue)
    }
    guard popup == nil else {
      status = StatusMessage(
        "the pre-flight of \(secret.name) is ready but a popup is open: close it and press the key again",
        kind: .warning)
      return []
    }
    let outcome: Result<RotationPreview, PlanRefusal>
    switch operation {
    case .rotate:
      outcome = RotationPlanner.rotate(RotationRequest(token: token), for: secret)
    case .stage(let value):
      outcome = RotationPlanner.putPending(token: token, bytes: value?.byteCount ?? 0, binary: false, for: secret)
    case .cancel:
      outcome = RotationPlanner.cancel(for: secret)
    }
    popup = .rotationPreview(RotationPreviewState(secret: secret, operation: operation, outcome: outcome))
    status = outcome.isRefusal ? StatusMessage("the pre-flight refused: nothing can be sent", kind: .error) : nil
    return []
  }

  mutating func receivePrepareFailed(requestID: Int, message: String) -> [Effect] {
    guard let preparing, preparing.requestID == requestID else { return [] }
    self.preparing = nil
    status = StatusMessage("\(preparing.operation.title(preparing.secretName)): \(message)", kind: .error)
    return []
  }

  /// `y` in a rotation preview: start the rotation and open its progress, or send the call.
  mutating func confirmRotation() -> [Effect] {
    guard case .rotationPreview(let preview)? = popup, case .success(let planned) = preview.outcome else { return [] }
    if dryRun {
      popup = nil
      status = StatusMessage("nothing sent (dry run): \(preview.operation.title(planned.secretName))", kind: .warning)
      return []
    }
    let id = makeRequestID()
    switch (preview.operation, planned.kind) {
    case (.rotate, .rotate(let request, let function)):
      rotations.removeAll { $0.isOf(preview.secret) && !$0.isRunning }
      rotations.append(
        RotationRun(
          requestID: id, secretName: planned.secretName, origin: preview.secret.origin, token: request.token,
          function: function, before: planned.before, startedAt: now))
      popup = .rotationProgress(requestID: id)
      status = StatusMessage("RotateSecret sent for \(planned.secretName)")
      return [
        .rotate(
          secretId: planned.secretId, request: request, timeoutSeconds: config.rotationTimeoutSeconds, requestID: id)
      ]
    case (.stage(let value?), .putPending(let token, _, _)):
      popup = nil
      rotationCalls[id] = RotationCall(
        secretName: planned.secretName, origin: preview.secret.origin, operation: .stage, token: token)
      status = StatusMessage("staging the new value on \(planned.secretName)")
      return [.putPendingValue(secretId: planned.secretId, token: token, value: value, requestID: id)]
    case (.cancel, .cancel):
      popup = nil
      rotationCalls[id] = RotationCall(
        secretName: planned.secretName, origin: preview.secret.origin, operation: .cancel, token: nil)
      status = StatusMessage("cancelling the rotation of \(planned.secretName)")
      return [.cancelRotation(secretId: planned.secretId, requestID: id)]
    default:
      return []
    }
  }

  mutating func receiveRotationAccepted(requestID: Int) -> [Effect] {
    updateRun(requestID) { run, now in
      if run.observed[.requested] == nil { run.observed[.requested] = now }
      run.reached = max(run.reached ?? .requested, .requested)
    }
    return []
  }

  mutating func receiveRotationObserved(requestID: Int, stage: RotationStage, secret: Secret) -> [Effect] {
    guard rotations.contains(where: { $0.requestID == requestID && $0.isRunning }) else { return [] }
    updateRun(requestID) { run, now in
      if run.observed[stage] == nil { run.observed[stage] = now }
      run.reached = max(run.reached ?? stage, stage)
      run.lastRead = secret
    }
    replace(secret)
    return []
  }

  mutating func receiveRotationEnded(requestID: Int, end: RotationEnd) -> [Effect] {
    guard let index = rotations.firstIndex(where: { $0.requestID == requestID }), rotations[index].isRunning else {
      return []
    }
    var run = rotations[index]
    let reached = run.reached ?? .requested
    let diagnosis = RotationDiagnosis(
      secretName: run.secretName, token: run.token, reached: reached, function: run.function)
    switch end {
    case .sendFailed(let message):
      run.outcome = .notStarted(message)
    case .followEnded where reached == .pendingCleanedUp:
      run.outcome = .finished(after: run.lastRead?.labelMap.labelledVersions ?? run.before)
    case .followEnded where reached == .currentMoved:
      run.outcome = .stopped(diagnosis, why: "AWSPENDING stayed on the new current version.")
    case .followEnded:
      run.outcome = .abandoned
    case .timedOut(let seconds):
      run.outcome = .stopped(
        diagnosis, why: "It did not finish within \(seconds) s, so following stopped; the rotation itself may go on.")
    case .readFailed(let message):
      run.outcome = .stopped(
        diagnosis, why: "Reading the secret failed (\(message)), so following stopped; the rotation may go on.")
    }
    run.endedAt = now
    if case .rotationProgress(requestID)? = popup { run.outcomeSeen = true }
    rotations[index] = run
    status = run.outcomeStatus(keymap: .standard)
    return []
  }

  mutating func receiveRotationCallFinished(requestID: Int, result: RotationCallResult) -> [Effect] {
    guard let call = rotationCalls.removeValue(forKey: requestID) else { return [] }
    switch result {
    case .done(let secret):
      if let secret { replace(secret) }
      let listed = index.position(of: Self.key(name: call.secretName, origin: call.origin)).map { secrets[$0] }
      switch call.operation {
      case .stage:
        let promote = Keymap.standard.pressing(.promotePending)
        status = StatusMessage(
          "staged on \(call.secretName): AWSPENDING is on \(call.token.map { shortID($0) } ?? "the new version"); "
            + "promote it once it is tested\(promote)")
      default:
        var text = "automatic rotation of \(call.secretName) is off"
        if let stuck = listed?.stuckPendingVersion {
          text += "; AWSPENDING is still on \(shortID(stuck))\(Keymap.standard.pressing(.removeLabel)) removes it"
        }
        status = StatusMessage(text)
      }
    case .failed(let message):
      let what = call.operation == .stage ? "Staging the value failed" : "Cancelling the rotation failed"
      status = StatusMessage("\(what): \(message)", kind: .error)
      if popup == nil { popup = .error(title: what, message: message) }
    }
    return []
  }

  private mutating func updateRun(_ requestID: Int, _ change: (inout RotationRun, Date) -> Void) {
    guard let index = rotations.firstIndex(where: { $0.requestID == requestID }), rotations[index].isRunning else {
      return
    }
    change(&rotations[index], now)
  }

  /// The rotation of `secret`'s row under way, if one is: matched by name and pair, so the
  /// same name in another Region or account is not said to rotate.
  public func runningRotation(of secret: Secret) -> RotationRun? {
    rotations.last { $0.isOf(secret) && $0.isRunning }
  }
}

extension Result where Failure == PlanRefusal {
  var isRefusal: Bool {
    if case .failure = self { return true }
    return false
  }
}

extension RotationRun {
  /// The status line once it ended.
  func outcomeStatus(keymap: Keymap) -> StatusMessage? {
    let more = keymap.keyName(for: .rotateNow).map { " (\($0) shows what to do)" } ?? ""
    switch outcome {
    case .finished(let after)?:
      var text = "rotation of \(secretName) finished: AWSCURRENT is on \(shortID(token))"
      if let previous = after.holder(of: StandardLabel.previous) { text += ", AWSPREVIOUS on \(shortID(previous))" }
      return StatusMessage(text)
    case .stopped(let diagnosis, _)? where diagnosis.reached == .currentMoved:
      return StatusMessage(
        "rotation of \(secretName) finished, but AWSPENDING stayed on the new version\(more)", kind: .warning)
    case .stopped(let diagnosis, _)?:
      return StatusMessage("rotation of \(secretName) stopped: \(diagnosis.message)\(more)", kind: .error)
    case .abandoned?:
      return StatusMessage(
        "rotation of \(secretName) abandoned: the new version lost AWSPENDING before it became current\(more)",
        kind: .error)
    case .notStarted(let message)?:
      return StatusMessage("rotating \(secretName) failed: \(message)", kind: .error)
    case nil:
      return nil
    }
  }
}
