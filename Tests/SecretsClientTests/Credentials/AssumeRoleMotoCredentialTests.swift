import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// AssumeRole over the wire, signed by the real SigV4 signer, against moto's STS.
@Suite(.ownThreads) struct AssumeRoleMotoCredentialTests {
  @Test func assumeRoleAgainstMotoSTS() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let environment = FakeAWSEnvironment.make(
      ["AWS_ENDPOINT_URL": moto.endpoint.absoluteString],
      config: """
        [profile base]
        aws_access_key_id = AKIDMOTOBASE
        aws_secret_access_key = moto-base-secret
        region = us-east-1
        [profile role]
        role_arn = arn:aws:iam::123456789012:role/stagehand-test
        source_profile = base
        role_session_name = stagehand-moto
        duration_seconds = 900
        """)
    let configuration = try AWSConfiguration.resolve(
      profile: "role", region: "us-east-1", endpointURL: nil, environment: environment, transport: RealTransport.make())
    #expect(configuration.endpoint == moto.endpoint)
    let credentials = try await configuration.credentials.credentials()
    #expect(credentials.accessKeyId.hasPrefix("ASIA"))
    #expect(credentials.accessKeyId != "AKIDMOTOBASE")
    #expect(!credentials.secretAccessKey.isEmpty)
    #expect(credentials.sessionToken?.isEmpty == false)
    let expiration = try #require(credentials.expiration)
    #expect(expiration > Date())
  }

  @Test func webIdentityAgainstMotoSTSIsUnsigned() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let environment = FakeAWSEnvironment.make(
      [
        "AWS_ENDPOINT_URL_STS": moto.endpoint.absoluteString, "AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/oidc/token",
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/stagehand-ci", "AWS_ROLE_SESSION_NAME": "ci-run",
        "AWS_EC2_METADATA_DISABLED": "true",
      ], files: ["/var/run/oidc/token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"])
    let configuration = try AWSConfiguration.resolve(
      profile: nil, region: "us-east-1", endpointURL: nil, environment: environment, transport: RealTransport.make())
    let credentials = try await configuration.credentials.credentials()
    #expect(credentials.accessKeyId.hasPrefix("ASIA"))
    #expect(credentials.sessionToken?.isEmpty == false)
    #expect(try #require(credentials.expiration) > Date())
  }
}
