import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// An error message reaches the screen raw (the app hands over `SecretsError.rawUserMessage`:
/// the server's words only kept on their line, a line feed in them as ␊) and is made safe
/// once, as the screen lays it out, with the terminal's character set: without UTF-8 its
/// controls show in caret notation, as a label's do, never as a control picture made safe a
/// second time (`<U+241B>`); no scalar a terminal would act on reaches a cell.
@Suite(.ownThreads) struct MessageSafetyTests {
  static let message = "AccessDeniedException: no\u{1B}[2J␊way \u{9B}x\nAsk for the IAM permission named above."

  static func expectShown(_ state: AppState, _ asciiOnly: Bool, _ context: String) {
    let grid = render(state)
    #expect(HostileVersionTests.dangerous(grid).isEmpty, "\(context): \(grid.text)")
    #expect(grid.text.contains(asciiOnly ? "no^[[2J<U+240A>way <U+009B>x" : "no␛[2J␊way <U+009B>x"), "\(context)")
    #expect(!grid.text.contains("<U+241B>") && !grid.text.contains("<U+2400"), "\(context): \(grid.text)")
  }

  @Test(arguments: [false, true])
  func loadAndReadFailures(asciiOnly: Bool) {
    var state = AppState(config: Fixture.config(asciiOnly: asciiOnly), now: Fixture.now, width: 120, height: 30)
    guard case .loadSecrets(let id)? = send(&state, .started).first else {
      Issue.record("no load")
      return
    }
    send(&state, .secretsLoadFailed(requestID: id, message: Self.message))
    Self.expectShown(state, asciiOnly, "load popup")
    let status = render(state).text.split(separator: "\n", omittingEmptySubsequences: false)[state.layout.statusRow]
    #expect(status.contains(asciiOnly ? "Loading secrets failed: AccessDeniedException: no^[[2J" : "no␛[2J␊way"))

    // Reading one secret fails: the status line says so.
    var loaded = AppState(config: Fixture.config(asciiOnly: asciiOnly), now: Fixture.now, width: 120, height: 30)
    send(&loaded, .started)
    let effects = send(&loaded, .secretsPageLoaded(requestID: 1, secrets: Fixture.all, isLastPage: true))
    guard let describe = describeRequests(effects).first else {
      Issue.record("no describe")
      return
    }
    send(&loaded, .describeFailed(requestID: describe.id, message: Self.message))
    Self.expectShown(loaded, asciiOnly, "describe status")
  }
}
