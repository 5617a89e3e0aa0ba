import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// IMDSv2 against a loopback server the test starts and stops.
@Suite(.ownThreads) struct InstanceMetadataCredentialProviderTests {
  static let document = """
    {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "imds-secret",
     "Token": "imds-token", "Expiration": "2031-02-03T04:05:06Z"}
    """

  /// For a loopback server under a loaded test run: the 1 s default (asserted below) is not
  /// what these tests are about.
  static let generous = Duration.seconds(60)

  /// A metadata service that insists on a session token, as IMDSv2-only instances do.
  static func imds(tokenStatus: Int = 200) throws -> LoopbackHTTPServer {
    try LoopbackHTTPServer { request in
      if request.method == "PUT" && request.path == "/latest/api/token" {
        guard request.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600" else { return .init(status: 400) }
        return .init(status: tokenStatus, body: tokenStatus == 200 ? "session-token-1" : "")
      }
      let allowed = tokenStatus == 200 ? request.headers["x-aws-ec2-metadata-token"] == "session-token-1" : true
      guard allowed else { return .init(status: 401) }
      switch request.path {
      case "/latest/meta-data/iam/security-credentials/": return .init(status: 200, body: "stagehand-role\n")
      case "/latest/meta-data/iam/security-credentials/stagehand-role": return .init(status: 200, body: document)
      default: return .init(status: 404)
      }
    }
  }

  @Test func tokenThenRoleThenCredentials() async throws {
    let server = try Self.imds()
    defer { server.stop() }
    let environment = FakeAWSEnvironment.make(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL + "/"])
    let credentials = try await InstanceMetadataCredentialProvider(
      environment: environment, transport: RealTransport.make(), timeout: Self.generous
    ).credentials()
    #expect(credentials.accessKeyId == "ASIAIMDS")
    #expect(credentials.secretAccessKey == "imds-secret")
    #expect(credentials.sessionToken == "imds-token")
    #expect(credentials.expiration == ISO8601Timestamp.parse("2031-02-03T04:05:06Z"))
    #expect(
      server.requests.map { "\($0.method) \($0.path)" } == [
        "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
        "GET /latest/meta-data/iam/security-credentials/stagehand-role",
      ])
  }

  @Test func fallsBackToIMDSv1WhenTheTokenCallIsRefused() async throws {
    let server = try Self.imds(tokenStatus: 403)
    defer { server.stop() }
    let environment = FakeAWSEnvironment.make(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL])
    let credentials = try await InstanceMetadataCredentialProvider(
      environment: environment, transport: RealTransport.make(), timeout: Self.generous
    ).credentials()
    #expect(credentials.accessKeyId == "ASIAIMDS")
    #expect(server.requests.dropFirst().allSatisfy { $0.headers["x-aws-ec2-metadata-token"] == nil })

    let v1Disabled = FakeAWSEnvironment.make([
      "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL, "AWS_EC2_METADATA_V1_DISABLED": "true",
    ])
    await #expect(throws: CredentialsNotConfigured.self) {
      try await InstanceMetadataCredentialProvider(
        environment: v1Disabled, transport: RealTransport.make(), timeout: Self.generous
      )
      .credentials()
    }
  }

  @Test func disabledMakesNoRequest() async throws {
    let transport = ScriptedTransport { _ in HTTPResponse(status: 200) }
    let environment = FakeAWSEnvironment.make(["AWS_EC2_METADATA_DISABLED": "TRUE"])
    await #expect(throws: CredentialsNotConfigured("AWS_EC2_METADATA_DISABLED is true")) {
      try await InstanceMetadataCredentialProvider(environment: environment, transport: transport).credentials()
    }
    #expect(transport.requests.isEmpty)
  }

  @Test func unreachableServiceIsNotConfiguredAndTriesOnceWithOneSecond() async throws {
    let transport = ScriptedTransport { request in throw SecretsError.transport("refused \(request.url)") }
    let provider = InstanceMetadataCredentialProvider(environment: FakeAWSEnvironment.make(), transport: transport)
    #expect(provider.timeout == .seconds(1))
    await #expect(throws: CredentialsNotConfigured.self) { try await provider.credentials() }
    #expect(transport.requests.map(\.method) == ["PUT", "GET"])
    #expect(transport.requests.first?.url.absoluteString == "http://169.254.169.254/latest/api/token")
  }

  @Test func noRoleAttachedIsNotConfigured() async throws {
    let server = try LoopbackHTTPServer { request in
      request.method == "PUT" ? .init(status: 200, body: "t") : .init(status: 404)
    }
    defer { server.stop() }
    let environment = FakeAWSEnvironment.make(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL])
    await #expect(throws: CredentialsNotConfigured.self) {
      try await InstanceMetadataCredentialProvider(
        environment: environment, transport: RealTransport.make(), timeout: Self.generous
      )
      .credentials()
    }
  }
}
