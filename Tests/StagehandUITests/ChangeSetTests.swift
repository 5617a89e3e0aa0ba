import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// Marks in the secrets pane, the combined preview of one change to every marked secret,
/// its commit and progress, and plan files written from label previews.
@Suite(.ownThreads) struct ChangeSetTests {
  var ids: [String: String] { Dictionary(uniqueKeysWithValues: Fixture.all.map { ($0.name, $0.id) }) }

  /// Every line of the open (full-width) popup, title included, scrolled through; its words
  /// joined by single spaces, so a sentence the popup wrapped reads as one.
  func popupText(_ state: AppState) -> String {
    var state = state
    let width = min(state.width - 4, 110)
    let left = max(0, (state.width - width) / 2)
    var text = ""
    for _ in 0..<60 {
      let grid = render(state)
      for y in 0..<grid.height where ["┌", "│"].contains(grid[left, y].text) && grid[left + width - 1, y].text != " " {
        text += (left + 1..<left + width - 1).map { grid[$0, y].text }.joined() + "\n"
      }
      _ = update(&state, .terminal(.key(.char("j"))))
    }
    return text.replacingOccurrences(of: "─", with: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  func changeSetPreview(_ state: AppState) -> ChangeSetPreviewState? {
    if case .changeSetPreview(let preview)? = state.popup { return preview }
    return nil
  }

  func title(_ state: AppState) -> String {
    String(render(state).text.split(separator: "\n")[state.layout.paneTop])
  }

  /// The three secrets a rollback plans for two of: prod/db/password and staging/api-key
  /// (each with AWSPREVIOUS), and rds!cluster-4f1e (managed by RDS, skipped).
  func markedForRollback(config: UIConfig = Fixture.config()) -> AppState {
    var state = Fixture.loaded(width: 120, height: 40, config: config)
    press(&state, .char(" "), .char(" "), .char(" "))
    return state
  }

  // MARK: Marks

  @Test func spaceMarksTheSelectedSecretAndMovesOn() {
    var state = Fixture.loaded()
    press(&state, .char(" "))
    #expect(state.marks == [Fixture.database.id])
    #expect(Fixture.database.id == Fixture.database.arn, "marked by ARN when there is one")
    #expect(state.selectedSecret?.name == Fixture.apiKey.name)
    #expect(state.status?.text == "marked prod/db/password (1 marked)")
    press(&state, .char(" "))
    #expect(state.marks == [Fixture.database.id, Fixture.apiKey.name])
    press(&state, .char("k"), .char(" "))
    #expect(state.marks == [Fixture.database.id])
    #expect(state.status?.text == "unmarked staging/api-key (1 marked)")
    #expect(state.markedSecrets.map(\.name) == [Fixture.database.name])
  }

  @Test func starMarksEveryShownRowAndUnmarksThemWhenAllAreMarked() {
    var state = Fixture.loaded()
    press(&state, .char("/"))
    _ = type(&state, "label:AWSCURRENT deleted:no service:")
    press(&state, .enter)
    #expect(state.rows.map { state.secrets[$0].name } == [Fixture.managed.name])
    press(&state, .escape)
    press(&state, .char("/"))
    _ = type(&state, "label:AWSPREVIOUS")
    press(&state, .enter)
    let shown = state.rows.map { state.secrets[$0].id }
    #expect(Set(shown) == [Fixture.database.id, Fixture.apiKey.id])
    press(&state, .char(" "))  // one of the two marked by hand first
    press(&state, .char("*"))
    #expect(state.marks == Set(shown))
    #expect(title(state).contains("Secrets (2 marked · 2/7)"), "\(title(state))")
    press(&state, .char("*"))
    #expect(state.marks.isEmpty)
    #expect(title(state).contains("Secrets (2/7)"), "\(title(state))")
  }

  @Test func marksSurviveFilteringRefreshAndReloadAndAVanishedSecretDropsItsMark() throws {
    var state = Fixture.loaded()
    press(&state, .char(" "), .char(" "))
    #expect(state.markedCount == 2)
    press(&state, .char("/"))
    _ = type(&state, "legacy")
    press(&state, .enter)
    #expect(state.rows.map { state.secrets[$0].name } == [Fixture.deleted.name])
    #expect(state.markedCount == 2, "marks stay on rows the filter hides")
    #expect(title(state).contains("Secrets (2 marked · 1/7)"), "\(title(state))")
    press(&state, .escape)
    #expect(title(state).contains("Secrets (2 marked)"), "\(title(state))")

    // r re-reads the selected secret: its mark stays.
    press(&state, .char("g"))
    let refresh = press(&state, .char("r"))
    let (_, _, id) = try #require(describeRequests(refresh).first)
    send(&state, .secretDescribed(requestID: id, secret: Fixture.database))
    #expect(state.marks == [Fixture.database.id, Fixture.apiKey.id])

    // R reloads: a partial page leaves the marks and their rows alone; the last page drops
    // the mark of the secret no longer listed.
    let reload = press(&state, .char("R"))
    guard case .loadSecrets(let load)? = reload.last else {
      Issue.record("no reload")
      return
    }
    let remaining = Fixture.all.filter { $0.name != Fixture.apiKey.name }
    send(&state, .secretsPageLoaded(requestID: load, secrets: Array(remaining.suffix(3)), isLastPage: false))
    #expect(state.marks.count == 2)
    #expect(state.markedCount == 2)
    send(&state, .secretsPageLoaded(requestID: load, secrets: Array(remaining.prefix(3)), isLastPage: true))
    #expect(state.marks == [Fixture.database.id])
    #expect(state.markedCount == 1)
  }

  @Test func markedRowsShowAGlyphWithAnASCIIFallback() {
    for ascii in [false, true] {
      var state = Fixture.loaded(config: Fixture.config(asciiOnly: ascii))
      press(&state, .char("j"), .char(" "))
      let grid = render(state)
      let layout = state.layout
      #expect(grid[layout.secretsInnerX, layout.secretRowsTop + 1].text == (ascii ? "*" : "●"))
      #expect(grid[layout.secretsInnerX, layout.secretRowsTop].text == " ")
      #expect(grid[layout.secretsInnerX, layout.secretRowsTop + 2].text == " ")
    }
  }

  @Test func theBulkKeysExistOnlyWithMarksAndUClearsThem() {
    var state = Fixture.loaded(width: 160)
    #expect(Keymap.standard.binding(for: .char("P"), in: state) == nil)
    #expect(!render(state).text.contains("promote marked"))
    press(&state, .char(" "))
    for (key, action) in [("P", Action.bulkPromote), ("B", .bulkRollback), ("X", .bulkRemoveLabel), ("U", .clearMarks)]
    {
      #expect(Keymap.standard.binding(for: .char(Character(key)), in: state)?.action == action, "\(key)")
    }
    let bar = render(state).text.split(separator: "\n").last.map(String.init) ?? ""
    #expect(bar.contains("P promote marked"), "\(bar)")
    press(&state, .enter)  // the versions pane: the bulk keys still act on the marks
    #expect(Keymap.standard.binding(for: .char("P"), in: state)?.action == .bulkPromote)
    press(&state, .char("U"))
    #expect(state.marks.isEmpty)
    #expect(state.status?.text == "1 mark cleared")
    #expect(Keymap.standard.binding(for: .char("P"), in: state) == nil)
  }

  // MARK: The combined preview

  @Test func bulkPromotePreviewListsEveryPlanAndEverySkippedSecretWithItsReason() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    press(&state, .char("*"))
    #expect(state.markedCount == Fixture.all.count)
    #expect(press(&state, .char("P")).isEmpty)
    let preview = try #require(changeSetPreview(state))
    let expected = ChangeSet.plan(state.markedSecrets) { _ in .promotePending(keepPending: false) }
    #expect(preview.set == expected)
    #expect(preview.set.plans.map(\.secretName) == [Fixture.apiKey.name])
    #expect(preview.set.skipped.count == Fixture.all.count - 1)
    let text = popupText(state)
    #expect(text.contains("Promote pending on 7 marked secrets (preview)"))
    #expect(text.contains("1 secret, 2 calls; 6 skipped"))
    #expect(text.contains("staging/api-key: promote pending (2 calls)"))
    #expect(text.contains("[AWSCURRENT] [blue] → [AWSPREVIOUS] [blue]"), "AWSCURRENT's old version takes AWSPREVIOUS")
    #expect(text.contains("+ AWSPREVIOUS (automatic)"))
    #expect(text.contains("Skipped (nothing sent for these)"))
    for skipped in preview.set.skipped where skipped.secretName != Fixture.hostile.name {
      let words = skipped.refusal.message.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(text.contains("\(skipped.secretName): \(words)"), "\(skipped.secretName) and its reason")
    }
    #expect(text.contains("managed by rds"))
    #expect(text.contains("scheduled for deletion"))
    #expect(text.contains("y: commit all w: plan file n/esc: cancel"))
  }

  @Test func bulkRollbackPreviewScrolls() throws {
    var state = Fixture.loaded(width: 80, height: 24)
    press(&state, .char("*"), .char("B"))
    let before = try #require(changeSetPreview(state))
    press(&state, .char("j"), .down)
    #expect(changeSetPreview(state)?.scroll == before.scroll + 2)
    press(&state, .char("k"))
    #expect(changeSetPreview(state)?.scroll == before.scroll + 1)
    #expect(render(state).text.contains("2-"), "the popup shows which lines are on screen")
  }

  @Test func bulkRemovePromptsForTheLabelAndValidatesIt() throws {
    var state = Fixture.loaded()
    press(&state, .char("*"), .char("X"))
    guard case .bulkLabelInput(let empty)? = state.popup else {
      Issue.record("no label input")
      return
    }
    #expect(empty.error != nil)
    _ = type(&state, "AWSCURRENT")
    #expect(render(state).text.contains("AWSCURRENT can only be moved"))
    #expect(press(&state, .enter).isEmpty)
    #expect(changeSetPreview(state) == nil)
    #expect(state.status?.text.contains("enter (preview)") == true)
    for _ in 0..<10 { press(&state, .backspace) }
    _ = type(&state, "blue")
    press(&state, .enter)
    let preview = try #require(changeSetPreview(state))
    #expect(preview.intent == .remove(label: "blue"))
    #expect(preview.set.plans.map(\.secretName) == [Fixture.apiKey.name, Fixture.long.name], "the two with blue")
    #expect(preview.set.skipped.count == Fixture.all.count - 2)
    #expect(preview.set.skipped.allSatisfy { $0.refusal.reason != .noOp && !$0.refusal.message.isEmpty })
  }

  @Test func escClosesTheBulkInputsAndPreviewSendingNothing() {
    var state = markedForRollback()
    #expect(press(&state, .char("X"), .escape).isEmpty)
    #expect(state.popup == nil)
    #expect(press(&state, .char("B"), .char("n")).isEmpty)
    #expect(state.popup == nil)
    #expect(state.status?.text == "preview closed: nothing sent")
  }

  // MARK: Commit and progress

  @Test func yEmitsTheExecuteEffectOnceThenProgressArrivesPerSecret() throws {
    var state = markedForRollback()
    press(&state, .char("B"))
    let preview = try #require(changeSetPreview(state))
    #expect(preview.set.plans.map(\.secretName) == [Fixture.database.name, Fixture.apiKey.name])
    #expect(preview.set.skipped.map(\.secretName) == [Fixture.managed.name])
    for key in FuzzTests.keys where key != .char("y") {
      var copy = state
      let effects = press(&copy, key)
      #expect(
        !effects.contains { if case .executeChangeSet = $0 { return true } else { return false } }, "\(key.name)")
    }
    let effects = press(&state, .char("y"))
    guard case .executeChangeSet(let set, let id)? = effects.first, effects.count == 1 else {
      Issue.record("no single execute effect: \(effects)")
      return
    }
    #expect(set == preview.set)
    #expect(state.popup == .changeSetProgress(requestID: id))
    #expect(state.changeSetRun?.isRunning == true)
    #expect(press(&state, .char("y")).isEmpty, "y again sends nothing more")

    // Esc can't close while secrets are being sent.
    press(&state, .escape)
    #expect(state.popup == .changeSetProgress(requestID: id))
    #expect(state.status?.text.contains("being sent") == true)
    #expect(popupText(state).contains("waiting prod/db/password"))

    // The second secret answers first.
    var api = Fixture.apiKeyDescribed
    api.applyLabels(set.plans[1].after)
    send(&state, .changeSetSecretFinished(requestID: id, index: 1, outcome: .applied(secret: api)))
    let listed = state.secrets.first { $0.name == api.name }
    #expect(listed?.labelMap.holder(of: StandardLabel.current) == set.plans[1].after.holder(of: StandardLabel.current))
    #expect(listed?.labelMap.holder(of: StandardLabel.current) == "cccc3333-0000-4000-8000-00000000000c")
    #expect(state.history.map(\.plan) == [set.plans[1]])
    let partway = popupText(state)
    #expect(partway.contains("sending: 1 of 2 secrets answered"))
    #expect(partway.contains("applied staging/api-key: \(set.plans[1].outcomeSummary)"))
    #expect(partway.contains("waiting prod/db/password"))
    #expect(partway.contains("skipped rds!cluster-4f1e: rds!cluster-4f1e is managed by rds"))

    var database = Fixture.database
    database.applyLabels(set.plans[0].after)
    send(&state, .changeSetSecretFinished(requestID: id, index: 0, outcome: .applied(secret: database)))
    let finished = send(&state, .changeSetFinished(requestID: id))
    #expect(finished.isEmpty, "both secrets were read back by the executor: nothing to read again")
    let done = popupText(state)
    #expect(done.contains("(done)"))
    #expect(done.contains("Done: 2 applied, 1 skipped, 0 conflicts, 0 failed, 0 unknown"))
    #expect(state.changeSetRun?.isRunning == false)
    press(&state, .escape)
    #expect(state.popup == nil)
    #expect(state.status?.text == "2 applied, 1 skipped, 0 conflicts, 0 failed, 0 unknown")
  }

  @Test func everyOutcomeIsShownAndSecretsNotReadBackAreReadAgain() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    press(&state, .char("*"), .char("B"))
    let preview = try #require(changeSetPreview(state))
    #expect(preview.set.plans.count == 2)
    let effects = press(&state, .char("y"))
    guard case .executeChangeSet(_, let id)? = effects.first else {
      Issue.record("no execute")
      return
    }
    send(
      &state,
      .changeSetSecretFinished(
        requestID: id, index: 0, outcome: .conflict(current: Fixture.database, changes: ["AWSCURRENT moved"])))
    send(
      &state,
      .changeSetSecretFinished(
        requestID: id, index: 1, outcome: .unknown(message: "connection reset\nby peer", appliedSteps: 0)))
    let reads = describeRequests(send(&state, .changeSetFinished(requestID: id)))
    #expect(reads.map(\.name) == [Fixture.apiKey.name], "the secret whose outcome is unknown is read again")
    let text = popupText(state)
    #expect(text.contains("conflict prod/db/password: nothing sent, the labels changed: AWSCURRENT moved"))
    #expect(text.contains("unknown staging/api-key: connection reset by peer (step 1 of 1 may or may not"))
    #expect(text.contains("Done: 0 applied, 5 skipped, 1 conflict, 0 failed, 1 unknown"))
    #expect(state.status?.kind == .warning)
    #expect(state.history.isEmpty)

    var failing = markedForRollback()
    press(&failing, .char("B"))
    guard case .executeChangeSet(_, let second)? = press(&failing, .char("y")).first else {
      Issue.record("no execute")
      return
    }
    send(
      &failing,
      .changeSetSecretFinished(
        requestID: second, index: 0, outcome: .failed(message: "Rate exceeded", appliedSteps: 0, current: nil)))
    #expect(popupText(failing).contains("failed prod/db/password: Rate exceeded"))
  }

  @Test func staleProgressIsDropped() throws {
    var state = markedForRollback()
    press(&state, .char("B"))
    guard case .executeChangeSet(let set, let id)? = press(&state, .char("y")).first else {
      Issue.record("no execute")
      return
    }
    var changed = Fixture.database
    changed.applyLabels(set.plans[0].after)
    send(&state, .changeSetSecretFinished(requestID: id + 7, index: 0, outcome: .applied(secret: changed)))
    send(&state, .changeSetFinished(requestID: id + 7))
    #expect(state.changeSetRun?.results == [nil, nil])
    #expect(state.changeSetRun?.isRunning == true)
    #expect(state.secrets.first?.labelMap.holder(of: StandardLabel.current) == Fixture.current)
    // Out of range, and an answer for a secret that already answered, are dropped too.
    send(&state, .changeSetSecretFinished(requestID: id, index: 5, outcome: .applied(secret: changed)))
    #expect(state.changeSetRun?.answered == 0)
    send(
      &state,
      .changeSetSecretFinished(
        requestID: id, index: 0, outcome: .failed(message: "x", appliedSteps: 0, current: nil)))
    send(&state, .changeSetSecretFinished(requestID: id, index: 0, outcome: .applied(secret: changed)))
    #expect(state.changeSetRun?.results[0] == .failed(message: "x", appliedSteps: 0, current: nil))
    send(&state, .changeSetFinished(requestID: id))
    send(&state, .changeSetSecretFinished(requestID: id, index: 1, outcome: .applied(secret: changed)))
    #expect(state.changeSetRun?.results[1] == nil, "an answer after the end is dropped")
  }

  @Test func dryRunAndReadOnlyRefuseToCommit() throws {
    var dry = markedForRollback(config: Fixture.config(dryRun: true))
    press(&dry, .char("B"))
    let preview = try #require(changeSetPreview(dry))
    #expect(popupText(dry).contains("(dry run)"))
    #expect(press(&dry, .char("y")).isEmpty)
    #expect(dry.popup == nil)
    #expect(dry.status == StatusMessage("nothing sent (dry run): \(preview.set.summary)", kind: .warning))

    var readOnly = markedForRollback(config: Fixture.config(readOnly: true))
    #expect(press(&readOnly, .char("B")).isEmpty)
    #expect(readOnly.popup == nil)
    #expect(readOnly.status?.text == "B (roll back marked): read-only mode: nothing can be changed")
    // Even a preview that is open does not send in read-only mode.
    readOnly.popup = .changeSetPreview(preview)
    #expect(press(&readOnly, .char("y")).isEmpty)
    #expect(readOnly.changeSetRun == nil)
    #expect(readOnly.status?.text == "y (commit): read-only mode: nothing can be changed")
  }

  @Test func aPreviewWhoseSecretsAreAllSkippedSendsNothing() throws {
    var state = Fixture.loaded()
    press(&state, .char("j"), .char("j"), .char(" "), .char("P"))
    let preview = try #require(changeSetPreview(state))
    #expect(preview.set.plans.isEmpty)
    #expect(preview.set.skipped.map(\.secretName) == [Fixture.managed.name])
    #expect(press(&state, .char("y")).isEmpty)
    #expect(state.status?.text.contains("every marked secret is skipped") == true)
    #expect(popupText(state).contains("every marked secret is skipped: nothing to send"))
  }

  // MARK: Plan files

  @Test func wInTheSinglePreviewWritesItsPlanToTheDefaultPath() throws {
    var state = Fixture.loaded()
    press(&state, .enter, .char("b"))
    guard case .preview(let preview)? = state.popup else {
      Issue.record("no preview")
      return
    }
    #expect(press(&state, .char("w")).isEmpty)
    guard case .planPathInput(let input)? = state.popup else {
      Issue.record("no path input")
      return
    }
    #expect(input.text == "stagehand-plan-20261129-120000.json", "from the UI's clock, in its time zone")
    let effects = press(&state, .enter)
    guard case .writePlanFile(let path, let set, let command, let origins, let id)? = effects.first,
      effects.count == 1
    else {
      Issue.record("no write effect: \(effects)")
      return
    }
    #expect(path == "stagehand-plan-20261129-120000.json")
    #expect(set == ChangeSet(plans: [preview.plan]))
    #expect(command == "TUI: roll back on prod/db/password")
    #expect(origins.isEmpty)
    #expect(state.popup == .preview(preview), "back to the preview: nothing was sent")
    send(&state, .planFileWritten(requestID: id + 1, path: "/elsewhere.json"))
    #expect(state.status?.text == "writing the plan to stagehand-plan-20261129-120000.json")
    send(&state, .planFileWritten(requestID: id, path: "/work/stagehand-plan-20261129-120000.json"))
    #expect(
      state.status?.text == "plan written to /work/stagehand-plan-20261129-120000.json (1 secret, 1 call); nothing sent"
    )
    #expect(state.planWrite == nil)
  }

  @Test func wInTheBulkPreviewWritesTheTypedPathAndAFailureIsSaid() throws {
    var state = markedForRollback()
    press(&state, .char("B"))
    let preview = try #require(changeSetPreview(state))
    press(&state, .char("w"))
    for _ in 0..<60 { press(&state, .backspace) }
    #expect(press(&state, .enter).isEmpty, "no path, nothing written")
    #expect(state.status?.text == "enter (write): type a path first")
    _ = type(&state, "plans/rollback q j.json")
    let effects = press(&state, .enter)
    guard case .writePlanFile(let path, let set, let command, _, let id)? = effects.first else {
      Issue.record("no write effect: \(effects)")
      return
    }
    #expect(path == "plans/rollback q j.json", "every key typed is text, q and j too")
    #expect(set == preview.set)
    #expect(command == "TUI: roll back on 3 marked secrets")
    #expect(changeSetPreview(state) == preview)
    send(
      &state,
      .planFileFailed(
        requestID: id, message: "Can't write the plan to plans/rollback q j.json: No such file or directory\u{1B}[2J"))
    #expect(state.status?.kind == .error)
    #expect(
      state.status?.text.hasPrefix("plan not written: Can't write the plan to plans/rollback q j.json: No such") == true
    )
    #expect(!render(state).text.contains("\u{1B}"), "the message is made safe on screen")
  }

  @Test func escInThePathInputGoesBackToThePreview() {
    var state = markedForRollback()
    press(&state, .char("B"))
    let preview = changeSetPreview(state)
    #expect(press(&state, .char("w"), .escape).isEmpty)
    #expect(changeSetPreview(state) == preview)
    #expect(state.status?.text == "no plan file written")
  }

  @Test func theRotationPreviewHasNoPlanFileKey() throws {
    var state = Fixture.loaded()
    let effects = press(&state, .char("o"))
    guard case .prepareRotation(let name, _, let id)? = effects.first else {
      Issue.record("no pre-flight")
      return
    }
    var secret = Fixture.database
    secret.versionsComplete = true
    send(&state, .rotationPrepared(requestID: id, secret: secret, token: "token-1", editedValue: nil))
    guard case .rotationPreview? = state.popup else {
      Issue.record("no rotation preview for \(name)")
      return
    }
    #expect(Keymap.standard.binding(for: .char("w"), in: state) == nil)
    #expect(press(&state, .char("w")).isEmpty)
    guard case .rotationPreview? = state.popup else {
      Issue.record("w left the rotation preview")
      return
    }
    #expect(!render(state).text.contains("w plan file"))
  }

  // MARK: Snapshots

  @Test func markedListSnapshot() {
    var state = Fixture.loaded()
    press(&state, .char(" "), .char("j"), .char(" "))
    assertSnapshot(render(state), named: "marked-80x24")
  }

  @Test func bulkPreviewSnapshot() {
    var state = markedForRollback()
    press(&state, .char("B"))
    assertSnapshot(render(state), named: "bulk-preview-120x40")
  }

  @Test func bulkProgressSnapshot() throws {
    var state = markedForRollback()
    press(&state, .char("B"))
    guard case .executeChangeSet(let set, let id)? = press(&state, .char("y")).first else {
      Issue.record("no execute")
      return
    }
    var database = Fixture.database
    database.applyLabels(set.plans[0].after)
    send(&state, .changeSetSecretFinished(requestID: id, index: 0, outcome: .applied(secret: database)))
    send(
      &state,
      .changeSetSecretFinished(
        requestID: id, index: 1, outcome: .failed(message: "Rate exceeded", appliedSteps: 0, current: nil)))
    send(&state, .changeSetFinished(requestID: id))
    assertSnapshot(render(state), named: "bulk-progress-120x40")
  }
}
