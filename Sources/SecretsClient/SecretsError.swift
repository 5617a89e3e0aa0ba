import Foundation
import StagingModel

/// Every failure a backend reports, in a form the UI and CLI can explain.
public enum SecretsError: Error, Equatable, Sendable {
  /// An error the service (or the store, speaking the service's language) returned.
  /// `code` is the AWS error name without namespace, `message` AWS's own words.
  case service(code: String, message: String, httpStatus: Int? = nil, requestId: String? = nil)
  /// The embedded store could not be used.
  case store(path: String, problem: String, hint: String)
  /// The request never got an answer (connection, DNS, timeout).
  case transport(String)
  /// The response could not be decoded.
  case malformedResponse(String)
  /// A changing call refused because Stagehand runs read-only.
  case readOnly(operation: String)
  /// Credentials, region or endpoint could not be resolved.
  case configuration(String)

  /// The AWS error name, when there is one.
  public var code: String? {
    if case .service(let code, _, _, _) = self { return code }
    return nil
  }

  /// What happened and what to do, for a person, not yet made safe to show: the server's
  /// words are kept on their line (`DisplayText.inline`: a newline in them can't start a line
  /// of its own) and are otherwise as they came, like every other detail here. Whatever shows
  /// the message makes it safe, line by line and once: the CLI's `Output.error`, the UI's
  /// renderer.
  public var rawUserMessage: String { message(quotingServer: DisplayText.inline) }

  /// `rawUserMessage` with the server's words made safe (`DisplayText.sanitized`): the text
  /// `--json` prints as an error's message and other errors quote. Code that shows a message
  /// to a person shows `rawUserMessage`, so nothing is made safe twice.
  public var userMessage: String { message(quotingServer: DisplayText.sanitized) }

  /// The message, with the server's code and words passed through `quote`.
  private func message(quotingServer quote: (String) -> String) -> String {
    switch self {
    case .service(let rawCode, let rawMessage, _, _):
      let code = quote(rawCode)
      let message = quote(rawMessage)
      switch code {
      case "AccessDeniedException":
        return "\(code): \(message)\nAsk for the IAM permission named above (see README, IAM policies)."
      case "ResourceNotFoundException":
        return "\(code): \(message)\nCheck the secret name or version id (stagehand list / stagehand versions)."
      case "ThrottlingException":
        return "\(code): \(message)\nAWS is rate limiting this account; wait a moment and try again."
      case "LimitExceededException":
        return "\(code): \(message)\nRemove a label you no longer need before adding another."
      default:
        return "\(code): \(message)"
      }
    case .store(let path, let problem, let hint):
      return "Store \(path): \(problem)\n\(hint)"
    case .transport(let detail):
      return "Network error: \(detail)\nCheck the endpoint and your connection, then retry."
    case .malformedResponse(let detail):
      return "Unexpected response: \(detail)"
    case .readOnly(let operation):
      return "\(operation) refused: Stagehand is running with --read-only. Run without it to change labels."
    case .configuration(let detail):
      return detail
    }
  }
}

extension SecretsError: LocalizedError {
  public var errorDescription: String? { userMessage }
}
