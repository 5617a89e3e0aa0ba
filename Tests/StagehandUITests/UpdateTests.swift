import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// Sends one message and returns the effects.
@discardableResult
func send(_ state: inout AppState, _ message: Message) -> [Effect] {
  update(&state, message)
}

@discardableResult
func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
  keys.flatMap { update(&state, .terminal(.key($0))) }
}

func type(_ state: inout AppState, _ text: String) -> [Effect] {
  text.flatMap { update(&state, .terminal(.key(.char($0)))) }
}

/// The request id of the listing among `effects` (the one `.started` or `R` asks for), or nil.
func loadRequest(_ effects: [Effect]) -> Int? {
  effects.lazy.compactMap { if case .loadSecrets(let id) = $0 { return id } else { return nil } }.first
}

/// A UI in UTC that has started: its state and the request id of the listing it asked for.
func startedUI() -> (state: AppState, loadID: Int) {
  var state = AppState(config: UIConfig(backendName: "test", timeZone: TimeZone(identifier: "UTC")!), now: .now)
  let loadID = loadRequest(update(&state, .started)) ?? 0
  return (state, loadID)
}

func describeRequests(_ effects: [Effect]) -> [(name: String, deprecated: Bool, id: Int)] {
  effects.compactMap {
    if case .describe(let name, let deprecated, let id) = $0 { return (name, deprecated, id) }
    return nil
  }
}

@Suite(.ownThreads) struct UpdateTests {
  func fresh() -> AppState {
    AppState(config: Fixture.config(), now: Fixture.now)
  }

  @Test func startLoadsOnceAndFirstPageShowsAtOnce() throws {
    var state = fresh()
    let start = send(&state, .started)
    #expect(start == [.loadSecrets(requestID: 1)])
    #expect(state.loading?.requestID == 1)
    let first = send(&state, .secretsPageLoaded(requestID: 1, secrets: Array(Fixture.all.prefix(3)), isLastPage: false))
    #expect(state.secrets.count == 3)
    #expect(state.loading?.received == 3)
    // Only the selected secret and the next rows below (the look-ahead): never one request
    // per secret.
    #expect(describeRequests(first).map(\.name) == ["staging/api-key", "rds!cluster-4f1e"])
    #expect(state.selectedSecret?.name == "prod/db/password")
    let last = send(
      &state, .secretsPageLoaded(requestID: 1, secrets: Array(Fixture.all.dropFirst(3)), isLastPage: true))
    #expect(state.secrets.count == Fixture.all.count)
    #expect(state.loading == nil)
    #expect(describeRequests(last).map(\.name) == ["old/legacy-token"], "the look-ahead's third row arrived")
  }

  @Test func staleResultsAreDroppedByRequestID() {
    var state = fresh()
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 99, secrets: Fixture.all, isLastPage: true))
    #expect(state.secrets.isEmpty)
    #expect(state.loading != nil)
    send(&state, .secretDescribed(requestID: 42, secret: Fixture.apiKeyDescribed))
    #expect(state.secrets.isEmpty)
  }

  @Test func reloadKeepsAtMostOneLoadInFlight() {
    var state = fresh()
    send(&state, .started)
    let effects = press(&state, .char("R"))
    #expect(effects == [.cancelLoading, .loadSecrets(requestID: 2)])
    send(&state, .secretsPageLoaded(requestID: 1, secrets: Fixture.all, isLastPage: true))
    #expect(state.secrets.isEmpty)
    send(&state, .secretsPageLoaded(requestID: 2, secrets: [Fixture.database], isLastPage: true))
    #expect(state.secrets.map(\.name) == ["prod/db/password"])
  }

  @Test func aRepeatedNameReplacesItsRowAndAReloadStartsAfresh() {
    var state = fresh()
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: Array(Fixture.all.prefix(3)), isLastPage: false))
    var changed = Fixture.all[1]
    changed.description = "listed again"
    send(&state, .secretsPageLoaded(requestID: 1, secrets: [changed] + Fixture.all.dropFirst(3), isLastPage: true))
    #expect(state.secrets.map(\.name) == Fixture.all.map(\.name))
    #expect(state.secrets[1].description == "listed again")
    _ = type(&state, "/db")
    let matching = Fixture.all.filter { $0.name.lowercased().contains("db") }.map(\.name)
    #expect(!matching.isEmpty)
    #expect(state.rows.prefix(matching.count).map { state.secrets[$0].name } == matching)

    let reload = press(&state, .enter, .char("R")).compactMap { effect -> Int? in
      if case .loadSecrets(let id) = effect { return id }
      return nil
    }
    #expect(reload.count == 1)
    send(&state, .secretsPageLoaded(requestID: reload.first ?? 0, secrets: [Fixture.apiKey], isLastPage: true))
    #expect(state.secrets.map(\.name) == [Fixture.apiKey.name])
    #expect(state.rows == SecretFilter("db").apply(to: [Fixture.apiKey]))
    press(&state, .escape)
    #expect(state.rows == [0])
  }

  @Test func escCancelsLoadingAndLaterPagesAreIgnored() {
    var state = fresh()
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: [Fixture.database], isLastPage: false))
    let effects = press(&state, .escape)
    #expect(effects == [.cancelLoading])
    #expect(state.loading == nil)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: [Fixture.apiKey], isLastPage: true))
    #expect(state.secrets.count == 1)
  }

  @Test func movingTheSelectionDescribesLazilyWithNeighbours() {
    var state = fresh()
    send(&state, .started)
    let first = send(&state, .secretsPageLoaded(requestID: 1, secrets: Fixture.all, isLastPage: true))
    #expect(describeRequests(first).map(\.name) == ["staging/api-key", "rds!cluster-4f1e", "old/legacy-token"])
    let down = press(&state, .char("j"))
    // The three below are in flight already; the one that comes into reach is requested.
    #expect(describeRequests(down).map(\.name) == ["evil\u{1B}[31mred\u{202E}txt.exe"])
    let again = press(&state, .down)
    #expect(describeRequests(again).map(\.name) == ["日本語/シークレット"])
  }

  @Test func describedSecretReplacesTheListedOneNewestFirst() {
    var state = fresh()
    send(&state, .started)
    let effects = send(&state, .secretsPageLoaded(requestID: 1, secrets: Fixture.all, isLastPage: true))
    let request = describeRequests(effects)[0]
    var described = Fixture.apiKeyDescribed
    described.versions.reverse()
    send(&state, .secretDescribed(requestID: request.id, secret: described))
    let secret = state.secrets.first { $0.name == "staging/api-key" }
    #expect(secret?.versionsComplete == true)
    #expect(secret?.versions.first?.versionId == "aaaa1111-0000-4000-8000-00000000000a")
  }

  @Test func refreshSelectedAndToggleDeprecated() {
    var state = Fixture.loaded()
    press(&state, .down)
    let refresh = press(&state, .char("r"))
    #expect(describeRequests(refresh).map(\.name) == ["staging/api-key"])
    #expect(describeRequests(refresh).map(\.deprecated) == [false])
    let toggle = press(&state, .char("d"))
    #expect(state.showDeprecated)
    #expect(describeRequests(toggle).map(\.name) == ["staging/api-key"])
    #expect(describeRequests(toggle).map(\.deprecated) == [true])
  }

  @Test func deprecatedVersionsAreHiddenUntilToggled() {
    var state = Fixture.loaded()
    #expect(state.visibleVersions.count == 2)
    press(&state, .char("d"))
    #expect(state.visibleVersions.count == 3)
    press(&state, .char("d"))
    #expect(state.visibleVersions.count == 2)
  }

  @Test func panesAndNavigation() {
    var state = Fixture.loaded()
    press(&state, .char("G"))
    #expect(state.secretCursor == Fixture.all.count - 1)
    press(&state, .char("g"))
    #expect(state.secretCursor == 0)
    press(&state, .pageDown)
    #expect(state.secretCursor == Fixture.all.count - 1)
    press(&state, .pageUp, .enter)
    #expect(state.focus == .versions)
    press(&state, .char("j"))
    #expect(state.versionCursor == 1)
    press(&state, .char("j"))
    #expect(state.versionCursor == 1)
    press(&state, .char("h"))
    #expect(state.focus == .secrets)
    press(&state, .tab)
    #expect(state.focus == .versions)
    press(&state, .char("l"))
    #expect(state.focus == .versions)
  }

  @Test func filterIsIncrementalEnterKeepsEscClears() {
    var state = Fixture.loaded()
    press(&state, .char("/"))
    #expect(state.filterEditing)
    _ = type(&state, "lab")
    _ = type(&state, "el:awspending")
    #expect(state.rows.count == 1)
    #expect(state.selectedSecret?.name == "staging/api-key")
    press(&state, .enter)
    #expect(!state.filterEditing)
    #expect(state.filterText == "label:awspending")
    press(&state, .char("/"), .backspace)
    #expect(state.filterText == "label:awspendin")
    press(&state, .escape)
    #expect(state.filterText.isEmpty)
    #expect(state.rows.count == Fixture.all.count)
    #expect(state.selectedSecret?.name == "staging/api-key")
  }

  @Test func quitKeysTypeIntoTheFilterInsteadOfQuitting() {
    var state = Fixture.loaded()
    press(&state, .char("/"))
    #expect(type(&state, "q").isEmpty)
    #expect(state.filterText == "q")
    #expect(press(&state, .ctrl("c")) == [.quit])
  }

  @Test func quitSuspendAndHelp() {
    var state = Fixture.loaded()
    #expect(press(&state, .char("q")) == [.quit])
    #expect(press(&state, .ctrl("z")) == [.suspend])
    press(&state, .char("?"))
    #expect(state.popup == .help(scroll: 0))
    press(&state, .escape)
    #expect(state.popup == nil)
  }

  @Test func revealFetchesOnDemandAndForgetsOnClose() throws {
    var state = Fixture.loaded()
    press(&state, .enter)
    let effects = press(&state, .char("v"))
    let id = try #require(
      effects.first.flatMap { effect -> Int? in
        if case .reveal("prod/db/password", Fixture.current, let id) = effect { return id }
        return nil
      })
    send(&state, .valueRevealed(requestID: id + 1, value: RevealedValue("wrong")))
    guard case .reveal(let pending)? = state.popup else { Issue.record("no popup"); return }
    #expect(pending.value == nil)
    send(&state, .valueRevealed(requestID: id, value: RevealedValue("hunter2")))
    guard case .reveal(let shown)? = state.popup else { Issue.record("no popup"); return }
    #expect(shown.value?.text == "hunter2")
    #expect(render(state).text.contains("hunter2"))
    #expect(!String(describing: shown).contains("hunter2"))
    press(&state, .escape)
    #expect(state.popup == nil)
    #expect(!render(state).text.contains("hunter2"))
    send(&state, .valueRevealed(requestID: id, value: RevealedValue("hunter2")))
    #expect(state.popup == nil)
  }

  @Test func revealIsDisabledWithAReasonWithoutVersions() {
    var state = fresh()
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: [Secret(name: "empty")], isLastPage: true))
    press(&state, .enter)
    #expect(press(&state, .char("v")).isEmpty)
    #expect(state.status?.text.contains("no version selected") == true)
    #expect(state.lastAction == .reveal)
  }

  @Test func errorsShowInTheUIAndItStaysUp() {
    var state = fresh()
    send(&state, .started)
    send(
      &state,
      .secretsLoadFailed(
        requestID: 1, message: "AccessDenied: not allowed to ListSecrets\nAsk for secretsmanager:ListSecrets"))
    #expect(state.loading == nil)
    #expect(state.status?.kind == .error)
    guard case .error(_, let message)? = state.popup else { Issue.record("no error popup"); return }
    #expect(message.contains("AccessDenied"))
    let text = render(state).text
    #expect(text.contains("AccessDenied"))
    #expect(text.contains("│ Ask for secretsmanager:ListSecrets"))
    #expect(text.contains("ListSecrets · Ask for"))
    press(&state, .escape)
    #expect(state.popup == nil)
    #expect(press(&state, .char("R")) == [.loadSecrets(requestID: 2)])
  }

  /// A session whose SSO token expired (the client's words say how to log in again): the
  /// reload fails into a popup that says it and how to try again, and the loaded secrets,
  /// the selection and the filter stay as they were.
  /// Any call that fails for an expired sign-in (a refresh of one secret, not only the list)
  /// says so in a popup; R there closes it and reloads, and what was shown stays meanwhile.
  @Test func anExpiredSignInIsAPopupWhereRReloads() {
    var state = Fixture.loaded()
    press(&state, .char("j"))
    let selected = state.selectedSecret?.name
    send(&state, .signInExpired(message: "AWS refused the credentials. Run: aws sso login --profile prod"))
    guard case .error(let title, let message)? = state.popup else {
      Issue.record("no popup")
      return
    }
    #expect(title == "Sign-in expired")
    #expect(message.hasSuffix("Press R to try again."))
    #expect(state.selectedSecret?.name == selected)
    guard case .loadSecrets? = press(&state, .char("R")).first else {
      Issue.record("R in the popup reloads")
      return
    }
    #expect(state.popup == nil)
    #expect(state.selectedSecret?.name == selected, "the list stays while it reloads")
    // A second report while another popup is open does not replace it.
    send(&state, .signInExpired(message: "first"))
    send(&state, .signInExpired(message: "second"))
    guard case .error(_, let shown)? = state.popup else { return }
    #expect(shown.hasPrefix("first"))
  }

  @Test func anExpiredLoginKeepsTheStateAndSaysWhatToRun() {
    var state = Fixture.loaded()
    press(&state, .char("j"))
    let selected = state.selectedSecret?.name
    let rows = state.rows
    let effects = press(&state, .char("R"))
    guard case .loadSecrets(let id)? = effects.first else {
      Issue.record("R reloads: \(effects)")
      return
    }
    send(
      &state,
      .secretsLoadFailed(
        requestID: id,
        message: "The SSO session of profile prod has expired. Run: aws sso login --profile prod, then try again."))
    guard case .error(_, let message)? = state.popup else {
      Issue.record("no error popup")
      return
    }
    #expect(message.contains("aws sso login --profile prod"))
    #expect(message.contains("Press R to try again"))
    #expect(render(state).text.contains("aws sso login"), "the popup is drawn")
    #expect(state.selectedSecret?.name == selected)
    #expect(state.rows == rows)
    // Every word shows, on any width: the popup wraps to its own width, never cuts.
    for width in [80, 110, 200] {
      var wide = state
      wide.width = width
      let words = render(wide).text.replacingOccurrences(of: "│", with: " ").split(whereSeparator: \.isWhitespace)
      #expect(
        words.joined(separator: " ").contains("has expired. Run: aws sso login --profile prod, then try again."),
        "at \(width) columns")
    }
  }

  @Test func describeFailureIsReported() {
    var state = fresh()
    send(&state, .started)
    let effects = send(&state, .secretsPageLoaded(requestID: 1, secrets: Fixture.all, isLastPage: true))
    send(&state, .describeFailed(requestID: describeRequests(effects)[0].id, message: "network unreachable"))
    #expect(state.status?.text.contains("network unreachable") == true)
  }

  @Test func mouseClickSelectsAndFocusesWheelScrolls() {
    var state = Fixture.loaded()
    let layout = state.layout
    send(&state, .terminal(.mouse(MouseEvent(.press(button: 1), x: 3, y: layout.secretRowsTop + 1))))
    #expect(state.selectedSecret?.name == "staging/api-key")
    #expect(state.focus == .secrets)
    send(&state, .terminal(.mouse(MouseEvent(.press(button: 1), x: layout.rightX + 3, y: layout.versionRowsTop + 1))))
    #expect(state.focus == .versions)
    #expect(state.versionCursor == 1)
    send(&state, .terminal(.mouse(MouseEvent(.wheelDown, x: 3, y: layout.secretRowsTop))))
    #expect(state.secretCursor == 4)
    send(&state, .terminal(.mouse(MouseEvent(.wheelUp, x: 3, y: layout.secretRowsTop))))
    #expect(state.secretCursor == 1)
  }

  @Test func resizeKeepsCursorVisible() {
    var state = Fixture.loaded()
    press(&state, .char("G"))
    send(&state, .terminal(.resize(width: 80, height: 8)))
    #expect(state.isTooSmall)
    #expect(render(state).text.contains("Terminal too small: 80x8"))
    send(&state, .terminal(.resize(width: 120, height: 40)))
    #expect(state.secretCursor == Fixture.all.count - 1)
    #expect(state.secretScroll <= state.secretCursor)
  }

  @Test func tickAdvancesClockAndSpinner() {
    var state = fresh()
    send(&state, .started)
    let later = Fixture.now.addingTimeInterval(60)
    send(&state, .tick(now: later))
    #expect(state.now == later)
    #expect(state.spinnerFrame == 1)
    #expect(render(state).text.contains("loading 0"))
  }
}
