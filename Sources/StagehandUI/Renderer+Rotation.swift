import Foundation
import StagingModel

/// The rotation popups (pre-flight preview, masked input, live progress) and the rotation
/// configuration the panes show.
extension Renderer {
  func rotationPreviewTitle(_ preview: RotationPreviewState) -> String {
    let mode = preview.refusal != nil ? "refused" : state.dryRun ? "dry run" : "preview"
    return "\(preview.operation.title(preview.secret.name)) (\(mode))"
  }

  func rotationPreviewLines(_ preview: RotationPreviewState, width: Int) -> [StyledLine] {
    let secret = preview.secret
    var lines: [StyledLine] = [
      [("secret ", theme.dimmed), (sanitizeForDisplay(secret.name, asciiOnly: theme.asciiOnly), CellStyle(bold: true))]
    ]
    lines += rotationConfigurationLines(secret, width: width)
    switch preview.outcome {
    case .failure(let refusal):
      lines.append([])
      lines.append([("Pre-flight: AWS would refuse this", CellStyle(bold: true))])
      lines += wrap(refusal.message, width: width).map { [($0, theme.status(.error))] }
      if let suggestion = refusal.suggestion {
        lines += wrap(suggestion.statusText(keymap: .standard), width: width).map { [($0, theme.hintKey)] }
      }
      lines.append([])
      lines.append([("nothing can be sent", theme.dimmed), ("   n/esc: close", .plain)])
    case .success(let planned):
      lines.append([])
      var new: Set<VersionID> = []
      switch planned.kind {
      case .rotate(let request, _):
        new.insert(request.token)
        lines += wrap(
          "new version \(request.token) (the ClientRequestToken): AWSPENDING first, then AWSCURRENT once "
            + "finishSecret runs", width: width
        ).map { [($0, .plain)] }
      case .putPending(let token, let bytes, _):
        new.insert(token)
        lines.append([
          ("value ", theme.dimmed), ("\(bytes) \(bytes == 1 ? "byte" : "bytes") (never shown)", CellStyle(bold: true)),
        ])
        lines += wrap("new version \(token) gets AWSPENDING", width: width).map { [($0, .plain)] }
      case .cancel:
        lines.append([("no label moves now", .plain)])
      }
      let diff = planned.diff
      if !diff.isEmpty {
        lines.append([])
        lines.append([("Labels before \(theme.arrow) after", CellStyle(bold: true))])
        lines += diffLines(diff, new: new)
      }
      var notes = planned.notes.map(\.message)
      if case .cancel = planned.kind, let stuck = secret.stuckPendingVersion {
        notes.append(pendingFixText(stuck))
      }
      lines += noteLines(notes, width: width)
      lines.append([])
      lines.append([("Sends", CellStyle(bold: true))])
      let command =
        planned.awsCLICommand
        ?? "PutSecretValue on \(planned.secretName) with VersionStages [AWSPENDING] and ClientRequestToken "
        + (new.first ?? "")
      lines += wrap(sanitizeForDisplay(command, asciiOnly: theme.asciiOnly), width: width).map {
        [($0, theme.dimmed)]
      }
      lines.append([])
      let send: String
      switch planned.kind {
      case .rotate: send = "y: rotate now"
      case .putPending: send = "y: stage it"
      case .cancel: send = "y: cancel rotation"
      }
      lines.append([(state.dryRun ? "y: dry run, nothing is sent" : send, theme.hintKey), ("   n/esc: cancel", .plain)])
    }
    return lines
  }

  /// "…: promote it (p) or remove AWSPENDING (x) in the versions pane." for the version
  /// AWSPENDING was left on.
  func pendingFixText(_ version: VersionID) -> String {
    var fix = RefusalSuggestion.finishOrAbandonRotation(secretName: "", pendingVersion: version)
      .statusText(keymap: .standard)
    if fix.hasSuffix(".") { fix.removeLast() }
    return "AWSPENDING is on \(shortDisplayID(version)), off AWSCURRENT: \(fix.lowercasedFirst) in the versions pane."
  }

  /// What rotates the secret, and when: the function or managing service, the schedule, the
  /// last and next rotation.
  func rotationConfigurationLines(_ secret: Secret, width: Int) -> [StyledLine] {
    var lines: [StyledLine] = []
    if let function = secret.rotationFunction {
      lines += wrap("rotated by " + function.summary, width: width).map { [($0, .plain)] }
    } else {
      lines.append([("no rotation configured", theme.status(.warning))])
    }
    var parts = [secret.rotationEnabled ? "automatic rotation on" : "automatic rotation off"]
    if let schedule = scheduleText(secret) { parts.append(schedule) }
    if let last = secret.lastRotatedDate {
      parts.append("last \(dates.day(last)) (\(dates.relative(last, now: state.now)))")
    }
    if let next = secret.nextRotationDate {
      parts.append("next \(dates.day(next)) (\(dates.relative(next, now: state.now)))")
    }
    lines += wrap(parts.joined(separator: theme.separator), width: width).map { [($0, theme.dimmed)] }
    return lines
  }

  func scheduleText(_ secret: Secret) -> String? {
    guard let rules = secret.rotationRules else { return nil }
    if let days = rules.automaticallyAfterDays { return "every \(days)d" }
    return rules.scheduleExpression.map { sanitizeForDisplay($0, asciiOnly: theme.asciiOnly) }
  }

  func valueInputLines(_ input: ValueInputState, width: Int) -> [StyledLine] {
    let count = input.value.count
    let dot = theme.asciiOnly ? "*" : "•"
    let room = max(1, width - 8)
    let dots = String(repeating: dot, count: min(count, room)) + (count > room ? theme.ellipsis : "")
    var lines: [StyledLine] = [
      [("Value: ", .plain), (dots, CellStyle(bold: true)), (theme.asciiOnly ? "_" : "▏", CellStyle(bold: true))]
    ]
    if count == 0 {
      lines.append([("type the value; it is never shown", theme.dimmed)])
    } else {
      let bytes = input.value.byteCount
      lines.append([("\(count) characters, \(bytes) \(bytes == 1 ? "byte" : "bytes"); never shown", theme.dimmed)])
    }
    let edit = Keymap.standard.keyName(for: .stageEditedValue).map { " (\($0))" } ?? ""
    lines += wrap("enter previews, esc drops it. One line only: write a longer value in $EDITOR\(edit).", width: width)
      .map { [($0, theme.dimmed)] }
    return lines
  }

  func rotationProgressTitle(_ run: RotationRun) -> String {
    switch run.outcome {
    case nil: return "Rotating \(run.secretName)"
    case .finished?: return "Rotated \(run.secretName)"
    case .notStarted?: return "Rotating \(run.secretName) failed"
    case .stopped(let diagnosis, _)? where diagnosis.reached == .currentMoved: return "Rotated \(run.secretName)"
    case .stopped?, .abandoned?: return "Rotation of \(run.secretName) stopped"
    }
  }

  func rotationProgressLines(_ run: RotationRun, width: Int) -> [StyledLine] {
    var lines: [StyledLine] = [
      [
        ("secret ", theme.dimmed),
        (sanitizeForDisplay(run.secretName, asciiOnly: theme.asciiOnly), CellStyle(bold: true)),
      ]
    ]
    lines += wrap("rotated by " + run.function.summary, width: width).map { [($0, .plain)] }
    lines += wrap("new version \(run.token)", width: width).map { [($0, theme.dimmed)] }
    lines.append([])
    let spinner = theme.spinnerFrames[state.spinnerFrame % theme.spinnerFrames.count]
    let stopped: Bool
    if case .finished? = run.outcome { stopped = false } else { stopped = run.outcome != nil }
    let next = RotationStage.allCases.first { $0 > (run.reached ?? .requested) || run.reached == nil }
    for stage in RotationStage.allCases {
      let reached = run.reached.map { stage <= $0 } ?? false
      let mark: String
      let style: CellStyle
      if reached {
        mark = theme.asciiOnly ? "+" : "✓"
        style = theme.added
      } else if stage == next && run.isRunning {
        mark = spinner
        style = theme.hintKey
      } else if stage == next && stopped {
        mark = theme.asciiOnly ? "x" : "✗"
        style = theme.removed
      } else {
        mark = theme.asciiOnly ? "." : "·"
        style = theme.dimmed
      }
      var row: StyledLine = [(mark + " ", style), (stage.summary, reached ? .plain : theme.dimmed)]
      if let seen = run.observed[stage] {
        row.append(("  after \(Int(max(0, seen.timeIntervalSince(run.startedAt)).rounded())) s", theme.dimmed))
      } else if reached {
        row.append(("  (not seen)", theme.dimmed))
      }
      lines.append(row)
    }
    lines.append([])
    switch run.outcome {
    case nil:
      let elapsed = Int(max(0, state.now.timeIntervalSince(run.startedAt)))
      lines.append([
        ("following for \(elapsed) s; gives up after \(state.config.rotationTimeoutSeconds) s", theme.dimmed)
      ])
      let reopen = Keymap.standard.keyName(for: .rotateNow).map { " (\($0) on its row reopens this)" } ?? ""
      lines += wrap(
        "esc closes this view and stops nothing: the rotation goes on, Stagehand keeps following it, and its row "
          + "says rotating\(theme.ellipsis)\(reopen)", width: width
      ).map { [($0, .plain)] }
    case .finished(let after)?:
      lines.append([("Rotation finished\(durationText(run)).", CellStyle(bold: true))])
      lines.append([])
      lines.append([("Labels before \(theme.arrow) after", CellStyle(bold: true))])
      lines += diffLines(
        VersionDiff.changes(from: run.before, to: after, automatic: [StandardLabel.previous]), new: [run.token])
    case .stopped(let diagnosis, let why)?:
      let heading = diagnosis.reached == .currentMoved ? "Finished, untidily" : "Stopped"
      lines += wrap("\(heading): \(diagnosis.message)", width: width).map { [($0, theme.status(.error))] }
      lines += wrap(why, width: width).map { [($0, theme.dimmed)] }
      lines += noteLines(diagnosis.remedies.map { remedyText($0, run: run) }, width: width, heading: "What to do")
    case .abandoned?:
      lines += wrap(
        "Stopped: version \(shortDisplayID(run.token)) lost AWSPENDING before it became AWSCURRENT: the rotation was "
          + "abandoned (the function failed and cleaned up, or someone removed AWSPENDING).", width: width
      ).map { [($0, theme.status(.error))] }
      lines += noteLines([remedyText(.readLogs(run.function), run: run)], width: width, heading: "What to do")
    case .notStarted(let message)?:
      lines += wrap("RotateSecret failed: \(message)", width: width).map { [($0, theme.status(.error))] }
    }
    return lines
  }

  /// A Lambda ARN's function name (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]).
  func functionName(_ arn: String) -> String {
    let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
    return parts.count >= 7 && parts[5] == "function" ? String(parts[6]) : arn
  }

  private func durationText(_ run: RotationRun) -> String {
    guard let end = run.endedAt else { return "" }
    return " in \(Int(max(0, end.timeIntervalSince(run.startedAt)).rounded())) s"
  }

  /// A remedy as a sentence, with the key that does it.
  func remedyText(_ remedy: RotationDiagnosis.Remedy, run: RotationRun) -> String {
    let version = shortDisplayID(run.token)
    switch remedy {
    case .readLogs(.lambda(let arn)):
      let name = functionName(arn)
      return "Read the rotation function's logs: \(arn) (CloudWatch log group /aws/lambda/\(name))."
    case .readLogs(.managed(let service)):
      return "Check the rotation in \(service), the service that manages it."
    case .promote:
      return "If its value was tested, promote it: AWSCURRENT onto \(version)"
        + Keymap.standard.pressing(.promotePending) + " in the versions pane."
    case .removePending:
      return "To abandon it, remove AWSPENDING from \(version)" + Keymap.standard.pressing(.removeLabel)
        + " in the versions pane."
    }
  }
}

extension String {
  var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
