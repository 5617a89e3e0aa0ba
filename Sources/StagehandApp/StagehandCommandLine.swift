import ArgumentParser
import Foundation
import SecretsClient

/// The whole program behind `main.swift`: reads one command line, runs the UI or the
/// subcommand it names, and exits with the status the README documents.
public enum StagehandCommandLine {
  /// `arguments` without the program's name. Returns when the command succeeded; otherwise
  /// prints the error and exits the process.
  public static func run(_ arguments: [String]) async {
    // Parse and run by hand so that usage errors exit with 2 (ArgumentParser's default is 64)
    // and CLIError chooses its own exit code.
    let arguments = ArgumentOrder.normalize(arguments, subcommands: Stagehand.subcommandNames)
    do {
      if let launch = QuickLaunch.parse(arguments) {
        try await Stagehand.openUI(launch.settings, mouse: launch.mouse)
      } else {
        var command = try Stagehand.parseAsRoot(arguments)
        if let asyncCommand = command as? any AsyncParsableCommand {
          try await runAsync(asyncCommand)
        } else {
          try command.run()
        }
      }
    } catch let error as CLIError {
      Output.error(error.message)
      exit(error.exitCode)
    } catch let error as SecretsError {
      Output.error(error.rawUserMessage)
      exit(1)
    } catch {
      let code = Stagehand.exitCode(for: error)
      if code == .success {
        Stagehand.exit(withError: error)
      }
      Output.write(Array((Stagehand.fullMessage(for: error) + "\n").utf8), to: 2)
      exit(code == .validationFailure ? 2 : code.rawValue)
    }
  }

  /// Opens the existential so the async `run` (not ParsableCommand's synchronous one) is called.
  private static func runAsync<C: AsyncParsableCommand>(_ command: C) async throws {
    var command = command
    try await command.run()
  }
}
