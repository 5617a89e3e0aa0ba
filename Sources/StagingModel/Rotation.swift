import Foundation

/// What runs a secret's rotation, as DescribeSecret reports it.
public enum RotationFunction: Equatable, Hashable, Sendable {
  /// A rotation Lambda function of the account's own.
  case lambda(arn: String)
  /// Managed rotation: the service that owns the secret (RDS, Redshift, …) rotates it.
  case managed(service: String)

  /// "the rotation function arn:aws:lambda:…" or "rds (managed rotation)".
  public var summary: String {
    switch self {
    case .lambda(let arn): return "rotation function \(arn)"
    case .managed(let service): return "\(service) (managed rotation)"
    }
  }
}

extension Secret {
  /// The function that rotates this secret, if rotation is configured.
  public var rotationFunction: RotationFunction? {
    if let arn = rotationLambdaARN, !arn.isEmpty { return .lambda(arn: arn) }
    if rotationEnabled, let service = owningService, !service.isEmpty { return .managed(service: service) }
    return nil
  }

  /// The version AWSPENDING sits on when that is not the AWSCURRENT one: a rotation that did
  /// not finish (or one under way). AWS refuses every RotateSecret until it is promoted or
  /// removed.
  public var stuckPendingVersion: VersionID? {
    let map = labelMap
    guard let pending = map.holder(of: StandardLabel.pending), pending != map.holder(of: StandardLabel.current)
    else { return nil }
    return pending
  }

  public var isRotationStuck: Bool { stuckPendingVersion != nil }

  /// True for a replica of a secret whose primary is in another Region: read-only.
  public var isReplica: Bool { primaryRegion != nil }
}

/// What a person asked RotateSecret to do.
public struct RotationRequest: Equatable, Hashable, Sendable {
  /// The ClientRequestToken: the new version's id and the idempotency key. A retry sends the
  /// same token.
  public var token: VersionID
  /// A rotation function to set (`--rotation-lambda-arn`); nil keeps the configured one.
  public var lambdaARN: String?
  /// A schedule to set, in days; nil keeps the configured one.
  public var scheduleDays: Int?
  /// False: AWS runs only testSecret now and rotates at the next scheduled window.
  public var rotateImmediately: Bool

  public init(token: VersionID, lambdaARN: String? = nil, scheduleDays: Int? = nil, rotateImmediately: Bool = true) {
    self.token = token
    self.lambdaARN = lambdaARN
    self.scheduleDays = scheduleDays
    self.rotateImmediately = rotateImmediately
  }

  /// The exact aws CLI command for this request.
  public func awsCLICommand(secretId: String) -> String {
    var parts = [
      "aws secretsmanager rotate-secret", "--secret-id \(shellQuote(secretId))",
      "--client-request-token \(shellQuote(token))",
    ]
    if let lambdaARN { parts.append("--rotation-lambda-arn \(shellQuote(lambdaARN))") }
    if let scheduleDays { parts.append("--rotation-rules AutomaticallyAfterDays=\(scheduleDays)") }
    if !rotateImmediately { parts.append("--no-rotate-immediately") }
    return parts.joined(separator: " ")
  }
}

/// Something a person should know before a rotation, a staged value or a cancellation.
public enum RotationNote: Equatable, Hashable, Sendable {
  /// The secret has `count` versions (deprecated ones included); AWS keeps about 100 and then
  /// deletes unlabelled versions older than a day.
  case versionQuota(count: Int)
  /// AWSPENDING sits on the AWSCURRENT version (an older finishSecret left it there); the
  /// new version takes it.
  case pendingOnCurrent(VersionID)
  /// With RotateImmediately off, only testSecret runs now: no label moves until the next
  /// scheduled window.
  case scheduledOnly
  /// The staged value replaces the one AWSPENDING marks now, on `from`.
  case pendingReplaced(from: VersionID)
  /// Cancelling turns automatic rotation off (RotateSecret turns it on again).
  case rotationTurnedOff
  /// A rotation under way can leave AWSPENDING on the version it created.
  case pendingMayStay(on: VersionID?)
  /// The version keeps no label and becomes deprecated.
  case deprecated(VersionID)

  public var message: String {
    switch self {
    case .versionQuota(let count):
      return "\(count) versions: AWS keeps about 100 and deletes unlabelled versions older than a day past that"
    case .pendingOnCurrent(let id):
      return "AWSPENDING sits on the current version \(shortID(id)); the new version takes it"
    case .scheduledOnly:
      return "only testSecret runs now: the labels move at the next scheduled rotation window"
    case .pendingReplaced(let from):
      return "AWSPENDING moves off \(shortID(from)), whose staged value it marked"
    case .rotationTurnedOff:
      return "automatic rotation is turned off (a later rotate turns it on again)"
    case .pendingMayStay(let id?):
      return "AWSPENDING is on \(shortID(id)) now; a rotation under way can leave it there"
    case .pendingMayStay(nil):
      return "a rotation under way can leave AWSPENDING on the version it created"
    case .deprecated(let id):
      return "version \(shortID(id)) keeps no label and becomes deprecated"
    }
  }
}

/// The outcome a rotation, a staged value or a cancellation is expected to have, for a
/// person to read before anything is sent.
public struct RotationPreview: Equatable, Hashable, Sendable {
  public enum Kind: Equatable, Hashable, Sendable {
    case rotate(RotationRequest, function: RotationFunction)
    /// PutSecretValue with VersionStages [AWSPENDING]: `bytes` long, never shown.
    case putPending(token: VersionID, bytes: Int, binary: Bool)
    case cancel
  }

  public var secretName: String
  public var secretARN: String?
  public var kind: Kind
  /// The labelled versions now.
  public var before: LabelMap
  /// The labels once it has finished (a rotation: once finishSecret has run).
  public var after: LabelMap
  public var notes: [RotationNote]

  /// The id used in API calls: the ARN when known, else the name.
  public var secretId: String { secretARN ?? secretName }

  /// Every version whose labels change; AWSPREVIOUS's moves are automatic.
  public var diff: [VersionDiff] {
    VersionDiff.changes(from: before, to: after, automatic: [StandardLabel.previous])
  }

  /// The exact aws CLI command, where one call does it all (a staged value's command is the
  /// app's to write: the value's source is not the model's to know).
  public var awsCLICommand: String? {
    switch kind {
    case .rotate(let request, _): return request.awsCLICommand(secretId: secretName)
    case .cancel: return "aws secretsmanager cancel-rotate-secret --secret-id \(shellQuote(secretName))"
    case .putPending: return nil
    }
  }
}

/// Checks a rotation, a staged value or a cancellation against the secret as read, the way
/// AWS would, and predicts the labels. Pure; follows AWS, never moto's inverted check.
public enum RotationPlanner {
  /// Versions from which the quota note is shown.
  public static let versionQuotaNoteThreshold = 90

  /// RotateSecret's pre-flight. `secret` should be read with deprecated versions, so that the
  /// version count is known.
  public static func rotate(_ request: RotationRequest, for secret: Secret) -> Result<RotationPreview, PlanRefusal> {
    Result { () throws(PlanRefusal) in
      try checkWritable(secret, action: "rotated")
      let function: RotationFunction
      if let arn = request.lambdaARN, !arn.isEmpty {
        function = .lambda(arn: arn)
      } else if let configured = secret.rotationFunction {
        function = configured
      } else {
        throw PlanRefusal(
          .rotationNotConfigured,
          "\(secret.name) has no rotation configured (no rotation function, no managed rotation): "
            + "AWS refuses to rotate it. Name a rotation function to set one.")
      }
      let map = secret.labelMap
      if let stuck = secret.stuckPendingVersion {
        throw PlanRefusal(
          .rotationInProgress,
          "AWSPENDING is on \(shortID(stuck)), not on the AWSCURRENT version: a previous rotation did not finish, "
            + "and AWS refuses to start another until it is promoted or removed.",
          suggestion: .finishOrAbandonRotation(secretName: secret.name, pendingVersion: stuck))
      }
      if map.contains(version: request.token) {
        throw PlanRefusal(
          .labelExists, "\(secret.name) already has a version \(shortID(request.token)): choose another token.")
      }
      var notes: [RotationNote] = []
      var after = map
      if request.rotateImmediately {
        if let current = map.holder(of: StandardLabel.current) {
          if map.labels(on: current).contains(StandardLabel.pending) {
            notes.append(.pendingOnCurrent(current))
            after.remove(StandardLabel.pending, from: current)
          }
          if let previous = map.holder(of: StandardLabel.previous) {
            after.remove(StandardLabel.previous, from: previous)
            if after.labels(on: previous).isEmpty { notes.append(.deprecated(previous)) }
          }
          after.remove(StandardLabel.current, from: current)
          after.add(StandardLabel.previous, to: current)
        }
        after.insertVersion(request.token)
        after.add(StandardLabel.current, to: request.token)
      } else {
        notes.append(.scheduledOnly)
      }
      if let note = versionQuotaNote(secret) { notes.append(note) }
      return RotationPreview(
        secretName: secret.name, secretARN: secret.arn, kind: .rotate(request, function: function),
        before: map.labelledVersions, after: after.labelledVersions, notes: notes)
    }
  }

  /// PutSecretValue with VersionStages [AWSPENDING]: the manual rotation's first step.
  public static func putPending(
    token: VersionID, bytes: Int, binary: Bool, for secret: Secret
  ) -> Result<RotationPreview, PlanRefusal> {
    Result { () throws(PlanRefusal) in
      try checkWritable(secret, action: "given a new value")
      if let service = secret.owningService {
        throw PlanRefusal(
          .managedByService,
          "\(secret.name) is managed by \(service), and AWS refuses values put from outside it: "
            + "rotate it instead, and \(service) makes the new value.")
      }
      let map = secret.labelMap
      if map.contains(version: token) {
        throw PlanRefusal(.labelExists, "\(secret.name) already has a version \(shortID(token)): choose another token.")
      }
      if bytes == 0 {
        throw PlanRefusal(.invalidValue, "The value is empty: AWS needs at least one byte.")
      }
      if bytes > maximumValueBytes {
        throw PlanRefusal(
          .invalidValue, "The value is \(bytes) bytes: AWS takes at most \(maximumValueBytes) (64 KiB).")
      }
      var notes: [RotationNote] = []
      var after = map
      if let holder = map.holder(of: StandardLabel.pending) {
        notes.append(.pendingReplaced(from: holder))
        after.remove(StandardLabel.pending, from: holder)
        if after.labels(on: holder).isEmpty { notes.append(.deprecated(holder)) }
      }
      after.insertVersion(token)
      after.add(StandardLabel.pending, to: token)
      if let note = versionQuotaNote(secret) { notes.append(note) }
      return RotationPreview(
        secretName: secret.name, secretARN: secret.arn, kind: .putPending(token: token, bytes: bytes, binary: binary),
        before: map.labelledVersions, after: after.labelledVersions, notes: notes)
    }
  }

  /// CancelRotateSecret: no label moves now; it turns automatic rotation off.
  public static func cancel(for secret: Secret) -> Result<RotationPreview, PlanRefusal> {
    Result { () throws(PlanRefusal) in
      try checkWritable(secret, action: "changed")
      guard secret.rotationEnabled else {
        throw PlanRefusal(
          .noOp, "Automatic rotation of \(secret.name) is already off: nothing to cancel.",
          suggestion: secret.stuckPendingVersion.map {
            .finishOrAbandonRotation(secretName: secret.name, pendingVersion: $0)
          })
      }
      let map = secret.labelMap.labelledVersions
      return RotationPreview(
        secretName: secret.name, secretARN: secret.arn, kind: .cancel, before: map, after: map,
        notes: [.rotationTurnedOff, .pendingMayStay(on: map.holder(of: StandardLabel.pending))])
    }
  }

  /// SecretString and SecretBinary: at most 65,536 bytes.
  public static let maximumValueBytes = 65_536

  private static func checkWritable(_ secret: Secret, action: String) throws(PlanRefusal) {
    if secret.isScheduledForDeletion {
      throw PlanRefusal.scheduledForDeletion(secretName: secret.name, refused: "to have it \(action)")
    }
    if let region = secret.primaryRegion { throw PlanRefusal.replica(secretName: secret.name, primaryRegion: region) }
  }

  private static func versionQuotaNote(_ secret: Secret) -> RotationNote? {
    let count = secret.versions.count + 1
    return count >= versionQuotaNoteThreshold ? .versionQuota(count: count) : nil
  }
}

/// How far a rotation has got, as a reader of the secret sees it.
public enum RotationStage: Int, Comparable, CaseIterable, Hashable, Sendable {
  /// RotateSecret was accepted; the new version is not seen yet.
  case requested
  /// The new version exists with AWSPENDING (AWS's placeholder).
  case pendingPlaceholder
  /// createSecret has put a value on it.
  case valuePresent
  /// finishSecret has moved AWSCURRENT onto it (AWSPREVIOUS shifted).
  case currentMoved
  /// AWSPENDING is gone from it: the rotation is complete.
  case pendingCleanedUp

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

  public var summary: String {
    switch self {
    case .requested: return "rotation requested"
    case .pendingPlaceholder: return "new version created with AWSPENDING"
    case .valuePresent: return "a value is present on the new version"
    case .currentMoved: return "AWSCURRENT moved to the new version"
    case .pendingCleanedUp: return "AWSPENDING cleaned up"
    }
  }

  /// The stage the labels show for a rotation whose new version is `token`; `hasValue` says
  /// whether a value was read on it.
  public static func observed(labels: LabelMap, token: VersionID, hasValue: Bool) -> RotationStage {
    let onToken = labels.labels(on: token)
    if onToken.contains(StandardLabel.current) {
      return onToken.contains(StandardLabel.pending) ? .currentMoved : .pendingCleanedUp
    }
    if hasValue { return .valuePresent }
    return onToken.contains(StandardLabel.pending) ? .pendingPlaceholder : .requested
  }
}

/// Where a rotation that did not finish stopped, and what a person can do about it.
public struct RotationDiagnosis: Equatable, Hashable, Sendable {
  public enum Remedy: Equatable, Hashable, Sendable {
    /// Read the rotation function's logs.
    case readLogs(RotationFunction)
    /// Promote the pending version (if its value was tested).
    case promote(secretName: String)
    /// Remove AWSPENDING to abandon the rotation.
    case removePending(secretName: String)
  }

  public var reached: RotationStage
  /// Where it stopped, in words.
  public var message: String
  public var remedies: [Remedy]

  public init(secretName: String, token: VersionID, reached: RotationStage, function: RotationFunction?) {
    self.reached = reached
    let logs = function.map { [Remedy.readLogs($0)] } ?? []
    switch reached {
    case .requested:
      message =
        "AWS accepted the rotation, but version \(shortID(token)) never appeared: the rotation function did not run createSecret."
      remedies = logs
    case .pendingPlaceholder:
      message = "Version \(shortID(token)) holds AWSPENDING with no value: the rotation stopped in createSecret."
      remedies = logs + [.removePending(secretName: secretName)]
    case .valuePresent:
      message =
        "Version \(shortID(token)) has its value and AWSPENDING, but AWSCURRENT never moved: "
        + "the rotation stopped in setSecret, testSecret or finishSecret."
      remedies = logs + [.promote(secretName: secretName), .removePending(secretName: secretName)]
    case .currentMoved:
      message =
        "AWSCURRENT is on \(shortID(token)), but AWSPENDING stayed there too (an older finishSecret template): "
        + "the next rotation works; removing it keeps the labels tidy."
      remedies = [.removePending(secretName: secretName)]
    case .pendingCleanedUp:
      message = "The rotation finished."
      remedies = []
    }
  }
}
