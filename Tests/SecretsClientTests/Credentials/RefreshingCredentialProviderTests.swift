import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct RefreshingCredentialProviderTests {
  /// A source that counts its calls and hands out credentials expiring an hour after "now".
  actor CountingSource: CredentialProvider {
    nonisolated var sourceName: String { "counting" }
    private(set) var calls = 0
    let clock: TestClock
    var failNext = false

    init(clock: TestClock) { self.clock = clock }

    func credentials() async throws -> AWSCredentials {
      calls += 1
      if failNext { throw SecretsError.configuration("source down") }
      try await Task.sleep(for: .milliseconds(20))
      return AWSCredentials(
        accessKeyId: "AKID\(calls)", secretAccessKey: "s", expiration: clock.now.addingTimeInterval(3600))
    }

    func setFailNext(_ value: Bool) { failNext = value }
  }

  final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
  }

  @Test func cachesUntilFiveMinutesBeforeExpiry() async throws {
    let clock = TestClock()
    let source = CountingSource(clock: clock)
    let provider = RefreshingCredentialProvider(wrapping: source, now: { clock.now })
    #expect(try await provider.credentials().accessKeyId == "AKID1")
    clock.advance(3600 - 301)
    #expect(try await provider.credentials().accessKeyId == "AKID1")
    clock.advance(2)
    #expect(try await provider.credentials().accessKeyId == "AKID2")
    #expect(await source.calls == 2)
  }

  @Test func concurrentCallersShareOneRefresh() async throws {
    let clock = TestClock()
    let source = CountingSource(clock: clock)
    let provider = RefreshingCredentialProvider(wrapping: source, now: { clock.now })
    let keys = try await withThrowingTaskGroup(of: String.self) { group in
      for _ in 0..<20 { group.addTask { try await provider.credentials().accessKeyId } }
      return try await group.reduce(into: [String]()) { $0.append($1) }
    }
    #expect(Set(keys) == ["AKID1"])
    #expect(await source.calls == 1)
  }

  @Test func failedRefreshKeepsUnexpiredCredentialsButNotExpiredOnes() async throws {
    let clock = TestClock()
    let source = CountingSource(clock: clock)
    let provider = RefreshingCredentialProvider(wrapping: source, now: { clock.now })
    _ = try await provider.credentials()
    await source.setFailNext(true)
    clock.advance(3600 - 60)
    #expect(try await provider.credentials().accessKeyId == "AKID1")
    clock.advance(120)
    await #expect(throws: SecretsError.configuration("source down")) { try await provider.credentials() }
  }

  @Test func passesThroughLongLivedCredentialsAndTheSourceName() async throws {
    let provider = RefreshingCredentialProvider(
      wrapping: EnvironmentCredentialProvider(
        environment: FakeAWSEnvironment.make(["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"])))
    #expect(try await provider.credentials().accessKeyId == "A")
    #expect(provider.sourceName == "environment variables")
  }
}
