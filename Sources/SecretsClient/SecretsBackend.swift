import Foundation
import StagingModel

/// What a ListSecrets call may be narrowed by (the API's `Filters`).
public struct ListFilter: Equatable, Sendable {
  /// Filter key as the API names it: name, description, tag-key, tag-value, primary-region,
  /// owning-service, all.
  public var key: String
  public var values: [String]

  public init(key: String, values: [String]) {
    self.key = key
    self.values = values
  }
}

/// A secret value, fetched only when a person asks to reveal it. Its description never
/// shows the value.
public struct SecretValue: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
  public var versionId: VersionID
  public var string: String?
  public var binary: Data?

  public init(versionId: VersionID, string: String?, binary: Data?) {
    self.versionId = versionId
    self.string = string
    self.binary = binary
  }

  public var description: String { "SecretValue(\(shortID(versionId)), <redacted>)" }
  public var debugDescription: String { description }
}

/// The operations Stagehand needs, implemented by the AWS and embedded-store backends.
public protocol SecretsBackend: Sendable {
  /// How the header and messages name this backend ("store ~/demo.json", "AWS prod us-east-1").
  var displayName: String { get }

  /// True when every changing call is refused before it is sent.
  var isReadOnly: Bool { get }

  /// Every secret, one page at a time (AWS pages of up to 100). Versions carry labels only.
  func listSecrets(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error>

  /// One secret with all its versions and their dates; deprecated versions on request.
  func describeSecret(_ secretId: String, includeDeprecated: Bool) async throws -> Secret

  /// One UpdateSecretVersionStage call.
  func updateSecretVersionStage(secretId: String, step: StageStep) async throws

  /// One version's value, for an explicit reveal only.
  func secretValue(secretId: String, versionId: VersionID) async throws -> SecretValue
}
