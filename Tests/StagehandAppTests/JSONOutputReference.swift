import Foundation
import SecretsClient
import StagingModel

/// The `--json` documents as they were written before `JSONOutput` (`[String: Any]` through
/// JSONSerialization: Output.json, Output.iso, PlanPrinter.json, RotationPrinter.versionsJSON and
/// the objects Commands.change and VersionsCommand built, kept as they were): the reference the differential tests hold
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
}
