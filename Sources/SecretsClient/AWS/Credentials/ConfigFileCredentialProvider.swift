import Foundation

/// Keys written straight into the config file's profile section, botocore's `SharedConfig`
/// source, consulted after `credential_process`.
public struct ConfigFileCredentialProvider: CredentialProvider {
  public var profileName: String
  public var configuration: SharedConfiguration

  public init(profileName: String, configuration: SharedConfiguration) {
    self.profileName = profileName
    self.configuration = configuration
  }

  public var sourceName: String { "config file (\(configuration.configFilePath))" }

  public func credentials() async throws -> AWSCredentials {
    guard let section = configuration.configFileProfiles[profileName] else {
      throw CredentialsNotConfigured(
        profileName == "default" ? "no [default] section" : "no [profile \(profileName)] section")
    }
    return try SharedCredentialsFileProvider.staticCredentials(
      in: section, profileName: profileName, file: configuration.configFilePath)
  }
}
