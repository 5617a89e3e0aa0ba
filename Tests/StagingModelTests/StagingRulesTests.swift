import StagehandTestSupport
import Testing

@testable import StagingModel

/// Each confirmed rule of staging-semantics.md, checked on the reference engine.
@Suite(.ownThreads)
struct StagingRulesTests {
  let v1 = "11111111-1111-1111-1111-111111111111"
  let v2 = "22222222-2222-2222-2222-222222222222"
  let v3 = "33333333-3333-3333-3333-333333333333"
  let v4 = "44444444-4444-4444-4444-444444444444"

  func context(_ stages: [VersionID: [String]]) -> StagingContext {
    StagingContext(labels: LabelMap(stages))
  }

  @Test func recordedSequenceAgainstAWS() throws {
    // Rule 6, as recorded against AWS: v2[AWSCURRENT, PUT0], v3[AWSPENDING, PUT1].
    var map = LabelMap([v2: ["AWSCURRENT", "PUT0"], v3: ["AWSPENDING", "PUT1"], v4: []])
    map = try StagingRules.apply(
      StageStep(versionStage: "AWSCURRENT", removeFromVersionId: v2, moveToVersionId: v3),
      to: StagingContext(labels: map))
    #expect(map == LabelMap([v2: ["AWSPREVIOUS", "PUT0"], v3: ["AWSCURRENT", "AWSPENDING", "PUT1"], v4: []]))
    map = try StagingRules.apply(
      StageStep(versionStage: "AWSCURRENT", removeFromVersionId: v3, moveToVersionId: v4),
      to: StagingContext(labels: map))
    #expect(map.labels(on: v2) == ["PUT0"])
    #expect(map.labels(on: v3) == ["AWSPREVIOUS", "AWSPENDING", "PUT1"])
    #expect(map.labels(on: v4) == ["AWSCURRENT"])
  }

  @Test func movingWithoutRemoveFromFailsWithAWSWording() {
    let ctx = context([v1: ["AWSCURRENT"], v2: []])
    #expect(
      throws: StagingRuleError(
        code: "InvalidParameterException",
        message:
          "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version \(v1), so you must explicitly reference that version in RemoveFromVersionId."
      )
    ) {
      try StagingRules.apply(StageStep(versionStage: "AWSCURRENT", moveToVersionId: v2), to: ctx)
    }
  }

  @Test func removeFromWrongVersionFails() {
    let ctx = context([v1: ["X"], v2: []])
    #expect(throws: StagingRuleError.self) {
      try StagingRules.apply(StageStep(versionStage: "X", removeFromVersionId: v2, moveToVersionId: v1), to: ctx)
    }
  }

  @Test func currentCannotBeRemoved() {
    let ctx = context([v1: ["AWSCURRENT"]])
    do {
      _ = try StagingRules.apply(StageStep(versionStage: "AWSCURRENT", removeFromVersionId: v1), to: ctx)
      Issue.record("expected a refusal")
    } catch {
      #expect(error.code == "InvalidParameterException")
      #expect(error.message.contains("It can't be completely removed"))
    }
  }

  @Test func rollbackSwapsCurrentAndPrevious() throws {
    let after = try StagingRules.apply(
      StageStep(versionStage: "AWSCURRENT", removeFromVersionId: v1, moveToVersionId: v2),
      to: context([v1: ["AWSCURRENT"], v2: ["AWSPREVIOUS"]]))
    #expect(after == LabelMap([v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]]))
  }

  @Test func otherLabelsStayWhenCurrentMoves() throws {
    let after = try StagingRules.apply(
      StageStep(versionStage: "AWSCURRENT", removeFromVersionId: v1, moveToVersionId: v3),
      to: context([v1: ["AWSCURRENT", "release-7"], v2: ["AWSPREVIOUS"], v3: ["AWSPENDING"]]))
    #expect(after == LabelMap([v1: ["AWSPREVIOUS", "release-7"], v2: [], v3: ["AWSCURRENT", "AWSPENDING"]]))
  }

  @Test func quotaOfTwentyLabels() {
    var stages: [VersionID: [String]] = [v1: ["AWSCURRENT"], v2: []]
    stages[v2] = (1...19).map { "L\($0)" }
    #expect(
      throws: StagingRuleError(
        code: "LimitExceededException",
        message: "You exceeded the maximum number of staging labels allowed on a secret.")
    ) {
      try StagingRules.apply(StageStep(versionStage: "NEW", moveToVersionId: v1), to: context(stages))
    }
  }

  @Test func awsPrefixIsNotReserved() throws {
    let after = try StagingRules.apply(
      StageStep(versionStage: "AWSSOMETHING", moveToVersionId: v1), to: context([v1: ["AWSCURRENT"]]))
    #expect(after.labels(on: v1) == ["AWSCURRENT", "AWSSOMETHING"])
  }

  @Test(arguments: [
    (StagingContext(labels: LabelMap(["a": ["X"]]), scheduledForDeletion: true), "marked for deletion"),
    (StagingContext(labels: LabelMap(["a": ["X"]]), owningService: "rds"), "managed by rds"),
  ])
  func refusedSecrets(context: StagingContext, words: String) {
    do {
      _ = try StagingRules.apply(StageStep(versionStage: "X", removeFromVersionId: "a"), to: context)
      Issue.record("expected a refusal")
    } catch {
      #expect(error.code == "InvalidRequestException")
      #expect(error.message.contains(words))
    }
  }

  @Test func unknownVersionIsResourceNotFound() {
    #expect(throws: StagingRuleError.self) {
      try StagingRules.apply(StageStep(versionStage: "X", moveToVersionId: "nope"), to: context([v1: []]))
    }
  }

  @Test(arguments: ["", String(repeating: "a", count: 257), "bad\u{1B}label", " lead", "trail\t"])
  func invalidLabels(label: String) {
    #expect(StagingRules.validate(label: label) != nil)
  }

  @Test(arguments: ["AWSCURRENT", "release-2026.11", "a", String(repeating: "a", count: 256), "blue/green"])
  func validLabels(label: String) {
    #expect(StagingRules.validate(label: label) == nil)
  }
}
