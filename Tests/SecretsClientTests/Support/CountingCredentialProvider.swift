import Foundation

@testable import SecretsClient

/// Counts how often credentials were asked for.
final class CountingCredentialProvider: CredentialProvider, @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  var sourceName: String { "counting" }
  var calls: Int {
    lock.lock()
    defer { lock.unlock() }
    return count
  }
  func credentials() async throws -> AWSCredentials {
    lock.withLock { count += 1 }
    return AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret")
  }
}
