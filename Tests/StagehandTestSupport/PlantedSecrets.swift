/// A known secret value and known credentials, planted where stagehand runs, to show that
/// none of them leaks: the value appears only where a reveal shows it, the credentials
/// nowhere.
public enum PlantedSecrets {
  public static let value = "S3CRET-VALUE-PLANTED-123"
  public static let pendingValue = "S3CRET-PENDING-PLANTED-456"
  public static let accessKeyId = "AKIAPLANTEDKEY000123"
  public static let secretAccessKey = "pLaNtEd/SeCrEt+AcCeSs/KeY-0123456789abcd"
  public static let sessionToken = "PLANTED-SESSION-TOKEN-IQoJb3JpZ2luX2VjEXAMPLE"
  public static let secret = "hygiene/db"

  /// Everything stagehand must never print; the value is checked separately.
  public static let credentials = [accessKeyId, secretAccessKey, sessionToken]

  /// The planted credentials, and no config files. moto accepts any signature.
  public static let environment = [
    "AWS_ACCESS_KEY_ID": accessKeyId, "AWS_SECRET_ACCESS_KEY": secretAccessKey, "AWS_SESSION_TOKEN": sessionToken,
    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
  ]

  /// What planted text `text` holds, each as "a planted credential", "part of a credential"
  /// or "the planted secret value"; empty when it is clean. The value is allowed with
  /// `allowValue`.
  public static func leaks(in text: String, allowValue: Bool = false) -> [String] {
    var found: [String] = []
    for credential in credentials where text.contains(credential) { found.append("a planted credential") }
    // Parts of the secret key and token, in case something prints them split or truncated.
    for credential in [secretAccessKey, sessionToken] {
      if text.contains(String(credential.prefix(16))) { found.append("part of a credential") }
      if text.contains(String(credential.suffix(16))) { found.append("part of a credential") }
    }
    if !allowValue {
      for value in [value, pendingValue] where text.contains(value) { found.append("the planted secret value") }
    }
    return found
  }
}
