import Foundation
import SecretsClient
import StagingModel

@testable import StagehandApp

/// The `--json` documents as they were written before `JSONOutput` (`[String: Any]` through
/// JSONSerialization: Output.json, Output.iso, PlanPrinter.json, RotationPrinter's json and
/// versionsJSON, and the objects Commands.change, VersionsCommand and the rotation commands
/// built, kept as they were): the reference the differential tests hold
/// the Codable documents to. Only the test target uses it.
enum JSONOutputReference {
  static func json(_ value: Any) -> [UInt8] {
    let data =
      (try? JSONSerialization.data(
        withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    return Array(data + Data("\n".utf8))
  }

  static func iso(_ date: Date?) -> Any {
    guard let date else { return NSNull() }
    return ISO8601Text.string(date)
  }

  static func versions(_ found: Secret) -> [UInt8] {
    var object: [String: Any] = [
      "Name": found.name,
      "Versions": found.versions.map { version -> [String: Any] in
        [
          "VersionId": version.versionId,
          "VersionStages": version.labels.sorted(by: StandardLabel.displayOrder),
          "CreatedDate": iso(version.createdDate),
          "LastAccessedDate": iso(version.lastAccessedDate),
        ]
      },
    ]
    if let arn = found.arn { object["ARN"] = arn }
    object.merge(versionsRotation(found)) { _, rotation in rotation }
    return json(object)
  }

  /// RotationPrinter.versionsJSON: the rotation fields `versions --json` merged in.
  static func versionsRotation(_ secret: Secret) -> [String: Any] {
    var object: [String: Any] = [
      "RotationEnabled": secret.rotationEnabled, "RotationStuck": secret.isRotationStuck,
    ]
    if let arn = secret.rotationLambdaARN { object["RotationLambdaARN"] = arn }
    if let service = secret.owningService { object["OwningService"] = service }
    if let rules = secret.rotationRules {
      var entry: [String: Any] = [:]
      if let days = rules.automaticallyAfterDays { entry["AutomaticallyAfterDays"] = days }
      if let expression = rules.scheduleExpression { entry["ScheduleExpression"] = expression }
      if let duration = rules.duration { entry["Duration"] = duration }
      object["RotationRules"] = entry
    }
    if let last = secret.lastRotatedDate { object["LastRotatedDate"] = iso(last) }
    if let next = secret.nextRotationDate { object["NextRotationDate"] = iso(next) }
    if let stuck = secret.stuckPendingVersion { object["StuckPendingVersionId"] = stuck }
    return object
  }

  static func refusal(name: String, text: String) -> [UInt8] {
    json(["Name": name, "Refused": text, "Applied": false])
  }

  static func plan(_ plan: Plan, applied: Bool, extra: [String: Any] = [:]) -> [UInt8] {
    var object: [String: Any] = [
      "Name": plan.secretName,
      "Steps": plan.steps.map { step -> [String: Any] in
        var entry: [String: Any] = ["VersionStage": step.versionStage]
        if let from = step.removeFromVersionId { entry["RemoveFromVersionId"] = from }
        if let to = step.moveToVersionId { entry["MoveToVersionId"] = to }
        return entry
      },
      "Before": plan.before.labelledVersions.sortedStages,
      "After": plan.after.labelledVersions.sortedStages,
      "Notes": plan.notes.map(\.message),
      "Applied": applied,
    ]
    if let arn = plan.secretARN { object["ARN"] = arn }
    for (key, value) in extra { object[key] = value }
    return json(object)
  }

  static func dryRun(_ plan: Plan) -> [UInt8] {
    self.plan(plan, applied: false, extra: ["DryRun": true])
  }

  static func applied(_ plan: Plan, after: Secret) -> [UInt8] {
    self.plan(plan, applied: true, extra: ["Current": after.labelMap.labelledVersions.sortedStages])
  }

  static func conflict(_ plan: Plan, current: Secret, changes: [String]) -> [UInt8] {
    self.plan(
      plan, applied: false, extra: ["Conflict": changes, "Current": current.labelMap.labelledVersions.sortedStages])
  }

  static func failed(_ plan: Plan, error: SecretsError, applied: Int, current: Secret?) -> [UInt8] {
    var extra: [String: Any] = [
      "Error": ["Code": error.code ?? "Error", "Message": error.userMessage], "AppliedSteps": applied,
    ]
    if let current { extra["Current"] = current.labelMap.labelledVersions.sortedStages }
    return self.plan(plan, applied: false, extra: extra)
  }

  /// RotationPrinter.json(preview:awsCommand:applied:extra:): a rotation's, a staged value's or
  /// a cancellation's document, with the members each command added (`extra`).
  static func rotation(_ preview: RotationPreview, awsCommand: String, applied: Bool, extra: [String: Any] = [:])
    -> [UInt8]
  {
    var object: [String: Any] = [
      "Name": preview.secretName,
      "Before": preview.before.sortedStages,
      "After": preview.after.sortedStages,
      "Notes": preview.notes.map(\.message),
      "Command": awsCommand,
      "Applied": applied,
    ]
    var request: [String: Any] = ["SecretId": preview.secretId]
    switch preview.kind {
    case .rotate(let rotation, let function):
      object["Operation"] = "RotateSecret"
      request["ClientRequestToken"] = rotation.token
      request["RotateImmediately"] = rotation.rotateImmediately
      if let arn = rotation.lambdaARN { request["RotationLambdaARN"] = arn }
      if let days = rotation.scheduleDays { request["RotationRules"] = ["AutomaticallyAfterDays": days] }
      switch function {
      case .lambda(let arn): object["RotationLambdaARN"] = arn
      case .managed(let service): object["OwningService"] = service
      }
    case .putPending(let token, let bytes, let binary):
      object["Operation"] = "PutSecretValue"
      request["ClientRequestToken"] = token
      request["VersionStages"] = [StandardLabel.pending]
      object["ValueBytes"] = bytes
      object["ValueType"] = binary ? "SecretBinary" : "SecretString"
    case .cancel:
      object["Operation"] = "CancelRotateSecret"
    }
    object["Request"] = request
    if let arn = preview.secretARN { object["ARN"] = arn }
    for (key, value) in extra { object[key] = value }
    return json(object)
  }

  /// RotationPrinter.json(diagnosis:): where a rotation stopped and the remedies.
  static func diagnosis(_ diagnosis: RotationDiagnosis) -> [String: Any] {
    [
      "Reached": RotationPrinter.stageName(diagnosis.reached),
      "Message": diagnosis.message,
      "Remedies": diagnosis.remedies.map { remedy -> [String: Any] in
        switch remedy {
        case .readLogs(.lambda(let arn)):
          var entry: [String: Any] = ["Action": "ReadLogs", "RotationLambdaARN": arn]
          if let command = RotationPrinter.logsCommand(arn) { entry["Command"] = command }
          return entry
        case .readLogs(.managed(let service)): return ["Action": "ReadLogs", "OwningService": service]
        case .promote(let secretName):
          return ["Action": "Promote", "Command": "stagehand promote \(shellQuote(secretName))"]
        case .removePending(let secretName):
          return ["Action": "RemovePending", "Command": RotationPrinter.removePendingCommand(secretName)]
        }
      },
    ]
  }
}
