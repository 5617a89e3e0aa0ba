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

/// A value to stage as AWSPENDING, held only for the call that sends it. Its description
/// never shows it.
public struct SecretPayload: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
  public enum Content: Sendable {
    case string(String)
    case binary(Data)
  }

  public var content: Content

  public init(_ content: Content) { self.content = content }

  /// The size AWS counts against its 64 KiB limit.
  public var byteCount: Int {
    switch content {
    case .string(let text): return text.utf8.count
    case .binary(let data): return data.count
    }
  }

  public var isBinary: Bool {
    if case .binary = content { return true }
    return false
  }

  public var description: String { "SecretPayload(\(byteCount) bytes, <redacted>)" }
  public var debugDescription: String { description }
}

/// Where a backend reads and writes, as a plan file records it so that the plan is applied
/// to the same place: an AWS profile, Region and endpoint, or an embedded store's path.
public struct BackendLocation: Hashable, Sendable {
  public var profile: String?
  public var region: String?
  public var endpoint: String?
  public var store: String?

  public init(profile: String? = nil, region: String? = nil, endpoint: String? = nil, store: String? = nil) {
    self.profile = profile
    self.region = region
    self.endpoint = endpoint
    self.store = store
  }
}

/// The operations Stagehand needs, implemented by the AWS and embedded-store backends.
public protocol SecretsBackend: Sendable {
  /// How the header and messages name this backend ("store ~/demo.json", "AWS prod us-east-1").
  var displayName: String { get }

  /// Where it reads and writes (nothing known, by default).
  var location: BackendLocation { get }

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

  /// Whether `versionId` holds a value (GetSecretValue, the value dropped unread): how a
  /// rotation's createSecret step is seen.
  func hasValue(secretId: String, versionId: VersionID) async throws -> Bool

  /// RotateSecret with `request.token` as the ClientRequestToken. It returns once AWS has
  /// accepted it; the rotation goes on by itself. After an ambiguous failure the same token is
  /// sent again, so a rotation starts once.
  func rotateSecret(secretId: String, request: RotationRequest) async throws

  /// PutSecretValue with VersionStages [AWSPENDING] and `token` as the ClientRequestToken,
  /// resent with the same token after an ambiguous failure (AWS applies it once).
  func putPendingValue(secretId: String, token: VersionID, value: SecretPayload) async throws

  /// CancelRotateSecret: turns automatic rotation off.
  func cancelRotation(secretId: String) async throws
}

extension SecretsBackend {
  public var location: BackendLocation { BackendLocation() }
}
