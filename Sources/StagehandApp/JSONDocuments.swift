import Foundation
import SecretsClient
import StagingModel

/// `versions --json`: `{"ARN", "Name", "Versions": [...]}` with ListSecretVersionIds' field
/// names, newest version first; the ARN is left out when unknown, a version's missing date is
/// `null`. The rotation configuration follows with DescribeSecret's names ("RotationEnabled",
/// "RotationLambdaARN", "OwningService", "RotationRules", "LastRotatedDate",
/// "NextRotationDate"; those unknown left out), plus "RotationStuck" (and
/// "StuckPendingVersionId" when it is): AWSPENDING sitting off AWSCURRENT.
struct VersionsJSON: JSONDocument {
  static let keyOrder = JSONKeyOrder.foundation

  var arn: String?
  var name: String
  var versions: [Version]
  var rotationEnabled: Bool
  var rotationLambdaARN: String?
  var owningService: String?
  var rotationRules: RotationRulesJSON?
  var lastRotatedDate: Date?
  var nextRotationDate: Date?
  var rotationStuck: Bool
  var stuckPendingVersionId: VersionID?

  enum CodingKeys: String, CodingKey {
    case arn = "ARN"
    case name = "Name"
    case versions = "Versions"
    case rotationEnabled = "RotationEnabled"
    case rotationLambdaARN = "RotationLambdaARN"
    case owningService = "OwningService"
    case rotationRules = "RotationRules"
    case lastRotatedDate = "LastRotatedDate"
    case nextRotationDate = "NextRotationDate"
    case rotationStuck = "RotationStuck"
    case stuckPendingVersionId = "StuckPendingVersionId"
  }

  struct Version: Encodable {
    var versionId: VersionID
    /// In display order (AWSCURRENT, AWSPENDING, AWSPREVIOUS, then the rest); empty when
    /// deprecated.
    var versionStages: [String]
    var createdDate: Date?
    var lastAccessedDate: Date?

    enum CodingKeys: String, CodingKey {
      case versionId = "VersionId"
      case versionStages = "VersionStages"
      case createdDate = "CreatedDate"
      case lastAccessedDate = "LastAccessedDate"
    }

    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(versionId, forKey: .versionId)
      try container.encode(versionStages, forKey: .versionStages)
      // `encode`, not `encodeIfPresent`: an unknown date is null.
      try container.encode(createdDate, forKey: .createdDate)
      try container.encode(lastAccessedDate, forKey: .lastAccessedDate)
    }
  }

  init(_ secret: Secret) {
    arn = secret.arn
    name = secret.name
    versions = secret.versions.map { version in
      Version(
        versionId: version.versionId, versionStages: version.labels.sorted(by: StandardLabel.displayOrder),
        createdDate: version.createdDate, lastAccessedDate: version.lastAccessedDate)
    }
    rotationEnabled = secret.rotationEnabled
    rotationLambdaARN = secret.rotationLambdaARN
    owningService = secret.owningService
    rotationRules = secret.rotationRules.map(RotationRulesJSON.init)
    lastRotatedDate = secret.lastRotatedDate
    nextRotationDate = secret.nextRotationDate
    rotationStuck = secret.isRotationStuck
    stuckPendingVersionId = secret.stuckPendingVersion
  }
}

/// "RotationRules" with the API's names, those unset left out (`{}` when none is set).
struct RotationRulesJSON: Encodable {
  var automaticallyAfterDays: Int?
  var scheduleExpression: String?
  var duration: String?

  enum CodingKeys: String, CodingKey {
    case automaticallyAfterDays = "AutomaticallyAfterDays"
    case scheduleExpression = "ScheduleExpression"
    case duration = "Duration"
  }

  init(automaticallyAfterDays: Int? = nil, scheduleExpression: String? = nil, duration: String? = nil) {
    self.automaticallyAfterDays = automaticallyAfterDays
    self.scheduleExpression = scheduleExpression
    self.duration = duration
  }

  init(_ rules: RotationRules) {
    self.init(
      automaticallyAfterDays: rules.automaticallyAfterDays, scheduleExpression: rules.scheduleExpression,
      duration: rules.duration)
  }
}

/// `move`, `remove`, `rollback` and `promote` with `--json`: the plan (its steps with
/// UpdateSecretVersionStage's field names, the labelled versions before and after) and what
/// became of it. Members that do not apply are left out.
struct PlanJSON: JSONDocument {
  static let keyOrder = JSONKeyOrder.foundation

  var name: String
  var arn: String?
  var steps: [StageStep]
  var before: LabelMap
  var after: LabelMap
  var notes: [String]
  var applied: Bool
  /// True for `--dry-run`.
  var dryRun: Bool?
  /// The labels as read after the plan ran or met a conflict.
  var current: LabelMap?
  /// What changed since the labels were read, when that stopped the plan.
  var conflict: [String]?
  var error: Failure?
  /// The steps applied before `error`.
  var appliedSteps: Int?
  /// True when whether the failed step took effect is not known.
  var unknown: Bool?

  enum CodingKeys: String, CodingKey {
    case name = "Name"
    case arn = "ARN"
    case steps = "Steps"
    case before = "Before"
    case after = "After"
    case notes = "Notes"
    case applied = "Applied"
    case dryRun = "DryRun"
    case current = "Current"
    case conflict = "Conflict"
    case error = "Error"
    case appliedSteps = "AppliedSteps"
    case unknown = "Unknown"
  }

  /// The error that stopped the plan (or a rotation command's call, `RotationJSON`): its AWS
  /// error name (`Error` when it has none) and message.
  struct Failure: Encodable {
    var code: String
    var message: String

    enum CodingKeys: String, CodingKey {
      case code = "Code"
      case message = "Message"
    }
  }

  init(_ plan: Plan, applied: Bool) {
    name = plan.secretName
    arn = plan.secretARN
    steps = plan.steps
    before = plan.before.labelledVersions
    after = plan.after.labelledVersions
    notes = plan.notes.map(\.message)
    self.applied = applied
  }

  /// The plan `--dry-run` previews.
  static func dryRun(_ plan: Plan) -> PlanJSON {
    var document = PlanJSON(plan, applied: false)
    document.dryRun = true
    return document
  }

  /// The plan carried out, and the secret as read after it.
  static func applied(_ plan: Plan, after: Secret) -> PlanJSON {
    var document = PlanJSON(plan, applied: true)
    document.current = after.labelMap.labelledVersions
    return document
  }

  /// The plan not sent: the labels changed since they were read.
  static func conflict(_ plan: Plan, current: Secret, changes: [String]) -> PlanJSON {
    var document = PlanJSON(plan, applied: false)
    document.conflict = changes
    document.current = current.labelMap.labelledVersions
    return document
  }

  /// The plan stopped by `error` after `appliedSteps` steps, the next step's effect not known:
  /// the labels could not be read back.
  static func unknown(_ plan: Plan, error: SecretsError, appliedSteps: Int) -> PlanJSON {
    var document = PlanJSON(plan, applied: false)
    document.error = Failure(code: error.code ?? "Error", message: error.userMessage)
    document.appliedSteps = appliedSteps
    document.unknown = true
    return document
  }

  /// The plan stopped by `error` after `appliedSteps` steps; `current` when it could be read.
  static func failed(_ plan: Plan, error: SecretsError, appliedSteps: Int, current: Secret?) -> PlanJSON {
    var document = PlanJSON(plan, applied: false)
    document.error = Failure(code: error.code ?? "Error", message: error.userMessage)
    document.appliedSteps = appliedSteps
    document.current = current?.labelMap.labelledVersions
    return document
  }
}

/// A change the planner refused, with `--json`: `{"Name", "Refused": reason, "Applied":
/// false}`.
struct RefusalJSON: JSONDocument {
  static let keyOrder = JSONKeyOrder.foundation

  var name: String
  var refused: String
  var applied = false

  enum CodingKeys: String, CodingKey {
    case name = "Name"
    case refused = "Refused"
    case applied = "Applied"
  }
}

/// `rotate`, `put-pending` and `cancel-rotation` with `--json`: the request with the API's
/// field names (never a value: a staged value's size is "ValueBytes"), the labelled versions
/// before and after, the notes, the aws CLI command and what became of it. Members that do not
/// apply are left out.
struct RotationJSON: JSONDocument {
  static let keyOrder = JSONKeyOrder.foundation

  var name: String
  var arn: String?
  /// "RotateSecret", "PutSecretValue" or "CancelRotateSecret".
  var operation: String
  var request: Request
  var before: LabelMap
  var after: LabelMap
  var notes: [String]
  var command: String
  var applied: Bool
  /// The function a rotation runs: a Lambda function of the account's, or the service that
  /// owns the secret (managed rotation).
  var rotationLambdaARN: String?
  var owningService: String?
  /// A staged value's size and "SecretString" or "SecretBinary".
  var valueBytes: Int?
  var valueType: String?
  /// True for `--dry-run`.
  var dryRun: Bool?
  /// The error that stopped the call.
  var error: PlanJSON.Failure?
  /// The new version (the ClientRequestToken).
  var versionId: VersionID?
  /// Whether the rotation was followed, whether AWSCURRENT reached the new version, each
  /// stage seen, and why following stopped short ("Timeout", "Interrupt", "ReadError",
  /// "Abandoned").
  var followed: Bool?
  var completed: Bool?
  var stages: [Stage]?
  var stoppedBy: String?
  var diagnosis: Diagnosis?
  /// The labels as read after the call.
  var current: LabelMap?
  /// cancel-rotation: whether rotation is on, as read after the call.
  var rotationEnabled: Bool?

  enum CodingKeys: String, CodingKey {
    case name = "Name"
    case arn = "ARN"
    case operation = "Operation"
    case request = "Request"
    case before = "Before"
    case after = "After"
    case notes = "Notes"
    case command = "Command"
    case applied = "Applied"
    case rotationLambdaARN = "RotationLambdaARN"
    case owningService = "OwningService"
    case valueBytes = "ValueBytes"
    case valueType = "ValueType"
    case dryRun = "DryRun"
    case error = "Error"
    case versionId = "VersionId"
    case followed = "Followed"
    case completed = "Completed"
    case stages = "Stages"
    case stoppedBy = "StoppedBy"
    case diagnosis = "Diagnosis"
    case current = "Current"
    case rotationEnabled = "RotationEnabled"
  }

  /// RotateSecret's, PutSecretValue's or CancelRotateSecret's request, without the value.
  struct Request: Encodable {
    var secretId: String
    var clientRequestToken: VersionID?
    var rotateImmediately: Bool?
    var rotationLambdaARN: String?
    var rotationRules: RotationRulesJSON?
    var versionStages: [String]?

    enum CodingKeys: String, CodingKey {
      case secretId = "SecretId"
      case clientRequestToken = "ClientRequestToken"
      case rotateImmediately = "RotateImmediately"
      case rotationLambdaARN = "RotationLambdaARN"
      case rotationRules = "RotationRules"
      case versionStages = "VersionStages"
    }
  }

  /// A stage following saw: its name for scripts (`RotationPrinter.stageName`) and in words.
  struct Stage: Encodable {
    var stage: String
    var summary: String

    enum CodingKeys: String, CodingKey {
      case stage = "Stage"
      case summary = "Summary"
    }

    init(_ stage: RotationStage) {
      self.stage = RotationPrinter.stageName(stage)
      summary = stage.summary
    }
  }

  /// Where a rotation stopped and what to do (an abandoned rotation's has no remedies).
  struct Diagnosis: Encodable {
    var reached: String
    var message: String
    var remedies: [Remedy]?

    enum CodingKeys: String, CodingKey {
      case reached = "Reached"
      case message = "Message"
      case remedies = "Remedies"
    }

    init(reached: RotationStage, message: String) {
      self.reached = RotationPrinter.stageName(reached)
      self.message = message
    }

    init(_ diagnosis: RotationDiagnosis) {
      self.init(reached: diagnosis.reached, message: diagnosis.message)
      remedies = diagnosis.remedies.map(Remedy.init)
    }
  }

  /// One remedy: "ReadLogs" (the function, and the logs command for a Lambda function),
  /// "Promote" or "RemovePending" with its command.
  struct Remedy: Encodable {
    var action: String
    var rotationLambdaARN: String?
    var owningService: String?
    var command: String?

    enum CodingKeys: String, CodingKey {
      case action = "Action"
      case rotationLambdaARN = "RotationLambdaARN"
      case owningService = "OwningService"
      case command = "Command"
    }

    init(_ remedy: RotationDiagnosis.Remedy) {
      switch remedy {
      case .readLogs(.lambda(let arn)):
        action = "ReadLogs"
        rotationLambdaARN = arn
        command = RotationPrinter.logsCommand(arn)
      case .readLogs(.managed(let service)):
        action = "ReadLogs"
        owningService = service
      case .promote(let secretName):
        action = "Promote"
        command = "stagehand promote \(shellQuote(secretName))"
      case .removePending(let secretName):
        action = "RemovePending"
        command = RotationPrinter.removePendingCommand(secretName)
      }
    }
  }

  /// The preview, with the aws CLI command that does the same; `applied` once it was sent.
  init(_ preview: RotationPreview, awsCommand: String, applied: Bool) {
    name = preview.secretName
    arn = preview.secretARN
    before = preview.before
    after = preview.after
    notes = preview.notes.map(\.message)
    command = awsCommand
    self.applied = applied
    request = Request(secretId: preview.secretId)
    switch preview.kind {
    case .rotate(let rotation, let function):
      operation = "RotateSecret"
      request.clientRequestToken = rotation.token
      request.rotateImmediately = rotation.rotateImmediately
      request.rotationLambdaARN = rotation.lambdaARN
      request.rotationRules = rotation.scheduleDays.map { RotationRulesJSON(automaticallyAfterDays: $0) }
      switch function {
      case .lambda(let arn): rotationLambdaARN = arn
      case .managed(let service): owningService = service
      }
    case .putPending(let token, let bytes, let binary):
      operation = "PutSecretValue"
      request.clientRequestToken = token
      request.versionStages = [StandardLabel.pending]
      valueBytes = bytes
      valueType = binary ? "SecretBinary" : "SecretString"
    case .cancel:
      operation = "CancelRotateSecret"
    }
  }

  /// The preview `--dry-run` shows.
  static func dryRun(_ preview: RotationPreview, awsCommand: String) -> RotationJSON {
    var document = RotationJSON(preview, awsCommand: awsCommand, applied: false)
    document.dryRun = true
    return document
  }

  /// The call refused or failed: its AWS error name (`Error` when it has none) and message.
  static func failed(_ preview: RotationPreview, awsCommand: String, code: String, message: String) -> RotationJSON {
    var document = RotationJSON(preview, awsCommand: awsCommand, applied: false)
    document.error = PlanJSON.Failure(code: code, message: message)
    return document
  }
}

/// A change set carried out, with `--json`: each plan's end as the single commands print it
/// (`PlanJSON`: applied, conflict, failed, or `"Unknown"`), the secrets skipped and why, and a
/// count of each.
struct BulkResultJSON: JSONDocument {
  static let keyOrder = JSONKeyOrder.foundation

  var results: [PlanJSON]
  var skipped: [PlanFile.SkippedEntry]
  /// The rotation calls a plan file held (left out when it held none).
  var rotations: [Rotation]?
  var summary: Summary

  enum CodingKeys: String, CodingKey {
    case results = "Results"
    case skipped = "Skipped"
    case rotations = "Rotations"
    case summary = "Summary"
  }

  struct Rotation: Encodable {
    var name: String
    var operation: String
    var applied: Bool
    var error: PlanJSON.Failure?

    enum CodingKeys: String, CodingKey {
      case name = "Name"
      case operation = "Operation"
      case applied = "Applied"
      case error = "Error"
    }
  }

  struct Summary: Encodable {
    var applied: Int
    var skipped: Int
    var conflict: Int
    var failed: Int
    var unknown: Int

    enum CodingKeys: String, CodingKey {
      case applied = "Applied"
      case skipped = "Skipped"
      case conflict = "Conflict"
      case failed = "Failed"
      case unknown = "Unknown"
    }
  }

  init(_ report: BulkReport) {
    results = report.reports.map { report in
      switch report {
      case .applied(let plan, let secret): return PlanJSON.applied(plan, after: secret)
      case .conflict(let plan, let current, let changes):
        return PlanJSON.conflict(plan, current: current, changes: changes)
      case .failed(let plan, let error, let applied, let current, _, _):
        return PlanJSON.failed(plan, error: error, appliedSteps: applied, current: current)
      case .unknown(let plan, let error, let applied):
        return PlanJSON.unknown(plan, error: error, appliedSteps: applied)
      }
    }
    skipped = report.skipped.map(PlanFile.SkippedEntry.init)
    rotations =
      report.rotations.isEmpty
      ? nil
      : report.rotations.map { result in
        Rotation(
          name: result.name, operation: result.operation, applied: result.error == nil,
          error: result.error.map { PlanJSON.Failure(code: $0.code ?? "Error", message: $0.userMessage) })
      }
    summary = Summary(
      applied: report.applied, skipped: report.skipped.count, conflict: report.conflicts, failed: report.failed,
      unknown: report.unknown)
  }
}

/// `apply` refused because secrets moved since the plan was written, with `--json`: each
/// such secret and what changed; nothing was sent.
struct DriftJSON: JSONDocument {
  static let keyOrder = JSONKeyOrder.foundation

  var drift: [Secret]
  var applied = false

  enum CodingKeys: String, CodingKey {
    case drift = "Drift"
    case applied = "Applied"
  }

  struct Secret: Encodable {
    var name: String
    var changes: [String]

    enum CodingKeys: String, CodingKey {
      case name = "Name"
      case changes = "Changes"
    }
  }

  init(_ drift: [(name: String, changes: [String])]) {
    self.drift = drift.map { Secret(name: $0.name, changes: $0.changes) }
  }
}
