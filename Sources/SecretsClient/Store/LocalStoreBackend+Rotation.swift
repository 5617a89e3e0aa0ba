import Foundation
import StagingModel

// The store's rotation calls, with AWS's semantics and error names (staging-semantics.md,
// "Rotation, the API"); the rotation function itself is simulated (see StoreDocument).
extension LocalStoreBackend {
  /// GetSecretValue's view: false when the version is missing or has no value.
  public func hasValue(secretId: String, versionId: VersionID) async throws -> Bool {
    let stored = try Self.find(secretId, in: try currentDocument())
    return stored.Versions.first { $0.VersionId == versionId }?.hasValue ?? false
  }

  public func rotateSecret(secretId: String, request: RotationRequest) async throws {
    try modify(secretId, operation: "RotateSecret") { secret, now throws(SecretsError) in
      try secret.startRotation(request, now: now)
    }
  }

  public func putPendingValue(secretId: String, token: VersionID, value: SecretPayload) async throws {
    try modify(secretId, operation: "PutSecretValue") { secret, now throws(SecretsError) in
      try secret.putPending(StoredValue(value), token: token, now: now)
    }
  }

  public func cancelRotation(secretId: String) async throws {
    try modify(secretId, operation: "CancelRotateSecret") { secret, now throws(SecretsError) in
      try secret.cancelRotation(now: now)
    }
  }
}

extension StoreDocument.StoredSecret {
  /// AWS's refusals of a change to the secret itself: scheduled for deletion, a replica, and
  /// (`ownedToo`) managed by another service.
  func checkWritable(ownedToo: Bool) throws(SecretsError) {
    if DeletedDate != nil { throw SecretsError(.markedForDeletion) }
    if PrimaryRegion != nil { throw SecretsError(.replica) }
    if ownedToo, let service = OwningService { throw SecretsError(.managed(by: service)) }
  }

  /// RotateSecret: refused without a rotation function, or while AWSPENDING sits on a version
  /// other than AWSCURRENT (AWS's rule, not moto's inverted one). Else it records the token as
  /// a new version with AWSPENDING and no value, turns rotation on, and starts the simulated
  /// function. The token of the last rotation sent again is a no-op.
  mutating func startRotation(_ request: RotationRequest, now: Date) throws(SecretsError) {
    try checkWritable(ownedToo: false)
    if LastRotation?.token == request.token { return }
    let requestedARN = request.lambdaARN.flatMap { $0.isEmpty ? nil : $0 }
    guard requestedARN != nil || hasRotationFunction else {
      throw SecretsError.service(
        code: "InvalidRequestException", message: "No Lambda rotation function ARN is associated with this secret.")
    }
    let map = labelMap
    if let pending = map.holder(of: StandardLabel.pending), pending != map.holder(of: StandardLabel.current) {
      throw SecretsError.service(
        code: "InvalidRequestException",
        message: "A previous rotation isn't complete. That rotation will be reattempted.")
    }
    if versionIndex(request.token) != nil { throw tokenInUse(request.token) }
    if let days = request.scheduleDays, !(1...1000).contains(days) {
      throw SecretsError.service(
        code: "InvalidParameterException", message: "RotationRules.AutomaticallyAfterDays must be within 1-1000.")
    }
    if request.rotateImmediately {
      var after = map
      after.removeEverywhere(StandardLabel.pending)
      after.insertVersion(request.token)
      after.add(StandardLabel.pending, to: request.token)
      if after.labelCount > StandardLabel.quota { throw SecretsError(.labelQuota) }
      Versions.append(
        StoreDocument.StoredVersion(
          VersionId: request.token, VersionStages: [StandardLabel.pending], CreatedDate: StoreDate(now)))
      setLabels(after)
      LastRotation = StoredRotation(
        token: request.token, started: now, simulation: RotationSimulation ?? .default)
    }
    RotationEnabled = true
    if let requestedARN { RotationLambdaARN = requestedARN }
    if let days = request.scheduleDays {
      RotationRules = StoreDocument.StoredRotationRules(AutomaticallyAfterDays: days)
    }
    if let days = RotationRules?.AutomaticallyAfterDays {
      NextRotationDate = StoreDate(now.addingTimeInterval(Double(days) * 86_400))
    }
    LastChangedDate = StoreDate(now)
    advanceRotation(to: now)
  }

  /// PutSecretValue with VersionStages [AWSPENDING]: a new version holding the value, or the
  /// value put on the token's version when that has none yet (a rotation's placeholder);
  /// AWSPENDING moves onto it. The same token with the same value is a no-op; with another
  /// value it is ResourceExistsException.
  mutating func putPending(_ value: StoredValue, token: VersionID, now: Date) throws(SecretsError) {
    try checkWritable(ownedToo: true)
    let bytes = value.string.map { $0.utf8.count } ?? value.binary.flatMap { Data(base64Encoded: $0)?.count } ?? 0
    if bytes == 0 {
      throw SecretsError.service(
        code: "InvalidParameterException", message: "You must provide either SecretString or SecretBinary.")
    }
    if bytes > RotationPlanner.maximumValueBytes {
      throw SecretsError.service(
        code: "InvalidParameterException",
        message: "The secret value is \(bytes) bytes; the maximum is \(RotationPlanner.maximumValueBytes).")
    }
    let existing = versionIndex(token)
    if let existing, let stored = Versions[existing].value {
      if stored == value { return }
      throw tokenInUse(token)
    }
    var after = labelMap
    after.removeEverywhere(StandardLabel.pending)
    after.insertVersion(token)
    after.add(StandardLabel.pending, to: token)
    if after.labelCount > StandardLabel.quota { throw SecretsError(.labelQuota) }
    if let existing {
      Versions[existing].setValue(value)
    } else {
      var version = StoreDocument.StoredVersion(VersionId: token, VersionStages: [], CreatedDate: StoreDate(now))
      version.setValue(value)
      Versions.append(version)
    }
    setLabels(after)
    LastChangedDate = StoreDate(now)
  }

  /// CancelRotateSecret: automatic rotation off; a rotation in progress stops where it is
  /// (AWSPENDING stays where it was).
  mutating func cancelRotation(now: Date) throws(SecretsError) {
    try checkWritable(ownedToo: false)
    if LastRotation?.status == .InProgress { LastRotation?.status = .Cancelled }
    RotationEnabled = false
    NextRotationDate = nil
    LastChangedDate = StoreDate(now)
  }

  private func tokenInUse(_ token: VersionID) -> SecretsError {
    .service(
      code: "ResourceExistsException",
      message:
        "You can't use ClientRequestToken \(token) because that value is already in use for a version of secret \(ARN ?? StoreDocument.localARN(for: Name))."
    )
  }
}

extension SecretsError {
  init(_ error: StagingRuleError) { self = .service(code: error.code, message: error.message) }
}
