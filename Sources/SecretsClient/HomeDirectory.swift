import Foundation

/// The folder `~` stands for, for the aws configuration files and the store paths alike.
public enum HomeDirectory {
  /// `$HOME` when it is an absolute path (as the aws CLI and shells use it), else the
  /// account's home folder.
  public static func path(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let home = environment["HOME"], home.hasPrefix("/") { return home }
    return FileManager.default.homeDirectoryForCurrentUser.path
  }
}
