import Foundation
import StagingModel

/// The change set popups: the combined preview of the marked secrets, its progress and
/// summary, the label prompt of a bulk removal, and the path prompt of a plan file.
extension Renderer {
  func changeSetPreviewTitle(_ preview: ChangeSetPreviewState) -> String {
    "\(preview.title) (\(state.dryRun ? "dry run" : "preview"))"
  }

  /// The summary, each plan's labels before and after (AWS's own moves marked), then every
  /// skipped secret with the planner's reason: no marked secret is left unmentioned.
  func changeSetPreviewLines(_ preview: ChangeSetPreviewState, width: Int) -> [StyledLine] {
    let set = preview.set
    var lines: [StyledLine] = [[(set.summary, CellStyle(bold: true))]]
    for plan in set.plans {
      lines.append([])
      let calls = plan.steps.count == 1 ? "1 call" : "\(plan.steps.count) calls"
      lines.append([
        (sanitizeForDisplay(plan.secretName, asciiOnly: theme.asciiOnly), CellStyle(bold: true)),
        (": \(plan.intent.summary) (\(calls))", .plain),
      ])
      lines += diffLines(plan.diff).map { [("  ", .plain)] + $0 }
      for note in plan.notes {
        lines += indented(bullet + note.message, width: width, indent: 2).map { [($0, theme.dimmed)] }
      }
    }
    if !set.skipped.isEmpty {
      lines.append([])
      lines.append([("Skipped (nothing sent for these)", CellStyle(bold: true))])
      for skipped in set.skipped {
        let text =
          sanitizeForDisplay(skipped.secretName, asciiOnly: theme.asciiOnly) + ": "
          + sanitizeForDisplay(skipped.refusal.message, asciiOnly: theme.asciiOnly)
        lines += indented(text, width: width, indent: 2).map { [($0, theme.status(.warning))] }
      }
    }
    lines.append([])
    let commit: StyledLine
    if set.plans.isEmpty {
      commit = [("every marked secret is skipped: nothing to send", theme.status(.warning))]
    } else if state.config.readOnly {
      commit = [("read-only mode: nothing can be sent", theme.status(.warning))]
    } else {
      commit = [(state.dryRun ? "y: dry run, nothing is sent" : "y: commit all", theme.hintKey)]
    }
    lines.append(commit + [("   w: plan file   n/esc: cancel", .plain)])
    return lines
  }

  func changeSetProgressTitle(_ run: ChangeSetRun) -> String {
    run.title + (run.isRunning ? " (sending)" : " (done)")
  }

  /// The state of the whole, then one line per secret as its answer arrives, then the
  /// skipped secrets.
  func changeSetProgressLines(_ run: ChangeSetRun, width: Int) -> [StyledLine] {
    var lines: [StyledLine] = []
    if run.isRunning {
      let spinner = theme.spinnerFrames[state.spinnerFrame % theme.spinnerFrames.count]
      lines.append([
        ("\(spinner) sending: \(run.answered) of \(run.set.plans.count) secrets answered", CellStyle(bold: true))
      ])
    } else {
      lines.append([("Done: " + run.summary, run.allApplied ? theme.added : theme.status(.warning))])
    }
    lines.append([])
    for (plan, result) in zip(run.set.plans, run.results) {
      let name = sanitizeForDisplay(plan.secretName, asciiOnly: theme.asciiOnly)
      let (word, text, style): (String, String, CellStyle)
      switch result {
      case nil:
        (word, text, style) = ("waiting", name, theme.dimmed)
      case .applied?:
        (word, text, style) = ("applied", name + ": " + plan.outcomeSummary, theme.added)
      case .conflict(_, let changes)?:
        (word, text, style) = (
          "conflict", name + ": nothing sent, the labels changed: " + changes.joined(separator: "; "),
          theme.status(.warning)
        )
      case .failed(let message, let applied, _)?:
        var why = name + ": " + message.split(separator: "\n").joined(separator: " ")
        if applied > 0 { why += " (\(applied) of \(plan.steps.count) steps applied)" }
        (word, text, style) = ("failed", why, theme.status(.error))
      case .unknown(let message, let applied)?:
        (word, text, style) = (
          "unknown",
          name + ": " + message.split(separator: "\n").joined(separator: " ")
            + " (step \(applied + 1) of \(plan.steps.count) may or may not have been applied: read the secret again)",
          theme.status(.error)
        )
      }
      lines += outcomeLines(word, sanitizeForDisplay(text, asciiOnly: theme.asciiOnly), style: style, width: width)
    }
    for skipped in run.set.skipped {
      let text =
        sanitizeForDisplay(skipped.secretName, asciiOnly: theme.asciiOnly) + ": "
        + sanitizeForDisplay(skipped.refusal.message, asciiOnly: theme.asciiOnly)
      lines += outcomeLines("skipped", text, style: theme.dimmed, width: width)
    }
    lines.append([])
    if run.isRunning {
      lines.append([("esc closes once every secret has answered", theme.dimmed)])
    } else {
      lines.append([("esc: close", theme.hintKey)])
    }
    return lines
  }

  /// "applied   name: …", wrapped under its text.
  private func outcomeLines(_ word: String, _ text: String, style: CellStyle, width: Int) -> [StyledLine] {
    let column = 10
    let wrapped = wrap(text, width: max(10, width - column))
    return wrapped.enumerated().map { index, part in
      let head =
        index == 0 ? word.padding(toLength: column, withPad: " ", startingAt: 0) : String(repeating: " ", count: column)
      return [(head, style), (part, .plain)]
    }
  }

  func bulkLabelInputLines(_ input: BulkLabelInputState) -> [StyledLine] {
    var lines: [StyledLine] = [
      [
        ("Label to remove from \(markedSecretsText(state.markedCount)): ", .plain),
        (sanitizeForDisplay(input.text, asciiOnly: theme.asciiOnly), CellStyle(bold: true)),
        (theme.asciiOnly ? "_" : "▏", CellStyle(bold: true)),
      ]
    ]
    if let error = input.error {
      lines.append([(error, theme.status(.error))])
    } else {
      lines.append([("ok: a preview follows; secrets without it are skipped", theme.added)])
    }
    return lines
  }

  func planPathInputLines(_ input: PlanPathInputState, width: Int) -> [StyledLine] {
    let set = input.source.set
    var lines: [StyledLine] = [
      [
        ("Path: ", .plain),
        (sanitizeForDisplay(input.text, asciiOnly: theme.asciiOnly), CellStyle(bold: true)),
        (theme.asciiOnly ? "_" : "▏", CellStyle(bold: true)),
      ],
      [],
    ]
    let about =
      "The plan (\(set.summary)) is written as JSON readable by you only, for review and "
      + "stagehand apply. Nothing is sent."
    lines += wrap(about, width: width).map { [($0, theme.dimmed)] }
    lines.append([])
    lines.append([("enter: write", theme.hintKey), ("   esc: back to the preview", .plain)])
    return lines
  }

  private var bullet: String { theme.asciiOnly ? "* " : "• " }

  /// `text` wrapped to `width`, every line `indent` columns in.
  private func indented(_ text: String, width: Int, indent: Int) -> [String] {
    let pad = String(repeating: " ", count: indent)
    return wrap(text, width: max(10, width - indent)).map { pad + $0 }
  }
}
