import Foundation

/// One version of a secret. An empty label set means the version is deprecated.
public struct SecretVersion: Equatable, Hashable, Sendable {
  public var versionId: VersionID
  public var labels: Set<String>
  public var createdDate: Date?
  public var lastAccessedDate: Date?

  public init(
    versionId: VersionID, labels: Set<String>, createdDate: Date? = nil,
    lastAccessedDate: Date? = nil
  ) {
    self.versionId = versionId
    self.labels = labels
    self.createdDate = createdDate
    self.lastAccessedDate = lastAccessedDate
  }

  public var isDeprecated: Bool { labels.isEmpty }
}

/// One Region a primary secret is replicated to, as DescribeSecret's ReplicationStatus
/// reports it.
public struct ReplicaStatus: Equatable, Hashable, Sendable {
  public var region: String
  /// InSync, InProgress or Failed (AWS's words, kept as given).
  public var status: String?
  public var statusMessage: String?

  public init(region: String, status: String? = nil, statusMessage: String? = nil) {
    self.region = region
    self.status = status
    self.statusMessage = statusMessage
  }

  public var isFailed: Bool { status == "Failed" }

  /// "eu-west-1 (InSync)", "ap-south-1 (Failed: Secret with this name already exists)".
  public var summary: String {
    let state = [status, statusMessage].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ": ")
    return state.isEmpty ? region : "\(region) (\(state))"
  }
}

/// How one replica Region ended after a change on its primary was waited for: its labels
/// read until they match the change's after, or the time runs out.
public enum ReplicaOutcome: Equatable, Hashable, Sendable {
  /// The replica's labels match, seen `after` seconds from the start.
  case matched(after: Double)
  /// Still different when the time ran out; the labels last read.
  case behind(labels: LabelMap)
  /// Every read failed; the last error's message.
  case failed(String)
}

/// Where a secret was read when several accounts or Regions are shown at once: the profile
/// (nil: the default credentials) and the Region.
public struct SecretOrigin: Equatable, Hashable, Sendable, CustomStringConvertible {
  public var profile: String?
  public var region: String

  public init(profile: String?, region: String) {
    self.profile = profile
    self.region = region
  }

  /// "prod eu-west-1", or "eu-west-1" without a profile.
  public var description: String { [profile, region].compactMap { $0 }.joined(separator: " ") }
}

/// Rotation settings as DescribeSecret reports them.
public struct RotationRules: Equatable, Hashable, Sendable {
  public var automaticallyAfterDays: Int?
  public var scheduleExpression: String?
  public var duration: String?

  public init(automaticallyAfterDays: Int? = nil, scheduleExpression: String? = nil, duration: String? = nil) {
    self.automaticallyAfterDays = automaticallyAfterDays
    self.scheduleExpression = scheduleExpression
    self.duration = duration
  }
}

/// A secret's metadata and its versions. From ListSecrets the versions carry labels only
/// (`versionsComplete == false`); DescribeSecret plus ListSecretVersionIds fill in dates
/// and, on request, deprecated versions.
public struct Secret: Equatable, Hashable, Sendable, Identifiable {
  public var name: String
  public var arn: String?
  public var description: String?
  public var createdDate: Date?
  public var lastChangedDate: Date?
  public var lastAccessedDate: Date?
  public var rotationEnabled: Bool
  public var rotationLambdaARN: String?
  public var rotationRules: RotationRules?
  public var lastRotatedDate: Date?
  public var nextRotationDate: Date?
  public var owningService: String?
  public var deletedDate: Date?
  /// Set on a replica: the Region of its primary. Replicas are read-only.
  public var primaryRegion: String?
  /// On a primary: the Regions it is replicated to (DescribeSecret only).
  public var replicationStatus: [ReplicaStatus]
  public var tags: [String: String]
  /// Set when several profiles or Regions are read at once.
  public var origin: SecretOrigin?
  /// Newest first when known, else in the order the source gave them.
  public var versions: [SecretVersion]
  /// True once versions were read with dates (DescribeSecret + ListSecretVersionIds).
  public var versionsComplete: Bool
  /// True when the versions include deprecated (unlabelled) ones.
  public var includesDeprecated: Bool

  public var id: String { arn ?? name }

  public init(
    name: String, arn: String? = nil, description: String? = nil, createdDate: Date? = nil,
    lastChangedDate: Date? = nil, lastAccessedDate: Date? = nil, rotationEnabled: Bool = false,
    rotationLambdaARN: String? = nil, rotationRules: RotationRules? = nil,
    lastRotatedDate: Date? = nil, nextRotationDate: Date? = nil, owningService: String? = nil,
    deletedDate: Date? = nil, primaryRegion: String? = nil,
    replicationStatus: [ReplicaStatus] = [], tags: [String: String] = [:], versions: [SecretVersion] = [],
    versionsComplete: Bool = false, includesDeprecated: Bool = false
  ) {
    self.name = name
    self.arn = arn
    self.description = description
    self.createdDate = createdDate
    self.lastChangedDate = lastChangedDate
    self.lastAccessedDate = lastAccessedDate
    self.rotationEnabled = rotationEnabled
    self.rotationLambdaARN = rotationLambdaARN
    self.rotationRules = rotationRules
    self.lastRotatedDate = lastRotatedDate
    self.nextRotationDate = nextRotationDate
    self.owningService = owningService
    self.deletedDate = deletedDate
    self.primaryRegion = primaryRegion
    self.replicationStatus = replicationStatus
    self.tags = tags
    self.origin = nil
    self.versions = versions
    self.versionsComplete = versionsComplete
    self.includesDeprecated = includesDeprecated
  }

  /// The label map of every known version (deprecated ones included when loaded).
  public var labelMap: LabelMap {
    var map = LabelMap()
    for version in versions {
      map.insertVersion(version.versionId)
      for label in version.labels { map.add(label, to: version.versionId) }
    }
    return map
  }

  public var isScheduledForDeletion: Bool { deletedDate != nil }

  public var currentVersion: SecretVersion? {
    versions.first { $0.labels.contains(StandardLabel.current) }
  }

  public func version(_ id: VersionID) -> SecretVersion? {
    versions.first { $0.versionId == id }
  }

  /// Replaces the labels of every version with those of `map`, keeping dates, adding
  /// versions the map names that are not known yet.
  public mutating func applyLabels(_ map: LabelMap) {
    for index in versions.indices {
      versions[index].labels = map.labels(on: versions[index].versionId)
    }
    let known = Set(versions.map(\.versionId))
    for id in map.versionIDs where !known.contains(id) {
      versions.append(SecretVersion(versionId: id, labels: map.labels(on: id)))
    }
  }

  /// Sorts versions newest first (unknown dates last, then by id for stability).
  public mutating func sortVersionsNewestFirst() {
    versions.sort { a, b in
      switch (a.createdDate, b.createdDate) {
      case let (x?, y?) where x != y: return x > y
      case (.some, nil): return true
      case (nil, .some): return false
      default: return a.versionId < b.versionId
      }
    }
  }
}
