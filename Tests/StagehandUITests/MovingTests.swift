import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

@Suite(.ownThreads) struct MovingTests {
  func previewPlan(_ state: AppState) -> Plan? {
    if case .preview(let preview)? = state.popup { return preview.plan }
    return nil
  }

  func planned(_ intent: MoveIntent, _ state: AppState) -> Plan? {
    guard let secret = state.selectedSecret else { return nil }
    return try? Planner.plan(intent, for: secret).get()
  }

  /// prod/db/password with the versions pane focused, cursor on the AWSCURRENT row.
  func database(config: UIConfig = Fixture.config()) -> AppState {
    var state = Fixture.loaded(config: config)
    press(&state, .enter)
    return state
  }

  /// staging/api-key with the versions pane focused, cursor on the AWSCURRENT + blue row.
  func apiKey() -> AppState {
    var state = Fixture.loaded()
    press(&state, .down, .enter, .down)
    return state
  }

  @Test func keyboardPickMoveDropOpensThePlannersPreview() throws {
    var state = database()
    #expect(press(&state, .char("m")).isEmpty)
    #expect(state.move == .carrying(label: StandardLabel.current, from: Fixture.current))
    press(&state, .char("j"))
    #expect(state.move == .carrying(label: StandardLabel.current, from: Fixture.current))
    #expect(render(state).text.contains("[AWSCURRENT]"))
    #expect(press(&state, .enter).isEmpty)
    let expected = planned(.move(label: StandardLabel.current, to: Fixture.previous, from: Fixture.current), state)
    #expect(expected != nil)
    #expect(previewPlan(state) == expected)
    #expect(state.move == nil)
  }

  @Test func severalChipsAreChosenWithLeftRightThenCarried() {
    var state = apiKey()
    press(&state, .char("m"))
    #expect(
      state.move
        == .choosing(versionId: "bbbb2222-0000-4000-8000-00000000000b", labels: ["AWSCURRENT", "blue"], index: 0))
    press(&state, .right)
    press(&state, .tab)
    press(&state, .left)
    press(&state, .enter)
    #expect(state.move == .carrying(label: "blue", from: "bbbb2222-0000-4000-8000-00000000000b"))
    press(&state, .char("k"), .char(" "))
    let expected = planned(
      .move(label: "blue", to: "aaaa1111-0000-4000-8000-00000000000a", from: "bbbb2222-0000-4000-8000-00000000000b"),
      state)
    #expect(expected != nil)
    #expect(previewPlan(state) == expected)
  }

  @Test func escCancelsAtEveryStepAndSendsNothing() {
    var state = apiKey()
    press(&state, .char("m"))
    #expect(press(&state, .escape).isEmpty)
    #expect(state.move == nil)
    press(&state, .char("m"), .enter)
    #expect(press(&state, .escape).isEmpty)
    #expect(state.move == nil)
    press(&state, .char("m"), .enter, .up, .enter)
    #expect(previewPlan(state) != nil)
    #expect(press(&state, .escape).isEmpty)
    #expect(state.popup == nil)
    press(&state, .char("c"))
    #expect(press(&state, .char("n")).isEmpty)
    #expect(state.popup == nil)
  }

  @Test func droppingOnTheSourceRowIsRefusedWithTheReason() {
    var state = database()
    press(&state, .char("m"), .enter)
    #expect(previewPlan(state) == nil)
    #expect(state.status?.text.contains("move to another version") == true)
  }

  func chipPoint(_ state: AppState, row: Int) -> (x: Int, y: Int) {
    let layout = state.layout
    let columns = VersionColumns(x: layout.versionsInnerX, width: layout.versionsInnerWidth)
    return (columns.labelsX + 2, layout.versionRowsTop + row)
  }

  @Test func mouseDragAndReleaseOnAnotherRowOpensThePreview() {
    var state = Fixture.loaded()
    let start = chipPoint(state, row: 0)
    send(&state, .terminal(.mouse(MouseEvent(.press(button: 1), x: start.x, y: start.y))))
    #expect(state.move == .dragging(label: StandardLabel.current, from: Fixture.current, x: start.x, y: start.y))
    #expect(state.focus == .versions)
    send(&state, .terminal(.mouse(MouseEvent(.drag(button: 1), x: start.x + 5, y: start.y + 1))))
    let grid = render(state)
    let row = grid.text.split(separator: "\n")[start.y + 1]
    #expect(row.contains("[AWSCURRENT]"))
    #expect(grid[state.layout.versionsInnerX + 1, start.y + 1].style.bg != .default)
    send(&state, .terminal(.mouse(MouseEvent(.release(button: 1), x: start.x + 5, y: start.y + 1))))
    let expected = planned(.move(label: StandardLabel.current, to: Fixture.previous, from: Fixture.current), state)
    #expect(expected != nil)
    #expect(previewPlan(state) == expected)
  }

  @Test func mouseReleaseElsewhereCancels() {
    var state = Fixture.loaded()
    let start = chipPoint(state, row: 0)
    send(&state, .terminal(.mouse(MouseEvent(.press(button: 1), x: start.x, y: start.y))))
    send(&state, .terminal(.mouse(MouseEvent(.drag(button: 1), x: 3, y: 5))))
    let effects = send(&state, .terminal(.mouse(MouseEvent(.release(button: nil), x: 3, y: 5))))
    #expect(effects.isEmpty)
    #expect(state.move == nil)
    #expect(state.popup == nil)
    send(&state, .terminal(.mouse(MouseEvent(.press(button: 1), x: start.x, y: start.y))))
    send(&state, .terminal(.mouse(MouseEvent(.release(button: 1), x: start.x, y: start.y))))
    #expect(state.popup == nil)
  }

  @Test func quickKeysPreviewThePlannersPlans() {
    var state = database()
    press(&state, .down, .char("c"))
    #expect(previewPlan(state) == planned(.makeCurrent(Fixture.previous), state))
    #expect(previewPlan(state) != nil)
    press(&state, .escape, .char("b"))
    #expect(previewPlan(state) == planned(.rollback, state))
    #expect(previewPlan(state) != nil)
    press(&state, .escape)

    var api = apiKey()
    press(&api, .char("p"))
    guard case .choice? = api.popup else { Issue.record("no choice"); return }
    press(&api, .down, .enter)
    #expect(previewPlan(api) == planned(.promotePending(keepPending: true), api))
    #expect(previewPlan(api) != nil)
    press(&api, .escape, .char("p"), .enter)
    #expect(previewPlan(api) == planned(.promotePending(keepPending: false), api))
    press(&api, .escape, .char("x"), .down, .enter)
    #expect(previewPlan(api) == planned(.remove(label: "blue", from: "bbbb2222-0000-4000-8000-00000000000b"), api))
    #expect(previewPlan(api) != nil)
  }

  @Test func removingAWSCURRENTIsRefusedWithTheReason() {
    var state = database()
    #expect(press(&state, .char("x")).isEmpty)
    #expect(state.status?.text.contains("AWSCURRENT can only be moved") == true)
    var api = apiKey()
    press(&api, .char("x"), .enter)
    #expect(api.popup == nil)
    #expect(api.status?.kind == .error)
    #expect(api.status?.text.contains("AWSCURRENT") == true)
  }

  /// The planner suggests moving AWSCURRENT; the status line names the key that picks a
  /// label up, as the keymap binds it, and no command line.
  @Test func aRefusalShowsTheKeyThatWouldWork() throws {
    var state = Fixture.loaded(width: 140)
    press(&state, .down, .enter, .down, .char("x"), .enter)
    let key = try #require(Keymap.standard.bindings.first { $0.action == .pickLabel }?.keys.first)
    let rows = render(state).text.split(separator: "\n", omittingEmptySubsequences: false)
    let status = rows[state.layout.statusRow]
    #expect(status.contains("AWSCURRENT can't be removed, only moved"), "\(status)")
    #expect(status.contains("Move it instead (\(key.name))."), "\(status)")
    #expect(!status.contains("stagehand"), "\(status)")
  }

  @Test func addLabelValidatesAsYouType() {
    var state = database()
    press(&state, .char("a"))
    guard case .labelInput(let empty)? = state.popup else { Issue.record("no input"); return }
    #expect(empty.error != nil)
    press(&state, .enter)
    #expect(previewPlan(state) == nil)
    _ = type(&state, " x")
    guard case .labelInput(let spaced)? = state.popup else { Issue.record("no input"); return }
    #expect(spaced.error?.contains("white space") == true)
    press(&state, .backspace, .backspace)
    _ = type(&state, "canary")
    guard case .labelInput(let good)? = state.popup else { Issue.record("no input"); return }
    #expect(good.error == nil)
    press(&state, .enter)
    #expect(previewPlan(state) == planned(.add(label: "canary", to: Fixture.current), state))
    #expect(previewPlan(state) != nil)
  }

  @Test func onlyYSendsAndItSendsTheShownPlan() throws {
    var state = database()
    press(&state, .down, .char("c"))
    let shown = try #require(previewPlan(state))
    for key in FuzzTests.keys where key != .char("y") {
      var copy = state
      let effects = press(&copy, key)
      #expect(!effects.contains { if case .execute = $0 { return true } else { return false } }, "\(key.name)")
    }
    let effects = press(&state, .char("y"))
    guard case .committing(let commit)? = state.popup else { Issue.record("not committing"); return }
    #expect(effects == [.execute(shown, requestID: commit.requestID)])
  }

  @Test func dryRunSendsNothing() {
    var state = database(config: Fixture.config(dryRun: true))
    press(&state, .down, .char("c"))
    #expect(previewPlan(state) != nil)
    #expect(render(state).text.contains("dry run"))
    #expect(press(&state, .char("y")).isEmpty)
    #expect(state.popup == nil)
    #expect(state.status?.text.hasPrefix("nothing sent (dry run)") == true)

    var toggled = database()
    press(&toggled, .char("D"))
    #expect(toggled.dryRun)
    press(&toggled, .down, .char("c"))
    #expect(press(&toggled, .char("y")).isEmpty)
  }

  @Test(arguments: ["read-only", "managed", "deleted"])
  func blockedSecretsKeepMovingKeysVisibleButDisabled(kind: String) {
    var state: AppState
    switch kind {
    case "read-only":
      state = Fixture.loaded(width: 200, config: Fixture.config(readOnly: true))
      press(&state, .enter)
    case "managed":
      state = Fixture.loaded(width: 200)
      press(&state, .down, .down, .enter)
    default:
      state = Fixture.loaded(width: 200)
      press(&state, .down, .down, .down, .enter)
    }
    let bar = render(state).text.split(separator: "\n").last.map(String.init) ?? ""
    for action in [Action.pickLabel, .makeCurrent, .rollback, .promotePending, .removeLabel, .addLabel] {
      let binding = Keymap.standard.bindings.first { $0.action == action && $0.context == .versions }
      #expect(binding.map { bar.contains("\($0.keyLabel) \($0.short)") } == true, "\(action) in bar")
      #expect(binding?.disabledReason(state) != nil, "\(action) disabled")
    }
    #expect(press(&state, .char("c")).isEmpty)
    #expect(state.popup == nil)
    let expected = ["read-only": "read-only", "managed": "managed by rds", "deleted": "scheduled for deletion"][kind]!
    #expect(state.status?.text.contains(expected) == true)
  }

  @Test func appliedCommitRecordsHistoryAndUndoPreviewsTheInverse() throws {
    var state = database()
    press(&state, .down, .char("c"))
    let plan = try #require(previewPlan(state))
    let effects = press(&state, .char("y"))
    guard case .execute(_, let id)? = effects.first else { Issue.record("no execute"); return }
    send(&state, .commitProgress(requestID: id, step: 1, of: 1))
    guard case .committing(let commit)? = state.popup else { Issue.record("not committing"); return }
    #expect(commit.step == 1)
    #expect(render(state).text.contains("step 1 of 1"))
    var after = Fixture.database
    after.applyLabels(plan.after)
    send(&state, .commitFinished(requestID: id + 7, outcome: .applied(plan: plan, secret: after)))
    #expect(state.history.isEmpty)
    send(&state, .commitFinished(requestID: id, outcome: .applied(plan: plan, secret: after)))
    #expect(state.popup == nil)
    #expect(state.history.map(\.plan) == [plan])
    #expect(state.status?.text == plan.outcomeSummary)
    #expect(state.selectedSecret?.labelMap.sameLabels(as: plan.after) == true)
    press(&state, .char("u"))
    #expect(previewPlan(state) == planned(.restore(to: plan.before), state))
    #expect(previewPlan(state)?.after.sameLabels(as: plan.before) == true)
    press(&state, .escape, .char("H"))
    #expect(state.popup == .history(scroll: 0))
    #expect(render(state).text.contains(plan.intent.summary))
  }

  @Test func conflictShowsAFreshPreviewFromTheCurrentState() throws {
    var state = database()
    press(&state, .down, .char("c"))
    let plan = try #require(previewPlan(state))
    guard case .execute(_, let id)? = press(&state, .char("y")).first else { Issue.record("no execute"); return }
    var current = Fixture.database
    current.versions[0].labels = ["AWSCURRENT", "canary"]
    send(
      &state,
      .commitFinished(
        requestID: id, outcome: .conflict(plan: plan, current: current, changes: ["canary added to 3f2a1b4c"])))
    guard case .preview(let fresh)? = state.popup else { Issue.record("no fresh preview"); return }
    #expect(fresh.plan == (try? Planner.plan(plan.intent, for: current).get()))
    #expect(fresh.context.contains("canary added to 3f2a1b4c"))
    #expect(fresh.plan.before != plan.before)
  }

  @Test func partialFailureOffersFinishOrRevert() throws {
    var api = apiKey()
    press(&api, .char("p"), .enter)
    let plan = try #require(previewPlan(api))
    #expect(plan.steps.count == 2)
    guard case .execute(_, let id)? = press(&api, .char("y")).first else { Issue.record("no execute"); return }
    var current = Fixture.apiKeyDescribed
    current.applyLabels(try #require(try? StagingRules.apply([plan.steps[0]], to: StagingContext(labels: plan.before))))
    send(
      &api,
      .commitFinished(
        requestID: id, outcome: .failed(plan: plan, message: "Rate exceeded", appliedSteps: 1, current: current)))
    guard case .choice(let choice)? = api.popup else { Issue.record("no recovery choice"); return }
    #expect(choice.title.contains("Rate exceeded"))
    var finish = api
    press(&finish, .enter)
    #expect(previewPlan(finish) == planned(.restore(to: plan.after), finish))
    #expect(previewPlan(finish) != nil)
    press(&api, .down, .enter)
    #expect(previewPlan(api) == planned(.restore(to: plan.before), api))
    #expect(previewPlan(api) != nil)
  }

  @Test func failureBeforeAnyStepShowsAWSsMessage() throws {
    var state = database()
    press(&state, .down, .char("c"))
    let plan = try #require(previewPlan(state))
    guard case .execute(_, let id)? = press(&state, .char("y")).first else { Issue.record("no execute"); return }
    send(
      &state,
      .commitFinished(
        requestID: id,
        outcome: .failed(plan: plan, message: "AccessDeniedException: not authorized", appliedSteps: 0, current: nil)))
    guard case .error(_, let message)? = state.popup else { Issue.record("no error"); return }
    #expect(message.contains("AccessDeniedException"))
    #expect(state.history.isEmpty)
  }

  @Test func previewSnapshots() {
    for (width, height) in [(80, 24), (120, 40)] {
      var state = Fixture.loaded(width: width, height: height)
      press(&state, .enter, .down, .char("c"))
      assertSnapshot(render(state), named: "preview-\(width)x\(height)")
    }
  }

  @Test func carryingAndDraggingSnapshots() {
    var carrying = Fixture.loaded()
    press(&carrying, .down, .enter, .down, .char("m"), .right)
    assertSnapshot(render(carrying), named: "choosing-chip-80x24")
    press(&carrying, .enter, .up)
    assertSnapshot(render(carrying), named: "carrying-80x24")

    var dragging = Fixture.loaded(config: Fixture.config(colorMode: .none))
    let start = chipPoint(dragging, row: 0)
    send(&dragging, .terminal(.mouse(MouseEvent(.press(button: 1), x: start.x, y: start.y))))
    send(&dragging, .terminal(.mouse(MouseEvent(.drag(button: 1), x: start.x + 3, y: start.y + 1))))
    assertSnapshot(render(dragging), named: "dragging-no-color-80x24")
  }

  @Test func hostileLabelsStayInertThroughPreviewCommitAndHistory() throws {
    func isClean(_ state: AppState) -> Bool {
      !render(state).text.unicodeScalars.contains { $0 != "\n" && DisplayText.isDangerous($0) }
    }
    var state = Fixture.loaded(width: 120, height: 40)
    press(&state, .char("G"), .char("k"), .char("k"), .enter, .down)
    #expect(state.selectedSecret?.name == Fixture.hostile.name)
    var described = Fixture.hostile
    described.versionsComplete = true
    for (id, request) in state.describes where request.secretName == described.name {
      send(&state, .secretDescribed(requestID: id, secret: described))
    }
    #expect(isClean(state))
    press(&state, .char("x"))
    #expect(isClean(state))
    press(&state, .char("c"))
    let plan = try #require(previewPlan(state))
    #expect(isClean(state))
    #expect(render(state).text.contains("<U+202E>"))
    guard case .execute(_, let id)? = press(&state, .char("y")).first else { Issue.record("no execute"); return }
    #expect(isClean(state))
    var after = Fixture.hostile
    after.applyLabels(plan.after)
    after.versionsComplete = true
    send(&state, .commitFinished(requestID: id, outcome: .applied(plan: plan, secret: after)))
    #expect(isClean(state))
    press(&state, .char("H"))
    #expect(isClean(state))
  }
}
