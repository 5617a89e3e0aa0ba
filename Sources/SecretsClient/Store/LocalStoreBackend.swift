import Foundation
import StagingModel

/// The embedded store: one JSON file with the same label semantics and error names as
/// AWS (the rules come from `StagingRules`). The default for demos and offline rehearsal.
public struct LocalStoreBackend: SecretsBackend {
  public let path: String
  public let isReadOnly: Bool
  private let file: StoreFile
  private let now: @Sendable () -> Date

  public init(path: String, readOnly: Bool = false, now: @escaping @Sendable () -> Date = Date.init) {
    self.path = path
    self.isReadOnly = readOnly
    self.file = StoreFile(path: path)
    self.now = now
  }

  public var location: BackendLocation { BackendLocation(store: path) }

  public var displayName: String {
    let home = HomeDirectory.path()
    let shown = path.hasPrefix(home + "/") ? "~" + path.dropFirst(home.count) : Substring(path)
    return "store \(shown)"
  }

  /// Checks the file can be used, so a bad path is reported before any screen opens.
  public func validate() throws(SecretsError) {
    _ = try file.load()
  }

  public func listSecrets(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error> {
    AsyncThrowingStream { continuation in
      do {
        let document = try currentDocument()
        let secrets = document.secrets
          .map { $0.secret(includeDeprecated: false) }
          .filter { secret in filters.allSatisfy { Self.matches(secret, $0) } }
          .map { secret -> Secret in
            var listed = secret
            listed.versionsComplete = false
            return listed
          }
        var start = 0
        repeat {
          let end = min(secrets.count, start + 100)
          continuation.yield(Array(secrets[start..<end]))
          start = end
        } while start < secrets.count
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
  }

  public func describeSecret(_ secretId: String, includeDeprecated: Bool) async throws -> Secret {
    let document = try currentDocument()
    return try Self.find(secretId, in: document).secret(includeDeprecated: includeDeprecated)
  }

  public func updateSecretVersionStage(secretId: String, step: StageStep) async throws {
    try modify(secretId, operation: "UpdateSecretVersionStage") { secret, now throws(SecretsError) in
      let context = StagingContext(
        labels: secret.labelMap, owningService: secret.OwningService, scheduledForDeletion: secret.DeletedDate != nil,
        primaryRegion: secret.PrimaryRegion)
      do throws(StagingRuleError) {
        secret.setLabels(try StagingRules.apply(step, to: context))
      } catch {
        throw SecretsError(error)
      }
      secret.LastChangedDate = StoreDate(now)
    }
  }

  public func secretValue(secretId: String, versionId: VersionID) async throws -> SecretValue {
    let document = try currentDocument()
    let stored = try Self.find(secretId, in: document)
    guard let version = stored.Versions.first(where: { $0.VersionId == versionId }), version.hasValue else {
      throw SecretsError.service(
        code: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret value for VersionId: \(versionId)")
    }
    return SecretValue(
      versionId: versionId, string: version.SecretString,
      binary: version.SecretBinary.flatMap { Data(base64Encoded: $0) })
  }

  // MARK: - Reading and changing the file

  /// The file as of now: every simulated rotation brought up to the clock, and saved under
  /// the lock when that changed something (never by a read-only backend, which derives the
  /// same labels in memory).
  func currentDocument() throws(SecretsError) -> StoreDocument {
    var document = try file.load().document
    let now = self.now()
    guard document.rotationStepDue(at: now) else { return document }
    if isReadOnly {
      document.advanceRotations(to: now)
      return document
    }
    return try file.withExclusiveLock { () throws(SecretsError) in
      var (raw, document) = try file.load()
      let before = document
      document.advanceRotations(to: now)
      if try document.writeChanges(since: before, into: &raw, path: path) { try file.save(raw) }
      return document
    }
  }

  /// Changes one secret under the exclusive lock, after bringing the store up to now; the
  /// file is saved only when something changed and `change` did not throw. Dates are whole
  /// seconds, as the file keeps them.
  func modify(
    _ secretId: String, operation: String,
    _ change: (inout StoreDocument.StoredSecret, Date) throws(SecretsError) -> Void
  ) throws(SecretsError) {
    if isReadOnly { throw SecretsError.readOnly(operation: operation) }
    let now = Date(timeIntervalSince1970: self.now().timeIntervalSince1970.rounded(.down))
    try file.withExclusiveLock { () throws(SecretsError) in
      var (raw, document) = try file.load()
      let before = document
      document.advanceRotations(to: now)
      try change(&document.secrets[Self.index(of: secretId, in: document)], now)
      if try document.writeChanges(since: before, into: &raw, path: path) { try file.save(raw) }
    }
  }

  // MARK: - Helpers

  static func find(_ secretId: String, in document: StoreDocument) throws(SecretsError) -> StoreDocument.StoredSecret {
    document.secrets[try index(of: secretId, in: document)]
  }

  static func index(of secretId: String, in document: StoreDocument) throws(SecretsError) -> Int {
    if let found = document.secrets.firstIndex(where: {
      $0.Name == secretId || ($0.ARN ?? StoreDocument.localARN(for: $0.Name)) == secretId
    }) {
      return found
    }
    // A partial ARN (without AWS's random suffix) works when it matches one secret.
    let partial = document.secrets.indices.filter {
      (document.secrets[$0].ARN ?? "").hasPrefix(secretId + "-") && secretId.hasPrefix("arn:")
    }
    if partial.count == 1 { return partial[0] }
    throw SecretsError.service(
      code: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret.")
  }

  /// ListSecrets filter semantics: case-insensitive prefix match; a value starting with
  /// `!` negates.
  static func matches(_ secret: Secret, _ filter: ListFilter) -> Bool {
    func fields() -> [String] {
      switch filter.key {
      case "name": return [secret.name]
      case "description": return [secret.description ?? ""]
      case "tag-key": return Array(secret.tags.keys)
      case "tag-value": return Array(secret.tags.values)
      case "owning-service": return [secret.owningService ?? ""]
      case "primary-region": return [secret.primaryRegion ?? ""]
      default: return [secret.name, secret.description ?? ""] + Array(secret.tags.keys) + Array(secret.tags.values)
      }
    }
    let candidates = fields().map { $0.lowercased() }
    return filter.values.contains { value in
      let negated = value.hasPrefix("!")
      let prefix = (negated ? String(value.dropFirst()) : value).lowercased()
      let hit = candidates.contains { $0.hasPrefix(prefix) }
      return negated ? !hit : hit
    }
  }
}
