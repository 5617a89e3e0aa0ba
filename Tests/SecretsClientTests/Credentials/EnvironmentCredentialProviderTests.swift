import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct EnvironmentCredentialProviderTests {
  @Test func readsKeysAndSessionToken() async throws {
    let provider = EnvironmentCredentialProvider(
      environment: FakeAWSEnvironment.make([
        "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secret-env", "AWS_SESSION_TOKEN": "token-env",
        "AWS_CREDENTIAL_EXPIRATION": "2030-01-02T03:04:05Z",
      ]))
    let credentials = try await provider.credentials()
    #expect(credentials.accessKeyId == "AKIDENV")
    #expect(credentials.secretAccessKey == "secret-env")
    #expect(credentials.sessionToken == "token-env")
    #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_553_445))
  }

  @Test func securityTokenWinsOverSessionTokenAsInBotocore() async throws {
    let provider = EnvironmentCredentialProvider(
      environment: FakeAWSEnvironment.make([
        "AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S", "AWS_SECURITY_TOKEN": "old-name",
        "AWS_SESSION_TOKEN": "new-name",
      ]))
    #expect(try await provider.credentials().sessionToken == "old-name")
  }

  @Test func absentKeyIsNotConfigured() async {
    let provider = EnvironmentCredentialProvider(
      environment: FakeAWSEnvironment.make(["AWS_SECRET_ACCESS_KEY": "S", "AWS_ACCESS_KEY_ID": ""]))
    await #expect(throws: CredentialsNotConfigured("AWS_ACCESS_KEY_ID is not set")) {
      try await provider.credentials()
    }
  }

  @Test func keyWithoutSecretIsAnErrorThatDoesNotEchoTheKey() async {
    let provider = EnvironmentCredentialProvider(
      environment: FakeAWSEnvironment.make(["AWS_ACCESS_KEY_ID": "AKIDLONELY"]))
    do {
      _ = try await provider.credentials()
      Issue.record("expected an error")
    } catch {
      let message = (error as? SecretsError)?.userMessage ?? ""
      #expect(message.contains("AWS_SECRET_ACCESS_KEY"))
      #expect(!message.contains("AKIDLONELY"))
    }
  }
}
