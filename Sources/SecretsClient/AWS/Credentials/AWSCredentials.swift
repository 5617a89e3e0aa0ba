import Foundation

/// AWS credentials. Their description never shows the secret key or the session token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
  public var accessKeyId: String
  public var secretAccessKey: String
  public var sessionToken: String?
  /// When temporary credentials stop working; nil for long-lived keys.
  public var expiration: Date?

  public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
    self.accessKeyId = accessKeyId
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
    self.expiration = expiration
  }

  public var description: String {
    let key = accessKeyId.count > 4 ? String(accessKeyId.prefix(4)) + "…" : "…"
    return "AWSCredentials(\(key), secret <redacted>\(sessionToken == nil ? "" : ", token <redacted>"))"
  }

  public var debugDescription: String { description }
}

/// A source of credentials (environment, profile, process, STS, SSO, container, IMDS).
public protocol CredentialProvider: Sendable {
  /// A short name for error messages listing where Stagehand looked.
  var sourceName: String { get }
  func credentials() async throws -> AWSCredentials
}
