import Foundation
import StagehandTestSupport
import Testing

@testable import StagingModel

/// A change asked of many secrets: every secret ends up either planned or skipped with the
/// planner's reason, the counts add up, and drift is found per secret.
@Suite(.ownThreads)
struct ChangeSetTests {
  static func secret(_ name: String, _ stages: [VersionID: [String]], service: String? = nil, replicaOf: String? = nil)
    -> Secret
  {
    Secret(
      name: name, arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:\(name)-AbCdEf", owningService: service,
      primaryRegion: replicaOf, versions: stages.map { SecretVersion(versionId: $0.key, labels: Set($0.value)) })
  }

  static let c = "c0000000-0000-0000-0000-000000000000"
  static let p = "d0000000-0000-0000-0000-000000000000"
  static let n = "e0000000-0000-0000-0000-000000000000"

  static let secrets = [
    secret("a", [c: ["AWSCURRENT"], p: ["AWSPREVIOUS"], n: ["AWSPENDING"]]),
    secret("b", [c: ["AWSCURRENT"], n: ["AWSPENDING"]]),
    secret("nothing", [c: ["AWSCURRENT"], p: ["AWSPREVIOUS"]]),
    secret("managed", [c: ["AWSCURRENT"], n: ["AWSPENDING"]], service: "rds"),
    secret("replica", [c: ["AWSCURRENT"], n: ["AWSPENDING"]], replicaOf: "eu-west-1"),
  ]

  @Test func everySecretIsPlannedOrSkippedWithItsReason() {
    let set = ChangeSet.plan(Self.secrets) { _ in .promotePending(keepPending: false) }
    #expect(set.plans.map(\.secretName) == ["a", "b"])
    #expect(set.skipped.map(\.secretName) == ["nothing", "managed", "replica"])
    #expect(set.skipped.map(\.refusal.reason) == [.nothingPending, .managedByService, .replica])
    #expect(set.plans.count + set.skipped.count == Self.secrets.count)
    #expect(set.callCount == 4)
    #expect(set.summary == "2 secrets, 4 calls; 3 skipped")
    // Each plan is the planner's own for that secret.
    for plan in set.plans {
      let secret = Self.secrets.first { $0.name == plan.secretName }!
      #expect(plan == (try? Planner.plan(.promotePending(keepPending: false), for: secret).get()))
    }
  }

  @Test func theSummaryCountsInTheSingular() {
    let set = ChangeSet.plan([Self.secrets[1]]) { _ in .rollback }
    #expect(set.plans.isEmpty)
    #expect(set.summary == "0 secrets, 0 calls; 1 skipped")
    let one = ChangeSet.plan([Self.secrets[0]]) { _ in .rollback }
    #expect(one.summary == "1 secret, 1 call")
  }

  @Test func driftIsFoundPerSecretAndAMissingReadIsDrift() {
    let set = ChangeSet.plan(Array(Self.secrets.prefix(2))) { _ in .promotePending(keepPending: false) }
    let a = set.plans[0]
    let b = set.plans[1]
    #expect(set.drift(current: [a.secretId: a.before, b.secretId: b.before]).isEmpty)
    var moved = b.before
    moved.remove("AWSPENDING", from: Self.n)
    let drift = set.drift(current: [a.secretId: a.before, b.secretId: moved])
    #expect(drift.map(\.plan.secretName) == ["b"])
    #expect(drift.first?.changes == ["AWSPENDING was on e0000000…, now on no version"])
    #expect(set.drift(current: [a.secretId: a.before]).map(\.changes) == [["the secret could not be read"]])
    // A version that lost its last label is not drift: only labels count.
    var unlabelled = a.before
    unlabelled.insertVersion("f0000000-0000-0000-0000-000000000000")
    #expect(set.drift(current: [a.secretId: unlabelled, b.secretId: b.before]).isEmpty)
  }

  @Test func secretARNsSayWhereASecretLives() {
    let arn = SecretARN("arn:aws-cn:secretsmanager:cn-north-1:210987654321:secret:a:b-x")
    #expect(arn == SecretARN(partition: "aws-cn", region: "cn-north-1", account: "210987654321"))
    for text in [
      "prod/db", "arn:aws:s3:::bucket", "arn:aws:secretsmanager::1:secret:x", "arn:aws:secretsmanager:r::secret:x",
    ] {
      #expect(SecretARN(text) == nil, "\(text)")
    }
  }
}

extension SecretARN {
  init(partition: String, region: String, account: String) {
    self = SecretARN("arn:\(partition):secretsmanager:\(region):\(account):secret:x")!
  }
}
