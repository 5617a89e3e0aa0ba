import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct EndpointResolverTests {
  static func resolve(
    explicit: String? = nil, region: String = "us-east-1", _ variables: [String: String] = [:],
    profile: [String: String] = [:], config: String? = nil
  ) throws -> String {
    let environment = FakeAWSEnvironment.make(variables, config: config)
    let files = try SharedConfiguration.load(from: environment)
    let section = INIFile.Section(name: "p", entries: profile.mapValues { .text($0) })
    return try EndpointResolver.resolve(
      service: .secretsManager, explicit: explicit, region: region, environment: environment, profile: section,
      configuration: files
    ).absoluteString
  }

  @Test func precedenceTable() throws {
    let all = ["AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:2", "AWS_ENDPOINT_URL": "http://127.0.0.1:3"]
    let profile = ["endpoint_url": "http://127.0.0.1:4"]
    #expect(try Self.resolve(explicit: "http://127.0.0.1:1", all, profile: profile) == "http://127.0.0.1:1")
    #expect(try Self.resolve(all, profile: profile) == "http://127.0.0.1:2")
    #expect(try Self.resolve(["AWS_ENDPOINT_URL": "http://127.0.0.1:3"], profile: profile) == "http://127.0.0.1:3")
    #expect(try Self.resolve(profile: profile) == "http://127.0.0.1:4")
    #expect(try Self.resolve() == "https://secretsmanager.us-east-1.amazonaws.com")
  }

  @Test func servicesSectionBeatsProfileEndpointURL() throws {
    let config = """
      [services local]
      secretsmanager =
        endpoint_url = http://127.0.0.1:9
      """
    let url = try Self.resolve(profile: ["services": "local", "endpoint_url": "http://127.0.0.1:4"], config: config)
    #expect(url == "http://127.0.0.1:9")
  }

  @Test func ignoreConfiguredEndpointURLsKeepsOnlyTheCommandLine() throws {
    let variables = ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:3"]
    #expect(
      try Self.resolve(variables, profile: ["endpoint_url": "http://127.0.0.1:4"])
        == "https://secretsmanager.us-east-1.amazonaws.com")
    #expect(try Self.resolve(explicit: "http://127.0.0.1:1", variables) == "http://127.0.0.1:1")
    #expect(
      try Self.resolve(profile: ["ignore_configured_endpoint_urls": "true", "endpoint_url": "http://127.0.0.1:4"])
        == "https://secretsmanager.us-east-1.amazonaws.com")
  }

  @Test(
    arguments: [
      ("us-east-1", [:], [:], "https://secretsmanager.us-east-1.amazonaws.com"),
      ("eu-central-1", [:], [:], "https://secretsmanager.eu-central-1.amazonaws.com"),
      ("cn-north-1", [:], [:], "https://secretsmanager.cn-north-1.amazonaws.com.cn"),
      (
        "cn-northwest-1", ["AWS_USE_FIPS_ENDPOINT": "true"], [:],
        "https://secretsmanager-fips.cn-northwest-1.amazonaws.com.cn"
      ),
      ("us-gov-west-1", [:], [:], "https://secretsmanager.us-gov-west-1.amazonaws.com"),
      (
        "us-gov-west-1", ["AWS_USE_FIPS_ENDPOINT": "true"], [:],
        "https://secretsmanager-fips.us-gov-west-1.amazonaws.com"
      ),
      ("us-west-2", [:], ["use_fips_endpoint": "true"], "https://secretsmanager-fips.us-west-2.amazonaws.com"),
      (
        "us-west-2", ["AWS_USE_FIPS_ENDPOINT": "false"], ["use_fips_endpoint": "true"],
        "https://secretsmanager.us-west-2.amazonaws.com"
      ),
      ("us-iso-east-1", [:], [:], "https://secretsmanager.us-iso-east-1.c2s.ic.gov"),
    ] as [(String, [String: String], [String: String], String)])
  func regionalDefaults(region: String, variables: [String: String], profile: [String: String], expected: String)
    throws
  {
    #expect(try Self.resolve(region: region, variables, profile: profile) == expected)
  }

  @Test(arguments: ["not a url", "ftp://host", "127.0.0.1:5000", "http://"])
  func invalidURLsAreClearErrors(url: String) {
    do {
      _ = try Self.resolve(["AWS_ENDPOINT_URL": url])
      Issue.record("expected an error for \(url)")
    } catch {
      let message = (error as? SecretsError)?.userMessage ?? ""
      #expect(message.contains("AWS_ENDPOINT_URL"))
      #expect(message.contains("not a valid URL"))
    }
  }

  @Test func stsUsesItsOwnVariableAndTheGlobalEndpointWithoutRegion() throws {
    let environment = FakeAWSEnvironment.make([
      "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:7", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:8",
    ])
    let section = INIFile.Section(name: "p")
    let sts = try EndpointResolver.resolve(
      service: .sts, explicit: nil, region: "eu-west-1", environment: environment, profile: section,
      configuration: SharedConfiguration())
    #expect(sts.absoluteString == "http://127.0.0.1:7")
    #expect(
      EndpointResolver.defaultEndpoint(service: .sts, region: nil, fips: false).absoluteString
        == "https://sts.amazonaws.com")
    #expect(
      EndpointResolver.defaultEndpoint(service: .sso, region: "eu-west-1", fips: true).absoluteString
        == "https://portal.sso.eu-west-1.amazonaws.com")
  }

  /// A region reaching the resolver by any path is checked before it becomes a host name.
  @Test(arguments: ["x@host:443#", "evil.example/", "us-east-1.evil.example"])
  func invalidRegionIsRefusedBeforeItBecomesAHost(region: String) {
    for service in [EndpointResolver.Service.secretsManager, .sts, .sso] {
      #expect {
        try EndpointResolver.resolve(
          service: service, explicit: nil, region: region, environment: FakeAWSEnvironment.make(),
          profile: INIFile.Section(name: "p"), configuration: SharedConfiguration())
      } throws: { error in
        (error as? SecretsError)?.userMessage.contains("is not a valid AWS region name") == true
      }
    }
  }
}
