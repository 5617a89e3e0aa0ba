import Foundation
import StagehandTestSupport
import Testing

@testable import StagingModel

/// RotationPlanner's pre-flight (every refusal, AWS's rules, not moto's) and its predicted labels.
@Suite(.ownThreads)
struct RotationPlannerTests {
  static let c = "c0000000-0000-0000-0000-000000000000"
  static let p = "d0000000-0000-0000-0000-000000000000"
  static let n = "e0000000-0000-0000-0000-000000000000"
  static let old = "f0000000-0000-0000-0000-000000000000"
  static let token = "70000000-0000-4000-8000-000000000007"
  static let lambda = "arn:aws:lambda:us-east-1:123456789012:function:rotate-db"

  static func secret(
    _ stages: [VersionID: [String]], lambda: String? = lambda, rotationEnabled: Bool = true,
    owningService: String? = nil, deleted: Bool = false, primaryRegion: String? = nil
  ) -> Secret {
    Secret(
      name: "prod/db", arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
      rotationEnabled: rotationEnabled, rotationLambdaARN: lambda, owningService: owningService,
      deletedDate: deleted ? Date(timeIntervalSince1970: 0) : nil, primaryRegion: primaryRegion,
      versions: stages.map { SecretVersion(versionId: $0.key, labels: Set($0.value)) })
  }

  static let settled = secret([c: ["AWSCURRENT"], p: ["AWSPREVIOUS"], old: []])

  func refusal(_ result: Result<RotationPreview, PlanRefusal>) -> PlanRefusal? {
    if case .failure(let refusal) = result { return refusal }
    return nil
  }

  // MARK: - Refusals

  @Test func noRotationFunctionIsRefused() throws {
    let bare = Self.secret([Self.c: ["AWSCURRENT"]], lambda: nil, rotationEnabled: false)
    let refused = try #require(refusal(RotationPlanner.rotate(RotationRequest(token: Self.token), for: bare)))
    #expect(refused.reason == .rotationNotConfigured)
    #expect(refused.message.contains("no rotation configured"), "\(refused.message)")
    // RotationEnabled without a function of one's own and without an owning service is not
    // managed rotation; an empty ARN is no ARN.
    let enabledOnly = Self.secret([Self.c: ["AWSCURRENT"]], lambda: "", rotationEnabled: true)
    #expect(
      refusal(RotationPlanner.rotate(RotationRequest(token: Self.token), for: enabledOnly))?.reason
        == .rotationNotConfigured)
    // An ARN in the request is a function; so is managed rotation by the owning service.
    let named = RotationPlanner.rotate(RotationRequest(token: Self.token, lambdaARN: Self.lambda), for: bare)
    guard case .success(let preview) = named, case .rotate(_, let function) = preview.kind else {
      Issue.record("expected a preview, got \(named)")
      return
    }
    #expect(function == .lambda(arn: Self.lambda))
    let managed = Self.secret([Self.c: ["AWSCURRENT"]], lambda: nil, rotationEnabled: true, owningService: "rds")
    let managedPreview = try RotationPlanner.rotate(RotationRequest(token: Self.token), for: managed).get()
    #expect(managedPreview.kind == .rotate(RotationRequest(token: Self.token), function: .managed(service: "rds")))
  }

  /// AWS refuses while AWSPENDING sits on a version other than AWSCURRENT (moto's check is
  /// the other way round: it refuses AWSPENDING on the current version; this must not).
  @Test(
    arguments: [
      [c: ["AWSCURRENT"], n: ["AWSPENDING"]],
      [c: ["AWSCURRENT"], p: ["AWSPREVIOUS", "AWSPENDING"]],
      [c: ["AWSCURRENT"], n: ["AWSPENDING", "release"], p: ["AWSPREVIOUS"]],
      [n: ["AWSPENDING"]],
    ] as [[VersionID: [String]]])
  func staleAWSPENDINGIsRefusedNamingTheVersion(stages: [VersionID: [String]]) throws {
    let secret = Self.secret(stages)
    let pending = try #require(secret.stuckPendingVersion)
    #expect(secret.isRotationStuck)
    let refused = try #require(refusal(RotationPlanner.rotate(RotationRequest(token: Self.token), for: secret)))
    #expect(refused.reason == .rotationInProgress)
    #expect(refused.message.contains(shortID(pending)), "\(refused.message)")
    #expect(refused.suggestion == .finishOrAbandonRotation(secretName: "prod/db", pendingVersion: pending))
  }

  @Test func pendingOnTheCurrentVersionIsNotStuck() throws {
    let secret = Self.secret([Self.c: ["AWSCURRENT", "AWSPENDING"], Self.p: ["AWSPREVIOUS"]])
    #expect(secret.stuckPendingVersion == nil)
    let preview = try RotationPlanner.rotate(RotationRequest(token: Self.token), for: secret).get()
    #expect(preview.notes.contains(.pendingOnCurrent(Self.c)))
    #expect(preview.after == LabelMap([Self.c: ["AWSPREVIOUS"], Self.token: ["AWSCURRENT"]]))
  }

  @Test func deletedAndReplicaSecretsAreRefusedForEveryKind() throws {
    let deleted = Self.secret([Self.c: ["AWSCURRENT"]], deleted: true)
    let replica = Self.secret([Self.c: ["AWSCURRENT"]], primaryRegion: "eu-west-1")
    #expect(replica.isReplica)
    let kinds: [(Secret) -> Result<RotationPreview, PlanRefusal>] = [
      { RotationPlanner.rotate(RotationRequest(token: Self.token), for: $0) },
      { RotationPlanner.putPending(token: Self.token, bytes: 10, binary: false, for: $0) },
      { RotationPlanner.cancel(for: $0) },
    ]
    for kind in kinds {
      let onDeleted = try #require(refusal(kind(deleted)))
      #expect(onDeleted.reason == .scheduledForDeletion)
      #expect(onDeleted.suggestion == .restoreSecret(secretName: "prod/db"))
      let onReplica = try #require(refusal(kind(replica)))
      #expect(onReplica.reason == .replica)
      #expect(onReplica.message.contains("eu-west-1"), "\(onReplica.message)")
    }
    // Label moves on a replica are refused too (moto accepts them, and changes the primary).
    let move = Planner.plan(.makeCurrent(Self.c), for: replica)
    guard case .failure(let refused) = move else {
      Issue.record("a move on a replica was planned: \(move)")
      return
    }
    #expect(refused.reason == .replica)
    #expect(throws: StagingRuleError.replica) {
      try StagingRules.apply(
        StageStep(versionStage: "blue", moveToVersionId: Self.c),
        to: StagingContext(labels: replica.labelMap, primaryRegion: "eu-west-1"))
    }
  }

  @Test func aTokenThatIsAlreadyAVersionIsRefused() throws {
    for result in [
      RotationPlanner.rotate(RotationRequest(token: Self.old), for: Self.settled),
      RotationPlanner.putPending(token: Self.old, bytes: 4, binary: false, for: Self.settled),
    ] {
      let refused = try #require(refusal(result))
      #expect(refused.reason == .labelExists)
      #expect(refused.message.contains(shortID(Self.old)))
    }
  }

  @Test(arguments: [0, RotationPlanner.maximumValueBytes + 1, 1_000_000])
  func emptyAndOversizeValuesAreRefused(bytes: Int) throws {
    let refused = try #require(
      refusal(RotationPlanner.putPending(token: Self.token, bytes: bytes, binary: bytes % 2 == 0, for: Self.settled)))
    #expect(refused.reason == .invalidValue)
    #expect(refused.message.contains(bytes == 0 ? "empty" : "\(bytes) bytes"), "\(refused.message)")
  }

  @Test func theLargestValueIsAccepted() throws {
    let preview = try RotationPlanner.putPending(
      token: Self.token, bytes: RotationPlanner.maximumValueBytes, binary: true, for: Self.settled
    ).get()
    #expect(preview.kind == .putPending(token: Self.token, bytes: RotationPlanner.maximumValueBytes, binary: true))
    #expect(preview.awsCLICommand == nil, "a staged value's command is the app's to write")
  }

  @Test func cancelWithRotationOffIsANoOpThatPointsAtAStuckPending() throws {
    let off = Self.secret([Self.c: ["AWSCURRENT"], Self.n: ["AWSPENDING"]], rotationEnabled: false)
    let refused = try #require(refusal(RotationPlanner.cancel(for: off)))
    #expect(refused.reason == .noOp)
    #expect(refused.suggestion == .finishOrAbandonRotation(secretName: "prod/db", pendingVersion: Self.n))
    let tidy = Self.secret([Self.c: ["AWSCURRENT"]], rotationEnabled: false)
    #expect(refusal(RotationPlanner.cancel(for: tidy))?.suggestion == nil)
  }

  // MARK: - Predictions

  @Test func rotateImmediatelyPredictsTheFinishedLabels() throws {
    let secret = Self.secret([
      Self.c: ["AWSCURRENT", "blue"], Self.p: ["AWSPREVIOUS"], Self.n: ["green"], Self.old: [],
    ])
    let request = RotationRequest(token: Self.token, scheduleDays: 30)
    let preview = try RotationPlanner.rotate(request, for: secret).get()
    #expect(preview.before == LabelMap([Self.c: ["AWSCURRENT", "blue"], Self.p: ["AWSPREVIOUS"], Self.n: ["green"]]))
    // AWSCURRENT's holder becomes AWSPREVIOUS; AWSPREVIOUS's holder keeps nothing (deprecated);
    // custom labels stay where they are.
    #expect(
      preview.after
        == LabelMap([Self.c: ["AWSPREVIOUS", "blue"], Self.n: ["green"], Self.token: ["AWSCURRENT"]]))
    #expect(preview.notes == [.deprecated(Self.p)])
    #expect(preview.kind == .rotate(request, function: .lambda(arn: Self.lambda)))
    #expect(preview.secretId == "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf")
    #expect(
      preview.awsCLICommand
        == "aws secretsmanager rotate-secret --secret-id prod/db --client-request-token \(Self.token) "
        + "--rotation-rules AutomaticallyAfterDays=30")
    let diff = Dictionary(uniqueKeysWithValues: preview.diff.map { ($0.versionId, $0) })
    #expect(diff[Self.p]?.becomesDeprecated == true)
    #expect(diff[Self.p]?.removed == [LabelChange(label: "AWSPREVIOUS", automatic: true)])
    #expect(diff[Self.c]?.added == [LabelChange(label: "AWSPREVIOUS", automatic: true)])
    #expect(diff[Self.token]?.added == [LabelChange(label: "AWSCURRENT")])
    #expect(diff[Self.n] == nil, "a custom label's version is untouched")
  }

  @Test func aPreviousHolderWithOtherLabelsIsNotDeprecated() throws {
    let secret = Self.secret([Self.c: ["AWSCURRENT"], Self.p: ["AWSPREVIOUS", "release-1"]])
    let preview = try RotationPlanner.rotate(RotationRequest(token: Self.token), for: secret).get()
    #expect(preview.after == LabelMap([Self.c: ["AWSPREVIOUS"], Self.p: ["release-1"], Self.token: ["AWSCURRENT"]]))
    #expect(preview.notes.isEmpty)
  }

  @Test func notRotatingImmediatelyChangesNoLabel() throws {
    let request = RotationRequest(token: Self.token, lambdaARN: "arn:aws:lambda:x", rotateImmediately: false)
    let preview = try RotationPlanner.rotate(request, for: Self.settled).get()
    #expect(preview.after == preview.before)
    #expect(preview.diff.isEmpty)
    #expect(preview.notes == [.scheduledOnly])
    #expect(preview.awsCLICommand?.hasSuffix("--rotation-lambda-arn arn:aws:lambda:x --no-rotate-immediately") == true)
  }

  @Test func aSecretWithoutVersionsGetsItsFirstCurrent() throws {
    let preview = try RotationPlanner.rotate(RotationRequest(token: Self.token), for: Self.secret([:])).get()
    #expect(preview.after == LabelMap([Self.token: ["AWSCURRENT"]]))
  }

  @Test func theVersionQuotaNoteCountsTheNewVersion() throws {
    var stages: [VersionID: [String]] = [Self.c: ["AWSCURRENT"]]
    for i in 0..<(RotationPlanner.versionQuotaNoteThreshold - 2) { stages[String(format: "v%031d", i)] = [] }
    let preview = try RotationPlanner.rotate(RotationRequest(token: Self.token), for: Self.secret(stages)).get()
    #expect(preview.notes.contains(.versionQuota(count: RotationPlanner.versionQuotaNoteThreshold)))
    stages.removeValue(forKey: String(format: "v%031d", 0))
    let fewer = try RotationPlanner.rotate(RotationRequest(token: Self.token), for: Self.secret(stages)).get()
    #expect(!fewer.notes.contains { if case .versionQuota = $0 { true } else { false } })
  }

  @Test func putPendingMovesAWSPENDINGOffItsHolder() throws {
    let secret = Self.secret([Self.c: ["AWSCURRENT"], Self.n: ["AWSPENDING"]])
    let preview = try RotationPlanner.putPending(token: Self.token, bytes: 12, binary: false, for: secret).get()
    #expect(preview.after == LabelMap([Self.c: ["AWSCURRENT"], Self.token: ["AWSPENDING"]]))
    #expect(preview.notes == [.pendingReplaced(from: Self.n), .deprecated(Self.n)])
    let onCurrent = Self.secret([Self.c: ["AWSCURRENT", "AWSPENDING"]])
    let fromCurrent = try RotationPlanner.putPending(token: Self.token, bytes: 1, binary: true, for: onCurrent).get()
    #expect(fromCurrent.after == LabelMap([Self.c: ["AWSCURRENT"], Self.token: ["AWSPENDING"]]))
    #expect(fromCurrent.notes == [.pendingReplaced(from: Self.c)])
  }

  /// A secret another service owns takes no value from outside it (AWS refuses the change), but
  /// rotates: that is managed rotation.
  @Test func aManagedSecretRotatesButTakesNoStagedValue() throws {
    let managed = Self.secret([Self.c: ["AWSCURRENT"]], lambda: nil, owningService: "rds")
    let refused = try #require(
      refusal(RotationPlanner.putPending(token: Self.token, bytes: 8, binary: false, for: managed)))
    #expect(refused.reason == .managedByService)
    #expect(refused.message.contains("rds"))
    #expect((try? RotationPlanner.rotate(RotationRequest(token: Self.token), for: managed).get()) != nil)
    #expect((try? RotationPlanner.cancel(for: managed).get()) != nil)
  }

  @Test func cancelChangesNoLabelAndSaysWhereAWSPENDINGIs() throws {
    let secret = Self.secret([Self.c: ["AWSCURRENT"], Self.n: ["AWSPENDING"]])
    let preview = try RotationPlanner.cancel(for: secret).get()
    #expect(preview.after == preview.before)
    #expect(preview.notes == [.rotationTurnedOff, .pendingMayStay(on: Self.n)])
    #expect(preview.awsCLICommand == "aws secretsmanager cancel-rotate-secret --secret-id prod/db")
    #expect(
      try RotationPlanner.cancel(for: Self.settled).get().notes == [.rotationTurnedOff, .pendingMayStay(on: nil)])
  }

  @Test func notesAreWordedForPeopleWithShortIDs() {
    let notes: [RotationNote] = [
      .versionQuota(count: 95), .pendingOnCurrent(Self.c), .scheduledOnly, .pendingReplaced(from: Self.n),
      .rotationTurnedOff, .pendingMayStay(on: Self.n), .pendingMayStay(on: nil), .deprecated(Self.p),
    ]
    for note in notes {
      #expect(!note.message.isEmpty)
      #expect(!note.message.contains(Self.c) && !note.message.contains(Self.n), "full ids: \(note.message)")
    }
    #expect(RotationNote.pendingReplaced(from: Self.n).message.contains(shortID(Self.n)))
  }

  @Test func theCLICommandQuotesWhatTheShellWouldSplit() {
    let request = RotationRequest(token: Self.token, lambdaARN: "arn:with space")
    #expect(request.awsCLICommand(secretId: "it's").contains("--secret-id 'it'\\''s'"))
    #expect(request.awsCLICommand(secretId: "s").contains("--rotation-lambda-arn 'arn:with space'"))
  }
}

/// For random label maps, RotationPlanner's prediction equals what the rotation's own calls
/// give under StagingRules: PutSecretValue of the token with AWSPENDING (which moves the label
/// onto the new version), UpdateSecretVersionStage AWSCURRENT onto it, then AWSPENDING removed.
@Suite(.ownThreads)
struct RotationPlannerPropertyTests {
  static let pool = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "release", "blue", "green", "AWSSOMETHING"]

  static func randomSecret(_ rng: inout SplitMix64) -> Secret {
    let count = Int.random(in: 0...6, using: &rng)
    let ids = (0..<count).map { String(format: "%08x-0000-4000-8000-%012d", $0, $0) }
    var map = LabelMap()
    for id in ids { map.insertVersion(id) }
    if !ids.isEmpty {
      for label in pool where Int.random(in: 0..<3, using: &rng) > 0 || label == "AWSCURRENT" {
        // AWSCURRENT is nearly always there; a secret without it has no value yet.
        if label == "AWSCURRENT" && Int.random(in: 0..<10, using: &rng) == 0 { continue }
        map.add(label, to: ids.randomElement(using: &rng)!)
      }
    }
    return Secret(
      name: "s", rotationEnabled: true, rotationLambdaARN: "arn:aws:lambda:us-east-1:1:function:f",
      versions: map.versionIDs.map { SecretVersion(versionId: $0, labels: map.labels(on: $0)) })
  }

  /// The calls a rotation makes, applied with the reference rules.
  static func applyRotation(_ token: VersionID, to map: LabelMap) throws -> LabelMap {
    var labels = map
    labels.insertVersion(token)
    // PutSecretValue(VersionStages: [AWSPENDING]) behaves as moving AWSPENDING onto the new version.
    labels = try StagingRules.apply(
      StageStep(
        versionStage: StandardLabel.pending, removeFromVersionId: labels.holder(of: StandardLabel.pending),
        moveToVersionId: token), to: StagingContext(labels: labels))
    let finish = [
      StageStep(
        versionStage: StandardLabel.current, removeFromVersionId: labels.holder(of: StandardLabel.current),
        moveToVersionId: token),
      StageStep(versionStage: StandardLabel.pending, removeFromVersionId: token),
    ]
    return try StagingRules.apply(finish, to: StagingContext(labels: labels))
  }

  @Test(arguments: 0..<10)
  func predictionsMatchTheRotationsOwnCalls(block: Int) throws {
    var predicted = 0
    var refused = 0
    for i in 0..<400 {
      let seed = UInt64(block * 10_000 + i)
      var rng = SplitMix64(seed: seed)
      let secret = Self.randomSecret(&rng)
      let token = "70000000-0000-4000-8000-\(String(format: "%012d", i))"
      let request = RotationRequest(token: token, rotateImmediately: Int.random(in: 0..<6, using: &rng) > 0)
      switch RotationPlanner.rotate(request, for: secret) {
      case .failure(let refusal):
        refused += 1
        #expect(refusal.reason == .rotationInProgress, "seed \(seed): \(refusal.message)")
        #expect(secret.stuckPendingVersion != nil, "seed \(seed): refused without a stale AWSPENDING")
      case .success(let preview):
        predicted += 1
        #expect(secret.stuckPendingVersion == nil, "seed \(seed): AWS would refuse")
        let expected = request.rotateImmediately ? try Self.applyRotation(token, to: secret.labelMap) : secret.labelMap
        #expect(preview.after == expected.labelledVersions, "seed \(seed): \(secret.labelMap)")
        #expect(preview.after.holder(of: StandardLabel.pending) == nil || !request.rotateImmediately, "seed \(seed)")
        for label in preview.after.allLabels {
          #expect(preview.after.holders(of: label).count == 1, "seed \(seed): \(label) twice")
        }
        // Every version the diff names changes, and every change is in it.
        for diff in preview.diff { #expect(diff.before != diff.after) }
        #expect(
          Set(preview.diff.map(\.versionId))
            == Set(preview.before.versionIDs + preview.after.versionIDs).filter {
              preview.before.labels(on: $0) != preview.after.labels(on: $0)
            })
      }
      // The staged-value prediction is the PutSecretValue alone.
      let bytes = Int.random(in: 1...RotationPlanner.maximumValueBytes, using: &rng)
      let staged = try RotationPlanner.putPending(token: token, bytes: bytes, binary: false, for: secret).get()
      var put = secret.labelMap
      put.insertVersion(token)
      put = try StagingRules.apply(
        StageStep(
          versionStage: StandardLabel.pending, removeFromVersionId: put.holder(of: StandardLabel.pending),
          moveToVersionId: token), to: StagingContext(labels: put))
      #expect(staged.after == put.labelledVersions, "seed \(seed)")
    }
    #expect(predicted > 100 && refused > 20, "predicted \(predicted), refused \(refused)")
  }
}
