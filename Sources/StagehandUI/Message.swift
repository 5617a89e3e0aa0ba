import Foundation
import StagingModel

/// Facts the UI core learns about: input, and the results of effects it asked for.
/// Results carry the request id of the effect that produced them so stale ones are dropped.
public enum Message: Sendable {
  /// The event loop is up; the first load starts here.
  case started
  case terminal(TerminalEvent)
  case secretsPageLoaded(requestID: Int, secrets: [Secret], isLastPage: Bool)
  case secretsLoadFailed(requestID: Int, message: String)
  case secretDescribed(requestID: Int, secret: Secret)
  case describeFailed(requestID: Int, message: String)
  case valueRevealed(requestID: Int, value: RevealedValue)
  case revealFailed(requestID: Int, message: String)
  /// Spinner frame and clock; relative dates use the `now` given here.
  case tick(now: Date)
  case commitProgress(requestID: Int, step: Int, of: Int)
  case commitFinished(requestID: Int, outcome: CommitOutcome)
}
