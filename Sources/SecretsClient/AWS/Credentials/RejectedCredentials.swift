import Foundation

/// The refusals that mean a request's credentials are no longer good, which a refresh may
/// mend: temporary credentials (SSO, assume-role, container, instance metadata) that a TUI open
/// for hours outlives. A refused request was not performed, so a change may be sent again.
enum RejectedCredentials {
  /// The session token is past its expiry (`ExpiredToken` in the query protocol, STS).
  static let expiredCodes: Set<String> = ["ExpiredTokenException", "ExpiredToken"]
  /// The key or token is not, or no longer, known. For temporary credentials that may be a
  /// session that ended early; long-lived keys that AWS does not know are not mended by asking
  /// again (and a Region that is not enabled answers this too), so those are left alone.
  static let invalidCodes: Set<String> = ["InvalidClientTokenId", "UnrecognizedClientException"]

  static func isRejection(code: String, of credentials: AWSCredentials) -> Bool {
    expiredCodes.contains(code)
      || (invalidCodes.contains(code) && (credentials.sessionToken != nil || credentials.expiration != nil))
  }

  /// AWS's refusal when asking the source again gave the same credentials: they must be
  /// renewed outside Stagehand. Other refusals are left as AWS worded them.
  static func notRenewed(_ refusal: SecretsError, source: String) -> SecretsError {
    guard let code = refusal.code, expiredCodes.contains(code) else { return refusal }
    return refusal.addingAdvice(
      "The credentials from \(source) have expired and it has no newer ones: renew them (aws sso login, new "
        + "AWS_* variables, or a fresh credential_process) and retry.")
  }

  /// The refresh after a refusal failed (an SSO token that has expired too): its reason, which
  /// says what to run, after what AWS said.
  static func refreshFailed(_ refusal: SecretsError, source: String, _ error: SecretsError) -> SecretsError {
    .configuration(
      "AWS refused the credentials from \(source) (\(refusal.code ?? "refused")), and new ones could not be had: "
        + error.userMessage)
  }
}
