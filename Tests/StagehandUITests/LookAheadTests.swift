import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// Reading ahead of the selection: the next rows the way it moves and one behind, at most a
/// few reads in flight, the ones it has left cancelled; and, in a walk through a list on a
/// simulated network, the secret `j` lands on is nearly always read already.
struct LookAheadTests {
  /// `count` secrets as ListSecrets gives them: labels only, versions to be described.
  static func listed(_ count: Int) -> [Secret] {
    (0..<count).map { index in
      Secret(
        name: String(format: "app/%04d", index),
        versions: [
          SecretVersion(versionId: String(format: "%08d-0000-4000-8000-000000000001", index), labels: ["AWSCURRENT"])
        ])
    }
  }

  /// A state with `secrets` loaded and no read answered yet; the effects of the load.
  static func loading(_ secrets: [Secret]) -> (AppState, [Effect]) {
    var state = AppState(config: Fixture.config(), now: Fixture.now, width: 100, height: 30)
    guard case .loadSecrets(let id)? = send(&state, .started).first else { return (state, []) }
    let effects = send(&state, .secretsPageLoaded(requestID: id, secrets: secrets, isLastPage: true))
    return (state, effects)
  }

  static func inFlight(_ state: AppState) -> Set<String> { Set(state.describes.values.map(\.secretName)) }

  @Test func itReadsAheadTheWayTheSelectionMovesAndCancelsWhatItLeft() {
    var (state, _) = Self.loading(Self.listed(40))
    for _ in 0..<10 { press(&state, .char("j")) }
    #expect(state.selectedSecret?.name == "app/0010")
    // Ahead: 11, 12, 13; behind: 9; and the selected one.
    for name in ["app/0010", "app/0011", "app/0012", "app/0013", "app/0009"] {
      #expect(Self.inFlight(state).contains(name), "\(name)")
    }
    #expect(state.describes.values.filter(\.isLookAhead).count <= 6)
    // Turning round: the reads below are left behind and cancelled; the ones above start.
    let turned = press(&state, .char("k"), .char("k"))
    let cancelled = turned.compactMap { effect -> Int? in
      if case .cancelDescribe(let id) = effect { return id }
      return nil
    }
    #expect(!cancelled.isEmpty)
    #expect(cancelled.allSatisfy { state.describes[$0] == nil }, "a cancelled read is forgotten")
    for name in ["app/0007", "app/0006", "app/0005"] { #expect(Self.inFlight(state).contains(name), "\(name)") }
    #expect(!Self.inFlight(state).contains("app/0013"))
    // Its late answer changes nothing.
    let before = (state.secrets, state.describes)
    var late = Self.listed(40)[13]
    late.versionsComplete = true
    for id in cancelled { send(&state, .secretDescribed(requestID: id, secret: late)) }
    #expect(state.secrets == before.0 && state.describes == before.1)
  }

  @Test func lookAheadNeverHasMoreThanItsLimitInFlight() {
    var (state, _) = Self.loading(Self.listed(200))
    var rng = SplitMix64(seed: 7)
    for _ in 0..<300 {
      press(&state, Bool.random(using: &rng) ? .char("j") : .char("k"))
      #expect(state.describes.values.filter(\.isLookAhead).count <= 6)
    }
  }

  /// A user walks down 300 secrets, one `j` every `cadence` ms; each read answers after a 40 ms
  /// round trip plus 20 ms at the server. Counted: presses that land on a secret already read.
  static func walk(cadence: Int, presses: Int = 300) -> Double {
    var (state, effects) = Self.loading(Self.listed(presses + 10))
    var pending: [(due: Int, id: Int, name: String)] = []
    func schedule(_ effects: [Effect], at now: Int) {
      for effect in effects {
        if case .describe(let name, _, let id) = effect { pending.append((now + 60, id, name)) }
        if case .cancelDescribe(let id) = effect { pending.removeAll { $0.id == id } }
      }
    }
    schedule(effects, at: 0)
    var ready = 0
    for step in 1...presses {
      let now = step * cadence
      for answer in pending.filter({ $0.due <= now }).sorted(by: { $0.due < $1.due }) {
        var secret = Self.listed(presses + 10).first { $0.name == answer.name }!
        secret.versionsComplete = true
        schedule(send(&state, .secretDescribed(requestID: answer.id, secret: secret)), at: answer.due)
      }
      pending.removeAll { $0.due <= now }
      effects = press(&state, .char("j"))
      if state.selectedSecret?.versionsComplete == true { ready += 1 }
      schedule(effects, at: now)
    }
    return Double(ready) / Double(presses)
  }

  @Test(arguments: [150, 80, 40, 30])
  func aWalkFindsNearlyEverySecretReadAlready(cadence: Int) {
    let share = Self.walk(cadence: cadence)
    print(
      "LookAheadTests: one j every \(cadence) ms at a 40 ms round trip: \(Int(share * 100))% landed on a secret read already"
    )
    #expect(share >= 0.9, "\(share) at one j every \(cadence) ms")
  }
}
