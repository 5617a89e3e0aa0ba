import Foundation
import StagingModel

extension StoreDocument.StoredSecret {
  /// Writes what changed since `old` into `raw`, this secret's object in the file: the fields
  /// the store itself changes (labels, values, new versions, rotation settings and records,
  /// dates). Fields that did not change keep their text, and unknown ones stay.
  func writeChanges(since old: Self, into raw: inout [String: Any]) {
    func update<T: Equatable>(_ key: String, _ field: KeyPath<Self, T?>, _ encode: (T) -> Any) {
      guard self[keyPath: field] != old[keyPath: field] else { return }
      if let value = self[keyPath: field] { raw[key] = encode(value) } else { raw.removeValue(forKey: key) }
    }
    let date: (StoreDate) -> Any = { ISO8601Text.string($0.date) }
    update("LastChangedDate", \.LastChangedDate, date)
    update("LastRotatedDate", \.LastRotatedDate, date)
    update("NextRotationDate", \.NextRotationDate, date)
    update("RotationEnabled", \.RotationEnabled) { $0 }
    update("RotationLambdaARN", \.RotationLambdaARN) { $0 }
    update("LastRotation", \.LastRotation) { $0.json }
    let rules = raw["RotationRules"] as? [String: Any] ?? [:]
    update("RotationRules", \.RotationRules) { $0.json(merging: rules) }
    if Versions != old.Versions {
      raw["Versions"] = Self.versions(Versions, since: old.Versions, raw: raw["Versions"] as? [[String: Any]] ?? [])
    }
  }

  private static func versions(
    _ versions: [StoreDocument.StoredVersion], since old: [StoreDocument.StoredVersion], raw: [[String: Any]]
  ) -> [[String: Any]] {
    var raw = raw
    let before = Dictionary(old.map { ($0.VersionId, $0) }, uniquingKeysWith: { first, _ in first })
    for version in versions where before[version.VersionId] != version {
      guard let index = raw.firstIndex(where: { $0["VersionId"] as? String == version.VersionId }),
        let previous = before[version.VersionId]
      else {
        var entry: [String: Any] = [
          "VersionId": version.VersionId, "VersionStages": (version.VersionStages ?? []).sorted(),
        ]
        if let created = version.CreatedDate { entry["CreatedDate"] = ISO8601Text.string(created.date) }
        if let string = version.SecretString { entry["SecretString"] = string }
        if let binary = version.SecretBinary { entry["SecretBinary"] = binary }
        raw.append(entry)
        continue
      }
      if Set(previous.VersionStages ?? []) != Set(version.VersionStages ?? []) {
        raw[index]["VersionStages"] = (version.VersionStages ?? []).sorted()
      }
      for (key, now, was) in [
        ("SecretString", version.SecretString, previous.SecretString),
        ("SecretBinary", version.SecretBinary, previous.SecretBinary),
      ] where now != was {
        if let now { raw[index][key] = now } else { raw[index].removeValue(forKey: key) }
      }
    }
    return raw
  }
}

extension StoreDocument.StoredRotationRules {
  /// The members as the file holds them, over `existing` (whose other members stay).
  func json(merging existing: [String: Any]) -> [String: Any] {
    var object = existing
    for (key, value) in [
      ("AutomaticallyAfterDays", AutomaticallyAfterDays as Any?), ("ScheduleExpression", ScheduleExpression),
      ("Duration", Duration),
    ] {
      if let value { object[key] = value } else { object.removeValue(forKey: key) }
    }
    return object
  }
}

extension StoreDocument {
  /// Writes every secret that differs from `old` (the same secrets, before a change) into
  /// `raw`, the file's object. False when nothing changed.
  func writeChanges(since old: StoreDocument, into raw: inout [String: Any], path: String) throws(SecretsError)
    -> Bool
  {
    let changed = secrets.indices.filter { secrets[$0] != old.secrets[$0] }
    guard !changed.isEmpty else { return false }
    guard var objects = raw["secrets"] as? [[String: Any]], objects.count == secrets.count else {
      throw SecretsError.store(path: path, problem: "changed shape while being read.", hint: "Try again.")
    }
    for index in changed { secrets[index].writeChanges(since: old.secrets[index], into: &objects[index]) }
    raw["secrets"] = objects
    return true
  }
}
