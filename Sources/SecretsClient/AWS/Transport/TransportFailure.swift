import Foundation

/// A request that got no HTTP answer, classified by whether the server may have acted on
/// it: the retry policy for changing calls depends on that distinction.
public struct TransportFailure: Error, Equatable, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The connection was never made (refused, DNS, TLS handshake): the request was not sent.
    case notSent
    /// The request may have reached the server (timeout, reset, truncated answer).
    case ambiguous
  }

  public var kind: Kind
  public var message: String

  public init(kind: Kind, message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  /// The form the UI and CLI explain.
  public var secretsError: SecretsError { .transport(message) }
}
