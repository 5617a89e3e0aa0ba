import StagingModel

/// One copy of each label set and tag set the loaded secrets repeat. ListSecrets gives every
/// version its own `Set` of labels and every secret its own tag dictionary, each a heap
/// object of 100-200 bytes; most are the same few values (`AWSCURRENT`, `AWSPREVIOUS`, a
/// team and an environment), so sharing one copy of each (Swift's collections are
/// copy-on-write) takes about 230 MB off 500,000 loaded secrets. A pure value, kept in
/// `AppState`.
struct SharedValues: Sendable {
  /// At most this many distinct values of each kind are kept: an account whose every secret
  /// has tags of its own shares nothing and must not grow a second table as big as the list.
  static let limit = 4_096

  private var labelSets: Set<Set<String>> = []
  private var tagSets: Set<[String: String]> = []

  /// `secret` with its label sets and tags replaced by the shared copies of equal values.
  mutating func share(_ secret: inout Secret) {
    for index in secret.versions.indices {
      secret.versions[index].labels = Self.shared(secret.versions[index].labels, in: &labelSets)
    }
    if !secret.tags.isEmpty { secret.tags = Self.shared(secret.tags, in: &tagSets) }
  }

  private static func shared<Value: Hashable>(_ value: Value, in pool: inout Set<Value>) -> Value {
    if let index = pool.firstIndex(of: value) { return pool[index] }
    if pool.count < limit { pool.insert(value) }
    return value
  }
}
