import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// What the CLI says for each refusal, byte for byte: the planner's reason and, where one
/// exists, the command that would work instead. Every case that carries a suggestion is here,
/// including those no subcommand can reach (the UI's add, a label on two versions).
@Suite(.ownThreads)
struct RefusalTextTests {
  static let one = "aaaa1111-0000-4000-8000-000000000001"
  static let two = "bbbb2222-0000-4000-8000-000000000002"
  static let name = "prod/api key"

  static func secret(_ labels: [VersionID: Set<String>], deleted: Bool = false) -> Secret {
    Secret(
      name: name, deletedDate: deleted ? Date(timeIntervalSince1970: 1_700_000_000) : nil,
      versions: labels.keys.sorted().map { SecretVersion(versionId: $0, labels: labels[$0]!) })
  }

  static func cliText(_ refusal: PlanRefusal) -> String { PlanPrinter.text(refusal) }

  static func refusal(_ intent: MoveIntent, _ secret: Secret) -> PlanRefusal? {
    if case .failure(let refusal) = Planner.plan(intent, for: secret) { return refusal }
    return nil
  }

  static func refusal(resolving text: String, _ secret: Secret) -> PlanRefusal? {
    if case .failure(let refusal) = VersionSpecifier.resolve(text, in: secret) { return refusal }
    return nil
  }

  @Test func plannerRefusalsSayTheCommandThatWouldWork() throws {
    let rotating = Self.secret([Self.one: ["AWSCURRENT", "blue"], Self.two: ["AWSPREVIOUS"]])
    let cases: [(PlanRefusal?, String)] = [
      (
        Self.refusal(.add(label: "blue", to: Self.two), rotating),
        "blue is already on aaaa1111…. Move it instead (stagehand move 'prod/api key' blue --to \(Self.two))."
      ),
      (
        Self.refusal(.remove(label: "AWSCURRENT"), rotating),
        "AWSCURRENT can't be removed, only moved: a secret always has one current version. Move it instead (stagehand move 'prod/api key' AWSCURRENT --to VERSION)."
      ),
      (
        Self.refusal(.makeCurrent("zzzz"), rotating),
        "zzzz is not a version of prod/api key. List them with: stagehand versions 'prod/api key' --include-deprecated"
      ),
      (
        Self.refusal(.move(label: "X", to: Self.one), Self.secret([Self.one: ["AWSCURRENT", "X"], Self.two: ["X"]])),
        "X is on 2 versions (aaaa1111…, bbbb2222…), which AWS never allows. Remove it from all but one first (stagehand remove … --from VERSION)."
      ),
      (
        Self.refusal(.rollback, Self.secret([Self.one: ["AWSCURRENT"], Self.two: ["AWSPREVIOUS"]], deleted: true)),
        "prod/api key is scheduled for deletion, and AWS refuses label changes on it. Restore it first (aws secretsmanager restore-secret --secret-id 'prod/api key')."
      ),
      (
        Self.refusal(.makeCurrent(Self.one), rotating),
        "AWSCURRENT is already on aaaa1111…: nothing to do."
      ),
    ]
    for (refusal, expected) in cases {
      let refusal = try #require(refusal, "expected a refusal for: \(expected)")
      #expect(Self.cliText(refusal) == expected)
    }
  }

  @Test func versionRefusalsSayHowToListTheVersions() throws {
    let secret = Self.secret([Self.one: ["AWSCURRENT"], Self.two: ["AWSPREVIOUS"]])
    let cases: [(String, String)] = [
      (
        "ab",
        "\"ab\" is too short: give a version id, a prefix of at least 4 characters, or :LABEL. List them with: stagehand versions 'prod/api key' --include-deprecated"
      ),
      (
        "ffff",
        "No version of prod/api key starts with \"ffff\". List them with: stagehand versions 'prod/api key' --include-deprecated"
      ),
      (":nope", "No version of prod/api key has the label nope (from \":nope\")."),
    ]
    for (text, expected) in cases {
      let refusal = try #require(Self.refusal(resolving: text, secret))
      #expect(Self.cliText(refusal) == expected)
    }
  }
}
