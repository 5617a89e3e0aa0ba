import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct CredentialChainTests {
  struct Fixed: CredentialProvider {
    var sourceName: String
    var result: Result<AWSCredentials, any Error>
    func credentials() async throws -> AWSCredentials { try result.get() }
  }

  @Test func firstSourceWithCredentialsWins() async throws {
    let chain = CredentialChain(providers: [
      Fixed(sourceName: "a", result: .failure(CredentialsNotConfigured("nothing in a"))),
      Fixed(sourceName: "b", result: .success(AWSCredentials(accessKeyId: "B", secretAccessKey: "b"))),
      Fixed(sourceName: "c", result: .success(AWSCredentials(accessKeyId: "C", secretAccessKey: "c"))),
    ])
    #expect(try await chain.credentials().accessKeyId == "B")
  }

  @Test func aConfiguredSourceThatFailsStopsTheChain() async {
    let chain = CredentialChain(providers: [
      Fixed(sourceName: "a", result: .failure(SecretsError.configuration("a is broken"))),
      Fixed(sourceName: "b", result: .success(AWSCredentials(accessKeyId: "B", secretAccessKey: "b"))),
    ])
    await #expect(throws: SecretsError.configuration("a is broken")) { try await chain.credentials() }
  }

  /// The real default chain over an empty environment: one error listing every source, with
  /// --demo, and no secret even though the shared files hold some for another profile.
  @Test func noCredentialsListsEverySourceAndSuggestsDemo() async throws {
    let environment = FakeAWSEnvironment.make(
      ["AWS_EC2_METADATA_DISABLED": "true", "AWS_SECRET_ACCESS_KEY": "stray-env-secret"],
      config: "[profile other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = other-secret\n",
      credentials: "[other]\naws_session_token = other-token\n")
    let sources = CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment),
      transport: UnreachableTransport(), region: "us-east-1")
    let chain = sources.chain(profileName: "default", profileIsExplicit: false)
    do {
      _ = try await chain.credentials()
      Issue.record("expected an error")
    } catch {
      let message = (error as? SecretsError)?.userMessage ?? ""
      for source in [
        "environment variables", "assume role", "web identity", "IAM Identity Center", "shared credentials file",
        "credential_process", "config file", "container credentials", "EC2 instance metadata",
      ] {
        #expect(message.contains(source), "missing \(source)")
      }
      #expect(message.contains("--demo"))
      #expect(message.contains("AWS_EC2_METADATA_DISABLED"))
      for secret in ["stray-env-secret", "other-secret", "other-token", "AKIDOTHER"] {
        #expect(!message.contains(secret))
      }
    }
  }

  @Test func explicitProfileSkipsEnvironmentKeysLikeTheAWSCLI() async throws {
    let environment = FakeAWSEnvironment.make(
      ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env", "AWS_EC2_METADATA_DISABLED": "true"],
      credentials: "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev\n")
    let sources = CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment),
      transport: UnreachableTransport(), region: "us-east-1")
    #expect(try await sources.chain(profileName: "dev", profileIsExplicit: true).credentials().accessKeyId == "AKIDDEV")
    #expect(
      try await sources.chain(profileName: "dev", profileIsExplicit: false).credentials().accessKeyId == "AKIDENV")
  }

  @Test func metadataTimeoutAndAttemptsAreConfigurable() throws {
    let environment = FakeAWSEnvironment.make(
      ["AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"], config: "[default]\nmetadata_service_timeout = 2.5\n")
    let sources = CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment),
      transport: UnreachableTransport(), region: nil)
    let configured = sources.instanceMetadata(profileName: "default")
    #expect(configured.timeout == .milliseconds(2500))
    #expect(configured.attempts == 3)
    let defaults = sources.instanceMetadata(profileName: "other")
    #expect(defaults.timeout == .seconds(1))
    #expect(defaults.attempts == 3)
    let plain = CredentialSources(
      environment: FakeAWSEnvironment.make(), configuration: SharedConfiguration(), transport: UnreachableTransport(),
      region: nil
    ).instanceMetadata(profileName: "default")
    #expect(plain.timeout == .seconds(1))
    #expect(plain.attempts == 1)
  }

  @Test func orderFollowsBotocore() throws {
    let environment = FakeAWSEnvironment.make()
    let sources = CredentialSources(
      environment: environment, configuration: SharedConfiguration(), transport: UnreachableTransport(), region: nil)
    let names = sources.chain(profileName: "default", profileIsExplicit: false).providers.map { "\(type(of: $0))" }
    #expect(
      names == [
        "EnvironmentCredentialProvider", "AssumeRoleCredentialProvider", "WebIdentityCredentialProvider",
        "SSOCredentialProvider", "SharedCredentialsFileProvider", "ProcessCredentialProvider",
        "ConfigFileCredentialProvider", "ContainerCredentialProvider", "InstanceMetadataCredentialProvider",
      ])
  }
}
