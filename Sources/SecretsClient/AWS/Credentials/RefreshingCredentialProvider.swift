import Foundation

/// Keeps the last credentials and asks the wrapped source again only when they are about to
/// expire, so the chain (and STS, SSO, IMDS) is not consulted on every request.
///
/// botocore refreshes in an "advisory" window 15 minutes before expiry (failures ignored) and a
/// "mandatory" one at 10 minutes. Stagehand's calls take seconds, not minutes, so one window of
/// 5 minutes is enough margin for clock skew and a slow refresh; inside it a failed refresh still
/// returns the cached credentials while they have not expired, which keeps botocore's advisory
/// tolerance without a second threshold. Concurrent callers wait for the same refresh.
public actor RefreshingCredentialProvider: RefreshableCredentialProvider {
  public nonisolated let sourceName: String
  private let source: any CredentialProvider
  private let window: TimeInterval
  private let now: @Sendable () -> Date
  private var cached: AWSCredentials?
  private var refresh: Task<AWSCredentials, any Error>?

  public init(
    wrapping source: any CredentialProvider, refreshWindow: Duration = .seconds(300),
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.source = source
    self.sourceName = source.sourceName
    let parts = refreshWindow.components
    self.window = TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    self.now = now
  }

  public func credentials() async throws -> AWSCredentials {
    if let cached, !needsRefresh(cached) { return cached }
    if let refresh { return try await refresh.value }
    let source = source
    let task = Task { try await source.credentials() }
    refresh = task
    defer { refresh = nil }
    do {
      let fresh = try await task.value
      cached = fresh
      return fresh
    } catch {
      if let cached, let expiration = cached.expiration, expiration > now() { return cached }
      throw error
    }
  }

  /// Drops the cached credentials, for a caller that saw them rejected (ExpiredToken).
  public func invalidate() {
    cached = nil
  }

  /// Drops the cached credentials if they are still the `rejected` ones: of several calls
  /// refused at once, the first makes the next `credentials()` refresh, and the others then
  /// use what it fetched instead of fetching again.
  public func invalidate(_ rejected: AWSCredentials) {
    if cached == rejected { cached = nil }
  }

  private func needsRefresh(_ credentials: AWSCredentials) -> Bool {
    guard let expiration = credentials.expiration else { return false }
    return expiration.timeIntervalSince(now()) <= window
  }
}

/// A source that can be told AWS refused the credentials it gave (expired before their time:
/// revoked, or a clock that lies), so that the next `credentials()` fetches new ones.
public protocol RefreshableCredentialProvider: CredentialProvider {
  func invalidate(_ rejected: AWSCredentials) async
}
