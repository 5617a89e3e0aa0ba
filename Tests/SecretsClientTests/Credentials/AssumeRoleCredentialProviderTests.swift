import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct AssumeRoleCredentialProviderTests {
  static let config = """
    [profile base]
    aws_access_key_id = AKIDBASE
    aws_secret_access_key = base-secret
    [profile admin]
    role_arn = arn:aws:iam::123456789012:role/Admin
    source_profile = base
    role_session_name = alice
    external_id = ext-42
    duration_seconds = 1800
    [profile chained]
    role_arn = arn:aws:iam::210987654321:role/Deploy
    source_profile = admin
    [profile from-env]
    role_arn = arn:aws:iam::123456789012:role/FromEnv
    credential_source = Environment
    [profile both]
    role_arn = arn:aws:iam::1:role/X
    source_profile = base
    credential_source = Environment
    [profile loop-a]
    role_arn = arn:aws:iam::1:role/A
    source_profile = loop-b
    [profile loop-b]
    role_arn = arn:aws:iam::1:role/B
    source_profile = loop-a
    [profile self]
    role_arn = arn:aws:iam::1:role/Self
    source_profile = self
    aws_access_key_id = AKIDSELF
    aws_secret_access_key = self-secret
    [profile missing-source]
    role_arn = arn:aws:iam::1:role/X
    source_profile = ghost
    [profile bad-source]
    role_arn = arn:aws:iam::1:role/X
    credential_source = Laptop
    """

  /// Answers every AssumeRole with credentials derived from the role name, so a chain shows
  /// which role produced what.
  static func stsAnswer() -> ScriptedTransport {
    ScriptedTransport { request in
      let form = formFields(request.body)
      let role = form["RoleArn"]?.split(separator: "/").last.map(String.init) ?? "?"
      let xml = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult><Credentials>
            <AccessKeyId>ASIA\(role.uppercased())</AccessKeyId>
            <SecretAccessKey>secret-\(role)</SecretAccessKey>
            <SessionToken>token-\(role)</SessionToken>
            <Expiration>2030-01-01T00:00:00Z</Expiration>
          </Credentials></AssumeRoleResult>
        </AssumeRoleResponse>
        """
      return HTTPResponse(status: 200, body: Data(xml.utf8))
    }
  }

  static func formFields(_ body: Data) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
      if parts.count == 2 { fields[parts[0]] = parts[1] }
    }
    return fields
  }

  static func sources(
    _ transport: any HTTPTransport, variables: [String: String] = [:], region: String = "eu-west-1"
  ) throws -> CredentialSources {
    let environment = FakeAWSEnvironment.make(variables, config: config)
    return CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment), transport: transport,
      region: region, sign: markerSigning, now: { Date(timeIntervalSince1970: 1_800_000_000) })
  }

  @Test func assumesTheRoleWithTheSourceProfilesKeys() async throws {
    let transport = Self.stsAnswer()
    let credentials = try await AssumeRoleCredentialProvider(profileName: "admin", sources: Self.sources(transport))
      .credentials()
    #expect(credentials.accessKeyId == "ASIAADMIN")
    #expect(credentials.secretAccessKey == "secret-Admin")
    #expect(credentials.sessionToken == "token-Admin")
    #expect(credentials.expiration == ISO8601Timestamp.parse("2030-01-01T00:00:00Z"))
    let request = try #require(transport.requests.first)
    #expect(request.method == "POST")
    #expect(request.url.absoluteString == "https://sts.eu-west-1.amazonaws.com/")
    #expect(request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true)
    #expect(request.header("Authorization") == "test-signature AKIDBASE eu-west-1 sts")
    let form = Self.formFields(request.body)
    #expect(form["Action"] == "AssumeRole")
    #expect(form["Version"] == "2011-06-15")
    #expect(form["RoleArn"] == "arn:aws:iam::123456789012:role/Admin")
    #expect(form["RoleSessionName"] == "alice")
    #expect(form["ExternalId"] == "ext-42")
    #expect(form["DurationSeconds"] == "1800")
  }

  @Test func chainedRolesAssumeInOrder() async throws {
    let transport = Self.stsAnswer()
    let credentials = try await AssumeRoleCredentialProvider(profileName: "chained", sources: Self.sources(transport))
      .credentials()
    #expect(credentials.accessKeyId == "ASIADEPLOY")
    #expect(transport.requests.count == 2)
    #expect(transport.requests[0].header("Authorization") == "test-signature AKIDBASE eu-west-1 sts")
    #expect(transport.requests[1].header("Authorization") == "test-signature ASIAADMIN eu-west-1 sts")
    #expect(Self.formFields(transport.requests[1].body)["RoleSessionName"] == "stagehand-session-1800000000")
  }

  @Test func credentialSourceEnvironmentAndEndpointOverride() async throws {
    let transport = Self.stsAnswer()
    let sources = try Self.sources(
      transport,
      variables: [
        "AWS_ACCESS_KEY_ID": "AKIDFROMENV", "AWS_SECRET_ACCESS_KEY": "env-secret",
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4000",
      ])
    let credentials = try await AssumeRoleCredentialProvider(profileName: "from-env", sources: sources).credentials()
    #expect(credentials.accessKeyId == "ASIAFROMENV")
    #expect(transport.requests.first?.url.absoluteString == "http://127.0.0.1:4000/")
    #expect(transport.requests.first?.header("Authorization") == "test-signature AKIDFROMENV eu-west-1 sts")
  }

  @Test func selfReferenceWithStaticKeysIsAllowed() async throws {
    let transport = Self.stsAnswer()
    let credentials = try await AssumeRoleCredentialProvider(profileName: "self", sources: Self.sources(transport))
      .credentials()
    #expect(credentials.accessKeyId == "ASIASELF")
    #expect(transport.requests.first?.header("Authorization") == "test-signature AKIDSELF eu-west-1 sts")
  }

  @Test(arguments: [
    ("both", "both source_profile and credential_source"),
    ("loop-a", "Infinite loop"),
    ("missing-source", "\"ghost\""),
    ("bad-source", "\"Laptop\""),
    ("from-env", "No credentials found in credential_source Environment"),
  ])
  func invalidConfigurationsAreExplained(profile: String, expected: String) async throws {
    let transport = Self.stsAnswer()
    do {
      _ = try await AssumeRoleCredentialProvider(profileName: profile, sources: Self.sources(transport)).credentials()
      Issue.record("expected an error for \(profile)")
    } catch {
      #expect((error as? SecretsError)?.userMessage.contains(expected) == true, "\(error)")
    }
    #expect(transport.requests.isEmpty)
  }

  @Test func profileWithoutRoleIsNotConfigured() async throws {
    await #expect(throws: CredentialsNotConfigured.self) {
      try await AssumeRoleCredentialProvider(profileName: "base", sources: Self.sources(UnreachableTransport()))
        .credentials()
    }
  }

  @Test func unreachableSTSIsAConfigurationErrorNamingTheEndpoint() async throws {
    try await LoopbackSocket.withRefusingPort { port in
      let sources = try Self.sources(
        AsyncHTTPTransport(), variables: ["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(port)"])
      await #expect {
        try await AssumeRoleCredentialProvider(profileName: "admin", sources: sources).credentials()
      } throws: { error in
        guard case .configuration(let message)? = error as? SecretsError else { return false }
        return message.contains("STS AssumeRole") && message.contains("127.0.0.1") && !message.contains("base-secret")
      }
    }
  }

  @Test func stsErrorsKeepCodeAndMessage() async throws {
    let transport = ScriptedTransport { _ in
      let xml = """
        <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
        <Message>User is not authorized to perform: sts:AssumeRole</Message></Error></ErrorResponse>
        """
      return HTTPResponse(status: 403, body: Data(xml.utf8))
    }
    await #expect {
      try await AssumeRoleCredentialProvider(profileName: "admin", sources: Self.sources(transport)).credentials()
    } throws: { error in
      let message = (error as? SecretsError)?.userMessage ?? ""
      return message.contains("AccessDenied") && message.contains("not authorized to perform: sts:AssumeRole")
        && !message.contains("base-secret")
    }
  }

  /// An answer that is not well-formed XML is refused whole (XMLParser used to hand over what
  /// it had read so far): a 200 says where it broke, without quoting it; an error status keeps
  /// its number.
  @Test func malformedSTSAnswersAreRefusedAndExplained() async throws {
    let cases: [(status: Int, body: String, words: String)] = [
      (
        200,
        "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
          + "<SecretAccessKey>half-a-secret</SecretAccessKey><SessionToken>tok", "malformed XML at line 1"
      ),
      (200, "", "the document is empty"),
      (
        200, "<AssumeRoleResponse><Credentials><AccessKeyId>A&B</AccessKeyId></Credentials></AssumeRoleResponse>",
        "a reference must end with ;"
      ),
      (503, "<html><body>Service Unavailable<br></body></html>", "failed: HTTP 503"),
    ]
    for (status, body, words) in cases {
      let transport = ScriptedTransport { _ in HTTPResponse(status: status, body: Data(body.utf8)) }
      await #expect {
        try await AssumeRoleCredentialProvider(profileName: "admin", sources: Self.sources(transport)).credentials()
      } throws: { error in
        let message = (error as? SecretsError)?.userMessage ?? ""
        return message.contains("STS AssumeRole") && message.contains(words) && !message.contains("half-a-secret")
          && !message.contains("base-secret")
      }
    }
  }

  @Test func invalidSessionRegionIsRefusedBeforeAnySTSCall() async throws {
    let transport = Self.stsAnswer()
    await #expect {
      try await AssumeRoleCredentialProvider(
        profileName: "admin", sources: Self.sources(transport, region: "evil.example/")
      ).credentials()
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("is not a valid AWS region name") == true
    }
    #expect(transport.requests.isEmpty)
  }
}
