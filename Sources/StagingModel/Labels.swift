import Foundation

/// A version id as AWS gives it (32-64 characters, UUIDs in practice).
public typealias VersionID = String

/// The labels AWS itself gives meaning to.
public enum StandardLabel {
  public static let current = "AWSCURRENT"
  public static let previous = "AWSPREVIOUS"
  public static let pending = "AWSPENDING"
  /// AWS quota: staging labels attached across all versions of one secret.
  public static let quota = 20

  public static let all: Set<String> = [current, previous, pending]

  /// The order people read labels in: AWSCURRENT, AWSPENDING, AWSPREVIOUS first, then custom
  /// labels alphabetically (String order).
  public static func displayOrder(_ a: String, _ b: String) -> Bool {
    let ra = displayRank(a)
    let rb = displayRank(b)
    return ra != rb ? ra < rb : a < b
  }

  private static func displayRank(_ label: String) -> Int {
    switch label {
    case current: 0
    case pending: 1
    case previous: 2
    default: 3
    }
  }
}

/// Shortens a version id for people: the first 8 characters and an ellipsis.
public func shortID(_ id: VersionID, length: Int = 8) -> String {
  id.count <= length ? id : String(id.prefix(length)) + "…"
}
