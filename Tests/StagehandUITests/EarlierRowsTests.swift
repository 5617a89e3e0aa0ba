import StagehandTestSupport
import Testing

@testable import StagehandUI
@testable import StagingModel

/// A backspace takes back the rows of the filter it returns to (`AppState.earlierRows`)
/// while the secrets are unchanged, and reads every secret again once they have changed.
/// That the rows so taken back are right, under random edits, pages and describes, is held
/// by `IncrementalFilterTests.keptRowsEqualTheFilterAfresh`.
@Suite(.ownThreads) struct EarlierRowsTests {
  static func typed(_ text: String, into state: inout AppState) {
    for character in text { _ = update(&state, .terminal(.key(.char(character)))) }
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
