import Foundation

/// Everything the configuration reads from outside the process, passed in so that tests
/// never touch the real environment or the real `~/.aws`.
public struct AWSEnvironment: Sendable {
  /// Environment variables, as `ProcessInfo.processInfo.environment` gives them.
  public var variables: [String: String]
  /// The home directory `~` expands to.
  public var homeDirectory: String
  /// Reads a whole text file; nil when it does not exist or cannot be read.
  public var readFile: @Sendable (String) -> String?

  public init(
    variables: [String: String], homeDirectory: String, readFile: @escaping @Sendable (String) -> String?
  ) {
    self.variables = variables
    self.homeDirectory = homeDirectory
    self.readFile = readFile
  }

  /// The real process environment and file system.
  public static func process() -> AWSEnvironment {
    let variables = ProcessInfo.processInfo.environment
    return AWSEnvironment(variables: variables, homeDirectory: HomeDirectory.path(variables)) { path in
      try? String(contentsOfFile: path, encoding: .utf8)
    }
  }

  /// A variable's value, treating an empty value as unset as botocore does for most settings.
  public subscript(_ name: String) -> String? {
    guard let value = variables[name], !value.isEmpty else { return nil }
    return value
  }

  /// True for `true` in any case, the only spelling botocore accepts for boolean settings.
  public func flag(_ name: String) -> Bool {
    self[name]?.lowercased() == "true"
  }

  /// Expands a leading `~` the way `os.path.expanduser` does for the current user.
  public func expandingTilde(_ path: String) -> String {
    if path == "~" { return homeDirectory }
    if path.hasPrefix("~/") { return homeDirectory + path.dropFirst(1) }
    return path
  }

  /// The shared credentials file, `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
  public var credentialsFilePath: String {
    expandingTilde(self["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
  }

  /// The shared config file, `AWS_CONFIG_FILE` or `~/.aws/config`.
  public var configFilePath: String {
    expandingTilde(self["AWS_CONFIG_FILE"] ?? "~/.aws/config")
  }
}
