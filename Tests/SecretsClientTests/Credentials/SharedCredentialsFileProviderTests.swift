import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct SharedCredentialsFileProviderTests {
  static let environment = FakeAWSEnvironment.make(
    config: """
      [default]
      aws_access_key_id = CONFIGDEFAULT
      aws_secret_access_key = config-secret
      [profile dev]
      aws_access_key_id = CONFIGDEV
      aws_secret_access_key = config-dev-secret
      aws_session_token = config-dev-token
      [profile half]
      aws_access_key_id = HALF
      """,
    credentials: """
      [default]
      aws_access_key_id = FILEDEFAULT
      aws_secret_access_key = file-secret
      aws_security_token = file-token
      [other]
      region = us-east-1
      """)

  @Test func credentialsFileSection() async throws {
    let files = try SharedConfiguration.load(from: Self.environment)
    let credentials = try await SharedCredentialsFileProvider(profileName: "default", configuration: files)
      .credentials()
    #expect(credentials.accessKeyId == "FILEDEFAULT")
    #expect(credentials.secretAccessKey == "file-secret")
    #expect(credentials.sessionToken == "file-token")
  }

  @Test func configFileSectionUsesProfilePrefix() async throws {
    let files = try SharedConfiguration.load(from: Self.environment)
    let credentials = try await ConfigFileCredentialProvider(profileName: "dev", configuration: files).credentials()
    #expect(credentials.accessKeyId == "CONFIGDEV")
    #expect(credentials.sessionToken == "config-dev-token")
    let fallback = try await ConfigFileCredentialProvider(profileName: "default", configuration: files).credentials()
    #expect(fallback.accessKeyId == "CONFIGDEFAULT")
  }

  @Test func missingSectionOrKeyIsNotConfigured() async throws {
    let files = try SharedConfiguration.load(from: Self.environment)
    await #expect(throws: CredentialsNotConfigured.self) {
      try await SharedCredentialsFileProvider(profileName: "dev", configuration: files).credentials()
    }
    await #expect(throws: CredentialsNotConfigured.self) {
      try await SharedCredentialsFileProvider(profileName: "other", configuration: files).credentials()
    }
    await #expect(throws: CredentialsNotConfigured.self) {
      try await ConfigFileCredentialProvider(profileName: "other", configuration: files).credentials()
    }
  }

  @Test func keyWithoutSecretIsAnError() async throws {
    let files = try SharedConfiguration.load(from: Self.environment)
    await #expect(throws: SecretsError.self) {
      try await ConfigFileCredentialProvider(profileName: "half", configuration: files).credentials()
    }
  }
}
