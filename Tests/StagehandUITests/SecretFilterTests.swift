import StagehandUI
import StagingModel
import Testing

@Suite struct SecretFilterTests {
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

  @Test func termsCombineWithAnd() {
    #expect(names("rotation:on staging") == ["staging/api-key"])
    #expect(names("rotation:on nomatch").isEmpty)
  }
}
