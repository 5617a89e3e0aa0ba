/// An error the CLI reports with its own exit code: 1 when an operation failed (store or
/// AWS error, conflict), 2 for usage errors and refusals by the planner.
struct CLIError: Error {
  /// Not yet made safe: `Output.error` makes it safe line by line. Text from outside (a name,
  /// a label, a server's words) is kept on its line with `DisplayText.inline`.
  var message: String
  var exitCode: Int32

  static func failure(_ message: String) -> CLIError { CLIError(message: message, exitCode: 1) }
  static func refusal(_ message: String) -> CLIError { CLIError(message: message, exitCode: 2) }
}
