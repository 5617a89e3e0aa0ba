import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// Rotating, staging a value and cancelling rotation in the pure core: the pre-flight
/// preview (or refusal with the key that fixes it), `y` as the only sender, the progress
/// that arrives as messages by request id while the user browses, the diagnosis, and the
/// masked input that never draws what is typed.
@Suite(.ownThreads) struct RotationTests {
  static let arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-db"
  static let token = "7c1e2a3b-0000-4000-8000-0000000000aa"
  static let planted = "hunter2-PLANTED-Value"

  /// prod/db/password as read for a pre-flight: a rotation function, three versions.
  static var rotatable: Secret {
    var secret = Fixture.database
    secret.rotationLambdaARN = arn
    return secret
  }

  /// staging/api-key described, AWSPENDING left on aaaa1111 (off AWSCURRENT), with a function.
  static var stuck: Secret {
    var secret = Fixture.apiKeyDescribed
    secret.rotationLambdaARN = arn
    return secret
  }

  func prepareEffect(_ effects: [Effect]) -> (name: String, edit: Bool, id: Int)? {
    for case .prepareRotation(let name, let edit, let id) in effects { return (name, edit, id) }
    return nil
  }

  /// The preview after pressing `key` on the selected secret and answering the read with
  /// `secret`.
  @discardableResult
  func preview(_ state: inout AppState, key: Character = "o", secret: Secret = rotatable) throws -> [Effect] {
    let prepare = try #require(prepareEffect(press(&state, .char(key))))
    #expect(prepare.name == state.selectedSecret?.name)
    #expect(!prepare.edit)
    return send(&state, .rotationPrepared(requestID: prepare.id, secret: secret, token: Self.token, editedValue: nil))
  }

  /// prod/db/password rotating: `o`, the preview, `y`; returns the request id.
  func startRotation(_ state: inout AppState) throws -> Int {
    try preview(&state)
    let effects = press(&state, .char("y"))
    guard case .rotate(let secretId, let request, let seconds, let id)? = effects.first, effects.count == 1 else {
      Issue.record("y sent \(effects)")
      return -1
    }
    #expect(secretId == Fixture.database.arn)
    #expect(request == RotationRequest(token: Self.token))
    #expect(seconds == 120)
    return id
  }

  func screen(_ state: AppState) -> String { render(state).text }

  @Test func rotatePreviewShowsFunctionLabelsBeforeAfterNotesAndTheCommand() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    let effects = try preview(&state)
    #expect(effects.isEmpty, "nothing is sent before y")
    guard case .rotationPreview(let preview)? = state.popup, case .success(let planned) = preview.outcome else {
      Issue.record("no preview: \(String(describing: state.popup))")
      return
    }
    let expected = try RotationPlanner.rotate(RotationRequest(token: Self.token), for: Self.rotatable).get()
    #expect(planned == expected)
    let text = screen(state)
    #expect(text.contains("Rotate prod/db/password now (preview)"))
    #expect(text.contains("rotated by rotation function \(Self.arn)"))
    #expect(text.contains("every 30d"))
    #expect(text.contains("new version \(Self.token)"))
    #expect(text.contains("(new version) → [AWSCURRENT]"))
    #expect(text.contains("3f2a1b4c…  [AWSCURRENT] → [AWSPREVIOUS]"))
    #expect(text.contains("+ AWSPREVIOUS (automatic)"))
    #expect(text.contains("9c1b0e2d…  [AWSPREVIOUS] → (no labels: deprecated)"))
    #expect(text.contains("becomes deprecated"))
    #expect(text.contains("aws secretsmanager rotate-secret --secret-id prod/db/password --client-request-token"))
    #expect(text.contains("y: rotate now"))
    assertSnapshot(render(state), named: "rotation-preview-120x40")
  }

  @Test func aRefusedPreflightNamesTheKeysThatFixItAndYSendsNothing() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    press(&state, .down)
    try preview(&state, secret: Self.stuck)
    guard case .rotationPreview(let preview)? = state.popup else {
      Issue.record("no preview")
      return
    }
    #expect(preview.refusal?.reason == .rotationInProgress)
    let text = screen(state)
    #expect(text.contains("(refused)"))
    #expect(text.contains("AWSPENDING is on aaaa1111…, not on the AWSCURRENT version"))
    #expect(text.contains("Promote it (p) or remove AWSPENDING (x)."))
    #expect(text.contains("nothing can be sent"))
    #expect(press(&state, .char("y")).isEmpty)
    #expect(state.status?.text.contains("the pre-flight refused") == true)
    press(&state, .escape)
    #expect(state.popup == nil)
  }

  @Test func noRotationConfiguredIsRefused() throws {
    var state = Fixture.loaded()
    try preview(&state, secret: Fixture.database)
    guard case .rotationPreview(let preview)? = state.popup else {
      Issue.record("no preview")
      return
    }
    #expect(preview.refusal?.reason == .rotationNotConfigured)
    #expect(screen(state).contains("no rotation configured"))
  }

  @Test func progressArrivesByRequestIDWhileTheUserBrowses() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    let id = try startRotation(&state)
    #expect(state.popup == .rotationProgress(requestID: id))
    #expect(state.needsFastTicks)
    #expect(screen(state).contains("Rotating prod/db/password"))

    send(&state, .rotationAccepted(requestID: id))
    var seen = Self.rotatable
    seen.versions.insert(SecretVersion(versionId: Self.token, labels: [StandardLabel.pending]), at: 0)
    send(&state, .tick(now: Fixture.now.addingTimeInterval(2)))
    send(&state, .rotationObserved(requestID: id, stage: .pendingPlaceholder, secret: seen))
    #expect(state.rotations.first?.reached == .pendingPlaceholder)
    #expect(screen(state).contains("new version created with AWSPENDING  after 2 s"))
    assertSnapshot(render(state), named: "rotation-progress-120x40")

    // A stale or unknown request id changes nothing.
    let before = state.rotations
    send(&state, .rotationObserved(requestID: id + 100, stage: .pendingCleanedUp, secret: seen))
    send(&state, .rotationEnded(requestID: id + 100, end: .followEnded))
    send(&state, .rotationAccepted(requestID: id + 100))
    #expect(state.rotations == before)

    // Esc closes the view and says nothing stopped; browsing goes on, the row says rotating.
    #expect(press(&state, .escape).isEmpty)
    #expect(state.popup == nil)
    #expect(state.status?.text.contains("nothing stopped") == true)
    #expect(state.status?.text.contains("goes on") == true)
    let row = screen(state).split(separator: "\n").first { $0.hasPrefix("│ prod/db/password") } ?? ""
    #expect(row.contains("[rotating…]"))
    press(&state, .down)
    #expect(state.selectedSecret?.name == Fixture.apiKey.name)
    press(&state, .up)
    #expect(screen(state).contains("rotating… (o shows it)"))

    // Stages keep arriving with the view closed; o reopens it.
    seen.versions[0].labels = [StandardLabel.current]
    seen.versions[1].labels = [StandardLabel.previous]
    seen.versions[2].labels = []
    send(&state, .rotationObserved(requestID: id, stage: .pendingCleanedUp, secret: seen))
    #expect(state.selectedSecret?.labelMap.holder(of: StandardLabel.current) == Self.token)
    #expect(press(&state, .char("o")).isEmpty, "o on a rotating secret reopens its progress, it sends nothing")
    #expect(state.popup == .rotationProgress(requestID: id))

    send(&state, .rotationEnded(requestID: id, end: .followEnded))
    guard case .finished(let after)? = state.rotations.first?.outcome else {
      Issue.record("not finished: \(String(describing: state.rotations.first?.outcome))")
      return
    }
    #expect(after.holder(of: StandardLabel.current) == Self.token)
    #expect(state.status?.text.hasPrefix("rotation of prod/db/password finished: AWSCURRENT is on 7c1e2a3b…") == true)
    #expect(state.rotations.allSatisfy { !$0.isRunning })
    let finished = screen(state)
    #expect(finished.contains("Rotation finished"))
    #expect(finished.contains("Rotated prod/db/password"))
    // Messages after the end are dropped.
    let ended = state.rotations
    send(&state, .rotationObserved(requestID: id, stage: .currentMoved, secret: Self.rotatable))
    send(&state, .rotationEnded(requestID: id, end: .timedOut(seconds: 120)))
    #expect(state.rotations == ended)
    press(&state, .escape)
    #expect(!screen(state).contains("rotating…"))
  }

  @Test func aTimeoutShowsWhereItStoppedTheFunctionsLogsAndTheKeys() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    let id = try startRotation(&state)
    send(&state, .rotationAccepted(requestID: id))
    var seen = Self.rotatable
    seen.versions.insert(SecretVersion(versionId: Self.token, labels: [StandardLabel.pending]), at: 0)
    send(&state, .rotationObserved(requestID: id, stage: .pendingPlaceholder, secret: seen))
    press(&state, .escape)
    send(&state, .rotationEnded(requestID: id, end: .timedOut(seconds: 120)))
    #expect(state.status?.kind == .error)
    #expect(state.status?.text.contains("stopped in createSecret") == true)
    #expect(state.status?.text.contains("(o shows what to do)") == true)
    // With the view closed, o shows the diagnosis first; after that, o starts afresh.
    #expect(press(&state, .char("o")).isEmpty)
    let text = screen(state)
    #expect(text.contains("Rotation of prod/db/password stopped"))
    #expect(text.contains("✗ a value is present on the new version"))
    #expect(text.contains("the rotation stopped in createSecret"))
    #expect(text.contains("did not finish within 120 s"))
    #expect(text.contains("log group /aws/lambda/rotate-db"))
    #expect(text.contains(Self.arn))
    #expect(text.contains("(x) in the versions pane"))
    assertSnapshot(render(state), named: "rotation-diagnosis-120x40")
    press(&state, .escape)
    #expect(prepareEffect(press(&state, .char("o"))) != nil)
  }

  @Test func aValueSeenButNeverPromotedOffersPromoteAndRemove() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    let id = try startRotation(&state)
    send(&state, .rotationObserved(requestID: id, stage: .valuePresent, secret: Self.rotatable))
    send(&state, .rotationEnded(requestID: id, end: .timedOut(seconds: 120)))
    let text = screen(state)
    #expect(text.contains("promote it: AWSCURRENT onto 7c1e2a3b… (p)"))
    #expect(text.contains("remove AWSPENDING from 7c1e2a3b… (x)"))
  }

  @Test func aFailedRotateSecretSaysSoAndAnAbandonedOneToo() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    let id = try startRotation(&state)
    send(&state, .rotationEnded(requestID: id, end: .sendFailed("AccessDeniedException: not allowed")))
    #expect(screen(state).contains("RotateSecret failed: AccessDeniedException"))
    press(&state, .escape)

    let second = try startRotation(&state)
    send(&state, .rotationObserved(requestID: second, stage: .pendingPlaceholder, secret: Self.rotatable))
    send(&state, .rotationEnded(requestID: second, end: .followEnded))
    #expect(state.rotations.count == 1, "a finished rotation is replaced by the next one of the same secret")
    #expect(state.rotations.first?.outcome == .abandoned)
    #expect(screen(state).contains("lost AWSPENDING before it became AWSCURRENT"))
  }

  @Test func dryRunAndReadOnlySendNothing() throws {
    var state = Fixture.loaded(width: 120, height: 40, config: Fixture.config(dryRun: true))
    try preview(&state)
    #expect(screen(state).contains("y: dry run, nothing is sent"))
    #expect(press(&state, .char("y")).isEmpty)
    #expect(state.popup == nil)
    #expect(state.status?.text.hasPrefix("nothing sent (dry run)") == true)

    var readOnly = Fixture.loaded(config: Fixture.config(readOnly: true))
    for key in ["o", "s", "e", "O"] as [Character] {
      #expect(press(&readOnly, .char(key)).isEmpty)
      #expect(readOnly.status?.text.hasSuffix("read-only mode: nothing can be changed") == true)
    }
  }

  @Test func aValueCantBeStagedOnAReplicaOrAManagedSecretAndTheKeySaysWhy() {
    var replica = Fixture.database
    replica.primaryRegion = "us-west-2"
    var state = AppState(config: Fixture.config(), now: Fixture.now)
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: [replica, Fixture.managed], isLastPage: true))
    for key in ["s", "e", "O"] as [Character] {
      #expect(press(&state, .char(key)).isEmpty)
      #expect(state.status?.text.hasSuffix("a replica, read-only: change the primary in us-west-2") == true)
    }
    press(&state, .down)
    #expect(press(&state, .char("s")).isEmpty)
    #expect(state.status?.text.hasSuffix("managed by rds: its values change through that service") == true)
    #expect(prepareEffect(press(&state, .char("o"))) != nil, "managed rotation is the service's own: o asks AWS")
  }

  @Test func theMaskedInputNeverDrawsOrDescribesTheValue() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    #expect(press(&state, .char("s")).isEmpty)
    #expect(state.popup == .valueInput(ValueInputState(secretName: Fixture.database.name)))
    // Every key types: q, j, ?, y and o are characters here, not commands.
    let value = Self.planted + " q?jyo"
    #expect(type(&state, value).isEmpty)
    #expect(state.popup != nil)
    let shown = screen(state)
    #expect(!shown.contains("hunter2"))
    #expect(shown.contains(String(repeating: "•", count: value.count)))
    #expect(shown.contains("\(value.count) characters, \(value.utf8.count) bytes; never shown"))
    assertSnapshot(render(state), named: "value-input-120x40")
    press(&state, .backspace)

    let effects = press(&state, .enter)
    let prepare = try #require(prepareEffect(effects))
    #expect(!prepare.edit)
    for text in [String(describing: effects), String(reflecting: effects), dumped(effects), dumped(state)] {
      #expect(!text.contains("hunter2"))
    }
    send(&state, .rotationPrepared(requestID: prepare.id, secret: Self.rotatable, token: Self.token, editedValue: nil))
    guard case .rotationPreview(let preview)? = state.popup, case .success(let planned) = preview.outcome else {
      Issue.record("no preview")
      return
    }
    #expect(planned.kind == .putPending(token: Self.token, bytes: value.utf8.count - 1, binary: false))
    let previewText = screen(state)
    #expect(previewText.contains("value \(value.utf8.count - 1) bytes (never shown)"))
    #expect(previewText.contains("(new version) → [AWSPENDING]"))
    #expect(previewText.contains("y: stage it"))
    #expect(!previewText.contains("hunter2"))
    for text in [dumped(state), String(describing: state.popup), String(reflecting: state.popup)] {
      #expect(!text.contains("hunter2"))
    }

    let sent = press(&state, .char("y"))
    guard case .putPendingValue(let secretId, let token, let masked, let id)? = sent.first else {
      Issue.record("y sent \(sent)")
      return
    }
    #expect(secretId == Fixture.database.arn)
    #expect(token == Self.token)
    #expect(masked.text == String(value.dropLast()), "the effect carries the value typed, to send it")
    for text in [String(describing: sent), String(reflecting: sent), dumped(sent), dumped(state)] {
      #expect(!text.contains("hunter2"))
    }
    #expect(state.popup == nil, "the value is dropped from the state once it is sent")

    var staged = Self.rotatable
    staged.versions.insert(SecretVersion(versionId: Self.token, labels: [StandardLabel.pending]), at: 0)
    send(&state, .rotationCallFinished(requestID: id, result: .done(staged)))
    #expect(
      state.status?.text == "staged on prod/db/password: AWSPENDING is on 7c1e2a3b…; promote it once it is tested (p)")
    #expect(state.selectedSecret?.labelMap.holder(of: StandardLabel.pending) == Self.token)
    // A second answer to the same request is dropped.
    let status = state.status
    send(&state, .rotationCallFinished(requestID: id, result: .failed("late")))
    #expect(state.status == status)
  }

  @Test func escInTheMaskedInputDropsTheValueAndEnterNeedsOne() {
    var state = Fixture.loaded()
    press(&state, .char("s"))
    #expect(press(&state, .enter).isEmpty)
    #expect(state.status?.text == "enter (preview): type the value first")
    _ = type(&state, "abc")
    press(&state, .escape)
    #expect(state.popup == nil)
    #expect(state.status?.text == "nothing staged: the typed value is dropped")
    #expect(!dumped(state).contains("abc\""))
  }

  @Test func theEditorsValueComesBackWithTheReadAndAnEmptyFileStagesNothing() throws {
    var state = Fixture.loaded()
    let prepare = try #require(prepareEffect(press(&state, .char("e"))))
    #expect(prepare.edit)
    send(
      &state,
      .rotationPrepared(
        requestID: prepare.id, secret: Self.rotatable, token: Self.token, editedValue: MaskedValue(Self.planted)))
    guard case .rotationPreview(let preview)? = state.popup else {
      Issue.record("no preview")
      return
    }
    #expect(preview.operation == .stage(MaskedValue(Self.planted)))
    #expect(!screen(state).contains("hunter2"))
    press(&state, .escape)
    #expect(state.status?.text == "preview closed: nothing sent; the value is dropped")

    let again = try #require(prepareEffect(press(&state, .char("e"))))
    send(&state, .rotationPrepared(requestID: again.id, secret: Self.rotatable, token: Self.token, editedValue: nil))
    #expect(state.popup == nil)
    #expect(state.status?.text == "nothing staged: the editor left the file empty")
  }

  @Test func cancelRotationPreviewSaysItTurnsRotationOffAndWherePendingIs() throws {
    var state = Fixture.loaded(width: 120, height: 40)
    press(&state, .down)
    try preview(&state, key: "O", secret: Self.stuck)
    let text = screen(state)
    #expect(text.contains("Cancel the rotation of staging/api-key (preview)"))
    #expect(text.contains("no label moves now"))
    #expect(text.contains("automatic rotation is turned off"))
    #expect(text.contains("AWSPENDING is on aaaa1111… now; a rotation under way can leave it there"))
    #expect(text.contains("AWSPENDING is on aaaa1111…, off AWSCURRENT: promote it (p) or remove AWSPENDING (x) in"))
    #expect(text.contains("aws secretsmanager cancel-rotate-secret --secret-id staging/api-key"))
    let sent = press(&state, .char("y"))
    guard case .cancelRotation(let secretId, let id)? = sent.first else {
      Issue.record("y sent \(sent)")
      return
    }
    #expect(secretId == "staging/api-key")
    var off = Self.stuck
    off.rotationEnabled = false
    send(&state, .rotationCallFinished(requestID: id, result: .done(off)))
    #expect(
      state.status?.text
        == "automatic rotation of staging/api-key is off; AWSPENDING is still on aaaa1111… (x) removes it")
  }

  @Test func staleAndFailedPreflightReadsAreHandled() throws {
    var state = Fixture.loaded()
    let first = try #require(prepareEffect(press(&state, .char("o"))))
    let second = try #require(prepareEffect(press(&state, .char("o"))))
    send(&state, .rotationPrepared(requestID: first.id, secret: Self.rotatable, token: Self.token, editedValue: nil))
    #expect(state.popup == nil, "the first read was replaced by the second")
    send(&state, .rotationPrepareFailed(requestID: second.id, message: "AccessDeniedException"))
    #expect(state.status == StatusMessage("Rotate prod/db/password now: AccessDeniedException", kind: .error))
    send(&state, .rotationPrepared(requestID: second.id, secret: Self.rotatable, token: Self.token, editedValue: nil))
    #expect(state.popup == nil)
    // Esc stops a pre-flight in flight.
    let third = try #require(prepareEffect(press(&state, .char("o"))))
    press(&state, .escape)
    send(&state, .rotationPrepared(requestID: third.id, secret: Self.rotatable, token: Self.token, editedValue: nil))
    #expect(state.popup == nil)
  }

  @Test func detailsShowTheConfigurationAndTheStuckMarker() {
    var secrets = Fixture.all
    secrets[0] = Self.rotatable
    var state = AppState(config: Fixture.config(), now: Fixture.now, width: 220, height: 30)
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: secrets, isLastPage: true))
    let text = screen(state)
    #expect(
      text.contains("rotation on every 30d · by \(Self.arn) · last 2026-11-26 (3d ago) · next 2026-12-26 (in 26d)"))
    let row = text.split(separator: "\n").first { $0.contains("staging/api-key") } ?? ""
    #expect(row.contains("[stuck]"))
    press(&state, .down)
    #expect(screen(state).contains("stuck: AWSPENDING off AWSCURRENT"))
    // Narrow: the function's name stands for the ARN.
    press(&state, .up)
    send(&state, .terminal(.resize(width: 80, height: 24)))
    #expect(screen(state).contains("by rotate-db"))
  }

  @Test func filterRotationStuck() {
    let all = Fixture.all
    #expect(SecretFilter("rotation:stuck").apply(to: all) == [1])
    #expect(SecretFilter("rotation:st").apply(to: all) == [1], "it narrows while typed")
    #expect(SecretFilter("ROTATION:STUCK api").apply(to: all) == [1])
    #expect(SecretFilter("rotation:stuck prod").apply(to: all).isEmpty)
    #expect(SecretFilter("rotation:on").apply(to: all) == [0, 1])
    #expect(SecretFilter("rotation:off").apply(to: all).count == all.count - 2)
  }

  @Test func theRotationKeysAreInTheHintBarAndTheHelp() {
    let state = Fixture.loaded()
    let bar = screen(state).split(separator: "\n").last.map(String.init) ?? ""
    #expect(bar.contains("o rotate"))
    var help = Fixture.loaded(width: 400, height: 60)
    press(&help, .char("?"))
    let text = screen(help)
    for needle in ["rotation:stuck", "Rotate the selected secret now", "masked input", "$EDITOR", "CancelRotateSecret"]
    {
      #expect(text.contains(needle), "\(needle)")
    }
  }

  func dumped<T>(_ value: T) -> String {
    var text = ""
    dump(value, to: &text)
    return text
  }
}
