import Foundation

/// A changing call failed in a way that leaves its effect unknown (timeout, reset, 5xx).
/// Resending blindly could apply a label move twice, so the client hands the decision to
/// the backend, which settles it by re-reading the secret (`StepRecovery`).
public struct AmbiguousWriteFailure: Error, Equatable, Sendable {
  public var operation: String
  public var underlying: SecretsError

  public init(operation: String, underlying: SecretsError) {
    self.operation = operation
    self.underlying = underlying
  }
}
