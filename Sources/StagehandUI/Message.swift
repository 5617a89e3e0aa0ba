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
  /// What one profile × Region pair of an estate listing reported.
  case pairEvent(requestID: Int, origin: SecretOrigin, event: PairEvent)
  /// Every pair of the estate listing has ended (listed, failed or skipped).
  case estateListed(requestID: Int)
  case secretDescribed(requestID: Int, secret: Secret)
  case describeFailed(requestID: Int, message: String)
  /// A call failed because the sign-in behind the credentials has expired (an SSO login) and
  /// no new credentials can be had until the user signs in again: the message says what to run.
  case signInExpired(message: String)
  case valueRevealed(requestID: Int, value: RevealedValue)
  case revealFailed(requestID: Int, message: String)
  /// Spinner frame and clock; relative dates use the `now` given here.
  case tick(now: Date)
  case commitProgress(requestID: Int, step: Int, of: Int)
  case commitFinished(requestID: Int, outcome: CommitOutcome)
  /// The secret read for a pre-flight, the token chosen, and the value written in
  /// `$EDITOR` when one was asked for (nil when the editor left nothing).
  case rotationPrepared(requestID: Int, secret: Secret, token: VersionID, editedValue: MaskedValue?)
  case rotationPrepareFailed(requestID: Int, message: String)
  /// AWS accepted RotateSecret; the rotation goes on by itself.
  case rotationAccepted(requestID: Int)
  /// A stage of the rotation newly seen, with the secret as read then.
  case rotationObserved(requestID: Int, stage: RotationStage, secret: Secret)
  case rotationEnded(requestID: Int, end: RotationEnd)
  /// PutSecretValue or CancelRotateSecret answered; `secret` is read again afterwards.
  case rotationCallFinished(requestID: Int, result: RotationCallResult)
  /// Plan `index` of the change set ended.
  case changeSetSecretFinished(requestID: Int, index: Int, outcome: BulkOutcome)
  /// Every plan of the change set ended.
  case changeSetFinished(requestID: Int)
  /// The plan file is written at `path` (absolute).
  case planFileWritten(requestID: Int, path: String)
  case planFileFailed(requestID: Int, message: String)
  /// One replica Region's end in a wait for replicas.
  case replicaOutcome(requestID: Int, region: String, outcome: ReplicaOutcome)
}

/// One pair's news during an estate listing.
public enum PairEvent: Equatable, Sendable {
  /// A page of the pair's secrets.
  case page([Secret])
  /// The pair is listed: `count` secrets.
  case finished(count: Int)
  /// The Region is not enabled for the account: skipped, not an error.
  case notEnabled
  /// The pair could not be listed (no credentials, access denied, a timeout): why.
  case failed(message: String)
}
