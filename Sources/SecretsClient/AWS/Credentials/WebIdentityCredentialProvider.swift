import Foundation

/// OIDC web identity (EKS IRSA, GitHub Actions): a token file plus a role, from
/// `AWS_WEB_IDENTITY_TOKEN_FILE`/`AWS_ROLE_ARN`/`AWS_ROLE_SESSION_NAME` or the profile's
/// `web_identity_token_file`/`role_arn`/`role_session_name`, each variable winning over its
/// profile key. The environment is ignored when a profile was named with `--profile`, as in
/// botocore.
public struct WebIdentityCredentialProvider: CredentialProvider {
  public var profileName: String
  public var sources: CredentialSources
  public var ignoringEnvironment: Bool

  public init(profileName: String, sources: CredentialSources, ignoringEnvironment: Bool = false) {
    self.profileName = profileName
    self.sources = sources
    self.ignoringEnvironment = ignoringEnvironment
  }

  public var sourceName: String { "web identity token" }

  private func setting(_ key: String, variable: String) -> String? {
    if !ignoringEnvironment, let value = sources.environment.variables[variable] { return value }
    return sources.configuration.profiles[profileName]?[key]
  }

  public func credentials() async throws -> AWSCredentials {
    guard let tokenPath = setting("web_identity_token_file", variable: "AWS_WEB_IDENTITY_TOKEN_FILE"),
      !tokenPath.isEmpty
    else {
      throw CredentialsNotConfigured(
        "neither AWS_WEB_IDENTITY_TOKEN_FILE nor web_identity_token_file in profile \(profileName) is set")
    }
    guard let roleArn = setting("role_arn", variable: "AWS_ROLE_ARN"), !roleArn.isEmpty else {
      throw SecretsError.configuration(
        "A web identity token file is configured but no role: set AWS_ROLE_ARN or role_arn in profile \(profileName).")
    }
    let path = sources.environment.expandingTilde(tokenPath)
    guard let token = sources.environment.readFile(path) else {
      throw SecretsError.configuration("The web identity token file \(path) could not be read.")
    }
    let profile = sources.configuration.profiles[profileName] ?? INIFile.Section(name: profileName)
    return try await sources.sts(profile: profile).assumeRoleWithWebIdentity(
      roleArn: roleArn,
      sessionName: setting("role_session_name", variable: "AWS_ROLE_SESSION_NAME") ?? sources.defaultSessionName(),
      token: token.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}
