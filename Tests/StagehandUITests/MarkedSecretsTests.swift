import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// The marked secrets are found through the index's id hashes, not by reading every secret:
/// over random loads, marks, filters and secrets read again with an ARN learnt (their id
/// changing), they stay the listed secrets whose id is marked, counted and in listed order.
@Suite(.ownThreads) struct MarkedSecretsTests {
  static func secret(_ number: Int, rng: inout SplitMix64) -> Secret {
    // Some names repeat, and some secrets are listed without an ARN: their id is the name.
    let name = "app-\(Int.random(in: 0...(number + 3), using: &rng))-\(number % 7)"
    let arn = Bool.random(using: &rng) ? "arn:aws:secretsmanager:us-east-1:123456789012:secret:\(name)-Ab12Cd" : nil
    return Secret(
      name: name, arn: arn, versions: [SecretVersion(versionId: "v\(number)", labels: [StandardLabel.current])])
  }

  @Test(arguments: 0..<30) func markedSecretsAreTheListedOnesWhoseIdIsMarked(seed: Int) {
    var rng = SplitMix64(seed: UInt64(seed) &* 104_729 &+ 3)
    var (state, loadID) = startedUI()
    let all = (0..<Int.random(in: 10...80, using: &rng)).map { Self.secret($0, rng: &rng) }
    var loaded = 0
    var effects: [Effect] = []
    var sawMarks = false
    for step in 0..<80 {
      switch Int.random(in: 0..<10, using: &rng) {
      case 0..<3: effects += update(&state, .terminal(.key(.char(" "))))
      case 3: effects += update(&state, .terminal(.key(.char("*"))))
      case 4..<6: effects += update(&state, .terminal(.key(.char(Bool.random(using: &rng) ? "j" : "k"))))
      case 6:
        // A one-character filter, or none (esc would stop the load).
        effects += update(&state, .terminal(.key(.char("/"))))
        effects += update(&state, .terminal(.key(.backspace)))
        if Bool.random(using: &rng) {
          effects += update(&state, .terminal(.key(.char(["1", "2", "a", "-"].randomElement(using: &rng)!))))
        }
        _ = update(&state, .terminal(.key(.enter)))
      default:
        if loaded < all.count {
          let count = min(all.count - loaded, Int.random(in: 1...15, using: &rng))
          loaded += count
          effects += update(
            &state,
            .secretsPageLoaded(
              requestID: loadID, secrets: Array(all[(loaded - count)..<loaded]),
              isLastPage: loaded == all.count))
        }
      }
      // Describe answers, some with the ARN the listing left out (the secret's id changes).
      for effect in effects {
        guard case .describe(let name, _, let requestID) = effect, Bool.random(using: &rng) else { continue }
        guard var again = state.secrets.first(where: { $0.name == name }) else { continue }
        if again.arn == nil, Bool.random(using: &rng) {
          again.arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:\(name)-Zz99Yy"
        }
        _ = update(&state, .secretDescribed(requestID: requestID, secret: again))
      }
      effects.removeAll()
      let expected = state.secrets.filter { state.marks.contains($0.id) }
      #expect(state.markedSecrets == expected, "seed \(seed), step \(step)")
      #expect(state.markedCount == expected.count, "seed \(seed), step \(step)")
      if state.markedCount != expected.count { return }
      sawMarks = sawMarks || !expected.isEmpty
    }
    #expect(sawMarks, "seed \(seed): no secret was ever marked")

    // A reload listing some of the secrets drops the marks of the rest, and only those.
    let before = state.marks
    loadID = loadRequest(update(&state, .terminal(.key(.char("R"))))) ?? loadID
    let kept = state.secrets.filter { _ in Bool.random(using: &rng) }
    _ = update(&state, .secretsPageLoaded(requestID: loadID, secrets: kept, isLastPage: true))
    #expect(state.marks == before.intersection(kept.map(\.id)), "seed \(seed): the marks after a reload")
    #expect(state.markedSecrets == state.secrets.filter { state.marks.contains($0.id) })
  }
}
