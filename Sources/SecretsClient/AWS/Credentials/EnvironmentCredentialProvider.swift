import Foundation

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and a session token from `AWS_SECURITY_TOKEN`
/// or `AWS_SESSION_TOKEN` (botocore checks them in that order), with an optional
/// `AWS_CREDENTIAL_EXPIRATION`.
public struct EnvironmentCredentialProvider: CredentialProvider {
  public var environment: AWSEnvironment

  public init(environment: AWSEnvironment) {
    self.environment = environment
  }

  public var sourceName: String { "environment variables" }

  public func credentials() async throws -> AWSCredentials {
    guard let accessKey = environment["AWS_ACCESS_KEY_ID"] else {
      throw CredentialsNotConfigured("AWS_ACCESS_KEY_ID is not set")
    }
    guard let secretKey = environment["AWS_SECRET_ACCESS_KEY"] else {
      throw SecretsError.configuration(
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both or neither.")
    }
    var expiration: Date?
    if let text = environment["AWS_CREDENTIAL_EXPIRATION"] {
      guard let date = ISO8601Timestamp.parse(text) else {
        throw SecretsError.configuration("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time: \(text)")
      }
      expiration = date
    }
    return AWSCredentials(
      accessKeyId: accessKey, secretAccessKey: secretKey,
      sessionToken: environment["AWS_SECURITY_TOKEN"] ?? environment["AWS_SESSION_TOKEN"], expiration: expiration)
  }
}
