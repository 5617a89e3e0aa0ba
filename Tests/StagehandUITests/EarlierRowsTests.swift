import StagehandTestSupport
import Testing

@testable import StagehandUI
@testable import StagingModel

/// A backspace takes back the rows of the filter it returns to (`AppState.earlierRows`)
/// while the secrets are unchanged, and reads every secret again once they have changed.
/// That the rows so taken back are right, under random edits, pages and describes, is held
/// by `IncrementalFilterTests.keptRowsEqualTheFilterAfresh`.
@Suite(.ownThreads) struct EarlierRowsTests {
  /// The describes the keystrokes asked for (the look-ahead reads the rows near the selection).
  @discardableResult static func typed(_ text: String, into state: inout AppState) -> [Effect] {
    text.flatMap { update(&state, .terminal(.key(.char($0)))) }
  }

  static func loaded(_ names: [String]) -> (state: AppState, loadID: Int) {
    var (state, loadID) = startedUI()
    _ = update(
      &state, .secretsPageLoaded(requestID: loadID, secrets: names.map { Secret(name: $0) }, isLastPage: false))
    _ = update(&state, .terminal(.key(.char("/"))))
    return (state, loadID)
  }

  @Test func aBackspaceTakesBackTheRowsTypedOnFrom() {
    var (state, _) = Self.loaded(["prod/payments", "prod/pager", "dev/api", "staging/pay"])
    Self.typed("pay", into: &state)
    #expect(state.earlierRows.map(\.filter) == [SecretFilter("p"), SecretFilter("pa")])
    let rowsOfPa = state.earlierRows[1].rows
    _ = update(&state, .terminal(.key(.backspace)))
    #expect(state.filterText == "pa")
    #expect(state.filtered == rowsOfPa)
    #expect(state.earlierRows.map(\.filter) == [SecretFilter("p")])
    _ = update(&state, .terminal(.key(.backspace)))
    _ = update(&state, .terminal(.key(.backspace)))
    #expect(state.earlierRows.isEmpty)
    #expect(state.rows == [0, 1, 2, 3])
  }

  @Test func changedSecretsAreReadAgain() {
    var (state, loadID) = Self.loaded(["prod/payments", "dev/api"])
    Self.typed("pay", into: &state)
    _ = update(
      &state, .secretsPageLoaded(requestID: loadID, secrets: [Secret(name: "prod/paper")], isLastPage: true))
    #expect(state.earlierRows.isEmpty)
    _ = update(&state, .terminal(.key(.backspace)))
    #expect(state.filterText == "pa")
    #expect(state.rows == SecretFilter("pa").apply(to: state.secrets))
    #expect(state.rows.contains(2))
  }

  /// A describe answered while the user types keeps the rows typed on from, so the next
  /// backspace still reads nothing; a secret read again with other labels moves in and out
  /// of them as it does in the rows shown.
  @Test func aSecretReadAgainKeepsThemUpToDate() throws {
    var (state, loadID) = Self.loaded(["prod/payments", "prod/pager", "dev/api"])
    var relabelled = Secret(name: "dev/api")
    relabelled.versions = [SecretVersion(versionId: "v1", labels: ["blue", "AWSCURRENT"])]
    _ = update(&state, .secretsPageLoaded(requestID: loadID, secrets: [relabelled], isLastPage: false))
    let describes = describeRequests(Self.typed("label:bl", into: &state))
    #expect(state.rows == [2])
    #expect(state.earlierRows.map(\.filter) == [SecretFilter("label:"), SecretFilter("label:b")])
    // The look-ahead read dev/api: its answer has lost the label. A page lists prod/pager
    // again with one.
    let asked = try #require(describes.last { $0.name == "dev/api" })
    _ = update(&state, .secretDescribed(requestID: asked.id, secret: Secret(name: "dev/api")))
    #expect(state.rows.isEmpty)
    var pager = Secret(name: "prod/pager")
    pager.versions = [SecretVersion(versionId: "v2", labels: ["beige"])]
    _ = update(&state, .secretsPageLoaded(requestID: loadID, secrets: [pager], isLastPage: false))
    #expect(state.earlierRows.count == 2)
    _ = update(&state, .terminal(.key(.backspace)))
    #expect(state.filterText == "label:b")
    #expect(state.earlierRows.map(\.filter) == [SecretFilter("label:")])
    #expect(state.rows == [1])
    #expect(state.rows == SecretFilter("label:b").apply(to: state.secrets))
    _ = update(&state, .terminal(.key(.backspace)))
    #expect(state.earlierRows.isEmpty)
    #expect(state.rows == [1])
  }

  @Test func atMostTheLimitIsKeptTheOldestDropped() {
    var (state, _) = Self.loaded(["a" + String(repeating: "b", count: 40)])
    let limit = AppState.earlierRowsLimit
    // "a", then limit + 4 b's: the filters typed on from are "a" and the first limit + 3
    // prefixes with b's; the newest `limit` of them are kept.
    Self.typed("a" + String(repeating: "b", count: limit + 4), into: &state)
    #expect(state.earlierRows.count == limit)
    #expect(state.earlierRows.first?.filter == SecretFilter("a" + String(repeating: "b", count: 4)))
    #expect(state.earlierRows.last?.filter == SecretFilter("a" + String(repeating: "b", count: limit + 3)))
  }
}
