import Foundation
import SecretsClient

/// Builds the backend the global options ask for: the embedded store (`--store`, `--demo`)
/// or AWS.
enum BackendFactory {
  /// `environment` is where the demo store and the AWS settings are looked up; tests pass
  /// their own.
  static func make(_ options: GlobalSettings, environment: AWSEnvironment = .process()) async throws
    -> any SecretsBackend
  {
    if options.store != nil && (options.demo || options.demoReset) {
      throw CLIError.refusal("--store and --demo name two different stores: pass one of them.")
    }
    if (options.store != nil || options.demo || options.demoReset)
      && (options.regions != nil || options.profiles != nil)
    {
      throw CLIError.refusal("--regions and --profiles are for AWS: the embedded store has one Region.")
    }
    if let path = options.store {
      let backend = LocalStoreBackend(path: absolute(path), readOnly: options.readOnly)
      try backend.validate()
      return backend
    }
    if options.demo || options.demoReset {
      let home = HomeDirectory.path(environment.variables)
      let path = DemoAccount.defaultPath(environment: environment.variables, home: home)
      if options.demoReset || !FileManager.default.fileExists(atPath: path) {
        try DemoAccount.write(to: path)
      }
      let backend = LocalStoreBackend(path: path, readOnly: options.readOnly)
      try backend.validate()
      return backend
    }
    return try await AWSBackendFactory.make(options, environment: environment)
  }

  /// `$HOME` when set (as the aws CLI and shells use it), else the account's home folder.
  static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    if path.hasPrefix("~/") { return HomeDirectory.path() + path.dropFirst(1) }
    return FileManager.default.currentDirectoryPath + "/" + path
  }
}
