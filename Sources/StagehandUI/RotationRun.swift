import Foundation
import StagingModel

/// What a rotation key asked for, kept while the secret is read for the pre-flight.
public enum RotationOperation: Equatable, Sendable {
  /// RotateSecret.
  case rotate
  /// PutSecretValue with VersionStages [AWSPENDING]: the value typed, or nil until it is
  /// written in `$EDITOR`.
  case stage(MaskedValue?)
  /// CancelRotateSecret.
  case cancel

  /// "rotate", "stage a new value in", "cancel the rotation of": how titles name it.
  func title(_ secretName: String) -> String {
    switch self {
    case .rotate: return "Rotate \(secretName) now"
    case .stage: return "Stage a new AWSPENDING value on \(secretName)"
    case .cancel: return "Cancel the rotation of \(secretName)"
    }
  }
}

/// A pre-flight read in flight.
public struct PreparingRotation: Equatable, Sendable {
  public var requestID: Int
  public var secretName: String
  /// What the read names the secret by (`AppState.address(of:)`): its own pair's ARN in an
  /// estate, where the name can be in several.
  public var secretId: String
  public var operation: RotationOperation
}

/// The preview of a rotation, a staged value or a cancellation: the planner's outcome (or
/// its refusal, with the key that fixes it) for the secret as read. `y` sends it.
public struct RotationPreviewState: Equatable, Sendable {
  /// The secret as read for the pre-flight, deprecated versions included.
  public var secret: Secret
  /// What `y` sends; a staged value rides here (and nowhere else) until then.
  public var operation: RotationOperation
  public var outcome: Result<RotationPreview, PlanRefusal>
  public var scroll: Int

  public init(
    secret: Secret, operation: RotationOperation, outcome: Result<RotationPreview, PlanRefusal>, scroll: Int = 0
  ) {
    self.secret = secret
    self.operation = operation
    self.outcome = outcome
    self.scroll = scroll
  }

  public var refusal: PlanRefusal? {
    if case .failure(let refusal) = outcome { return refusal }
    return nil
  }
}

/// The masked input: the value typed so far, drawn as one `•` per character.
public struct ValueInputState: Equatable, Sendable {
  public var secretName: String
  /// What the pre-flight read names the secret by (the name, or in an estate its ARN).
  public var secretId: String
  public var value: MaskedValue

  public init(secretName: String, secretId: String? = nil, value: MaskedValue = MaskedValue()) {
    self.secretName = secretName
    self.secretId = secretId ?? secretName
    self.value = value
  }
}

/// How following a rotation ended, as the runner reports it.
public enum RotationEnd: Equatable, Sendable {
  /// The follower stopped by itself: AWSPENDING cleaned up, left on the new current version,
  /// or gone before the new version became current.
  case followEnded
  /// It did not finish within the timeout.
  case timedOut(seconds: Int)
  /// Reading the secret failed; the rotation itself may go on.
  case readFailed(String)
  /// RotateSecret itself failed.
  case sendFailed(String)
}

/// How PutSecretValue or CancelRotateSecret went.
public enum RotationCallResult: Equatable, Sendable {
  /// Done; the secret as read afterwards, when that worked.
  case done(Secret?)
  case failed(String)
}

/// A PutSecretValue or CancelRotateSecret in flight.
public struct RotationCall: Equatable, Sendable {
  public var secretName: String
  /// Where the secret was read, in an estate (the same name can be in several pairs).
  public var origin: SecretOrigin?
  public var operation: RotationOperation.Kind
  /// The new version, for a staged value.
  public var token: VersionID?
}

extension RotationOperation {
  /// The operation without its value.
  public enum Kind: Equatable, Sendable { case rotate, stage, cancel }

  public var kind: Kind {
    switch self {
    case .rotate: return .rotate
    case .stage: return .stage
    case .cancel: return .cancel
    }
  }
}

/// One rotation started in this session, followed while the user browses.
public struct RotationRun: Equatable, Sendable {
  public enum Outcome: Equatable, Sendable {
    /// AWSCURRENT is on the new version and AWSPENDING is cleaned up.
    case finished(after: LabelMap)
    /// It did not finish (or finished untidily): where it stopped and what to do, and why
    /// following stopped.
    case stopped(RotationDiagnosis, why: String)
    /// The new version lost AWSPENDING before it became current.
    case abandoned
    /// RotateSecret failed: AWS's message.
    case notStarted(String)
  }

  public var requestID: Int
  public var secretName: String
  /// Where the secret was read, in an estate: with the name, which row is rotating.
  public var origin: SecretOrigin?
  public var token: VersionID
  public var function: RotationFunction
  /// The labelled versions before.
  public var before: LabelMap
  public var startedAt: Date
  /// When each stage was first seen.
  public var observed: [RotationStage: Date] = [:]
  public var reached: RotationStage?
  /// The secret as last read while following.
  public var lastRead: Secret?
  public var outcome: Outcome?
  public var endedAt: Date?
  /// False until the outcome has been on screen: `o` shows it before starting another.
  public var outcomeSeen = false

  public var isRunning: Bool { outcome == nil }

  /// True when this rotation is of `secret`'s row: the same name read in the same pair.
  public func isOf(_ secret: Secret) -> Bool {
    secretName == secret.name && origin == secret.origin
  }

  public init(
    requestID: Int, secretName: String, origin: SecretOrigin? = nil, token: VersionID, function: RotationFunction,
    before: LabelMap, startedAt: Date
  ) {
    self.requestID = requestID
    self.secretName = secretName
    self.origin = origin
    self.token = token
    self.function = function
    self.before = before
    self.startedAt = startedAt
  }
}
