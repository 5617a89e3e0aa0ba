import Crypto
import Foundation

/// IAM Identity Center: a profile with `sso_account_id`/`sso_role_name` and either
/// `sso_session` (pointing at `[sso-session name]` with `sso_start_url`/`sso_region`) or the
/// legacy `sso_start_url`/`sso_region` on the profile. Uses the token `aws sso login` caches in
/// `~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json` and trades it for
/// role credentials. Stagehand never logs in itself: a missing or expired token is an error
/// that says which `aws sso login` to run.
///
/// https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html
public struct SSOCredentialProvider: CredentialProvider {
  public var profileName: String
  public var sources: CredentialSources

  public init(profileName: String, sources: CredentialSources) {
    self.profileName = profileName
    self.sources = sources
  }

  public var sourceName: String { "IAM Identity Center (SSO)" }

  /// The settings after merging the profile with its `[sso-session]`.
  struct Settings: Equatable {
    var startURL: String
    var region: String
    var accountID: String
    var roleName: String
    var sessionName: String?

    /// The token cache file name: botocore hashes the session name, or the start URL for a
    /// legacy profile.
    var cacheKey: String {
      let digest = Insecure.SHA1.hash(data: Data((sessionName ?? startURL).utf8))
      return digest.map { String(format: "%02x", $0) }.joined()
    }
  }

  func settings() throws -> Settings {
    let profile = sources.configuration.profiles[profileName] ?? INIFile.Section(name: profileName)
    guard profile["sso_account_id"] != nil || profile["sso_role_name"] != nil else {
      throw CredentialsNotConfigured("profile \(profileName) has no sso_account_id or sso_role_name")
    }
    var merged = profile.textValues
    var required = ["sso_role_name", "sso_account_id", "sso_start_url", "sso_region"]
    if let sessionName = profile["sso_session"] {
      guard let session = sources.configuration.ssoSessions[sessionName] else {
        throw SecretsError.configuration(
          "Profile \(profileName) names sso_session \(sessionName), but \(sources.configuration.configFilePath) has "
            + "no [sso-session \(sessionName)] section.")
      }
      for (key, value) in session.textValues {
        if let mine = merged[key], mine != value {
          throw SecretsError.configuration(
            "The value for \(key) is inconsistent between profile \(profileName) (\(mine)) and "
              + "sso-session \(sessionName) (\(value)).")
        }
        merged[key] = value
      }
      required.append("sso_session")
    }
    let missing = required.filter { merged[$0] == nil }
    guard missing.isEmpty else {
      throw SecretsError.configuration(
        "The profile \"\(profileName)\" is configured to use SSO but is missing required configuration: "
          + missing.joined(separator: ", "))
    }
    let regionSetting =
      profile["sso_session"].map { "sso_region in [sso-session \($0)]" }
      ?? "sso_region in profile \(profileName)"
    let region = try RegionResolver.validated(merged["sso_region"]!, setting: regionSetting)
    return Settings(
      startURL: merged["sso_start_url"]!, region: region, accountID: merged["sso_account_id"]!,
      roleName: merged["sso_role_name"]!, sessionName: profile["sso_session"])
  }

  public func credentials() async throws -> AWSCredentials {
    let settings = try settings()
    let token = try cachedToken(settings)
    let profile = sources.configuration.profiles[profileName] ?? INIFile.Section(name: profileName)
    let base = try EndpointResolver.resolve(
      service: .sso, explicit: nil, region: settings.region, environment: sources.environment, profile: profile,
      configuration: sources.configuration)
    var components = URLComponents(
      url: base.appendingPathComponent("federation/credentials"), resolvingAgainstBaseURL: false)!
    components.queryItems = [
      URLQueryItem(name: "role_name", value: settings.roleName),
      URLQueryItem(name: "account_id", value: settings.accountID),
    ]
    let request = HTTPRequest(
      method: "GET", url: components.url!, headers: [("x-amz-sso_bearer_token", token)])
    let response: HTTPResponse
    do {
      response = try await sources.transport.send(request, timeout: .seconds(30))
    } catch {
      let detail = (error as? SecretsError)?.userMessage ?? "\(error)"
      throw SecretsError.configuration("IAM Identity Center at \(base.absoluteString): \(detail)")
    }
    if response.status == 401 || response.status == 403 {
      throw SecretsError.configuration(
        "IAM Identity Center rejected the cached SSO token for profile \(profileName) (HTTP \(response.status)). "
          + loginAdvice)
    }
    guard response.status == 200,
      let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
      let role = object["roleCredentials"] as? [String: Any], let accessKey = role["accessKeyId"] as? String,
      let secretKey = role["secretAccessKey"] as? String
    else {
      throw SecretsError.configuration(
        "IAM Identity Center gave no credentials for role \(settings.roleName) in account \(settings.accountID) "
          + "(HTTP \(response.status)).")
    }
    let expiration = (role["expiration"] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue / 1000) }
    return AWSCredentials(
      accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: role["sessionToken"] as? String,
      expiration: expiration)
  }

  private var loginAdvice: String { "Run: \(Self.loginCommand) \(profileName)" }

  private static let loginCommand = "aws sso login --profile"

  /// The profile an error says to log in with (`aws sso login --profile NAME`), for a UI that
  /// offers to wait for the login and try again; nil when it says no such thing.
  public static func loginProfile(in error: SecretsError) -> String? {
    guard case .configuration(let text) = error, let range = text.range(of: loginCommand + " ") else { return nil }
    let name = text[range.upperBound...].prefix { !$0.isWhitespace }
    return name.isEmpty ? nil : String(name)
  }

  private func cachedToken(_ settings: Settings) throws -> String {
    let path = sources.environment.homeDirectory + "/.aws/sso/cache/\(settings.cacheKey).json"
    guard let text = sources.environment.readFile(path),
      let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
      let token = object["accessToken"] as? String
    else {
      throw SecretsError.configuration(
        "No cached IAM Identity Center (SSO) token for profile \(profileName) (looked in \(path)). \(loginAdvice)")
    }
    guard let expiresAt = (object["expiresAt"] as? String).flatMap(ISO8601Timestamp.parse),
      expiresAt > sources.now()
    else {
      throw SecretsError.configuration(
        "The IAM Identity Center (SSO) token for profile \(profileName) has expired. \(loginAdvice)")
    }
    return token
  }
}
