import Foundation

/// A profile with `role_arn` and either `source_profile` (possibly itself a role, so chains
/// work) or `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`), traded
/// for temporary credentials with STS AssumeRole. Validation and loop detection follow
/// botocore's `AssumeRoleProvider`.
///
/// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-role.html
public struct AssumeRoleCredentialProvider: CredentialProvider {
  public var profileName: String
  public var sources: CredentialSources
  /// Profiles already used as a source on the way here, to stop a loop.
  var visited: [String]

  public init(profileName: String, sources: CredentialSources) {
    self.init(profileName: profileName, sources: sources, visited: [profileName])
  }

  init(profileName: String, sources: CredentialSources, visited: [String]) {
    self.profileName = profileName
    self.sources = sources
    self.visited = visited
  }

  public var sourceName: String { "assume role (role_arn)" }

  public func credentials() async throws -> AWSCredentials {
    let profiles = sources.configuration.profiles
    guard let profile = profiles[profileName], let roleArn = profile["role_arn"],
      profile["web_identity_token_file"] == nil
    else {
      throw CredentialsNotConfigured("profile \(profileName) has no role_arn")
    }
    if profile["mfa_serial"] != nil {
      throw SecretsError.configuration(
        "Profile \(profileName) needs an MFA code (mfa_serial), which Stagehand cannot prompt for. Use a "
          + "credential_process or an SSO profile, or export temporary credentials first.")
    }
    let sourceCredentials: AWSCredentials
    switch (profile["source_profile"], profile["credential_source"]) {
    case (.some, .some):
      throw SecretsError.configuration(
        "The profile \"\(profileName)\" contains both source_profile and credential_source.")
    case (nil, nil):
      throw SecretsError.configuration(
        "The profile \"\(profileName)\" has role_arn but neither source_profile nor credential_source.")
    case (nil, .some(let sourceName)):
      sourceCredentials = try await fromNamedSource(sourceName)
    case (.some(let sourceProfile), nil):
      sourceCredentials = try await fromProfile(sourceProfile)
    }
    let sts = try sources.sts(profile: profile)
    var duration: Int?
    if let text = profile["duration_seconds"] { duration = Int(text) }
    return try await sts.assumeRole(
      roleArn: roleArn, sessionName: profile["role_session_name"] ?? sources.defaultSessionName(),
      externalId: profile["external_id"], durationSeconds: duration, using: sourceCredentials)
  }

  private func fromNamedSource(_ name: String) async throws -> AWSCredentials {
    guard let provider = sources.namedSource(name) else {
      throw SecretsError.configuration(
        "The credential source \"\(name)\" referenced in profile \"\(profileName)\" is not valid "
          + "(use Environment, Ec2InstanceMetadata or EcsContainer).")
    }
    do {
      return try await provider.credentials()
    } catch let notConfigured as CredentialsNotConfigured {
      throw SecretsError.configuration(
        "No credentials found in credential_source \(name) referenced in profile \(profileName): "
          + notConfigured.reason)
    }
  }

  private func fromProfile(_ sourceProfile: String) async throws -> AWSCredentials {
    let profiles = sources.configuration.profiles
    guard let source = profiles[sourceProfile] else {
      throw SecretsError.configuration(
        "The source_profile \"\(sourceProfile)\" referenced in the profile \"\(profileName)\" does not exist.")
    }
    let hasStaticKeys = source["aws_access_key_id"] != nil || source["aws_secret_access_key"] != nil
    if visited.contains(sourceProfile) && !(sourceProfile == profileName && hasStaticKeys) {
      throw SecretsError.configuration(
        "Infinite loop in profile configuration: source_profile \(sourceProfile) was already visited "
          + "(\(visited.joined(separator: " -> "))).")
    }
    if hasStaticKeys || source["role_arn"] == nil {
      let chain = CredentialChain(
        providers: sources.profileProviders(profileName: sourceProfile, ignoringEnvironment: true))
      switch try await chain.search() {
      case .found(let credentials): return credentials
      case .none: throw SecretsError.configuration("The source profile \"\(sourceProfile)\" must have credentials.")
      }
    }
    return try await AssumeRoleCredentialProvider(
      profileName: sourceProfile, sources: sources, visited: visited + [sourceProfile]
    ).credentials()
  }
}
