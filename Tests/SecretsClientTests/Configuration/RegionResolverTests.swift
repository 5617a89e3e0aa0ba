import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct RegionResolverTests {
  static let profile = INIFile.Section(name: "dev", entries: ["region": .text("ap-southeast-2")])

  @Test(
    arguments: [
      ("eu-north-1", ["AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-west-2"], "eu-north-1"),
      (nil, ["AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-west-2"], "us-east-1"),
      (nil, ["AWS_DEFAULT_REGION": "us-west-2"], "us-west-2"),
      (nil, [:], "ap-southeast-2"),
      (nil, ["AWS_REGION": ""], "ap-southeast-2"),
    ] as [(String?, [String: String], String)])
  func precedence(explicit: String?, variables: [String: String], expected: String) throws {
    let region = try RegionResolver.resolve(
      explicit: explicit, environment: FakeAWSEnvironment.make(variables), profile: Self.profile, profileName: "dev")
    #expect(region == expected)
  }

  @Test func noRegionNamesAllFourSources() {
    do {
      _ = try RegionResolver.resolve(
        explicit: nil, environment: FakeAWSEnvironment.make(), profile: INIFile.Section(name: "dev"),
        profileName: "dev")
      Issue.record("expected an error")
    } catch {
      let message = error.userMessage
      for source in ["--region", "AWS_REGION", "AWS_DEFAULT_REGION", "region in profile dev"] {
        #expect(message.contains(source), "missing \(source)")
      }
    }
  }

  @Test(arguments: ["us east 1", "us-east-1/evil", "-us", ""])
  func rejectsRegionsThatCannotBeAHostLabel(region: String) {
    #expect(throws: SecretsError.self) {
      try RegionResolver.resolve(
        explicit: nil, environment: FakeAWSEnvironment.make(["AWS_REGION": region]),
        profile: INIFile.Section(name: "x", entries: ["region": .text(region)]), profileName: "x")
    }
  }

  /// The message names the setting the bad region came from, so the user knows what to fix.
  @Test(
    arguments: [
      ("x@host:443#", [:], "--region"),
      (nil, ["AWS_REGION": "x@host:443#"], "AWS_REGION"),
      (nil, ["AWS_DEFAULT_REGION": "evil.com/"], "AWS_DEFAULT_REGION"),
      (nil, ["AWS_REGION": "us-east-1\u{1B}[2J"], "AWS_REGION"),
    ] as [(String?, [String: String], String)])
  func invalidRegionNamesItsSetting(explicit: String?, variables: [String: String], setting: String) {
    do {
      _ = try RegionResolver.resolve(
        explicit: explicit, environment: FakeAWSEnvironment.make(variables), profile: Self.profile, profileName: "dev")
      Issue.record("expected an error")
    } catch {
      #expect(error.userMessage.contains("from \(setting) is not a valid AWS region name"), "\(error.userMessage)")
      #expect(error.userMessage.hasSuffix("Fix \(setting)."))
      #expect(!error.userMessage.contains("\u{1B}"))
    }
  }

  @Test func invalidProfileRegionNamesTheProfile() {
    #expect {
      try RegionResolver.resolve(
        explicit: nil, environment: FakeAWSEnvironment.make(),
        profile: INIFile.Section(name: "dev", entries: ["region": .text("x@host:443#")]), profileName: "dev")
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("from region in profile dev") == true
    }
  }

  @Test(arguments: ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "us-isob-east-1", "x"])
  func validRegionsPassUnchanged(region: String) throws {
    #expect(try RegionResolver.validated(region, setting: "sso_region") == region)
  }
}
