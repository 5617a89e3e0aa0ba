import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct SSOCredentialProviderTests {
  static let config = """
    [profile sso]
    sso_session = corp
    sso_account_id = 111122223333
    sso_role_name = ReadOnly
    [profile legacy]
    sso_start_url = https://example.awsapps.com/start
    sso_region = eu-west-1
    sso_account_id = 444455556666
    sso_role_name = Admin
    [profile broken]
    sso_account_id = 1
    [profile dangling]
    sso_session = nowhere
    sso_account_id = 1
    sso_role_name = R
    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = us-east-2
    """
  /// sha1("corp") and sha1 of the legacy start URL, as botocore names the cache files.
  static let sessionCache = "/home/tester/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
  static let legacyCache = "/home/tester/.aws/sso/cache/e8be5486177c5b5392bd9aa76563515b29358e6e.json"
  static let now = Date(timeIntervalSince1970: 1_800_000_000)

  static func sources(cache: [String: String], transport: any HTTPTransport) throws -> CredentialSources {
    let environment = FakeAWSEnvironment.make(config: config, files: cache)
    return CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment), transport: transport,
      region: "us-east-1", sign: markerSigning, now: { now })
  }

  static func portalAnswer() -> ScriptedTransport {
    ScriptedTransport { _ in
      HTTPResponse(
        status: 200,
        body: Data(
          #"{"roleCredentials": {"accessKeyId": "AKIDSSO", "secretAccessKey": "sso-secret", "sessionToken": "sso-token", "expiration": 1800003600000}}"#
            .utf8))
    }
  }

  @Test func validSessionTokenIsTradedForRoleCredentials() async throws {
    let transport = Self.portalAnswer()
    let sources = try Self.sources(
      cache: [Self.sessionCache: #"{"accessToken": "bearer-abc", "expiresAt": "2027-02-01T08:00:00Z"}"#],
      transport: transport)
    let credentials = try await SSOCredentialProvider(profileName: "sso", sources: sources).credentials()
    #expect(credentials.accessKeyId == "AKIDSSO")
    #expect(credentials.sessionToken == "sso-token")
    #expect(credentials.expiration == Date(timeIntervalSince1970: 1_800_003_600))
    let request = try #require(transport.requests.first)
    #expect(request.method == "GET")
    #expect(request.url.host == "portal.sso.us-east-2.amazonaws.com")
    #expect(request.url.path == "/federation/credentials")
    let query = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
    #expect(query.first { $0.name == "account_id" }?.value == "111122223333")
    #expect(query.first { $0.name == "role_name" }?.value == "ReadOnly")
    #expect(request.header("x-amz-sso_bearer_token") == "bearer-abc")
  }

  @Test func legacyProfileHashesTheStartURL() async throws {
    let transport = Self.portalAnswer()
    let sources = try Self.sources(
      cache: [Self.legacyCache: #"{"accessToken": "legacy", "expiresAt": "2027-02-01T08:00:00UTC"}"#],
      transport: transport)
    let credentials = try await SSOCredentialProvider(profileName: "legacy", sources: sources).credentials()
    #expect(credentials.accessKeyId == "AKIDSSO")
    #expect(transport.requests.first?.url.host == "portal.sso.eu-west-1.amazonaws.com")
    #expect(transport.requests.first?.header("x-amz-sso_bearer_token") == "legacy")
  }

  @Test(arguments: [
    [:],
    [sessionCache: #"{"accessToken": "old", "expiresAt": "2026-01-01T00:00:00Z"}"#],
    [sessionCache: #"{"expiresAt": "2027-02-01T08:00:00Z"}"#],
  ])
  func missingOrExpiredTokenTellsWhichLoginToRun(cache: [String: String]) async throws {
    let transport = Self.portalAnswer()
    let sources = try Self.sources(cache: cache, transport: transport)
    do {
      _ = try await SSOCredentialProvider(profileName: "sso", sources: sources).credentials()
      Issue.record("expected an error")
    } catch {
      #expect((error as? SecretsError)?.userMessage.contains("aws sso login --profile sso") == true)
    }
    #expect(transport.requests.isEmpty)
  }

  @Test func rejectedTokenAlsoAdvisesLogin() async throws {
    let transport = ScriptedTransport { _ in HTTPResponse(status: 401, body: Data("{}".utf8)) }
    let sources = try Self.sources(
      cache: [Self.sessionCache: #"{"accessToken": "bearer", "expiresAt": "2027-02-01T08:00:00Z"}"#],
      transport: transport)
    await #expect {
      try await SSOCredentialProvider(profileName: "sso", sources: sources).credentials()
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("aws sso login --profile sso") == true
    }
  }

  @Test func incompleteOrDanglingConfigurationIsExplained() async throws {
    let sources = try Self.sources(cache: [:], transport: UnreachableTransport())
    await #expect {
      try await SSOCredentialProvider(profileName: "broken", sources: sources).credentials()
    } throws: { error in
      let message = (error as? SecretsError)?.userMessage ?? ""
      return message.contains("sso_role_name") && message.contains("sso_start_url")
    }
    await #expect {
      try await SSOCredentialProvider(profileName: "dangling", sources: sources).credentials()
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("[sso-session nowhere]") == true
    }
    await #expect(throws: CredentialsNotConfigured.self) {
      try await SSOCredentialProvider(profileName: "default", sources: sources).credentials()
    }
  }

  /// sso_region becomes part of the portal's host name: one that could move the request (and
  /// the bearer token) elsewhere is a configuration error before any request or cache read.
  @Test(
    arguments: [
      (
        "[profile bad]\nsso_start_url = https://x.awsapps.com/start\nsso_region = x@host:443#\n"
          + "sso_account_id = 1\nsso_role_name = R\n", "sso_region in profile bad"
      ),
      (
        "[profile bad]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\n"
          + "sso_start_url = https://x.awsapps.com/start\nsso_region = evil.example/\n", "sso_region in [sso-session s]"
      ),
    ] as [(String, String)])
  func invalidSSORegionIsRefusedBeforeAnyRequest(config: String, setting: String) async throws {
    let transport = Self.portalAnswer()
    let environment = FakeAWSEnvironment.make(config: config)
    let sources = CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment), transport: transport,
      region: "us-east-1", sign: markerSigning, now: { Self.now })
    await #expect {
      try await SSOCredentialProvider(profileName: "bad", sources: sources).credentials()
    } throws: { error in
      let message = (error as? SecretsError)?.userMessage ?? ""
      return message.contains("from \(setting) is not a valid AWS region name") && !message.contains("aws sso login")
    }
    #expect(transport.requests.isEmpty)
  }
}
