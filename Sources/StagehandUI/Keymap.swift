import StagingModel

/// The one table of key bindings. Dispatch, the hint bar, the `?` screen and the README
/// table are all read from it, so they can't disagree.
public struct Keymap: Sendable {
  public var bindings: [Binding]

  public init(bindings: [Binding]) {
    self.bindings = bindings
  }

  /// The binding a key resolves to now: the first match in the most specific active context.
  public func binding(for key: Key, in state: AppState) -> Binding? {
    for context in state.activeContexts {
      if let found = bindings.first(where: { $0.context == context && $0.keys.contains(key) }) {
        return found
      }
    }
    return nil
  }

  /// The bindings the hint bar shows now, most specific context first.
  public func hints(for state: AppState) -> [Binding] {
    state.activeContexts.flatMap { context in
      bindings.filter { $0.context == context && $0.showInBar && $0.inBarWhen(state) }
    }
  }

  /// The first key bound to `action`, as messages name it ("m"): a message that says which
  /// key to press reads it here, so it follows the table.
  public func keyName(for action: Action) -> String? {
    bindings.first { $0.action == action }?.keys.first?.name
  }

  /// Bindings grouped by context, in table order, for the help screen and the README.
  public var groups: [(context: KeyContext, bindings: [Binding])] {
    KeyContext.allCases.compactMap { context in
      let members = bindings.filter { $0.context == context }
      return members.isEmpty ? nil : (context, members)
    }
  }

  /// The README's keybindings section, generated so it matches the program.
  public func markdownTable() -> String {
    var lines: [String] = []
    for group in groups {
      lines.append("### \(group.context.title)")
      lines.append("")
      lines.append("| Keys | Action | Description |")
      lines.append("| --- | --- | --- |")
      for binding in group.bindings {
        let keys = binding.keys.map { "`\($0.name == "|" ? "\\|" : $0.name)`" }.joined(separator: ", ")
        lines.append("| \(keys) | \(binding.short) | \(binding.long.replacingOccurrences(of: "|", with: "\\|")) |")
      }
      lines.append("")
    }
    lines += [
      "### Mouse", "", "| Gesture | Action | Description |", "| --- | --- | --- |",
      "| click | select | Select the row under the pointer and focus its pane. |",
      "| wheel | scroll | Move the selection in the pane under the pointer. |",
      "| drag a label chip | move | Release on another version to preview the move; anywhere else cancels. |", "",
    ]
    return lines.joined(separator: "\n")
  }
}

extension Keymap {
  /// The bindings Stagehand ships with.
  public static let standard = Keymap(
    bindings: navigation + panes + popups + moving + rotation + changeSets + always)

  private static let filterHelp =
    "Filter the loaded secrets as you type: each word must match, as a case-insensitive substring of the name or "
    + "its letters in order (fuzzy). Terms: label:NAME (a version carries a label starting with NAME, e.g. label:AWSPENDING for unfinished "
    + "rotations), service:NAME (managed by that service; service: alone for any), deleted:yes|no, rotation:on|off, rotation:stuck "
    + "(AWSPENDING left on a version other than AWSCURRENT), replica:yes|no, region:NAME and profile:NAME (with --regions "
    + "and --profiles; region:=NAME for the whole name). Enter keeps the filter, esc clears it."

  private static let navigation: [Binding] =
    [KeyContext.secrets, .versions, .carrying].flatMap { context -> [Binding] in
      let noun = context == .secrets ? "secret" : "version"
      return [
        Binding([.up, .char("k")], .moveUp, "up", "Select the previous \(noun).", context: context, showInBar: false),
        Binding(
          [.down, .char("j")], .moveDown, "down", "Select the next \(noun).", context: context, showInBar: false),
        Binding([.pageUp], .pageUp, "page up", "Move one screen up.", context: context, showInBar: false),
        Binding([.pageDown], .pageDown, "page down", "Move one screen down.", context: context, showInBar: false),
        Binding([.char("g"), .home], .top, "top", "Go to the first \(noun).", context: context, showInBar: false),
        Binding([.char("G"), .end], .bottom, "bottom", "Go to the last \(noun).", context: context, showInBar: false),
      ]
    }

  private static let panes: [Binding] = [
    Binding(
      [.enter], .open, "open", "Open the selected secret: focus its versions.", context: .secrets,
      disabledReason: { $0.selectedSecret == nil ? "no secret selected" : nil }),
    Binding(
      [.char("l"), .right], .focusVersions, "versions", "Focus the versions pane.", context: .secrets, showInBar: false),
    Binding(
      [.char("r")], .refreshSelected, "refresh", "Re-read the selected secret and its versions.", context: .secrets,
      disabledReason: { $0.selectedSecret == nil ? "no secret selected" : nil }),
    Binding(
      [.char("h"), .left], .focusSecrets, "secrets", "Focus the secrets pane.", context: .versions, showInBar: false),
    Binding(
      [.char("r")], .refreshSelected, "refresh", "Re-read the selected secret and its versions.", context: .versions,
      disabledReason: { $0.selectedSecret == nil ? "no secret selected" : nil }),
    Binding(
      [.char("v")], .reveal, "reveal",
      "Show the selected version's value in a popup; it is fetched now and dropped when the popup closes.",
      context: .versions, disabledReason: { $0.selectedVersion == nil ? "no version selected" : nil }),
    Binding(
      [.tab], .nextPane, "pane", "Switch between the secrets and versions panes.", context: .global, showInBar: false),
    Binding([.char("/")], .startFilter, "filter", filterHelp, context: .global),
    Binding(
      [.char("A")], .pickPair, "pairs",
      "With --regions or --profiles: list every profile and Region pair with its state (secrets listed, failed and "
        + "why, Region not enabled, still loading) and narrow the list to the pair chosen (the filter gets its "
        + "region: and profile: terms), or to all of them. Not shown in the bar otherwise.",
      context: .global, disabledReason: { $0.config.isEstate ? nil : "only with --regions or --profiles" },
      inBarWhen: { $0.config.isEstate }),
    Binding(
      [.char("o")], .rotateNow, "rotate",
      "Rotate the selected secret now: a pre-flight preview first (its rotation function, labels before and after, "
        + "notes, or why AWS would refuse); y sends RotateSecret and the rotation is followed live while you browse. "
        + "On a secret rotating now, shows its progress again.",
      context: .global, disabledReason: { $0.reasonRotate }),
    Binding(
      [.char("s")], .stageTypedValue, "stage value",
      "Stage a new AWSPENDING value typed into a masked input (one dot per character, never the value); a preview of "
        + "the label change and the size follows, y sends PutSecretValue. Promote finishes it.",
      context: .global, showInBar: false, disabledReason: { $0.reasonStage }),
    Binding(
      [.char("e")], .stageEditedValue, "edit value",
      "Stage a new AWSPENDING value written in $EDITOR (vi when unset) on a private 0600 temporary file, removed "
        + "afterwards; one final newline is dropped. A preview follows, as for s.",
      context: .global, showInBar: false, disabledReason: { $0.reasonStage }),
    Binding(
      [.char("O")], .cancelRotation, "cancel rotation",
      "Cancel rotation (CancelRotateSecret): turns automatic rotation off; the preview says where AWSPENDING is, "
        + "since a rotation under way can leave it behind.",
      context: .global, showInBar: false, disabledReason: { $0.reasonStage }),
    Binding(
      [.char("d")], .toggleDeprecated, "deprecated",
      "Show or hide deprecated versions (no labels); they are read on demand.", context: .global),
    Binding(
      [.char("R")], .refreshAll, "reload",
      "Reload every secret from the backend. The rows shown stay until listed again; a reload that "
        + "fails part-way keeps them, badged [stale], until one lists them all.",
      context: .global),
    Binding(
      [.char("D")], .toggleDryRun, "dry run",
      "Toggle dry-run mode: commits become previews only and nothing is sent.", context: .global, showInBar: false,
      disabledReason: { $0.config.dryRun ? "started with --dry-run" : nil }),
    Binding(
      [.char("u")], .undo, "undo", "Preview the inverse of the last change committed in this session.",
      context: .global, showInBar: false,
      disabledReason: { $0.history.isEmpty ? "nothing committed in this session yet" : nil }),
    Binding(
      [.char("H")], .history, "history", "List the changes committed in this session.", context: .global,
      showInBar: false),
    Binding(
      [.char("W")], .showReplicas, "replicas",
      "Reopen the replicas' progress of the last commit and wait (W in a preview): each Region as it matched, is "
        + "still read, stayed behind or could not be read.",
      context: .global, showInBar: false,
      disabledReason: { $0.replication == nil ? "no commit and wait (W in a preview) in this session yet" : nil }),
    Binding(
      [.escape], .cancel, "cancel", "Cancel loading, clear the filter or the message.", context: .global,
      showInBar: false),
    Binding([.char("?")], .help, "help", "Show every key and what it does.", context: .global),
    Binding([.char("q")], .quit, "quit", "Quit and give the terminal back.", context: .global),
    Binding([.escape], .clearFilter, "clear", "Clear the filter and leave the input.", context: .filter),
    Binding([.enter], .acceptFilter, "keep", "Keep the filter and leave the input.", context: .filter),
    Binding(
      [.backspace], .deleteFilterCharacter, "delete", "Delete the last character.", context: .filter, showInBar: false),
    Binding([.up], .moveUp, "up", "Select the previous matching secret.", context: .filter, showInBar: false),
    Binding([.down], .moveDown, "down", "Select the next matching secret.", context: .filter, showInBar: false),
  ]

  private static let popups: [Binding] = [
    Binding([.escape, .char("?"), .char("q")], .closePopup, "close", "Close the help screen.", context: .help),
    Binding([.up, .char("k")], .moveUp, "scroll up", "Scroll up.", context: .help, showInBar: false),
    Binding([.down, .char("j")], .moveDown, "scroll down", "Scroll down.", context: .help, showInBar: false),
    Binding(
      [.escape, .char("v"), .char("q")], .closePopup, "close", "Close the popup; the value is forgotten.",
      context: .reveal),
    Binding([.escape, .enter, .char("q")], .closePopup, "close", "Close the message.", context: .error),
    Binding(
      [.char("R")], .refreshAll, "reload",
      "Close the message and reload every secret (after `aws sso login`, say).", context: .error),
    Binding([.escape, .char("q"), .char("H")], .closePopup, "close", "Close the history.", context: .history),
    Binding([.up, .char("k")], .choiceUp, "up", "Previous pair.", context: .pairPicker, showInBar: false),
    Binding([.down, .char("j")], .choiceDown, "down", "Next pair.", context: .pairPicker, showInBar: false),
    Binding(
      [.enter], .choose, "narrow",
      "Show only the highlighted pair's secrets (or every pair's, on the first row); other filter words stay.",
      context: .pairPicker),
    Binding(
      [.escape, .char("q"), .char("A")], .closePopup, "close", "Close; the list stays as it is.", context: .pairPicker),
    Binding([.up, .char("k")], .moveUp, "scroll up", "Scroll up.", context: .history, showInBar: false),
    Binding([.down, .char("j")], .moveDown, "scroll down", "Scroll down.", context: .history, showInBar: false),
    Binding(
      [.char("y")], .confirmCommit, "commit", "Send exactly the changes shown.", context: .preview,
      disabledReason: { state in
        if let reason = state.reasonChangeSetCommit { return reason }
        guard case .rotationPreview(let preview)? = state.popup, preview.refusal != nil else { return nil }
        return "the pre-flight refused: nothing to send"
      }),
    Binding(
      [.escape, .char("n"), .char("q")], .cancelPreview, "cancel", "Close the preview; nothing is sent.",
      context: .preview),
    Binding([.up, .char("k")], .moveUp, "scroll up", "Scroll the preview.", context: .preview, showInBar: false),
    Binding([.down, .char("j")], .moveDown, "scroll down", "Scroll the preview.", context: .preview, showInBar: false),
    Binding([.up, .char("k")], .choiceUp, "up", "Previous option.", context: .choice, showInBar: false),
    Binding([.down, .char("j")], .choiceDown, "down", "Next option.", context: .choice, showInBar: false),
    Binding([.enter], .choose, "choose", "Take the highlighted option.", context: .choice),
    Binding([.escape], .closePopup, "cancel", "Close without choosing.", context: .choice),
    Binding(
      [.enter], .acceptInput, "preview", "Preview adding the label typed.", context: .labelInput,
      disabledReason: { state in
        guard case .labelInput(let input)? = state.popup else { return nil }
        return input.error
      }),
    Binding(
      [.backspace], .deleteInputCharacter, "delete", "Delete the last character.", context: .labelInput,
      showInBar: false),
    Binding([.escape], .closePopup, "cancel", "Close without adding.", context: .labelInput),
  ]

  private static let moving: [Binding] = [
    Binding(
      [.char("m"), .char(" ")], .pickLabel, "move",
      "Pick up a label on this version to move it: choose the chip, move to the target version, drop with enter.",
      context: .versions, disabledReason: { $0.reasonPick }),
    Binding(
      [.char("c")], .makeCurrent, "current", "Make this version AWSCURRENT (AWSPREVIOUS follows automatically).",
      context: .versions, disabledReason: { $0.reasonMakeCurrent }),
    Binding(
      [.char("b")], .rollback, "roll back", "Move AWSCURRENT back onto the AWSPREVIOUS version (the two swap).",
      context: .versions, disabledReason: { $0.reasonRollback }),
    Binding(
      [.char("p")], .promotePending, "promote",
      "Finish a rotation: AWSCURRENT onto the AWSPENDING version, then choose whether to keep AWSPENDING.",
      context: .versions, disabledReason: { $0.reasonPromote }),
    Binding(
      [.char("x")], .removeLabel, "remove", "Remove a label from this version (AWSCURRENT can only be moved).",
      context: .versions, disabledReason: { $0.reasonRemove }),
    Binding(
      [.char("a")], .addLabel, "add", "Add a new custom label to this version.", context: .versions,
      disabledReason: { $0.reasonAdd }),
    Binding(
      [.left, .char("h"), .backTab], .previousChip, "left", "Choose the previous label.", context: .pickChip,
      showInBar: false),
    Binding(
      [.right, .char("l"), .tab], .nextChip, "right", "Choose the next label.", context: .pickChip, showInBar: false),
    Binding([.enter, .char(" "), .char("m")], .chooseChip, "pick", "Pick up the chosen label.", context: .pickChip),
    Binding([.escape], .cancel, "cancel", "Stop moving; nothing changes.", context: .pickChip),
    Binding(
      [.enter, .char(" ")], .dropLabel, "drop", "Drop the label on this version and open the preview.",
      context: .carrying, disabledReason: { $0.reasonDrop }),
    Binding([.escape], .cancel, "cancel", "Stop moving; nothing changes.", context: .carrying),
  ]

  /// The masked input and the rotation progress view (the rotation keys are with the panes').
  private static let rotation: [Binding] = [
    Binding(
      [.enter], .acceptInput, "preview", "Preview staging the value typed.", context: .valueInput,
      disabledReason: { state in
        guard case .valueInput(let input)? = state.popup else { return nil }
        return input.value.isEmpty ? "type the value first" : nil
      }),
    Binding(
      [.backspace], .deleteInputCharacter, "delete", "Delete the last character.", context: .valueInput,
      showInBar: false),
    Binding(
      [.escape], .closePopup, "cancel", "Close without staging; the typed value is dropped.", context: .valueInput),
    Binding(
      [.escape, .char("q"), .char("o")], .closePopup, "close",
      "Close the progress view. Nothing stops: the rotation goes on, Stagehand keeps following it, and its row "
        + "says rotating until it ends.",
      context: .rotation),
  ]

  /// Marks, the bulk keys acting on them, their combined preview and progress, and plan files.
  private static let changeSets: [Binding] = [
    Binding(
      [.char(" ")], .toggleMark, "mark",
      "Mark or unmark the selected secret, then go to the next row. Marks are kept by secret through filtering, "
        + "refresh and reload (a secret no longer listed drops its mark); the bulk keys (P, B, X) act on every "
        + "marked secret.",
      context: .secrets, disabledReason: { $0.selectedSecret == nil ? "no secret selected" : nil }),
    Binding(
      [.char("*")], .markAllShown, "mark shown",
      "Mark every secret the filter shows; when all of them are marked already, unmark them.", context: .secrets,
      showInBar: false, disabledReason: { $0.rows.isEmpty ? "no secret shown" : nil }),
    Binding(
      [.char("P")], .bulkPromote, "promote marked",
      "Finish the rotation of every marked secret (p, in the versions pane, does one): AWSCURRENT onto its "
        + "AWSPENDING version and AWSPENDING removed "
        + "(AWSPREVIOUS follows automatically). One combined preview shows each secret's labels before and after, "
        + "and every marked secret skipped with the reason (nothing pending, managed by a service, scheduled for "
        + "deletion, a replica); y sends them, w writes a plan file instead.",
      context: .marked, disabledReason: { $0.reasonBulk }),
    Binding(
      [.char("B")], .bulkRollback, "roll back marked",
      "Roll back every marked secret (b, in the versions pane, does one): AWSCURRENT back onto its AWSPREVIOUS "
        + "version (the two swap); a combined preview follows, as for P.",
      context: .marked, disabledReason: { $0.reasonBulk }),
    Binding(
      [.char("X")], .bulkRemoveLabel, "remove from marked",
      "Remove a label, typed at a prompt, from every marked secret (AWSCURRENT can only be moved, never removed); "
        + "a combined preview follows, as for P, with the secrets that lack the label skipped.",
      context: .marked, disabledReason: { $0.reasonBulk }),
    Binding([.char("U")], .clearMarks, "unmark all", "Clear every mark.", context: .marked),
    Binding(
      [.char("w")], .writePlanFile, "plan file",
      "Write the changes shown to a plan file (JSON, readable by you only) instead of sending them, for review and "
        + "`stagehand apply`: a path prompt follows, a timestamped name in the current directory by default. "
        + "Nothing is sent.",
      context: .labelPreview),
    Binding(
      [.char("W")], .confirmCommitAndWait, "commit + wait replicas",
      "On a primary with replicas (the preview lists them): commit, then read each replica Region until its labels "
        + "match what the preview showed (AWS copies them asynchronously), for up to the UI's timeout, as "
        + "--wait-replication does. A popup shows each Region as it matches, is still behind or can't be read (and "
        + "why); closing it stops nothing, the status line says how it ends. Shown in the bar only on such a preview.",
      context: .labelPreview, disabledReason: { $0.reasonCommitAndWait },
      inBarWhen: { $0.previewReplicaRegions != nil }),
    Binding(
      [.escape, .char("q")], .closePopup, "close",
      "Close the change set's summary; the status line keeps it. Closing waits until every secret has answered.",
      context: .changeSetProgress, disabledReason: { $0.reasonCloseChangeSet }),
    Binding([.up, .char("k")], .moveUp, "scroll up", "Scroll up.", context: .changeSetProgress, showInBar: false),
    Binding(
      [.down, .char("j")], .moveDown, "scroll down", "Scroll down.", context: .changeSetProgress, showInBar: false),
    Binding(
      [.enter], .acceptInput, "preview", "Preview removing the label typed from every marked secret.",
      context: .bulkLabelInput,
      disabledReason: { state in
        guard case .bulkLabelInput(let input)? = state.popup else { return nil }
        return input.error
      }),
    Binding(
      [.backspace], .deleteInputCharacter, "delete", "Delete the last character.", context: .bulkLabelInput,
      showInBar: false),
    Binding([.escape], .closePopup, "cancel", "Close without removing anything.", context: .bulkLabelInput),
    Binding(
      [.enter], .acceptInput, "write",
      "Write the plan file at the path typed (relative to the current directory, ~/ for home), then return to "
        + "the preview; the status line says where it went. Nothing is sent.",
      context: .planPathInput,
      disabledReason: { state in
        guard case .planPathInput(let input)? = state.popup else { return nil }
        return input.text.allSatisfy(\.isWhitespace) ? "type a path first" : nil
      }),
    Binding(
      [.backspace], .deleteInputCharacter, "delete", "Delete the last character.", context: .planPathInput,
      showInBar: false),
    Binding([.escape], .closePopup, "back", "Back to the preview without writing.", context: .planPathInput),
    Binding(
      [.escape, .enter, .char("q")], .closePopup, "close",
      "Close the replicas' progress. Nothing stops: each Region is still read until it matches or the time runs "
        + "out, and the status line says how each ended.",
      context: .replication),
  ]

  private static let always: [Binding] = [
    Binding([.ctrl("c")], .quit, "quit", "Quit at once, from anywhere.", context: .anywhere, showInBar: false),
    Binding(
      [.ctrl("z")], .suspend, "suspend", "Suspend to the shell; fg brings the UI back.", context: .anywhere,
      showInBar: false),
  ]
}
