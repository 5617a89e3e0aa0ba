import Foundation
import StagingModel

/// ListSecrets pages decoded in one pass with `JSONScanner`, straight into `Secret`s. It
/// accepts exactly what `SecretsManagerShapes.ListSecretsOutput` accepts through
/// JSONDecoder and builds the same secrets (a differential test holds both to that), at a
/// fraction of the cost: at 10,000 secrets Codable decoding was most of a listing's CPU.
enum ListSecretsPage {
  /// The page's NextToken (nil when absent, null or empty), found by skipping the entries:
  /// cheap enough to read before the page is decoded, so the next request starts first.
  static func nextToken(_ data: Data) throws(SecretsError) -> String? {
    try scan(data) { scanner in
      var token: String?
      try scanner.forEachMember { scanner, key in
        if key == "NextToken" {
          token = try scanner.readOptionalString()
        } else {
          try scanner.skipValue()
        }
      }
      return (token?.isEmpty ?? true) ? nil : token
    }
  }

  /// The page's secrets, in the order listed.
  static func secrets(_ data: Data) throws(SecretsError) -> [Secret] {
    try scan(data) { scanner in
      var secrets: [Secret] = []
      try scanner.forEachMember { scanner, key in
        guard key == "SecretList" else { return try scanner.skipValue() }
        secrets = []
        if try scanner.skipNull() { return }
        try scanner.forEachElement { scanner in
          secrets.append(try entry(&scanner))
        }
      }
      return secrets
    }
  }

  private static func scan<T>(_ data: Data, _ body: (inout JSONScanner) throws -> T) throws(SecretsError) -> T {
    let input = data.isEmpty ? Data("{}".utf8) : data
    let result: Result<T, any Error> = input.withUnsafeBytes { raw in
      var scanner = JSONScanner(raw)
      return Result {
        let value = try body(&scanner)
        try scanner.expectEnd()
        return value
      }
    }
    do {
      return try result.get()
    } catch {
      throw .malformedResponse("ListSecrets: \(error)")
    }
  }

  /// One SecretList entry: the fields `SecretsManagerShapes.SecretEntry` reads, built into a
  /// secret as `SecretEntry.secret(fallbackName:)` does.
  private static func entry(_ scanner: inout JSONScanner) throws -> Secret {
    if try scanner.skipNull() { throw scanner.failure("expected an object, found null") }
    var secret = Secret(name: "")
    var name: String?
    var listedStages: [(VersionID, Set<String>)]?
    var describedStages: [(VersionID, Set<String>)]?
    var tags: [String: String] = [:]
    try scanner.forEachMember { scanner, key in
      switch key {
      case "ARN": secret.arn = try scanner.readOptionalString()
      case "Name": name = try scanner.readOptionalString()
      case "Description": secret.description = try scanner.readOptionalString()
      case "RotationEnabled": secret.rotationEnabled = try scanner.readOptionalBool() ?? false
      case "RotationLambdaARN": secret.rotationLambdaARN = try scanner.readOptionalString()
      case "RotationRules": secret.rotationRules = try rotationRules(&scanner)
      case "LastRotatedDate": secret.lastRotatedDate = try scanner.readOptionalDate()
      case "LastChangedDate": secret.lastChangedDate = try scanner.readOptionalDate()
      case "LastAccessedDate": secret.lastAccessedDate = try scanner.readOptionalDate()
      case "DeletedDate": secret.deletedDate = try scanner.readOptionalDate()
      case "NextRotationDate": secret.nextRotationDate = try scanner.readOptionalDate()
      case "CreatedDate": secret.createdDate = try scanner.readOptionalDate()
      case "OwningService": secret.owningService = try scanner.readOptionalString()
      case "Tags": tags = try self.tags(&scanner)
      case "SecretVersionsToStages": listedStages = try stages(&scanner)
      case "VersionIdsToStages": describedStages = try stages(&scanner)
      default: try scanner.skipValue()
      }
    }
    secret.name = name ?? secret.arn ?? ""
    secret.tags = tags
    secret.versions = (listedStages ?? describedStages ?? []).compactMap { id, labels in
      labels.isEmpty ? nil : SecretVersion(versionId: id, labels: labels)
    }
    secret.sortVersionsNewestFirst()
    return secret
  }

  private static func rotationRules(_ scanner: inout JSONScanner) throws -> RotationRules? {
    if try scanner.skipNull() { return nil }
    var rules = RotationRules()
    try scanner.forEachMember { scanner, key in
      switch key {
      case "AutomaticallyAfterDays": rules.automaticallyAfterDays = try scanner.readOptionalInt()
      case "Duration": rules.duration = try scanner.readOptionalString()
      case "ScheduleExpression": rules.scheduleExpression = try scanner.readOptionalString()
      default: try scanner.skipValue()
      }
    }
    return rules
  }

  /// `[{"Key": k, "Value": v}]`; entries without a key are dropped, a missing value is "".
  private static func tags(_ scanner: inout JSONScanner) throws -> [String: String] {
    var tags: [String: String] = [:]
    if try scanner.skipNull() { return tags }
    try scanner.forEachElement { scanner in
      if try scanner.skipNull() { throw scanner.failure("expected a tag object, found null") }
      var key: String?
      var value: String?
      try scanner.forEachMember { scanner, member in
        switch member {
        case "Key": key = try scanner.readOptionalString()
        case "Value": value = try scanner.readOptionalString()
        default: try scanner.skipValue()
        }
      }
      if let key { tags[key] = value ?? "" }
    }
    return tags
  }

  /// A map of version id to labels (a null list counts as none); nil for `null`.
  private static func stages(_ scanner: inout JSONScanner) throws -> [(VersionID, Set<String>)]? {
    if try scanner.skipNull() { return nil }
    var stages: [(VersionID, Set<String>)] = []
    try scanner.forEachMember { scanner, id in
      var labels = Set<String>()
      if !(try scanner.skipNull()) {
        try scanner.forEachElement { scanner in
          labels.insert(try scanner.readString())
        }
      }
      // A repeated key keeps its last value, as a dictionary would.
      if let index = stages.firstIndex(where: { $0.0 == id }) {
        stages[index].1 = labels
      } else {
        stages.append((id, labels))
      }
    }
    return stages
  }
}
