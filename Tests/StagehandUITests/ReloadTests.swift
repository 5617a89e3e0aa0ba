import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// A single Region's reload: the rows shown stay until the listing replaces them, a secret
/// gone is dropped once the listing is complete, and a listing that fails part-way keeps the
/// rows it did not reach, badged stale, instead of a list cut where it failed.
@Suite(.ownThreads) struct ReloadTests {
  static func secret(_ name: String, blue: Bool = false) -> Secret {
    let labels: Set<String> = blue ? ["AWSCURRENT", "blue"] : ["AWSCURRENT"]
    return Secret(name: name, versions: [SecretVersion(versionId: "v-\(name)", labels: labels)])
  }

  /// Three secrets listed; the second is selected and marked.
  static func listed() -> AppState {
    var (state, id) = startedUI()
    let page = ["app/a", "app/b", "app/c"].map { secret($0) }
    send(&state, .secretsPageLoaded(requestID: id, secrets: page, isLastPage: true))
    press(&state, .down, .char(" "), .up)
    return state
  }

  static func reload(_ state: inout AppState) -> Int {
    loadRequest(press(&state, .char("R"))) ?? -1
  }

  @Test func rowsStayWhileTheReloadListsThemAndAGoneSecretGoesAtTheEnd() {
    var state = Self.listed()
    #expect(state.selectedSecret?.name == "app/b")
    #expect(state.marks == ["app/b"])
    let id = Self.reload(&state)
    send(&state, .secretsPageLoaded(requestID: id, secrets: [Self.secret("app/c", blue: true)], isLastPage: false))
    #expect(state.secrets.map(\.name) == ["app/a", "app/b", "app/c"], "nothing is dropped before the end")
    #expect(state.selectedSecret?.name == "app/b", "and the selection stays")
    #expect(state.secrets[2].version("v-app/c")?.labels == ["AWSCURRENT", "blue"], "a row listed again is replaced")
    send(
      &state,
      .secretsPageLoaded(requestID: id, secrets: [Self.secret("app/a"), Self.secret("app/d")], isLastPage: true))
    #expect(state.secrets.map(\.name) == ["app/a", "app/c", "app/d"], "app/b is gone, app/d is new")
    #expect(state.marks.isEmpty, "and its mark with it")
    #expect(!state.listIsStale)
    #expect(state.status?.text == "3 secrets loaded")
    #expect(FuzzTests.checkInvariants(state) == nil)
  }

  @Test func aReloadThatFailsKeepsTheRowsItDidNotReachAsStale() {
    var state = Self.listed()
    let id = Self.reload(&state)
    send(&state, .secretsPageLoaded(requestID: id, secrets: [Self.secret("app/a")], isLastPage: false))
    send(&state, .secretsLoadFailed(requestID: id, message: "RequestTimeout"))
    #expect(state.secrets.map(\.name) == ["app/a", "app/b", "app/c"])
    #expect(state.marks == ["app/b"], "marks stay too")
    #expect(state.selectedSecret?.name == "app/b")
    #expect(state.listIsStale)
    let status = state.status?.text ?? ""
    #expect(status.hasPrefix("Loading secrets failed: RequestTimeout"), "\(status)")
    #expect(status.contains("2 secrets not reached are kept as last listed (stale)"), "\(status)")
    press(&state, .escape)
    #expect(render(state).text.contains("[stale]"))

    // The next reload that lists everything clears it.
    let again = Self.reload(&state)
    send(&state, .secretsPageLoaded(requestID: again, secrets: [Self.secret("app/b")], isLastPage: true))
    #expect(state.secrets.map(\.name) == ["app/b"])
    #expect(!state.listIsStale)
    #expect(!render(state).text.contains("[stale]"))
    #expect(state.marks == ["app/b"])
  }

  @Test func aFirstListingThatFailsHasNothingStale() {
    var (state, id) = startedUI()
    send(&state, .secretsPageLoaded(requestID: id, secrets: [Self.secret("app/a")], isLastPage: false))
    send(&state, .secretsLoadFailed(requestID: id, message: "RequestTimeout"))
    #expect(state.secrets.map(\.name) == ["app/a"])
    #expect(!state.listIsStale)
    #expect(state.status?.text == "Loading secrets failed: RequestTimeout")
  }

  @Test func aReloadStoppedByEscKeepsEveryRow() {
    var state = Self.listed()
    let id = Self.reload(&state)
    send(&state, .secretsPageLoaded(requestID: id, secrets: [Self.secret("app/c")], isLastPage: false))
    press(&state, .escape)
    #expect(state.loading == nil)
    send(&state, .secretsPageLoaded(requestID: id, secrets: [], isLastPage: true))
    #expect(state.secrets.map(\.name) == ["app/a", "app/b", "app/c"], "a stopped listing drops nothing")
  }

  /// Reload after reload of random subsets in random pages, some failing part-way, with a
  /// filter typed: the rows are what a plain model says (a complete listing holds exactly
  /// what it listed, a failed one what was there plus what arrived), stale exactly when a
  /// failed listing left rows unreached, and the rows shown equal the filter run afresh.
  @Test(arguments: 0..<40) func reloadsKeepExactlyWhatTheListingSays(seed: UInt64) {
    var rng = SplitMix64(seed: seed &* 31 &+ 7)
    let names = (0..<12).map { "app/\($0)" }
    var (state, id) = startedUI()
    _ = type(&state, "/" + ["", "app/1", "label:blue", "3"][Int(seed % 4)])
    press(&state, .enter)
    var model: Set<String> = []
    var stale = false
    for round in 0..<8 {
      if round > 0 { id = Self.reload(&state) }
      let listed = names.filter { _ in Bool.random(using: &rng) }.shuffled(using: &rng)
      let fails = Int.random(in: 0..<3, using: &rng) == 0
      var pages: [[Secret]] = []
      var rest = listed[...]
      while !rest.isEmpty {
        let size = Int.random(in: 1...rest.count, using: &rng)
        pages.append(rest.prefix(size).map { Self.secret($0, blue: Bool.random(using: &rng)) })
        rest = rest.dropFirst(size)
      }
      if fails { pages = Array(pages.prefix(Int.random(in: 0...pages.count, using: &rng))) }
      var received: Set<String> = []
      for (number, page) in pages.enumerated() {
        let last = !fails && number == pages.count - 1
        send(&state, .secretsPageLoaded(requestID: id, secrets: page, isLastPage: last))
        received.formUnion(page.map(\.name))
      }
      if fails {
        send(&state, .secretsLoadFailed(requestID: id, message: "RequestTimeout"))
        stale = !model.subtracting(received).isEmpty
        model.formUnion(received)
      } else {
        if pages.isEmpty { send(&state, .secretsPageLoaded(requestID: id, secrets: [], isLastPage: true)) }
        model = Set(listed)
        stale = false
      }
      let rows = state.secrets.map(\.name)
      #expect(rows.count == Set(rows).count, "seed \(seed) round \(round): a name twice")
      #expect(Set(rows) == model, "seed \(seed) round \(round)")
      #expect(state.listIsStale == stale, "seed \(seed) round \(round)")
      #expect(FuzzTests.checkInvariants(state) == nil, "seed \(seed) round \(round)")
      if state.popup != nil { press(&state, .escape) }
    }
  }
}
