/// Thrown by a provider whose source is simply not set up (no variable, no key in the profile,
/// no metadata service). The chain moves on to the next source and keeps `reason` for the one
/// error it reports when no source has credentials. Any other error means the source *is*
/// configured but failed, and stops the chain, as botocore does.
public struct CredentialsNotConfigured: Error, Equatable, Sendable {
  public var reason: String

  public init(_ reason: String) {
    self.reason = reason
  }
}
