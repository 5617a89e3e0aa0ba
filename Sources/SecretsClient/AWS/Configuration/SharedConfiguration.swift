import Foundation

/// The shared config and credentials files, merged into profiles the way botocore's
/// `Session.full_config` does: config-file profiles first, then every credentials-file
/// section layered on top (credentials-file values win for the same key).
public struct SharedConfiguration: Sendable, Equatable {
  /// Merged profiles by name: `[default]`, `[profile x]` from the config file, `[x]` from the
  /// credentials file.
  public var profiles: [String: INIFile.Section]
  /// Profiles as the config file alone defines them (the `SharedConfig` source).
  public var configFileProfiles: [String: INIFile.Section]
  /// Sections of the credentials file alone (the `SharedCredentials` source).
  public var credentialsFileProfiles: [String: INIFile.Section]
  /// `[sso-session name]` sections.
  public var ssoSessions: [String: INIFile.Section]
  /// `[services name]` sections, referenced by a profile's `services` key.
  public var services: [String: INIFile.Section]
  public var configFilePath: String
  public var credentialsFilePath: String
  /// Config-file sections that name no profile (`[dev]` where `[profile dev]` was meant),
  /// kept so the "profile not found" error can point at the likely typo.
  public var ignoredConfigSections: [String] = []

  public init(
    profiles: [String: INIFile.Section] = [:], configFileProfiles: [String: INIFile.Section] = [:],
    credentialsFileProfiles: [String: INIFile.Section] = [:], ssoSessions: [String: INIFile.Section] = [:],
    services: [String: INIFile.Section] = [:], configFilePath: String = "", credentialsFilePath: String = ""
  ) {
    self.profiles = profiles
    self.configFileProfiles = configFileProfiles
    self.credentialsFileProfiles = credentialsFileProfiles
    self.ssoSessions = ssoSessions
    self.services = services
    self.configFilePath = configFilePath
    self.credentialsFilePath = credentialsFilePath
  }

  /// Reads both files; a missing file is empty, a malformed one is an error naming it.
  public static func load(from environment: AWSEnvironment) throws(SecretsError) -> SharedConfiguration {
    let configPath = environment.configFilePath
    let credentialsPath = environment.credentialsFilePath
    let config = try parse(environment.readFile(configPath), path: configPath)
    let credentials = try parse(environment.readFile(credentialsPath), path: credentialsPath)

    var result = SharedConfiguration(configFilePath: configPath, credentialsFilePath: credentialsPath)
    for section in config.sections {
      if section.name.hasPrefix("profile") {
        if let name = qualifiedName(section.name) { result.configFileProfiles[name] = renamed(section, name) }
      } else if section.name.hasPrefix("sso-session") {
        if let name = qualifiedName(section.name) { result.ssoSessions[name] = renamed(section, name) }
      } else if section.name.hasPrefix("services") {
        if let name = qualifiedName(section.name) { result.services[name] = renamed(section, name) }
      } else if section.name == "default" {
        result.configFileProfiles["default"] = section
      } else {
        result.ignoredConfigSections.append(section.name)
      }
    }
    result.profiles = result.configFileProfiles
    for section in credentials.sections {
      result.credentialsFileProfiles[section.name] = section
      var merged = result.profiles[section.name] ?? INIFile.Section(name: section.name)
      merged.entries.merge(section.entries) { _, fromCredentials in fromCredentials }
      result.profiles[section.name] = merged
    }
    return result
  }

  /// The profile to use: `--profile`, then `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then
  /// `default`.
  public static func selectedProfileName(explicit: String?, environment: AWSEnvironment) -> String {
    if let explicit, !explicit.isEmpty { return explicit }
    return environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
  }

  /// The named profile, or a clear error if a non-default profile is named but absent. The
  /// default profile may be absent: then nothing is configured in the files.
  public func profile(named name: String) throws(SecretsError) -> INIFile.Section {
    if let profile = profiles[name] { return profile }
    if name == "default" { return INIFile.Section(name: name) }
    let known = profiles.keys.sorted()
    var message = """
      The profile "\(name)" was not found in \(configFilePath) (as [profile \(name)]) or \
      \(credentialsFilePath) (as [\(name)]).
      \(known.isEmpty ? "Neither file defines any profile." : "Profiles found: \(known.joined(separator: ", ")).")
      """
    if ignoredConfigSections.contains(name) {
      message += "\n\(configFilePath) has [\(name)]; in the config file a profile section is written [profile \(name)]."
    }
    throw .configuration(message)
  }

  private static func parse(_ text: String?, path: String) throws(SecretsError) -> INIFile {
    guard let text else { return INIFile(sections: []) }
    do {
      return try INIFile(parsing: text)
    } catch {
      throw .configuration("Unable to parse \(path): \(error)")
    }
  }

  /// `profile x` -> `x`; anything that is not exactly two shell words names nothing, as in
  /// botocore's `_parse_section`.
  private static func qualifiedName(_ sectionName: String) -> String? {
    guard let words = try? ShellWords.split(sectionName), words.count == 2 else { return nil }
    return words[1]
  }

  private static func renamed(_ section: INIFile.Section, _ name: String) -> INIFile.Section {
    INIFile.Section(name: name, entries: section.entries)
  }
}
