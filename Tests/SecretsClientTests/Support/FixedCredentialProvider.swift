import Foundation

@testable import SecretsClient

/// Credentials that never change, for tests.
struct FixedCredentialProvider: CredentialProvider {
  var value: AWSCredentials
  var sourceName: String { "test" }
  func credentials() async throws -> AWSCredentials { value }
}
