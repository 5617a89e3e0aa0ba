import Foundation
import StagingModel

/// Request and response shapes of the Secrets Manager operations Stagehand calls, with
/// the API's own field names (service model secretsmanager-2017-10-17). Every response
/// field is optional: AWS omits empty ones and local emulators send explicit nulls.
/// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
public enum SecretsManagerShapes {
  public struct Filter: Codable, Equatable, Sendable {
    public var Key: String
    public var Values: [String]
  }

  public struct ListSecretsInput: Codable, Equatable, Sendable {
    public var MaxResults: Int
    public var NextToken: String?
    public var Filters: [Filter]?
  }

  public struct Tag: Codable, Equatable, Sendable {
    public var Key: String?
    public var Value: String?
  }

  public struct RotationRulesShape: Codable, Equatable, Sendable {
    public var AutomaticallyAfterDays: Int?
    public var Duration: String?
    public var ScheduleExpression: String?
  }

  public struct ReplicationStatusShape: Codable, Equatable, Sendable {
    public var Region: String?
    public var KmsKeyId: String?
    public var Status: String?
    public var StatusMessage: String?
    public var LastAccessedDate: Date?
  }

  /// The fields ListSecrets entries and DescribeSecret share.
  public struct SecretEntry: Codable, Equatable, Sendable {
    public var ARN: String?
    public var Name: String?
    public var Description: String?
    public var RotationEnabled: Bool?
    public var RotationLambdaARN: String?
    public var RotationRules: RotationRulesShape?
    public var LastRotatedDate: Date?
    public var LastChangedDate: Date?
    public var LastAccessedDate: Date?
    public var DeletedDate: Date?
    public var NextRotationDate: Date?
    public var CreatedDate: Date?
    public var Tags: [Tag]?
    public var OwningService: String?
    /// Set on a replica: its primary's Region.
    public var PrimaryRegion: String?
    /// DescribeSecret, on a primary: its replicas.
    public var ReplicationStatus: [ReplicationStatusShape]?
    /// ListSecrets' map of version id to labels.
    public var SecretVersionsToStages: [String: [String]?]?
    /// DescribeSecret's map of version id to labels.
    public var VersionIdsToStages: [String: [String]?]?
  }

  /// Decoded by `ListSecretsPage` in one pass; this shape is the reference it is tested
  /// against.
  public struct ListSecretsOutput: Codable, Equatable, Sendable {
    public var SecretList: [SecretEntry]?
    public var NextToken: String?
  }

  public struct SecretIdInput: Codable, Equatable, Sendable {
    public var SecretId: String
  }

  public struct ListSecretVersionIdsInput: Codable, Equatable, Sendable {
    public var SecretId: String
    public var MaxResults: Int
    public var NextToken: String?
    public var IncludeDeprecated: Bool
  }

  public struct VersionEntry: Codable, Equatable, Sendable {
    public var VersionId: String?
    /// Absent (or null) for deprecated versions.
    public var VersionStages: [String]?
    public var LastAccessedDate: Date?
    public var CreatedDate: Date?
  }

  public struct ListSecretVersionIdsOutput: Codable, Equatable, Sendable {
    public var Versions: [VersionEntry]?
    public var NextToken: String?
    public var ARN: String?
    public var Name: String?
  }

  public struct UpdateSecretVersionStageInput: Codable, Equatable, Sendable {
    public var SecretId: String
    public var VersionStage: String
    public var RemoveFromVersionId: String?
    public var MoveToVersionId: String?

    public init(secretId: String, step: StageStep) {
      SecretId = secretId
      VersionStage = step.versionStage
      RemoveFromVersionId = step.removeFromVersionId
      MoveToVersionId = step.moveToVersionId
    }
  }

  public struct RotateSecretInput: Codable, Equatable, Sendable {
    public var SecretId: String
    public var ClientRequestToken: String
    public var RotationLambdaARN: String?
    public var RotationRules: RotationRulesShape?
    public var RotateImmediately: Bool
  }

  public struct PutSecretValueInput: Codable, Equatable, Sendable {
    public var SecretId: String
    public var ClientRequestToken: String
    public var SecretString: String?
    /// Base64 in the JSON (JSONEncoder's default data strategy).
    public var SecretBinary: Data?
    public var VersionStages: [String]
  }

  public struct GetSecretValueInput: Codable, Equatable, Sendable {
    public var SecretId: String
    public var VersionId: String
  }

  public struct GetSecretValueOutput: Codable, Equatable, Sendable {
    public var VersionId: String?
    public var SecretString: String?
    /// Base64 in the JSON; JSONDecoder's default data strategy decodes it.
    public var SecretBinary: Data?
  }
}

extension SecretsManagerShapes.SecretEntry {
  /// The model's secret; versions come from whichever stage map the operation returned.
  func secret(fallbackName: String) -> Secret {
    var tags: [String: String] = [:]
    for tag in Tags ?? [] {
      if let key = tag.Key { tags[key] = tag.Value ?? "" }
    }
    let stages = SecretVersionsToStages ?? VersionIdsToStages ?? [:]
    var secret = Secret(
      name: Name ?? fallbackName, arn: ARN, description: Description, createdDate: CreatedDate,
      lastChangedDate: LastChangedDate, lastAccessedDate: LastAccessedDate, rotationEnabled: RotationEnabled ?? false,
      rotationLambdaARN: RotationLambdaARN,
      rotationRules: RotationRules.map {
        StagingModel.RotationRules(
          automaticallyAfterDays: $0.AutomaticallyAfterDays, scheduleExpression: $0.ScheduleExpression,
          duration: $0.Duration)
      },
      lastRotatedDate: LastRotatedDate, nextRotationDate: NextRotationDate, owningService: OwningService,
      deletedDate: DeletedDate, primaryRegion: PrimaryRegion,
      replicationStatus: (ReplicationStatus ?? []).compactMap { entry in
        entry.Region.map { ReplicaStatus(region: $0, status: entry.Status, statusMessage: entry.StatusMessage) }
      }, tags: tags,
      versions: stages.compactMap { id, labels in
        let labels = Set(labels ?? [])
        return labels.isEmpty ? nil : SecretVersion(versionId: id, labels: labels)
      })
    secret.sortVersionsNewestFirst()
    return secret
  }
}
