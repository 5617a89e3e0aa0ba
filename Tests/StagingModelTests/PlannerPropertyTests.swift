import StagehandTestSupport
import Testing

@testable import StagingModel

/// Property tests over random well-formed states and intents.
@Suite(.ownThreads)
struct PlannerPropertyTests {
  static let labelPool = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "release", "canary", "blue", "green", "L1", "L2"]

  static func randomState(_ rng: inout SplitMix64) -> StagingContext {
    let versionCount = Int.random(in: 1...6, using: &rng)
    let versions = (0..<versionCount).map { "v\($0)-0000-0000-0000-000000000000" }
    var map = LabelMap()
    for v in versions { map.insertVersion(v) }
    map.add("AWSCURRENT", to: versions.randomElement(using: &rng)!)
    for label in labelPool.dropFirst() where Bool.random(using: &rng) {
      map.add(label, to: versions.randomElement(using: &rng)!)
    }
    // Sometimes crowd the secret towards the quota.
    if Int.random(in: 0..<8, using: &rng) == 0 {
      for i in 0..<Int.random(in: 8...14, using: &rng) where map.labelCount < StandardLabel.quota {
        map.add("Q\(i)", to: versions.randomElement(using: &rng)!)
      }
    }
    return StagingContext(labels: map)
  }

  static func randomIntent(_ ctx: StagingContext, _ rng: inout SplitMix64) -> MoveIntent {
    let versions = ctx.labels.versionIDs + ["unknown-version-id"]
    let version = versions.randomElement(using: &rng)!
    let label = (labelPool + ["new-label"]).randomElement(using: &rng)!
    switch Int.random(in: 0..<7, using: &rng) {
    case 0: return .move(label: label, to: version)
    case 1: return .remove(label: label)
    case 2: return .add(label: label, to: version)
    case 3: return .makeCurrent(version)
    case 4: return .rollback
    case 5: return .promotePending(keepPending: Bool.random(using: &rng))
    default: return .restore(to: randomState(&rng).labels)
    }
  }

  @Test(arguments: 0..<20)
  func plansAreExactAndSafe(seedBlock: Int) throws {
    var planned = 0
    for i in 0..<500 {
      let seed = UInt64(seedBlock * 1000 + i)
      var rng = SplitMix64(seed: seed)
      let ctx = Self.randomState(&rng)
      let intent = Self.randomIntent(ctx, &rng)
      guard case .success(let plan) = Planner.plan(intent, secretName: "s", context: ctx) else { continue }
      planned += 1
      // Applying the steps with the reference rules gives exactly the predicted state.
      let applied = try StagingRules.apply(plan.steps, to: ctx)
      #expect(applied == plan.after, "seed \(seed): \(intent)")
      // A label is never on two versions.
      for label in plan.after.allLabels {
        #expect(plan.after.holders(of: label).count == 1, "seed \(seed): \(label) duplicated")
      }
      // AWSCURRENT is never lost.
      #expect(plan.after.holder(of: "AWSCURRENT") != nil, "seed \(seed): AWSCURRENT lost")
      #expect(plan.after.labelCount <= StandardLabel.quota, "seed \(seed)")
      #expect(!plan.steps.isEmpty, "seed \(seed): an empty plan must be a no-op refusal")
      // Every step that puts a label where another version holds it names that version.
      var sim = ctx
      for step in plan.steps {
        if let to = step.moveToVersionId, let holder = sim.labels.holder(of: step.versionStage), holder != to {
          #expect(step.removeFromVersionId == holder, "seed \(seed)")
        }
        sim.labels = try StagingRules.apply(step, to: sim)
      }
      // Restoring `before` from `after` is planned and lands exactly on `before`.
      let inverse = try Planner.plan(
        .restore(to: plan.before), secretName: "s", context: StagingContext(labels: applied)
      ).get()
      #expect(try StagingRules.apply(inverse.steps, to: StagingContext(labels: applied)) == plan.before, "seed \(seed)")
    }
    #expect(planned > 100, "too few plans were exercised: \(planned)")
  }
}
