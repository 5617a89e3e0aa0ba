import Foundation
import SecretsClient
import StagehandApp
import StagingModel

/// `stagehand list` and `list --json` as they were written before `SecretListText` and the
/// in-place `SecretListJSON` (ListCommand.run, Output.cell, PlanPrinter.labelOrder and the
/// first SecretListJSON, kept as they were): the reference the differential tests hold the
/// new bytes to. Only the test target uses it. One change since: version ids are sanitized
/// (`safe`) before they are shortened, as names and labels always were; the old table printed
/// them raw, which let a server send terminal control sequences.
enum ListOutputReference {
  static func text(_ secrets: [Secret], filter: String?) -> [UInt8] {
    var out: [UInt8] = []
    func line(_ text: String) {
      out.append(contentsOf: text.utf8)
      out.append(0x0A)
    }
    if secrets.isEmpty {
      line(filter == nil ? "No secrets." : "No secrets match \"\(safe(filter!))\".")
      return out
    }
    let nameWidth = min(60, max(4, secrets.map { safe($0.name).count }.max() ?? 4))
    line(cell("NAME", nameWidth) + "  " + cell("VERSIONS", 8) + "  LABELS")
    for secret in secrets {
      var flags: [String] = []
      if let service = secret.owningService { flags.append("[managed by \(safe(service))]") }
      if let primary = secret.primaryRegion { flags.append("[replica of \(safe(primary))]") }
      if secret.isScheduledForDeletion { flags.append("[scheduled for deletion]") }
      if secret.rotationEnabled { flags.append("[rotation on]") }
      let labels = secret.versions.map { version in
        "\(shortID(safe(version.versionId), length: 8)):\(version.labels.sorted(by: labelOrder).map(safe).joined(separator: ","))"
      }
      line(
        cell(safe(secret.name), nameWidth) + "  " + cell("\(secret.versions.count)", 8) + "  "
          + (labels + flags).joined(separator: " "))
    }
    return out
  }

  static func json(_ secrets: [Secret]) -> [UInt8] {
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
      $0.versionId.utf8.lexicographicallyPrecedes($1.versionId.utf8)
    }) {
      writer.key(version.versionId)
      writer.beginArray()
      for label in version.labels.sorted(by: labelOrder) { writer.string(label) }
      writer.endArray()
    }
    writer.endObject()
    if !secret.tags.isEmpty {
      writer.key("Tags")
      writer.beginArray()
      for (key, value) in secret.tags.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
        writer.beginObject()
        writer.member("Key", key)
        writer.member("Value", value)
        writer.endObject()
      }
      writer.endArray()
    }
    writer.endObject()
  }

  static func safe(_ text: String) -> String { DisplayText.sanitized(text) }

  static func cell(_ text: String, _ width: Int) -> String {
    if text.count > width { return String(text.prefix(max(0, width - 1))) + "…" }
    return text + String(repeating: " ", count: width - text.count)
  }

  static func labelOrder(_ a: String, _ b: String) -> Bool {
    let rank = [StandardLabel.current: 0, StandardLabel.pending: 1, StandardLabel.previous: 2]
    let ra = rank[a] ?? 3
    let rb = rank[b] ?? 3
    return ra != rb ? ra < rb : a < b
  }
}
