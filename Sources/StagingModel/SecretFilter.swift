/// The `/` filter as a pure function from (secrets, query) to rows, as k9s does it.
///
/// A query is whitespace-separated terms, all of which must match:
/// - `label:NAME`: some version carries a label starting with NAME (case-insensitive, so
///   it narrows while typed), e.g. `label:AWSPENDING` finds rotations that did not finish;
/// - `service:NAME`: managed by a service whose name contains NAME (`service:` alone: any);
/// - `deleted:yes` / `deleted:no`: scheduled for deletion or not;
/// - `rotation:on` / `rotation:off`;
/// - `rotation:stuck`: AWSPENDING sits on a version other than the AWSCURRENT one (a rotation
///   that did not finish, or one under way), which blocks every later RotateSecret;
/// - `region:NAME` / `profile:NAME`: read from a Region or profile starting with NAME (with
///   `--regions` / `--profiles`); `region:=NAME` / `profile:=NAME`: named exactly NAME (the
///   TUI's pair picker writes these when one name starts another, `prod` and `prod-eu`);
/// - `replica:yes` / `replica:no`: a replica of a secret in another Region, or not;
/// - any other word: a case-insensitive substring of the name, or failing that (in `.fuzzy`
///   matching, the TUI's) a fuzzy subsequence of it (its letters in order: `ppw` finds
///   `prod/postgres/password`).
/// Substring matches are listed before fuzzy-only ones; within each, the loaded order stays.
///
/// The TUI matches fuzzily because the user sees every row it picks. A change made to every
/// match from the command line (`promote --filter`) matches `.substring` only: a fuzzy match
/// picking an unintended secret there would be a production incident.
public struct SecretFilter: Equatable, Sendable {
  public enum Matching: Equatable, Sendable {
    /// Words match as substrings, or failing that as subsequences, listed after.
    case fuzzy
    /// Words match as case-insensitive substrings only.
    case substring
  }

  public enum Term: Equatable, Sendable {
    case text(String)
    case label(String)
    case service(String)
    case deleted(Bool)
    case rotation(Bool)
    case rotationStuck
    case region(String)
    case profile(String)
    case replica(Bool)
  }

  public var terms: [Term]
  public var matching: Matching

  public init(_ query: String, matching: Matching = .fuzzy) {
    self.matching = matching
    terms = query.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { word in
      let lower = word.lowercased()
      if lower.hasPrefix("label:") { return .label(String(lower.dropFirst(6))) }
      if lower.hasPrefix("service:") { return .service(String(lower.dropFirst(8))) }
      if lower.hasPrefix("deleted:") { return .deleted(Self.yes(lower.dropFirst(8))) }
      // "rotation:st" already means stuck, so the rows narrow while it is typed.
      if lower.hasPrefix("rotation:st"), "rotation:stuck".hasPrefix(lower) { return .rotationStuck }
      if lower.hasPrefix("rotation:") { return .rotation(Self.yes(lower.dropFirst(9))) }
      if lower.hasPrefix("region:") { return .region(String(lower.dropFirst(7))) }
      if lower.hasPrefix("profile:") { return .profile(String(lower.dropFirst(8))) }
      if lower.hasPrefix("replica:") { return .replica(Self.yes(lower.dropFirst(8))) }
      return .text(lower)
    }
  }

  private static func yes(_ word: Substring) -> Bool {
    ["yes", "y", "true", "on", "1"].contains(String(word))
  }

  public var isEmpty: Bool { terms.isEmpty }

  /// Indices into `secrets` of the rows to show, best matches first.
  public func apply(to secrets: [Secret]) -> [Int] {
    apply(to: secrets, index: SecretIndex(secrets))
  }

  /// As `apply(to:)`, with the index `AppState` keeps: no `Secret` is copied, and text
  /// terms compare pre-lower-cased bytes.
  public func apply(to secrets: [Secret], index: SecretIndex) -> [Int] {
    if terms.isEmpty { return Array(secrets.indices) }
    let needles = self.needles
    var exact: [Int] = []
    var fuzzy: [Int] = []
    index.withLoweredNames { name in
      for position in secrets.indices {
        switch rank(secrets, at: position, loweredName: name(position), needles: needles) {
        case 0?: exact.append(position)
        case _?: fuzzy.append(position)
        case nil: break
        }
      }
    }
    return exact + fuzzy
  }

  /// Each text term's lower-cased ASCII bytes (nil for other terms and non-ASCII words).
  private var needles: [[UInt8]?] {
    terms.map { term in
      if case .text(let word) = term { return Self.asciiLowercased(word) }
      return nil
    }
  }

  /// How well `secrets[position]` matches: nil when it does not, 0 for substring, 1 for
  /// fuzzy-only. Reads the secret's fields in place (`secrets[position].field`): copying whole
  /// `Secret`s was most of a keystroke's cost at 10,000 secrets.
  private func rank(
    _ secrets: [Secret], at position: Int, loweredName: UnsafeBufferPointer<UInt8>?, needles: [[UInt8]?]
  ) -> Int? {
    var rank = 0
    var unicodeName: String?
    for (term, needle) in zip(terms, needles) {
      switch term {
      case .text(let word):
        // ASCII names and words (the usual case) match on bytes lower-cased in advance.
        if let needle, let loweredName {
          switch Self.match(needle, in: loweredName) {
          case .substring: continue
          case .subsequence:
            if matching == .substring { return nil }
            rank = 1
            continue
          case .noMatch: return nil
          case .notASCII: break
          }
        }
        let name = unicodeName ?? secrets[position].name.lowercased()
        unicodeName = name
        if name.contains(word) { continue }
        if matching == .fuzzy, Self.isSubsequence(word, of: name) {
          rank = 1
          continue
        }
        return nil
      case .label(let label):
        let found = secrets[position].versions.contains { version in
          version.labels.contains { $0.lowercased().hasPrefix(label) }
        }
        if !found { return nil }
      case .service(let service):
        guard let owner = secrets[position].owningService?.lowercased() else { return nil }
        if !service.isEmpty && !owner.contains(service) { return nil }
      case .deleted(let wanted):
        if secrets[position].isScheduledForDeletion != wanted { return nil }
      case .rotation(let wanted):
        if secrets[position].rotationEnabled != wanted { return nil }
      case .rotationStuck:
        if !secrets[position].isRotationStuck { return nil }
      case .region(let region):
        guard let origin = secrets[position].origin?.region.lowercased(), Self.matches(origin, region) else {
          return nil
        }
      case .profile(let profile):
        guard let origin = secrets[position].origin?.profile?.lowercased(), Self.matches(origin, profile) else {
          return nil
        }
      case .replica(let wanted):
        if secrets[position].isReplica != wanted { return nil }
      }
    }
    return rank
  }

  /// A Region's or profile's name against a `region:` or `profile:` value: a prefix, or with a
  /// leading `=` the whole name.
  static func matches(_ name: String, _ value: String) -> Bool {
    value.hasPrefix("=") ? name == value.dropFirst() : name.hasPrefix(value)
  }

  /// The lower-cased UTF-8 bytes of an all-ASCII string, else nil.
  static func asciiLowercased(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
      if byte >= 0x80 { return nil }
      bytes.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
    }
    return bytes
  }

  enum ByteMatch { case substring, subsequence, noMatch, notASCII }

  /// Matches lower-cased ASCII `needle` in `name`'s bytes, lower-casing them on the fly
  /// without copying.
  static func match(_ needle: [UInt8], in name: UnsafeBufferPointer<UInt8>) -> ByteMatch {
    @inline(__always) func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
    var next = 0
    for byte in name {
      if byte >= 0x80 { return .notASCII }
      if next < needle.count && lower(byte) == needle[next] { next += 1 }
    }
    guard next == needle.count else { return .noMatch }
    if needle.isEmpty || needle.count > name.count { return needle.isEmpty ? .substring : .subsequence }
    for start in 0...(name.count - needle.count) where lower(name[start]) == needle[0] {
      var offset = 1
      while offset < needle.count && lower(name[start + offset]) == needle[offset] { offset += 1 }
      if offset == needle.count { return .substring }
    }
    return .subsequence
  }

  static func isSubsequence(_ needle: String, of haystack: String) -> Bool {
    var iterator = haystack.makeIterator()
    outer: for wanted in needle {
      while let next = iterator.next() {
        if next == wanted { continue outer }
      }
      return false
    }
    return true
  }
}
