import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

@Suite(.ownThreads) struct SecretFilterTests {
  let secrets = Fixture.all

  func names(_ query: String) -> [String] {
    SecretFilter(query).apply(to: secrets).map { secrets[$0].name }
  }

  @Test func emptyQueryKeepsEverythingInOrder() {
    #expect(names("") == secrets.map(\.name))
  }

  @Test func substringIsCaseInsensitive() {
    #expect(names("PROD") == ["prod/db/password"])
  }

  @Test func fuzzySubsequenceMatchesAfterSubstrings() {
    #expect(names("pdp") == ["prod/db/password"])
    #expect(names("api").first == "staging/api-key")
  }

  @Test func labelTermFindsUnfinishedRotations() {
    #expect(names("label:awspending") == ["staging/api-key"])
    #expect(names("label:canary") == ["very/long/secret/name/that/does/not/fit/in/the/left/pane/at/all"])
  }

  @Test func serviceDeletedAndRotationTerms() {
    #expect(names("service:rds") == ["rds!cluster-4f1e"])
    #expect(names("service:") == ["rds!cluster-4f1e"])
    #expect(names("deleted:yes") == ["old/legacy-token"])
    #expect(names("rotation:on") == ["prod/db/password", "staging/api-key"])
  }

  /// What a change to every match (`promote --filter`) uses: a word the TUI would match
  /// fuzzily selects nothing; substrings, case-insensitive, still do.
  @Test func substringMatchingNeverMatchesFuzzily() {
    func strict(_ query: String) -> [String] {
      SecretFilter(query, matching: .substring).apply(to: secrets).map { secrets[$0].name }
    }
    #expect(names("pdp") == ["prod/db/password"])
    #expect(strict("pdp").isEmpty)
    #expect(strict("DB/PASS") == ["prod/db/password"])
    #expect(strict("api") == names("api").filter { $0.lowercased().contains("api") })
    #expect(strict("label:awspending api") == ["staging/api-key"])
    // Non-ASCII words and names take the String path; it is as strict.
    let wide = [Secret(name: "prod/Überweisung"), Secret(name: "prod/uber")]
    #expect(SecretFilter("üwg", matching: .substring).apply(to: wide).isEmpty)
    #expect(SecretFilter("üwg").apply(to: wide) == [0])
    #expect(SecretFilter("ÜBER", matching: .substring).apply(to: wide) == [0])
  }

  @Test func termsCombineWithAnd() {
    #expect(names("rotation:on staging") == ["staging/api-key"])
    #expect(names("rotation:on nomatch").isEmpty)
  }
}

/// The terms for secrets read from several profiles and Regions, and for replicas.
@Suite(.ownThreads) struct EstateFilterTests {
  static let secrets: [Secret] = {
    func secret(_ name: String, _ profile: String?, _ region: String, primary: String? = nil) -> Secret {
      var secret = Secret(name: name, primaryRegion: primary)
      secret.origin = SecretOrigin(profile: profile, region: region)
      return secret
    }
    return [
      secret("db", "prod", "us-east-1"), secret("db", "prod", "eu-west-1", primary: "us-east-1"),
      secret("api", "staging", "eu-west-1"), secret("api", "staging", "eu-central-1"),
      Secret(name: "local"),
    ]
  }()

  func rows(_ query: String) -> [String] {
    SecretFilter(query).apply(to: Self.secrets).map { Self.secrets[$0].origin.map { "\($0)" } ?? "none" }
  }

  @Test func regionProfileAndReplicaTerms() {
    #expect(rows("region:eu-") == ["prod eu-west-1", "staging eu-west-1", "staging eu-central-1"])
    #expect(rows("region:EU-WEST") == ["prod eu-west-1", "staging eu-west-1"])
    #expect(rows("profile:stag") == ["staging eu-west-1", "staging eu-central-1"])
    #expect(rows("replica:yes") == ["prod eu-west-1"])
    #expect(rows("replica:no").count == 4)
    #expect(rows("db region:us profile:prod") == ["prod us-east-1"])
    // A secret read without --regions or --profiles has neither.
    #expect(!rows("region:").contains("none"))
  }

  @Test func anEqualsSignMatchesTheWholeName() {
    #expect(rows("profile:=stag").isEmpty, "a prefix is not the whole name")
    #expect(rows("profile:=STAGING") == ["staging eu-west-1", "staging eu-central-1"])
    #expect(rows("region:=eu-west").isEmpty)
    #expect(rows("region:=eu-west-1 profile:=prod") == ["prod eu-west-1"])
  }
}
