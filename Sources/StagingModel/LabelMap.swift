import Foundation

/// Which labels sit on which version of one secret. Versions with no labels are kept
/// (they are the deprecated ones) so a map can say a version exists without labels.
public struct LabelMap: Equatable, Hashable, Sendable, Codable {
  public private(set) var stages: [VersionID: Set<String>]

  public init(_ stages: [VersionID: Set<String>] = [:]) {
    self.stages = stages
  }

  public init(_ stages: [VersionID: [String]]) {
    self.stages = stages.mapValues(Set.init)
  }

  public var versionIDs: [VersionID] { stages.keys.sorted() }

  public func contains(version: VersionID) -> Bool { stages[version] != nil }

  public func labels(on version: VersionID) -> Set<String> { stages[version] ?? [] }

  /// The version holding `label`, if any. A well-formed map has at most one.
  public func holder(of label: String) -> VersionID? {
    holders(of: label).first
  }

  /// Every version holding `label` (more than one only in a malformed map).
  public func holders(of label: String) -> [VersionID] {
    stages.filter { $0.value.contains(label) }.map(\.key).sorted()
  }

  /// Every distinct label in the map.
  public var allLabels: Set<String> { stages.values.reduce(into: Set()) { $0.formUnion($1) } }

  /// Labels attached across all versions, the number AWS's 20-label quota counts.
  public var labelCount: Int { stages.values.reduce(0) { $0 + $1.count } }

  /// Versions that still carry at least one label.
  public var labelledVersions: LabelMap { LabelMap(stages.filter { !$0.value.isEmpty }) }

  public mutating func insertVersion(_ version: VersionID) {
    if stages[version] == nil { stages[version] = [] }
  }

  public mutating func add(_ label: String, to version: VersionID) {
    stages[version, default: []].insert(label)
  }

  public mutating func remove(_ label: String, from version: VersionID) {
    stages[version]?.remove(label)
  }

  /// Removes `label` from every version holding it.
  public mutating func removeEverywhere(_ label: String) {
    for key in stages.keys { stages[key]?.remove(label) }
  }

  /// True when the labelled versions of both maps agree (versions without labels are ignored,
  /// since ListSecrets and DescribeSecret leave them out).
  public func sameLabels(as other: LabelMap) -> Bool {
    labelledVersions == other.labelledVersions
  }

  /// Sorted `[versionId: [labels]]`, the shape JSON output uses.
  public var sortedStages: [VersionID: [String]] { stages.mapValues { $0.sorted() } }

  /// "3f2a1b4c… AWSCURRENT; 9c1b0e2d… AWSPREVIOUS,blue": each version by its short id with its
  /// labels, in id order (how a replica still behind is reported). Not made safe for display.
  public var shortText: String {
    let sorted = sortedStages
    return sorted.keys.sorted().map { "\(shortID($0)) \(sorted[$0]!.joined(separator: ","))" }.joined(
      separator: "; ")
  }

  public init(from decoder: any Decoder) throws {
    let raw = try [VersionID: [String]](from: decoder)
    self.init(raw)
  }

  public func encode(to encoder: any Encoder) throws {
    try sortedStages.encode(to: encoder)
  }
}
