import Foundation
import StagingModel

/// The embedded store's file, modelled on the Secrets Manager API's own field names:
/// `{"formatVersion": 1, "secrets": [{"Name", "ARN"?, "Description"?, "CreatedDate",
/// "OwningService"?, "DeletedDate"?, "PrimaryRegion"?, "RotationEnabled"?, "RotationLambdaARN"?,
/// "RotationRules"?, "LastRotatedDate"?, "NextRotationDate"?, "RotationSimulation"?,
/// "LastRotation"?, "Versions": [{"VersionId", "VersionStages", "CreatedDate",
/// "SecretString"? | "SecretBinary"? (base64)}]}]}`. Dates are ISO 8601 strings or epoch
/// seconds. Unknown fields are kept when the store writes the file back (see `StoreFile`).
///
/// A secret with `"PrimaryRegion": "eu-west-1"` is a replica, read-only as on AWS.
///
/// **Simulated rotation.** The store runs no Lambda functions; a secret names the rotation
/// function it stands in for:
///
///     "RotationSimulation": {"Outcome": "succeed", "StepSeconds": 2}
///     "RotationSimulation": {"Outcome": "failAt", "FailAt": "testSecret", "StepSeconds": 2}
///
/// `Outcome` is `succeed` or `failAt` (it may be left out when `FailAt` is given); `FailAt` is
/// `createSecret`, `setSecret`, `testSecret` or `finishSecret`, the step that never completes;
/// `StepSeconds` (default 2, at least 0) is how long each step takes. A secret with a rotation
/// function (`RotationLambdaARN`, or managed rotation: `RotationEnabled` with `OwningService`)
/// and no `RotationSimulation` rotates as `{"Outcome": "succeed", "StepSeconds": 2}`; a
/// `RotationSimulation` alone counts as a rotation function, reported as
/// `simulatedFunctionARN`. RotateSecret records the new version with AWSPENDING and no value
/// and the rotation in `LastRotation` (written by the store, read back on every call):
///
///     "LastRotation": {"ClientRequestToken": "…", "StartedDate": "…", "Outcome": "succeed",
///                      "StepSeconds": 2, "StepsCompleted": 1, "Status": "InProgress"}
///
/// (`Status`: `InProgress`, `Succeeded`, `Failed` with `FailedStep` and `FailureReason`, or
/// `Cancelled`). The rotation runs on the clock, not in a process: step n (createSecret 1,
/// setSecret 2, testSecret 3, finishSecret 4) completes `n × StepSeconds` after
/// `StartedDate`, and every read or write of the store first brings every rotation up to
/// now (see `SimulatedRotation`).
struct StoreDocument: Decodable {
  static let formatVersion = 1

  var formatVersion: Int
  var secrets: [StoredSecret]

  struct StoredSecret: Decodable, Equatable {
    var Name: String
    var ARN: String?
    var Description: String?
    var CreatedDate: StoreDate?
    var LastChangedDate: StoreDate?
    var LastAccessedDate: StoreDate?
    var OwningService: String?
    var DeletedDate: StoreDate?
    var RotationEnabled: Bool?
    var RotationLambdaARN: String?
    var RotationRules: StoredRotationRules?
    var LastRotatedDate: StoreDate?
    var NextRotationDate: StoreDate?
    var PrimaryRegion: String?
    var RotationSimulation: RotationSimulation?
    var LastRotation: StoredRotation?
    var Tags: [StoredTag]?
    var Versions: [StoredVersion]
  }

  struct StoredRotationRules: Decodable, Equatable {
    var AutomaticallyAfterDays: Int?
    var ScheduleExpression: String?
    var Duration: String?
  }

  struct StoredTag: Decodable, Equatable {
    var Key: String
    var Value: String?
  }

  struct StoredVersion: Decodable, Equatable {
    var VersionId: String
    var VersionStages: [String]?
    var CreatedDate: StoreDate?
    var LastAccessedDate: StoreDate?
    var SecretString: String?
    var SecretBinary: String?
  }
}

/// A date written either as ISO 8601 text or as epoch seconds (the API's form).
struct StoreDate: Decodable, Equatable {
  var date: Date

  init(_ date: Date) { self.date = date }

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let seconds = try? container.decode(Double.self) {
      date = Date(timeIntervalSince1970: seconds)
      return
    }
    let text = try container.decode(String.self)
    guard let parsed = StoreDate.parse(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "\"\(text)\" is not an ISO 8601 date such as 2026-11-29T09:30:00Z")
    }
    date = parsed
  }

  /// Format styles are values (Sendable, cheap to reuse), unlike a formatter per call.
  static func parse(_ text: String) -> Date? {
    if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
    return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }
}

extension StoreDocument.StoredSecret {
  /// The secret as the rest of Stagehand sees it (values stay in the file).
  func secret(includeDeprecated: Bool) -> Secret {
    var versions = Versions.map {
      SecretVersion(
        versionId: $0.VersionId, labels: Set($0.VersionStages ?? []), createdDate: $0.CreatedDate?.date,
        lastAccessedDate: $0.LastAccessedDate?.date)
    }
    if !includeDeprecated { versions.removeAll { $0.isDeprecated } }
    var secret = Secret(
      name: Name, arn: ARN ?? StoreDocument.localARN(for: Name), description: Description,
      createdDate: CreatedDate?.date, lastChangedDate: LastChangedDate?.date,
      lastAccessedDate: LastAccessedDate?.date, rotationEnabled: RotationEnabled ?? false,
      rotationLambdaARN: RotationLambdaARN.flatMap { $0.isEmpty ? nil : $0 }
        ?? (RotationSimulation == nil ? nil : StoreDocument.simulatedFunctionARN),
      rotationRules: RotationRules.map {
        StagingModel.RotationRules(
          automaticallyAfterDays: $0.AutomaticallyAfterDays, scheduleExpression: $0.ScheduleExpression,
          duration: $0.Duration)
      },
      lastRotatedDate: LastRotatedDate?.date, nextRotationDate: NextRotationDate?.date,
      owningService: OwningService, deletedDate: DeletedDate?.date, primaryRegion: PrimaryRegion,
      tags: Dictionary((Tags ?? []).map { ($0.Key, $0.Value ?? "") }, uniquingKeysWith: { a, _ in a }),
      versions: versions, versionsComplete: true, includesDeprecated: includeDeprecated)
    secret.sortVersionsNewestFirst()
    return secret
  }
}

extension StoreDocument {
  /// The ARN a store secret gets when the file names none: same shape as AWS's, in a
  /// pseudo-region "local" and account 000000000000.
  static func localARN(for name: String) -> String {
    "arn:aws:secretsmanager:local:000000000000:secret:\(name)"
  }

  /// The rotation function a secret with a `RotationSimulation` and no `RotationLambdaARN`
  /// reports: in the same pseudo-region and account as `localARN`.
  static let simulatedFunctionARN = "arn:aws:lambda:local:000000000000:function:stagehand-simulated-rotation"

  /// Problems that make the file unusable: the first one found, worded for a person.
  func validationProblem() -> String? {
    if formatVersion != Self.formatVersion {
      return formatVersion > Self.formatVersion
        ? "formatVersion \(formatVersion) is newer than this Stagehand understands (\(Self.formatVersion)); upgrade Stagehand."
        : "formatVersion \(formatVersion) is not supported (expected \(Self.formatVersion))."
    }
    // The file's names, ids and labels are shown as data: one line, nothing a terminal acts on.
    let safe: (String) -> String = DisplayText.sanitized
    var names = Set<String>()
    for secret in secrets {
      if secret.Name.isEmpty { return "a secret has an empty Name." }
      if !names.insert(secret.Name).inserted { return "two secrets are named \"\(safe(secret.Name))\"." }
      var ids = Set<String>()
      var holders: [String: String] = [:]
      for version in secret.Versions {
        if version.VersionId.isEmpty { return "secret \"\(safe(secret.Name))\" has a version with an empty VersionId." }
        if !ids.insert(version.VersionId).inserted {
          return "secret \"\(safe(secret.Name))\" lists version \(safe(version.VersionId)) twice."
        }
        for label in version.VersionStages ?? [] {
          if let other = holders[label], other != version.VersionId {
            return
              "secret \"\(safe(secret.Name))\" has label \(safe(label)) on two versions (\(safe(other)), \(safe(version.VersionId)))."
          }
          holders[label] = version.VersionId
        }
      }
      let count = secret.Versions.reduce(0) { $0 + Set($1.VersionStages ?? []).count }
      if count > StandardLabel.quota {
        return "secret \"\(safe(secret.Name))\" has \(count) labels; AWS allows \(StandardLabel.quota)."
      }
    }
    return nil
  }
}
