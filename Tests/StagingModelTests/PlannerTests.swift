import Foundation
import StagehandTestSupport
import Testing

@testable import StagingModel

@Suite(.ownThreads)
struct PlannerTests {
  static let c = "c0000000-0000-0000-0000-000000000000"
  static let p = "d0000000-0000-0000-0000-000000000000"
  static let n = "e0000000-0000-0000-0000-000000000000"
  static let old = "f0000000-0000-0000-0000-000000000000"

  static func secret(_ stages: [VersionID: [String]], owningService: String? = nil, deleted: Bool = false) -> Secret {
    Secret(
      name: "prod/db", owningService: owningService, deletedDate: deleted ? Date(timeIntervalSince1970: 0) : nil,
      versions: stages.map { SecretVersion(versionId: $0.key, labels: Set($0.value)) })
  }

  static let rotating = secret([c: ["AWSCURRENT"], p: ["AWSPREVIOUS"], n: ["AWSPENDING"], old: []])

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var secret: Secret
    var intent: MoveIntent
    var steps: [StageStep]
    var after: [VersionID: [String]]
    var notes: [PlanNote]
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "make current shifts AWSPREVIOUS", secret: rotating, intent: .makeCurrent(old),
      steps: [StageStep(versionStage: "AWSCURRENT", removeFromVersionId: c, moveToVersionId: old)],
      after: [c: ["AWSPREVIOUS"], p: [], n: ["AWSPENDING"], old: ["AWSCURRENT"]],
      notes: [.previousShift(from: p, to: c), .deprecated(p), .pendingLeftBehind(n)]),
    Case(
      name: "roll back swaps", secret: rotating, intent: .rollback,
      steps: [StageStep(versionStage: "AWSCURRENT", removeFromVersionId: c, moveToVersionId: p)],
      after: [c: ["AWSPREVIOUS"], p: ["AWSCURRENT"], n: ["AWSPENDING"], old: []],
      notes: [.previousShift(from: p, to: c), .pendingLeftBehind(n)]),
    Case(
      name: "promote pending removes AWSPENDING", secret: rotating, intent: .promotePending(keepPending: false),
      steps: [
        StageStep(versionStage: "AWSCURRENT", removeFromVersionId: c, moveToVersionId: n),
        StageStep(versionStage: "AWSPENDING", removeFromVersionId: n),
      ],
      after: [c: ["AWSPREVIOUS"], p: [], n: ["AWSCURRENT"], old: []],
      notes: [.previousShift(from: p, to: c), .deprecated(p), .notAtomic(steps: 2)]),
    Case(
      name: "promote pending keeping AWSPENDING", secret: rotating, intent: .promotePending(keepPending: true),
      steps: [StageStep(versionStage: "AWSCURRENT", removeFromVersionId: c, moveToVersionId: n)],
      after: [c: ["AWSPREVIOUS"], p: [], n: ["AWSCURRENT", "AWSPENDING"], old: []],
      notes: [.previousShift(from: p, to: c), .deprecated(p)]),
    Case(
      name: "promote when pending already on current just removes it",
      secret: secret([c: ["AWSCURRENT", "AWSPENDING"], p: ["AWSPREVIOUS"]]),
      intent: .promotePending(keepPending: false),
      steps: [StageStep(versionStage: "AWSPENDING", removeFromVersionId: c)],
      after: [c: ["AWSCURRENT"], p: ["AWSPREVIOUS"]], notes: []),
    Case(
      name: "move a custom label", secret: secret([c: ["AWSCURRENT", "release"], p: ["AWSPREVIOUS"]]),
      intent: .move(label: "release", to: p),
      steps: [StageStep(versionStage: "release", removeFromVersionId: c, moveToVersionId: p)],
      after: [c: ["AWSCURRENT"], p: ["AWSPREVIOUS", "release"]], notes: []),
    Case(
      name: "moving a new label adds it", secret: rotating, intent: .move(label: "canary", to: old),
      steps: [StageStep(versionStage: "canary", moveToVersionId: old)],
      after: [c: ["AWSCURRENT"], p: ["AWSPREVIOUS"], n: ["AWSPENDING"], old: ["canary"]],
      notes: [.pendingLeftBehind(n)]),
    Case(
      name: "remove the last label deprecates", secret: rotating, intent: .remove(label: "AWSPREVIOUS"),
      steps: [StageStep(versionStage: "AWSPREVIOUS", removeFromVersionId: p)],
      after: [c: ["AWSCURRENT"], p: [], n: ["AWSPENDING"], old: []],
      notes: [.deprecated(p), .pendingLeftBehind(n)]),
    Case(
      name: "move AWSCURRENT onto the pending version keeps AWSPENDING there (rule 6)",
      secret: secret([c: ["AWSCURRENT", "PUT0"], n: ["AWSPENDING", "PUT1"]]), intent: .move(label: "AWSCURRENT", to: n),
      steps: [StageStep(versionStage: "AWSCURRENT", removeFromVersionId: c, moveToVersionId: n)],
      after: [c: ["AWSPREVIOUS", "PUT0"], n: ["AWSCURRENT", "AWSPENDING", "PUT1"]],
      notes: [.previousShift(from: nil, to: c)]),
    Case(
      name: "restore reverts a rollback", secret: secret([c: ["AWSPREVIOUS"], p: ["AWSCURRENT"]]),
      intent: .restore(to: LabelMap([c: ["AWSCURRENT"], p: ["AWSPREVIOUS"]])),
      steps: [StageStep(versionStage: "AWSCURRENT", removeFromVersionId: p, moveToVersionId: c)],
      after: [c: ["AWSCURRENT"], p: ["AWSPREVIOUS"]], notes: [.previousShift(from: c, to: p)]),
    Case(
      name: "restore reverts a promote", secret: secret([c: ["AWSPREVIOUS"], p: [], n: ["AWSCURRENT"]]),
      intent: .restore(to: LabelMap([c: ["AWSCURRENT"], p: ["AWSPREVIOUS"], n: ["AWSPENDING"]])),
      steps: [
        StageStep(versionStage: "AWSCURRENT", removeFromVersionId: n, moveToVersionId: c),
        StageStep(versionStage: "AWSPREVIOUS", removeFromVersionId: n, moveToVersionId: p),
        StageStep(versionStage: "AWSPENDING", moveToVersionId: n),
      ],
      after: [c: ["AWSCURRENT"], p: ["AWSPREVIOUS"], n: ["AWSPENDING"]],
      notes: [.previousShift(from: c, to: n), .pendingLeftBehind(n), .notAtomic(steps: 3)]),
  ]

  @Test(arguments: cases)
  func plans(_ testCase: Case) throws {
    let plan = try Planner.plan(testCase.intent, for: testCase.secret).get()
    #expect(plan.steps == testCase.steps)
    #expect(plan.after == LabelMap(testCase.after))
    #expect(plan.notes == testCase.notes)
    #expect(plan.before == testCase.secret.labelMap)
    // The reference engine agrees with the prediction.
    let applied = try StagingRules.apply(plan.steps, to: StagingContext(labels: plan.before))
    #expect(applied == plan.after)
  }

  struct Refusal: Sendable, CustomTestStringConvertible {
    var name: String
    var secret: Secret
    var intent: MoveIntent
    var reason: PlanRefusal.Reason
    var words: String
    var suggestion: RefusalSuggestion? = nil
    var testDescription: String { name }
  }

  static let refusals: [Refusal] = [
    Refusal(
      name: "remove AWSCURRENT", secret: rotating, intent: .remove(label: "AWSCURRENT"), reason: .removeCurrent,
      words: "only moved", suggestion: .move(secretName: "prod/db", label: "AWSCURRENT", to: nil)),
    Refusal(
      name: "unknown label", secret: rotating, intent: .remove(label: "nope"), reason: .unknownLabel,
      words: "not on any version"),
    Refusal(
      name: "unknown version", secret: rotating, intent: .makeCurrent("zzzz"), reason: .unknownVersion,
      words: "is not a version of prod/db", suggestion: .listVersions(secretName: "prod/db")),
    Refusal(
      name: "no-op move", secret: rotating, intent: .makeCurrent(c), reason: .noOp, words: "nothing to do"),
    Refusal(
      name: "scheduled for deletion", secret: secret([c: ["AWSCURRENT"], p: []], deleted: true),
      intent: .makeCurrent(p), reason: .scheduledForDeletion, words: "scheduled for deletion",
      suggestion: .restoreSecret(secretName: "prod/db")),
    Refusal(
      name: "managed by another service", secret: secret([c: ["AWSCURRENT"], p: []], owningService: "rds"),
      intent: .makeCurrent(p), reason: .managedByService, words: "managed by rds"),
    Refusal(
      name: "quota", secret: secret([c: ["AWSCURRENT"] + (1...19).map { "L\($0)" }, p: []]),
      intent: .add(label: "L20", to: p), reason: .quotaExceeded, words: "AWS allows 20"),
    Refusal(
      name: "quota counts the automatic AWSPREVIOUS",
      secret: secret([c: ["AWSCURRENT"] + (1...19).map { "L\($0)" }, p: []]),
      intent: .makeCurrent(p), reason: .quotaExceeded, words: "21 labels"),
    Refusal(
      name: "nothing to roll back", secret: secret([c: ["AWSCURRENT"]]), intent: .rollback,
      reason: .nothingToRollBack, words: "no AWSPREVIOUS"),
    Refusal(
      name: "nothing pending", secret: secret([c: ["AWSCURRENT"]]), intent: .promotePending(keepPending: false),
      reason: .nothingPending, words: "no AWSPENDING"),
    Refusal(
      name: "stale from", secret: rotating, intent: .move(label: "AWSCURRENT", to: old, from: p), reason: .conflict,
      words: "labels changed"),
    Refusal(
      name: "add an existing label", secret: rotating, intent: .add(label: "AWSPENDING", to: old),
      reason: .labelExists, words: "is already on",
      suggestion: .move(secretName: "prod/db", label: "AWSPENDING", to: old)),
    Refusal(
      name: "invalid label", secret: rotating, intent: .add(label: "", to: old), reason: .invalidLabel,
      words: "can't be empty"),
    Refusal(
      name: "duplicated label (moto state)", secret: secret([c: ["AWSCURRENT", "X"], p: ["X"]]),
      intent: .move(label: "X", to: c), reason: .malformedState, words: "2 versions",
      suggestion: .removeFromAllButOne(label: "X")),
    Refusal(
      name: "restore to the same labels", secret: rotating, intent: .restore(to: rotating.labelMap), reason: .noOp,
      words: "already as requested"),
  ]

  @Test(arguments: refusals)
  func refuses(_ refusal: Refusal) {
    switch Planner.plan(refusal.intent, for: refusal.secret) {
    case .success(let plan): Issue.record("expected a refusal, got \(plan.steps)")
    case .failure(let error):
      #expect(error.reason == refusal.reason)
      #expect(error.message.contains(refusal.words), "\(error.message)")
      #expect(error.suggestion == refusal.suggestion)
      // Front ends say the suggestion in their own terms; the reason stays in words.
      #expect(!error.message.contains("stagehand "), "\(error.message)")
      #expect(!error.message.contains("aws secretsmanager"), "\(error.message)")
    }
  }

  @Test(arguments: ["ab", "ffff"])
  func versionRefusalsSuggestListingTheVersions(_ text: String) {
    switch VersionSpecifier.resolve(text, in: Self.rotating) {
    case .success(let id): Issue.record("expected a refusal, got \(id)")
    case .failure(let refusal):
      #expect(refusal.reason == .unknownVersion)
      #expect(refusal.suggestion == .listVersions(secretName: "prod/db"))
      #expect(!refusal.message.contains("stagehand "), "\(refusal.message)")
    }
  }

  @Test func diffMarksTheAutomaticShift() throws {
    let plan = try Planner.plan(.makeCurrent(Self.old), for: Self.rotating).get()
    let byVersion = Dictionary(uniqueKeysWithValues: plan.diff.map { ($0.versionId, $0) })
    #expect(byVersion[Self.c]?.added == [LabelChange(label: "AWSPREVIOUS", automatic: true)])
    #expect(byVersion[Self.c]?.removed == [LabelChange(label: "AWSCURRENT", automatic: false)])
    #expect(byVersion[Self.p]?.removed == [LabelChange(label: "AWSPREVIOUS", automatic: true)])
    #expect(byVersion[Self.p]?.becomesDeprecated == true)
    #expect(byVersion[Self.n] == nil)
    #expect(plan.outcomeSummary == "AWSPREVIOUS -> c0000000… (automatic), AWSCURRENT -> f0000000…")
  }

  @Test func awsCLICommandsAreExact() throws {
    let plan = try Planner.plan(.promotePending(keepPending: false), for: Self.rotating).get()
    #expect(
      plan.awsCLICommands == [
        "aws secretsmanager update-secret-version-stage --secret-id prod/db --version-stage AWSCURRENT --remove-from-version-id \(Self.c) --move-to-version-id \(Self.n)",
        "aws secretsmanager update-secret-version-stage --secret-id prod/db --version-stage AWSPENDING --remove-from-version-id \(Self.n)",
      ])
  }

  @Test func quotaNoteNearTheLimit() throws {
    let secret = Self.secret([Self.c: ["AWSCURRENT"] + (1...15).map { "L\($0)" }, Self.p: []])
    let plan = try Planner.plan(.add(label: "L16", to: Self.p), for: secret).get()
    #expect(plan.notes.contains(.quota(used: 17)))
    #expect(PlanNote.quota(used: 18).message == "18 of 20 labels used")
  }

  @Test func noteWording() {
    #expect(
      PlanNote.previousShift(from: "9c1b0000aaaa", to: "3f2a0000bbbb").message
        == "AWSPREVIOUS moves automatically from 9c1b0000… to 3f2a0000…")
    #expect(
      PlanNote.pendingLeftBehind("3f2a0000bbbb").message
        == "AWSPENDING stays on 3f2a0000…: RotateSecret will refuse to start until it is removed")
  }
}

@Suite(.ownThreads)
struct DisplayTextTests {
  @Test(arguments: [
    ("plain/name", "plain/name"),
    ("evil\u{1B}]0;pwned\u{07}", "evil␛]0;pwned␇"),
    ("csi\u{1B}[2J", "csi␛[2J"),
    ("c1\u{9B}31m", "c1<U+009B>31m"),
    ("bidi\u{202E}gnp.exe", "bidi<U+202E>gnp.exe"),
    ("zero\u{200B}width", "zero<U+200B>width"),
    ("line\u{2028}para\u{2029}end", "line<U+2028>para<U+2029>end"),
    ("tab\there\nnewline", "tab␉here␊newline"),
    ("del\u{7F}", "del␡"),
    ("日本語/秘密", "日本語/秘密"),
  ])
  func sanitizes(input: String, expected: String) {
    #expect(DisplayText.sanitized(input) == expected)
    #expect(!DisplayText.sanitized(input).unicodeScalars.contains(where: DisplayText.isDangerous))
  }
}
