import Foundation
import StagingModel

// Placeholder until the store's rotation lands (issue #15, branch rotation-client): every
// call is refused with a clear message.
extension LocalStoreBackend {
  public func hasValue(secretId: String, versionId: VersionID) async throws -> Bool {
    throw SecretsError.configuration("The embedded store can't do this yet.")
  }

  public func rotateSecret(secretId: String, request: RotationRequest) async throws {
    throw SecretsError.configuration("The embedded store can't rotate yet.")
  }

  public func putPendingValue(secretId: String, token: VersionID, value: SecretPayload) async throws {
    throw SecretsError.configuration("The embedded store can't stage values yet.")
  }

  public func cancelRotation(secretId: String) async throws {
    throw SecretsError.configuration("The embedded store can't cancel rotations yet.")
  }
}
