import Foundation
import StagehandTestSupport
import Testing

@testable import StagingModel

/// Replicas are read-only on AWS: every intent is refused before a call is planned, with the
/// primary's Region as the suggestion; a primary's plans say where they replicate.
@Suite(.ownThreads)
struct ReplicaPlanningTests {
  static let c = PlannerTests.c
  static let p = PlannerTests.p
  static let n = PlannerTests.n

  static func secret(primaryRegion: String? = nil, replicas: [ReplicaStatus] = []) -> Secret {
    var secret = PlannerTests.secret([c: ["AWSCURRENT"], p: ["AWSPREVIOUS"], n: ["AWSPENDING", "canary"]])
    secret.primaryRegion = primaryRegion
    secret.replicationStatus = replicas
    return secret
  }

  static let intents: [MoveIntent] = [
    .move(label: "canary", to: c), .remove(label: "canary"), .add(label: "release", to: p), .makeCurrent(n),
    .rollback, .promotePending(keepPending: false), .restore(to: LabelMap([c: ["AWSCURRENT"]])),
  ]

  @Test(arguments: intents) func everyIntentOnAReplicaIsRefused(intent: MoveIntent) throws {
    let refusal = try #require(Planner.plan(intent, for: Self.secret(primaryRegion: "us-east-1")).failure)
    #expect(refusal.reason == .replica)
    #expect(refusal.message.contains("us-east-1"))
    #expect(refusal.suggestion == .changeOnPrimary(secretName: "prod/db", region: "us-east-1"))
    // The same intent on the primary is not refused for being a replica.
    #expect(Planner.plan(intent, for: Self.secret()).failure?.reason != .replica)
  }

  @Test func theRulesRefuseACallOnAReplicaAsAWSDoes() {
    let context = StagingContext(labels: Self.secret().labelMap, primaryRegion: "us-east-1")
    #expect(throws: StagingRuleError.self) {
      try StagingRules.apply(StageStep(versionStage: "canary", removeFromVersionId: Self.n), to: context)
    }
  }

  @Test func rotationCallsOnAReplicaAreRefusedToo() throws {
    let replica = Self.secret(primaryRegion: "eu-west-1")
    let token = "a1000000-0000-0000-0000-000000000000"
    for result in [
      RotationPlanner.rotate(RotationRequest(token: token, lambdaARN: "arn:aws:lambda:x"), for: replica),
      RotationPlanner.putPending(token: token, bytes: 3, binary: false, for: replica),
    ] {
      let refusal = try #require(result.failure)
      #expect(refusal.reason == .replica)
      #expect(refusal.suggestion == .changeOnPrimary(secretName: "prod/db", region: "eu-west-1"))
    }
  }

  @Test func aPrimarysPlanNamesEveryReplicaWithItsStatus() throws {
    let replicas = [
      ReplicaStatus(region: "eu-west-1", status: "InSync", statusMessage: "Replication succeeded"),
      ReplicaStatus(region: "ap-south-1", status: "Failed", statusMessage: "Secret with this name already exists"),
    ]
    let plan = try Planner.plan(.rollback, for: Self.secret(replicas: replicas)).get()
    #expect(plan.notes.last == .replicates(to: replicas))
    #expect(
      plan.notes.last?.message
        == "replicates asynchronously to eu-west-1 (InSync: Replication succeeded), "
        + "ap-south-1 (Failed: Secret with this name already exists)")
    #expect(
      !(try Planner.plan(.rollback, for: Self.secret()).get().notes.contains {
        if case .replicates = $0 { true } else { false }
      }))
    // The Regions a wait for replicas reads, in the note's order.
    #expect(plan.replicaRegions == ["eu-west-1", "ap-south-1"])
    #expect(try Planner.plan(.rollback, for: Self.secret()).get().replicaRegions.isEmpty)
  }

  /// How a replica still behind is reported (the CLI's --wait-replication and the UI's W).
  @Test func labelsAreSaidByShortIDInIDOrder() {
    let labels = LabelMap([Self.p: ["AWSPREVIOUS", "blue"], Self.c: ["AWSCURRENT"]])
    #expect(labels.shortText == "c0000000… AWSCURRENT; d0000000… AWSPREVIOUS,blue")
  }
}

extension Result {
  var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}
