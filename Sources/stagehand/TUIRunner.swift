import SecretsClient

/// Runs the terminal UI on a backend.
enum TUIRunner {
  static func run(backend: any SecretsBackend, dryRun: Bool, mouse: Bool) async throws {
    throw CLIError.failure("The terminal UI is not part of this build yet. Use the subcommands (stagehand --help).")
  }
}
