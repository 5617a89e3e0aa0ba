import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct WebIdentityCredentialProviderTests {
  static func sts() -> ScriptedTransport {
    ScriptedTransport { _ in
      let xml = """
        <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>
        <AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey>
        <SessionToken>web-token</SessionToken><Expiration>2030-06-01T00:00:00.000Z</Expiration>
        </Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
        """
      return HTTPResponse(status: 200, body: Data(xml.utf8))
    }
  }

  static func sources(
    _ variables: [String: String], transport: ScriptedTransport, region: String = "us-west-2"
  ) throws -> CredentialSources {
    let environment = FakeAWSEnvironment.make(
      variables,
      config: """
        [profile ci]
        web_identity_token_file = /profile/token
        role_arn = arn:aws:iam::1:role/FromProfile
        role_session_name = profile-session
        """, files: ["/env/token": "env-jwt\n", "/profile/token": "profile-jwt"])
    return CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment), transport: transport,
      region: region, sign: markerSigning)
  }

  @Test func environmentVariablesWinAndTheCallIsUnsigned() async throws {
    let transport = Self.sts()
    let sources = try Self.sources(
      [
        "AWS_WEB_IDENTITY_TOKEN_FILE": "/env/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/FromEnv",
        "AWS_ROLE_SESSION_NAME": "env-session",
      ], transport: transport)
    let credentials = try await WebIdentityCredentialProvider(profileName: "ci", sources: sources).credentials()
    #expect(credentials.accessKeyId == "ASIAWEB")
    #expect(credentials.expiration == ISO8601Timestamp.parse("2030-06-01T00:00:00Z"))
    let request = try #require(transport.requests.first)
    #expect(request.header("Authorization") == nil)
    #expect(request.url.host == "sts.us-west-2.amazonaws.com")
    let form = AssumeRoleCredentialProviderTests.formFields(request.body)
    #expect(form["Action"] == "AssumeRoleWithWebIdentity")
    #expect(form["RoleArn"] == "arn:aws:iam::1:role/FromEnv")
    #expect(form["RoleSessionName"] == "env-session")
    #expect(form["WebIdentityToken"] == "env-jwt")
  }

  @Test func profileSettingsWhenTheEnvironmentIsIgnored() async throws {
    let transport = Self.sts()
    let sources = try Self.sources(["AWS_WEB_IDENTITY_TOKEN_FILE": "/env/token"], transport: transport)
    _ = try await WebIdentityCredentialProvider(profileName: "ci", sources: sources, ignoringEnvironment: true)
      .credentials()
    let form = AssumeRoleCredentialProviderTests.formFields(try #require(transport.requests.first).body)
    #expect(form["WebIdentityToken"] == "profile-jwt")
    #expect(form["RoleArn"] == "arn:aws:iam::1:role/FromProfile")
    #expect(form["RoleSessionName"] == "profile-session")
  }

  @Test func tokenWithoutRoleIsAnErrorAndNothingIsNotConfigured() async throws {
    let transport = Self.sts()
    let withoutRole = try Self.sources(["AWS_WEB_IDENTITY_TOKEN_FILE": "/env/token"], transport: transport)
    await #expect(throws: SecretsError.self) {
      try await WebIdentityCredentialProvider(profileName: "default", sources: withoutRole).credentials()
    }
    let nothing = try Self.sources([:], transport: transport)
    await #expect(throws: CredentialsNotConfigured.self) {
      try await WebIdentityCredentialProvider(profileName: "default", sources: nothing).credentials()
    }
    #expect(transport.requests.isEmpty)
  }

  /// The STS host is built from the session's region: a bad one stops before the token is sent.
  @Test func invalidSessionRegionIsRefusedBeforeTheTokenIsSent() async throws {
    let transport = Self.sts()
    let sources = try Self.sources(
      ["AWS_WEB_IDENTITY_TOKEN_FILE": "/env/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/FromEnv"],
      transport: transport, region: "x@host:443#")
    await #expect {
      try await WebIdentityCredentialProvider(profileName: "ci", sources: sources).credentials()
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("\"x@host:443#\" from the region setting is not a valid") == true
    }
    #expect(transport.requests.isEmpty)
  }
}
