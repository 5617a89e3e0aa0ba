import Foundation
import SecretsClient

/// Resolves credentials, region and endpoint the aws CLI's way and builds the AWS backend.
enum AWSBackendFactory {
  static func make(_ options: GlobalOptions, environment: [String: String]) async throws -> any SecretsBackend {
    throw CLIError.failure(
      "The AWS backend is not wired into this build yet. Use --demo or --store PATH to work on an embedded store.")
  }
}
