import Foundation

/// Keys from the profile's section in the shared credentials file (`[name]`), botocore's
/// `SharedCredentials` source.
public struct SharedCredentialsFileProvider: CredentialProvider {
  public var profileName: String
  public var configuration: SharedConfiguration

  public init(profileName: String, configuration: SharedConfiguration) {
    self.profileName = profileName
    self.configuration = configuration
  }

  public var sourceName: String { "shared credentials file (\(configuration.credentialsFilePath))" }

  public func credentials() async throws -> AWSCredentials {
    guard let section = configuration.credentialsFileProfiles[profileName] else {
      throw CredentialsNotConfigured("no [\(profileName)] section")
    }
    return try Self.staticCredentials(in: section, profileName: profileName, file: configuration.credentialsFilePath)
  }

  /// `aws_access_key_id`, `aws_secret_access_key` and `aws_security_token` or
  /// `aws_session_token`, shared by the credentials-file and config-file sources.
  static func staticCredentials(
    in section: INIFile.Section, profileName: String, file: String
  ) throws -> AWSCredentials {
    guard let accessKey = section["aws_access_key_id"], !accessKey.isEmpty else {
      throw CredentialsNotConfigured("profile \(profileName) has no aws_access_key_id")
    }
    guard let secretKey = section["aws_secret_access_key"], !secretKey.isEmpty else {
      throw SecretsError.configuration(
        "Profile \(profileName) in \(file) has aws_access_key_id but no aws_secret_access_key.")
    }
    return AWSCredentials(
      accessKeyId: accessKey, secretAccessKey: secretKey,
      sessionToken: section["aws_security_token"] ?? section["aws_session_token"])
  }
}
