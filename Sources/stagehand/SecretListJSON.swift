import Foundation
import StagingModel

/// `list --json` as Codable values: at 10,000 secrets, encoding typed values is several
/// times cheaper than building `[String: Any]` trees for JSONSerialization.
struct SecretListJSON: Encodable {
  struct Tag: Encodable {
    var Key: String
    var Value: String
  }

  struct Entry: Encodable {
    var Name: String
    var ARN: String?
    var Description: String?
    var SecretVersionsToStages: [String: [String]]
    var RotationEnabled: Bool
    var OwningService: String?
    var DeletedDate: String?
    var CreatedDate: String?
    var LastChangedDate: String?
    var LastRotatedDate: String?
    var NextRotationDate: String?
    var Tags: [Tag]?

    init(_ secret: Secret) {
      func iso(_ date: Date?) -> String? { date?.formatted(.iso8601) }
      Name = secret.name
      ARN = secret.arn
      Description = secret.description
      SecretVersionsToStages = secret.labelMap.labelledVersions.stages.mapValues {
        $0.sorted(by: PlanPrinter.labelOrder)
      }
      RotationEnabled = secret.rotationEnabled
      OwningService = secret.owningService
      DeletedDate = iso(secret.deletedDate)
      CreatedDate = iso(secret.createdDate)
      LastChangedDate = iso(secret.lastChangedDate)
      LastRotatedDate = iso(secret.lastRotatedDate)
      NextRotationDate = iso(secret.nextRotationDate)
      Tags =
        secret.tags.isEmpty ? nil : secret.tags.sorted { $0.key < $1.key }.map { Tag(Key: $0.key, Value: $0.value) }
    }
  }

  var SecretList: [Entry]

  func write() {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
  }
}
