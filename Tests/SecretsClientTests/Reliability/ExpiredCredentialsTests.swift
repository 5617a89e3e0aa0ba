import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct ExpiredCredentialsTests {
  struct Empty: Codable {}

  static func client(_ transport: MockTransport, _ provider: any CredentialProvider, recorder: Recorder = Recorder())
    -> AWSJSONClient
  {
    var client = AWSJSONClient.testing(transport, recorder: recorder)
    client.credentials = provider
    client.clockCorrection = ClockCorrection()
    return client
  }

  static func signedKeys(_ transport: MockTransport) -> [String] {
    transport.requests.map { request in
      let authorization = request.header("Authorization") ?? ""
      let credential = authorization.split(separator: " ").first { $0.hasPrefix("Credential=") } ?? ""
      return String(credential.dropFirst("Credential=".count).prefix { $0 != "/" })
    }
  }

  static let expired = MockTransport.error(
    400, "ExpiredTokenException", "The security token included in the request is expired")

  @Test(arguments: ["ExpiredTokenException", "ExpiredToken", "InvalidClientTokenId", "UnrecognizedClientException"])
  func aRefusedSessionIsRefreshedOnceAndTheCallSentAgain(_ code: String) async throws {
    let transport = MockTransport { _, index in
      index == 1 ? MockTransport.error(400, code, "refused") : MockTransport.json(200, "{}")
    }
    let provider = RotatingCredentialProvider()
    let recorder = Recorder()
    _ = try await Self.client(transport, provider, recorder: recorder).call(operation: "DescribeSecret", input: Empty())
    #expect(Self.signedKeys(transport) == ["AKID1", "AKID2"])
    #expect(transport.requests[1].header("X-Amz-Security-Token") == "token2")
    #expect(provider.invalidations == [RotatingCredentialProvider.credentials(1)])
    #expect(recorder.sleeps.isEmpty)
    #expect(recorder.entries.map(\.outcome) == [code, "ok"])
    #expect(recorder.entries[0].note == "credentials refused (\(code)); refreshed and sent again")
  }

  /// An auth refusal means the change was not applied, so it goes again with the new
  /// credentials; a change whose outcome is unknown is never resent (see RetryPolicy).
  @Test func aRefusedChangeGoesAgainWithTheNewCredentials() async throws {
    let transport = MockTransport { _, index in index == 1 ? Self.expired : MockTransport.json(200, "{}") }
    _ = try await Self.client(transport, RotatingCredentialProvider())
      .call(operation: "UpdateSecretVersionStage", input: Empty())
    #expect(transport.operations == ["UpdateSecretVersionStage", "UpdateSecretVersionStage"])
    #expect(Self.signedKeys(transport) == ["AKID1", "AKID2"])
  }

  @Test func onlyOneRefreshPerCall() async throws {
    let transport = MockTransport { _, _ in Self.expired }
    let provider = RotatingCredentialProvider()
    await #expect(
      throws: SecretsError.service(
        code: "ExpiredTokenException", message: "The security token included in the request is expired",
        httpStatus: 400, requestId: "req-400")
    ) {
      try await Self.client(transport, provider).call(operation: "DescribeSecret", input: Empty())
    }
    #expect(Self.signedKeys(transport) == ["AKID1", "AKID2"])
    #expect(provider.invalidations.count == 1)
  }

  @Test func aSourceWithNothingNewerIsNotAskedToResendAndSaysToRenew() async throws {
    let transport = MockTransport { _, _ in Self.expired }
    let error = await #expect(throws: SecretsError.self) {
      try await Self.client(transport, RotatingCredentialProvider(renews: false))
        .call(operation: "DescribeSecret", input: Empty())
    }
    #expect(transport.requests.count == 1)
    #expect(error?.code == "ExpiredTokenException")
    #expect(
      error?.userMessage.contains(
        "The credentials from rotating test source have expired and it has no newer ones: renew them") == true)
  }

  @Test func fixedCredentialsAreNotRefreshed() async throws {
    let transport = MockTransport { _, _ in Self.expired }
    let error = await #expect(throws: SecretsError.self) {
      try await Self.client(
        transport,
        FixedCredentialProvider(value: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s", sessionToken: "t"))
      ).call(operation: "DescribeSecret", input: Empty())
    }
    #expect(transport.requests.count == 1)
    #expect(error?.userMessage.contains("The credentials from test have expired") == true)
  }

  /// Long-lived keys AWS does not know (or a Region that is not enabled, which answers the
  /// same) are not mended by asking again: AWS's refusal comes back as it is.
  @Test func anUnknownLongLivedKeyIsLeftAlone() async throws {
    let refusal = MockTransport.error(
      400, "UnrecognizedClientException", "The security token included in the request is invalid.")
    let transport = MockTransport { _, _ in refusal }
    let provider = RotatingCredentialProvider()
    var client = Self.client(transport, provider)
    client.credentials = LongLivedRefreshable()
    await #expect(
      throws: SecretsError.service(
        code: "UnrecognizedClientException", message: "The security token included in the request is invalid.",
        httpStatus: 400, requestId: "req-400")
    ) {
      try await client.call(operation: "DescribeSecret", input: Empty())
    }
    #expect(transport.requests.count == 1)
  }

  /// Through the real refreshing cache and SSO source: role credentials still valid by the
  /// local clock are refused; the refresh finds the SSO token expired too, and the message says
  /// which `aws sso login` to run.
  @Test func anExpiredSSOTokenSaysWhichLoginToRun() async throws {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let clock = DateBox(start)
    let cache = #"{"accessToken": "bearer-abc", "expiresAt": "2027-01-15T08:05:00Z"}"#
    let portal = ScriptedTransport { _ in
      HTTPResponse(
        status: 200,
        body: Data(
          #"{"roleCredentials": {"accessKeyId": "AKIDSSO", "secretAccessKey": "s", "sessionToken": "t", "expiration": 1800003600000}}"#
            .utf8))
    }
    let environment = FakeAWSEnvironment.make(
      config: SSOCredentialProviderTests.config, files: [SSOCredentialProviderTests.sessionCache: cache])
    let sources = CredentialSources(
      environment: environment, configuration: try SharedConfiguration.load(from: environment), transport: portal,
      region: "us-east-1", now: { clock.value })
    let provider = RefreshingCredentialProvider(
      wrapping: SSOCredentialProvider(profileName: "sso", sources: sources), now: { clock.value })
    let transport = MockTransport { _, index in index == 1 ? MockTransport.json(200, "{}") : Self.expired }
    let client = Self.client(transport, provider)
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    clock.value = start.addingTimeInterval(600)  // the SSO token ended at 08:05, the role's run to 09:00
    let error = await #expect(throws: SecretsError.self) {
      try await client.call(operation: "DescribeSecret", input: Empty())
    }
    #expect(transport.requests.count == 2)
    #expect(portal.requests.count == 1)
    let text = error?.userMessage ?? ""
    #expect(text.contains("AWS refused the credentials from IAM Identity Center (SSO) (ExpiredTokenException)"))
    #expect(text.contains("Run: aws sso login --profile sso"))
    #expect(SSOCredentialProvider.loginProfile(in: try #require(error)) == "sso")
  }

  /// Of calls refused at once, the first makes the cache refresh; the others use what it got.
  @Test func theCacheIsDroppedOnlyWhileItHoldsTheRefusedCredentials() async throws {
    let counter = Counter()
    let source = ClosureCredentialProvider {
      let n = counter.next()
      return AWSCredentials(accessKeyId: "AKID\(n)", secretAccessKey: "s", sessionToken: "t\(n)")
    }
    let cache = RefreshingCredentialProvider(wrapping: source)
    let first = try await cache.credentials()
    await cache.invalidate(first)
    let second = try await cache.credentials()
    await cache.invalidate(first)
    #expect(try await cache.credentials() == second)
    #expect(second.accessKeyId == "AKID2")
  }
}

/// Long-lived keys (no token, no expiry) from a refreshable source.
struct LongLivedRefreshable: RefreshableCredentialProvider {
  var sourceName: String { "long-lived" }
  func credentials() async throws -> AWSCredentials { AWSCredentials(accessKeyId: "AKIDLONG", secretAccessKey: "s") }
  func invalidate(_ rejected: AWSCredentials) async { Issue.record("long-lived keys were invalidated") }
}

struct ClosureCredentialProvider: CredentialProvider {
  var fetch: @Sendable () -> AWSCredentials
  init(_ fetch: @escaping @Sendable () -> AWSCredentials) { self.fetch = fetch }
  var sourceName: String { "closure" }
  func credentials() async throws -> AWSCredentials { fetch() }
}

final class DateBox: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Date
  init(_ value: Date) { stored = value }
  var value: Date {
    get { lock.withLock { stored } }
    set { lock.withLock { stored = newValue } }
  }
}
