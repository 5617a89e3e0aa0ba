/// The parts of a Secrets Manager ARN that say where a secret lives:
/// `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX`.
public struct SecretARN: Equatable, Sendable {
  public var partition: String
  public var region: String
  public var account: String

  /// Nil for anything that is not a Secrets Manager ARN with a Region and an account.
  public init?(_ text: String) {
    // Split at the colons themselves, not at Characters: a name that starts with a combining
    // mark or a joiner would fold the colon before it into one Character with it.
    let parts = text.unicodeScalars.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false).map {
      String(String.UnicodeScalarView($0))
    }
    guard parts.count == 7, parts[0] == "arn", parts[2] == "secretsmanager", !parts[3].isEmpty, !parts[4].isEmpty
    else { return nil }
    partition = String(parts[1])
    region = String(parts[3])
    account = String(parts[4])
  }
}
