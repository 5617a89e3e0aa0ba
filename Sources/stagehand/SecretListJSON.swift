import Foundation
import SecretsClient
import StagingModel

/// `list --json`: `{"SecretList": [...]}` with the API's field names, pretty-printed with
/// sorted keys. Written straight to bytes with `JSONTextWriter` (the same text JSONEncoder
/// gave, at a fraction of the cost for 10,000 secrets).
enum SecretListJSON {
  static func document(_ secrets: [Secret]) -> [UInt8] {
    var writer = JSONTextWriter(reservingCapacity: secrets.count * 1_000)
    writer.beginObject()
    writer.key("SecretList")
    writer.beginArray()
    for secret in secrets { entry(secret, &writer) }
    writer.endArray()
    writer.endObject()
    writer.newline()
    return writer.bytes
  }

  /// The members in sorted order; absent optionals are left out, as JSONEncoder does.
  private static func entry(_ secret: Secret, _ writer: inout JSONTextWriter) {
    writer.beginObject()
    writer.member("ARN", secret.arn)
    writer.member("CreatedDate", secret.createdDate.map(ISO8601Text.string))
    writer.member("DeletedDate", secret.deletedDate.map(ISO8601Text.string))
    writer.member("Description", secret.description)
    writer.member("LastChangedDate", secret.lastChangedDate.map(ISO8601Text.string))
    writer.member("LastRotatedDate", secret.lastRotatedDate.map(ISO8601Text.string))
    writer.member("Name", secret.name)
    writer.member("NextRotationDate", secret.nextRotationDate.map(ISO8601Text.string))
    writer.member("OwningService", secret.owningService)
    writer.key("RotationEnabled")
    writer.bool(secret.rotationEnabled)
    writer.key("SecretVersionsToStages")
    writer.beginObject()
    for version in secret.versions.filter({ !$0.labels.isEmpty }).sorted(by: {
      JSONTextWriter.keyPrecedes($0.versionId, $1.versionId)
    }) {
      writer.key(version.versionId)
      writer.beginArray()
      for label in version.labels.sorted(by: PlanPrinter.labelOrder) { writer.string(label) }
      writer.endArray()
    }
    writer.endObject()
    if !secret.tags.isEmpty {
      writer.key("Tags")
      writer.beginArray()
      for (key, value) in JSONTextWriter.sortedKeys(secret.tags) {
        writer.beginObject()
        writer.member("Key", key)
        writer.member("Value", value)
        writer.endObject()
      }
      writer.endArray()
    }
    writer.endObject()
  }
}
