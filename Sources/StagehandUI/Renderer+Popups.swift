import Foundation
import StagingModel

/// A line of a popup: styled runs drawn left to right.
typealias StyledLine = [(text: String, style: CellStyle)]

extension Renderer {
  mutating func drawPopup() {
    guard let popup = state.popup else { return }
    let maxWidth = min(layout.width - 4, 110)
    switch popup {
    case .help(let scroll):
      drawModal(title: "Keys", lines: helpLines(width: maxWidth - 4), scroll: scroll, width: maxWidth, fullHeight: true)
    case .reveal(let reveal):
      drawModal(
        title: revealTitle(reveal), lines: revealLines(reveal, width: maxWidth - 4), scroll: 0, width: maxWidth,
        linesAreSafe: true)
    case .error(let title, let message):
      // Wrapped to the popup's own width: wider lines would be cut at its border.
      let width = min(maxWidth, 72)
      let lines = message.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line in
        wrap(sanitizeForDisplay(String(line), asciiOnly: theme.asciiOnly), width: width - 4)
      }.map { [($0, theme.status(.error))] as StyledLine }
      drawModal(title: title, lines: lines, scroll: 0, width: width, linesAreSafe: true)
    case .preview(let preview):
      drawModal(
        title: previewTitle(preview), lines: previewLines(preview, width: maxWidth - 4), scroll: preview.scroll,
        width: maxWidth, fullHeight: true)
    case .choice(let choice):
      var lines: [StyledLine] = []
      for (index, option) in choice.options.enumerated() {
        let marker = index == choice.cursor ? theme.cursorMarker + " " : "  "
        lines.append([(marker + option, index == choice.cursor ? theme.cursor : .plain)])
      }
      drawModal(title: choice.title, lines: lines, scroll: 0, width: min(maxWidth, 64))
    case .labelInput(let input):
      var lines: [StyledLine] = [
        [
          ("Label for \(shortDisplayID(input.versionId)): ", .plain),
          (sanitizeForDisplay(input.text, asciiOnly: theme.asciiOnly), CellStyle(bold: true)),
          (theme.asciiOnly ? "_" : "▏", CellStyle(bold: true)),
        ]
      ]
      if let error = input.error {
        lines.append([(error, theme.status(.error))])
      } else {
        lines.append([("ok", theme.added)])
      }
      drawModal(title: "Add a label", lines: lines, scroll: 0, width: min(maxWidth, 64))
    case .history(let scroll):
      drawModal(title: "Changes this session", lines: historyLines(), scroll: scroll, width: maxWidth)
    case .committing(let commit):
      let progress = commit.of > 0 ? "step \(commit.step) of \(commit.of)" : "re-reading first"
      let lines: [StyledLine] = [
        [
          (
            commit.plan.intent.summary + " on "
              + sanitizeForDisplay(commit.plan.secretName, asciiOnly: theme.asciiOnly), CellStyle(bold: true)
          )
        ],
        [("\(theme.spinnerFrames[state.spinnerFrame % theme.spinnerFrames.count]) committing: \(progress)", .plain)],
      ]
      drawModal(title: "Committing", lines: lines, scroll: 0, width: min(maxWidth, 72))
    case .rotationPreview(let preview):
      drawModal(
        title: rotationPreviewTitle(preview), lines: rotationPreviewLines(preview, width: maxWidth - 4),
        scroll: preview.scroll, width: maxWidth, fullHeight: true)
    case .valueInput(let input):
      let width = min(maxWidth, 76)
      drawModal(
        title: "Stage a new AWSPENDING value on \(input.secretName)", lines: valueInputLines(input, width: width - 4),
        scroll: 0, width: width)
    case .rotationProgress(let requestID):
      guard let run = state.rotations.first(where: { $0.requestID == requestID }) else { return }
      drawModal(
        title: rotationProgressTitle(run), lines: rotationProgressLines(run, width: maxWidth - 4), scroll: 0,
        width: maxWidth)
    case .changeSetPreview(let preview):
      drawModal(
        title: changeSetPreviewTitle(preview), lines: changeSetPreviewLines(preview, width: maxWidth - 4),
        scroll: preview.scroll, width: maxWidth, fullHeight: true)
    case .changeSetProgress(let requestID):
      guard let run = state.changeSetRun, run.requestID == requestID else { return }
      drawModal(
        title: changeSetProgressTitle(run), lines: changeSetProgressLines(run, width: maxWidth - 4),
        scroll: run.scroll, width: maxWidth)
    case .bulkLabelInput(let input):
      drawModal(
        title: "Remove a label from the marked secrets", lines: bulkLabelInputLines(input), scroll: 0,
        width: min(maxWidth, 72))
    case .planPathInput(let input):
      let width = min(maxWidth, 76)
      drawModal(
        title: "Write a plan file", lines: planPathInputLines(input, width: width - 4), scroll: 0, width: width)
    case .pairs(let picker):
      drawPairPicker(picker, maxWidth: maxWidth)
    case .replication(let requestID):
      guard let run = state.replication, run.requestID == requestID else { return }
      let width = min(maxWidth, 96)
      drawModal(
        title: "Replicas of \(run.secretName)", lines: replicationLines(run, width: width - 4), scroll: 0,
        width: width)
    }
  }

  /// `title` is made safe here; `lines` are when `linesAreSafe` (a popup that lays out a
  /// message makes it safe as it wraps it), else as they are drawn.
  mutating func drawModal(
    title: String, lines: [StyledLine], scroll: Int, width: Int, fullHeight: Bool = false, linesAreSafe: Bool = false
  ) {
    let maxBody = layout.height - 6
    let body = fullHeight ? maxBody : min(maxBody, max(1, lines.count))
    let height = body + 2
    let x = max(0, (layout.width - width) / 2)
    let y = max(1, (layout.height - height) / 2)
    drawBox(
      x: x, y: y, width: width, height: height, title: sanitizeForDisplay(title, asciiOnly: theme.asciiOnly),
      focused: true)
    let start = min(max(0, scroll), max(0, lines.count - body))
    for row in 0..<body {
      let index = start + row
      guard lines.indices.contains(index) else { break }
      var col = x + 2
      for run in lines[index] {
        let room = x + width - 2 - col
        col +=
          linesAreSafe
          ? put(safe: run.text, x: col, y: y + 1 + row, style: run.style, maxWidth: room)
          : put(run.text, x: col, y: y + 1 + row, style: run.style, maxWidth: room)
      }
    }
    if lines.count > body {
      let more = "\(start + 1)-\(min(lines.count, start + body))/\(lines.count)"
      put(" \(more) ", x: x + width - displayWidth(more) - 4, y: y + height - 1, style: theme.focusedBorder)
    }
  }

  func helpLines(width: Int) -> [StyledLine] {
    var lines: [StyledLine] = []
    let keyWidth = 16
    for group in Keymap.standard.groups {
      if !lines.isEmpty { lines.append([]) }
      lines.append([(group.context.title, CellStyle(bold: true, underline: true))])
      for binding in group.bindings {
        let reason = state.activeContextsIgnoringPopup.contains(group.context) ? binding.disabledReason(state) : nil
        var text = binding.long
        if let reason { text += " (now: \(reason))" }
        let wrapped = wrap(text, width: max(10, width - keyWidth))
        for (index, part) in wrapped.enumerated() {
          let key =
            index == 0
            ? binding.keyLabel.padding(toLength: keyWidth, withPad: " ", startingAt: 0)
            : String(repeating: " ", count: keyWidth)
          lines.append([
            (key, reason == nil ? theme.hintKey : theme.hintDisabled),
            (part, reason == nil ? .plain : theme.hintDisabled),
          ])
        }
      }
    }
    return lines
  }

  func revealTitle(_ reveal: RevealState) -> String {
    "Value of \(reveal.secretName) \(shortDisplayID(reveal.versionId))"
  }

  func revealLines(_ reveal: RevealState, width: Int) -> [StyledLine] {
    var lines: [StyledLine] = []
    if let error = reveal.error {
      lines += wrap(sanitizeForDisplay(error, asciiOnly: theme.asciiOnly), width: width).map {
        [($0, theme.status(.error))]
      }
    } else if let value = reveal.value {
      for line in value.text.split(separator: "\n", omittingEmptySubsequences: false) {
        lines += wrap(sanitizeForDisplay(String(line), asciiOnly: theme.asciiOnly), width: width).map {
          [($0, CellStyle(bold: true))]
        }
      }
    } else {
      lines.append([("fetching\(theme.ellipsis)", theme.dimmed)])
    }
    lines.append([])
    lines.append([("esc closes; the value is not kept", theme.dimmed)])
    return lines
  }

  func previewTitle(_ preview: PreviewState) -> String {
    let mode = state.dryRun ? "dry run" : "preview"
    return "\(preview.title) (\(mode))"
  }

  /// Each version whose labels change: before → after, then each label taken off and put on
  /// (AWS's own moves marked). `new` versions do not exist yet.
  func diffLines(_ diff: [VersionDiff], new: Set<VersionID> = []) -> [StyledLine] {
    var lines: [StyledLine] = []
    for change in diff {
      var row: StyledLine = [(shortDisplayID(change.versionId) + "  ", CellStyle(bold: true))]
      row +=
        new.contains(change.versionId) ? [("(new version)", theme.dimmed), (" ", .plain)] : chipRuns(change.before)
      row.append((theme.arrow + " ", .plain))
      row += chipRuns(change.after)
      lines.append(row)
      for removed in change.removed {
        lines.append([
          ("    - ", theme.removed), (sanitizeForDisplay(removed.label, asciiOnly: theme.asciiOnly), theme.removed),
          (removed.automatic ? " (automatic)" : "", theme.dimmed),
        ])
      }
      for added in change.added {
        lines.append([
          ("    + ", theme.added), (sanitizeForDisplay(added.label, asciiOnly: theme.asciiOnly), theme.added),
          (added.automatic ? " (automatic)" : "", theme.dimmed),
        ])
      }
    }
    return lines
  }

  /// A "Notes" heading and one bullet per note; nothing when there are none.
  func noteLines(_ notes: [String], width: Int, heading: String = "Notes") -> [StyledLine] {
    guard !notes.isEmpty else { return [] }
    var lines: [StyledLine] = [[], [(heading, CellStyle(bold: true))]]
    for note in notes {
      lines += wrap((theme.asciiOnly ? "* " : "• ") + note, width: width).map { [($0, .plain)] }
    }
    return lines
  }

  func chipRuns(_ labels: Set<String>) -> StyledLine {
    if labels.isEmpty { return [("(no labels: deprecated)", theme.dimmed), (" ", .plain)] }
    var runs: StyledLine = []
    for label in orderedLabels(labels) {
      runs.append(("[" + sanitizeForDisplay(label, asciiOnly: theme.asciiOnly) + "]", theme.chip(label)))
      runs.append((" ", .plain))
    }
    return runs
  }

  func previewLines(_ preview: PreviewState, width: Int) -> [StyledLine] {
    let plan = preview.plan
    var lines: [StyledLine] = []
    lines.append([
      ("secret ", theme.dimmed),
      (sanitizeForDisplay(plan.secretName, asciiOnly: theme.asciiOnly), CellStyle(bold: true)),
    ])
    for line in preview.context {
      lines += wrap(sanitizeForDisplay(line, asciiOnly: theme.asciiOnly), width: width).map {
        [($0, theme.status(.warning))]
      }
    }
    lines.append([])
    lines += diffLines(plan.diff)
    lines += noteLines(plan.notes.map(\.message), width: width)
    lines.append([])
    lines.append([("Commands (\(plan.steps.count))", CellStyle(bold: true))])
    for command in plan.awsCLICommands {
      lines += wrap(sanitizeForDisplay(command, asciiOnly: theme.asciiOnly), width: width).map { [($0, theme.dimmed)] }
    }
    lines.append([])
    let commit = state.dryRun ? "y: dry run, nothing is sent" : "y: commit"
    var keys: StyledLine = [(commit, theme.hintKey)]
    if !state.dryRun, !plan.replicaRegions.isEmpty, let wait = Keymap.standard.keyName(for: .confirmCommitAndWait) {
      keys.append(("   \(wait): commit and wait for replicas", theme.hintKey))
    }
    lines.append(keys + [("   w: plan file   n/esc: cancel", .plain)])
    return lines
  }

  func historyLines() -> [StyledLine] {
    if state.history.isEmpty { return [[("nothing committed in this session yet", theme.dimmed)]] }
    return state.history.reversed().map { change in
      [
        (dates.absolute(change.at) + "  ", theme.dimmed),
        (sanitizeForDisplay(change.plan.secretName, asciiOnly: theme.asciiOnly) + "  ", CellStyle(bold: true)),
        (change.plan.intent.summary + ": " + change.plan.outcomeSummary, .plain),
      ]
    }
  }
}
