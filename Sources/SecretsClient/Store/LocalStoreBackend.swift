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
    let file = self.file
    return AsyncThrowingStream { continuation in
      do {
        let document = try file.load().document
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
    let document = try file.load().document
    return try Self.find(secretId, in: document).secret(includeDeprecated: includeDeprecated)
  }

  public func updateSecretVersionStage(secretId: String, step: StageStep) async throws {
    if isReadOnly { throw SecretsError.readOnly(operation: "UpdateSecretVersionStage") }
    let now = self.now()
    try file.withExclusiveLock { () throws(SecretsError) in
      let (loadedRaw, document) = try file.load()
      var raw = loadedRaw
      let stored = try Self.find(secretId, in: document)
      let secret = stored.secret(includeDeprecated: true)
      let context = StagingContext(
        labels: secret.labelMap, owningService: secret.owningService,
        scheduledForDeletion: secret.isScheduledForDeletion)
      let after: LabelMap
      do {
        after = try StagingRules.apply(step, to: context)
      } catch let error as StagingRuleError {
        throw SecretsError.service(code: error.code, message: error.message)
      } catch {
        throw SecretsError.store(path: path, problem: "could not apply the change (\(error)).", hint: "Try again.")
      }
      guard var secrets = raw["secrets"] as? [[String: Any]],
        let index = document.secrets.firstIndex(where: { $0.Name == stored.Name }),
        index < secrets.count, var versions = secrets[index]["Versions"] as? [[String: Any]]
      else {
        throw SecretsError.store(path: path, problem: "changed shape while being read.", hint: "Try again.")
      }
      for i in versions.indices {
        guard let id = versions[i]["VersionId"] as? String else { continue }
        versions[i]["VersionStages"] = after.labels(on: id).sorted()
      }
      secrets[index]["Versions"] = versions
      secrets[index]["LastChangedDate"] = ISO8601Text.string(now)
      raw["secrets"] = secrets
      try file.save(raw)
    }
  }

  public func secretValue(secretId: String, versionId: VersionID) async throws -> SecretValue {
    let document = try file.load().document
    let stored = try Self.find(secretId, in: document)
    guard let version = stored.Versions.first(where: { $0.VersionId == versionId }) else {
      throw SecretsError.service(
        code: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret value for VersionId: \(versionId)")
    }
    if version.SecretString == nil && version.SecretBinary == nil {
      throw SecretsError.service(
        code: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret value for VersionId: \(versionId)")
    }
    return SecretValue(
      versionId: versionId, string: version.SecretString,
      binary: version.SecretBinary.flatMap { Data(base64Encoded: $0) })
  }

  // MARK: - Helpers

  static func find(_ secretId: String, in document: StoreDocument) throws(SecretsError) -> StoreDocument.StoredSecret {
    if let found = document.secrets.first(where: {
      $0.Name == secretId || ($0.ARN ?? StoreDocument.localARN(for: $0.Name)) == secretId
    }) {
      return found
    }
    // A partial ARN (without AWS's random suffix) works when it matches one secret.
    let partial = document.secrets.filter { ($0.ARN ?? "").hasPrefix(secretId + "-") && secretId.hasPrefix("arn:") }
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
