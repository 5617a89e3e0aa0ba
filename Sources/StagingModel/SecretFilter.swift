import Foundation

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
    let (exact, fuzzy) = collect(secrets.indices, in: secrets, index: index)
    return exact + fuzzy
  }

  /// As `apply(to:)`, for the secrets `AppState` keeps.
  public func apply(to secrets: SecretList) -> [Int] {
    rows(of: secrets, index: SecretIndex(secrets)).positions
  }

  /// The rows a filter shows: positions in `secrets`, the substring matches first, then the
  /// fuzzy-only ones, each part in loaded (ascending) order.
  public struct Rows: Equatable, Sendable {
    public var positions: [Int]
    /// How many of `positions`, from the start, are substring matches.
    public var exactCount: Int

    public init(positions: [Int] = [], exactCount: Int = 0) {
      self.positions = positions
      self.exactCount = exactCount
    }

    /// The substring matches then the fuzzy-only ones. The fuzzy ones go on the end of
    /// `exact`'s own storage: a keystroke at 500,000 secrets keeps up to 354,000 rows, which
    /// `exact + fuzzy` would copy into a third array.
    init(exact: consuming [Int], fuzzy: [Int]) {
      var positions = exact
      exactCount = positions.count
      positions += fuzzy
      self.positions = positions
    }

    /// Every secret of `count`, in loaded order: the rows of the empty filter.
    public static func all(_ count: Int) -> Rows { Rows(positions: Array(0..<count), exactCount: count) }

    /// The row showing the secret at `position`, if any (each part searched by halves).
    public func row(of position: Int) -> Int? {
      let split = min(max(0, exactCount), positions.count)
      for part in [positions[..<split], positions[split...]] {
        let found = Self.lowerBound(of: position, in: part)
        if found < part.endIndex && part[found] == position { return found }
      }
      return nil
    }

    /// Where `position` is or would go in an ascending part.
    static func lowerBound(of position: Int, in part: ArraySlice<Int>) -> Int {
      var low = part.startIndex
      var high = part.endIndex
      while low < high {
        let middle = (low + high) / 2
        if part[middle] < position { low = middle + 1 } else { high = middle }
      }
      return low
    }
  }

  /// The rows of `secrets`, every secret read.
  public func rows(of secrets: SecretList, index: SecretIndex) -> Rows {
    if terms.isEmpty { return .all(secrets.count) }
    let (exact, fuzzy) = collect(secrets.indices, in: secrets, index: index)
    return Rows(exact: exact, fuzzy: fuzzy)
  }

  /// The rows of `secrets` given `previous`, the rows of a filter this one narrows
  /// (`narrows(_:)`): only the secrets `previous` holds are read, so each character typed
  /// reads fewer. The result is the one `rows(of:index:)` gives.
  public func rows(of secrets: SecretList, index: SecretIndex, narrowing previous: Rows) -> Rows {
    if terms.isEmpty { return .all(secrets.count) }
    let split = min(max(0, previous.exactCount), previous.positions.count)
    let wasExact = collect(previous.positions[..<split], in: secrets, index: index)
    let wasFuzzy = collect(previous.positions[split...], in: secrets, index: index)
    return Rows(
      exact: Self.merged(wasExact.exact, wasFuzzy.exact), fuzzy: Self.merged(wasExact.fuzzy, wasFuzzy.fuzzy))
  }

  /// Adds to `rows`, this filter's rows of the secrets before `added`, the secrets at `added`
  /// (appended after all of them) it lets through: a page loaded reads its own secrets only,
  /// and with no fuzzy rows shown its rows go on the end.
  public func add(_ added: Range<Int>, of secrets: SecretList, index: SecretIndex, to rows: inout Rows) {
    let added = added.clamped(to: secrets.indices)
    let (exact, fuzzy) = terms.isEmpty ? (Array(added), []) : collect(added, in: secrets, index: index)
    rows.exactCount = min(max(0, rows.exactCount), rows.positions.count)
    if rows.exactCount == rows.positions.count {
      rows.positions += exact
    } else {
      rows.positions.insert(contentsOf: exact, at: rows.exactCount)
    }
    rows.exactCount += exact.count
    rows.positions += fuzzy
  }

  /// Updates `rows`, this filter's rows, for the secret at `position` read again (its name
  /// unchanged, its versions or metadata maybe not): untouched unless its match changed.
  public func update(_ position: Int, of secrets: SecretList, index: SecretIndex, in rows: inout Rows) {
    guard secrets.indices.contains(position) else { return }
    let (exact, fuzzy) = collect(CollectionOfOne(position), in: secrets, index: index)
    rows.exactCount = min(max(0, rows.exactCount), rows.positions.count)
    let found = rows.row(of: position)
    let wasExact = found.map { $0 < rows.exactCount }
    let isExact: Bool? = !exact.isEmpty ? true : (!fuzzy.isEmpty ? false : nil)
    if wasExact == isExact { return }
    if let found, let wasExact {
      rows.positions.remove(at: found)
      if wasExact { rows.exactCount -= 1 }
    }
    if let isExact {
      let part = isExact ? rows.positions[..<rows.exactCount] : rows.positions[rows.exactCount...]
      rows.positions.insert(position, at: Rows.lowerBound(of: position, in: part))
      if isExact { rows.exactCount += 1 }
    }
  }

  /// True when every secret this filter lets through, `previous` lets through too: the same
  /// terms with more after them, or the last one typed further (a word, `label:`, `service:`,
  /// `region:` or `profile:` value extended by ASCII characters). Conservative: false
  /// whenever that is not plain from the terms.
  public func narrows(_ previous: SecretFilter) -> Bool {
    guard matching == previous.matching, terms.count >= previous.terms.count else { return false }
    guard let last = previous.terms.indices.last else { return true }
    guard terms[..<last] == previous.terms[..<last] else { return false }
    switch (previous.terms[last], terms[last]) {
    case (.text(let old), .text(let new)), (.label(let old), .label(let new)),
      (.service(let old), .service(let new)):
      return Self.extends(new, old)
    case (.region(let old), .region(let new)), (.profile(let old), .profile(let new)):
      return !new.hasPrefix("=") && Self.extends(new, old)
    case (let old, let new):
      return old == new
    }
  }

  /// `new` is `old` with ASCII characters after it (both ASCII: a Unicode character typed
  /// on could combine with the one before it).
  private static func extends(_ new: String, _ old: String) -> Bool {
    new.utf8.allSatisfy { $0 < 0x80 } && new.utf8.starts(with: old.utf8)
  }

  /// Two ascending lists as one.
  private static func merged(_ first: [Int], _ second: [Int]) -> [Int] {
    if first.isEmpty { return second }
    if second.isEmpty { return first }
    var result: [Int] = []
    result.reserveCapacity(first.count + second.count)
    var i = 0
    var j = 0
    while i < first.count && j < second.count {
      if first[i] <= second[j] {
        result.append(first[i])
        i += 1
      } else {
        result.append(second[j])
        j += 1
      }
    }
    result += first[i...]
    result += second[j...]
    return result
  }

  /// The substring and fuzzy-only matches among `positions`, each in the order given.
  ///
  /// A keystroke at 500,000 secrets waits on memory for most of its time. With many positions
  /// and more than one processor, they are cut into slices (four a processor, at most 8), read
  /// by whichever threads are free, the caller's among them, and the slices' rows are joined
  /// in order. Small slices keep a thread the scheduler has not run from holding up a whole
  /// half. Numbers, on an idle machine and under load, in Benchmarks/RESULTS.md.
  private func collect<
    Positions: RandomAccessCollection<Int> & Sendable, Secrets: RandomAccessCollection<Secret> & Sendable
  >(
    _ positions: Positions, in secrets: Secrets, index: SecretIndex
  ) -> (exact: [Int], fuzzy: [Int]) where Secrets.Index == Int, Positions.SubSequence: Sendable {
    let prefixes = PrefixMatches(needles, index: index, reading: positions.count)
    let slices =
      positions.count >= Self.sliceFrom ? min(Self.slices, ProcessInfo.processInfo.activeProcessorCount * 4) : 1
    guard slices > 1 else { return collectSlice(positions, in: secrets, index: index, prefixes: prefixes) }
    let parts = SliceParts(count: slices)
    defer { parts.free() }
    let size = (positions.count + slices - 1) / slices
    DispatchQueue.concurrentPerform(iterations: slices) { slice in
      let start =
        positions.index(positions.startIndex, offsetBy: slice * size, limitedBy: positions.endIndex)
        ?? positions.endIndex
      let end = positions.index(start, offsetBy: size, limitedBy: positions.endIndex) ?? positions.endIndex
      parts.store(collectSlice(positions[start..<end], in: secrets, index: index, prefixes: prefixes), at: slice)
    }
    return parts.joined(reserving: positions.count)
  }

  /// Fewer positions than this are read on the caller's thread alone.
  static let sliceFrom = 16_384
  static let slices = 8

  /// Each slice's rows, written by the thread that read the slice: every slice its own
  /// element, so no two threads write the same memory, and `joined` reads them only after
  /// `concurrentPerform` has returned.
  private struct SliceParts: @unchecked Sendable {
    let storage: UnsafeMutableBufferPointer<(exact: [Int], fuzzy: [Int])>

    init(count: Int) {
      storage = .allocate(capacity: count)
      storage.initialize(repeating: ([], []))
    }

    func store(_ part: (exact: [Int], fuzzy: [Int]), at slice: Int) { storage[slice] = part }

    func joined(reserving count: Int) -> (exact: [Int], fuzzy: [Int]) {
      var exact: [Int] = []
      exact.reserveCapacity(count)
      var fuzzy: [Int] = []
      for part in storage {
        exact += part.exact
        fuzzy += part.fuzzy
      }
      return (exact, fuzzy)
    }

    func free() {
      storage.deinitialize()
      storage.deallocate()
    }
  }

  /// `collect` on one thread.
  private func collectSlice<Positions: Collection<Int>, Secrets: RandomAccessCollection<Secret>>(
    _ positions: Positions, in secrets: Secrets, index: SecretIndex, prefixes: PrefixMatches?
  ) -> (exact: [Int], fuzzy: [Int]) where Secrets.Index == Int {
    let needles = self.needles
    let masks = needles.map { $0.map(SecretIndex.characterMask(of:)) ?? 0 }
    // Every term a word of ASCII (what is typed, nearly always): masks first, then bytes.
    let asciiWords = needles.allSatisfy { $0 != nil } ? needles.compactMap { $0 } : nil
    let wordsMask = masks.reduce(0, |)
    let maskDecides = asciiWords?.allSatisfy { $0.count == 1 && SecretIndex.hasOwnBit($0[0]) } ?? false
    // Room for every position up front: growing by doubling copied the rows kept so far.
    var exact: [Int] = []
    exact.reserveCapacity(positions.count)
    var fuzzy: [Int] = []
    index.withLoweredNames { name in
      guard let words = asciiWords else {
        for position in positions {
          let found = rank(
            secrets, at: position, loweredName: name(position), needles: needles, masks: masks, index: index)
          Self.place(position, found, &exact, &fuzzy)
        }
        return
      }
      // The names the masks let through are matched 32 at a time, each batch warmed first.
      // A name the masks turn away is never read.
      withUnsafeTemporaryAllocation(of: Int.self, capacity: 32) { batch in
        var count = 0
        for position in positions {
          // Kept by counting it, not by a branch: a branch on a mask not yet in the cache is
          // guessed wrong often, and each wrong guess waits out the load before going on.
          batch[count] = position
          count &+= wordsMask & ~index.mask(at: position) == 0 ? 1 : 0
          if count == batch.count {
            match(
              UnsafeBufferPointer(batch), words, name, secrets, needles, masks, index, maskDecides, prefixes, &exact,
              &fuzzy)
            count = 0
          }
        }
        match(
          UnsafeBufferPointer(rebasing: batch[..<count]), words, name, secrets, needles, masks, index, maskDecides,
          prefixes, &exact, &fuzzy)
      }
    }
    return (exact, fuzzy)
  }

  /// Matches a batch of names the masks let through, ASCII words against lower-cased ASCII
  /// names (`rank(_:in:)`), any other name through every term. With `prefixes`, names their
  /// prefix decides are not read; the names read are warmed first.
  private func match<Secrets: RandomAccessCollection<Secret>>(
    _ batch: UnsafeBufferPointer<Int>, _ words: [[UInt8]], _ name: (Int) -> UnsafeBufferPointer<UInt8>?,
    _ secrets: Secrets, _ needles: [[UInt8]?], _ masks: [UInt64], _ index: SecretIndex, _ maskDecides: Bool,
    _ prefixes: PrefixMatches?, _ exact: inout [Int], _ fuzzy: inout [Int]
  ) where Secrets.Index == Int {
    func rank(_ position: Int) -> Int? {
      if let lowered = name(position) { return self.rank(words, in: lowered) }
      return self.rank(secrets, at: position, loweredName: nil, needles: needles, masks: masks, index: index)
    }
    guard let prefixes, !maskDecides else {
      if !maskDecides { Self.warm(batch, name) }
      for position in batch {
        let found =
          if let lowered = name(position) {
            // The mask alone decides an ASCII name without reading it.
            maskDecides ? 0 : self.rank(words, in: lowered)
          } else {
            self.rank(secrets, at: position, loweredName: nil, needles: needles, masks: masks, index: index)
          }
        Self.place(position, found, &exact, &fuzzy)
      }
      return
    }
    withUnsafeTemporaryAllocation(of: Int8.self, capacity: batch.count) { ranks in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: batch.count) { unread in
        // Each name's rank (-1: no match), or to be read.
        var unreadCount = 0
        for (offset, position) in batch.enumerated() {
          let decided = prefixes.rank(of: index.split(at: position), matching: matching)
          ranks[offset] = decided ?? -1
          unread[unreadCount] = offset
          unreadCount &+= decided == nil ? 1 : 0
        }
        let toRead = UnsafeBufferPointer(rebasing: unread[..<unreadCount])
        Self.warm(toRead.lazy.map { batch[$0] }, name)
        for offset in toRead { ranks[offset] = rank(batch[offset]).map { Int8($0) } ?? -1 }
        for (offset, position) in batch.enumerated() where ranks[offset] >= 0 {
          Self.place(position, Int(ranks[offset]), &exact, &fuzzy)
        }
      }
    }
  }

  /// Each word of a query against each path prefix the names share (`SecretIndex`), so that
  /// a name under a prefix is often decided without reading it: from what the prefix holds of
  /// the word and the characters after the prefix (a mask the index keeps). Worth it when
  /// the names read outnumber the prefixes several times over, as they do at a large
  /// account, whose names sit under a few paths (`prod/payments/...`).
  struct PrefixMatches: Sendable {
    /// For one word and one prefix.
    struct Match {
      /// The word is in the prefix.
      var inPrefix: Bool
      /// The prefix ends with the word's start (up to a `/` in the word), so the word may
      /// run over into the rest of the name.
      var mayCross: Bool
      /// How many of the word's bytes are in the prefix in order (taken as early as each
      /// can be, which leaves the most of the name for the rest).
      var inOrder: Int32
    }

    private let words: [[UInt8]]
    /// By prefix, then word.
    private let matches: [Match]
    private let wordMasks: [UInt64]
    /// Per word, the mask of its bytes from each offset on (and 0 past its end).
    private let tailMasks: [[UInt64]]

    /// Nil unless every term is an ASCII word, not all of them a character the mask alone
    /// decides, and `reading` names outnumber the prefixes eight times over.
    init?(_ needles: [[UInt8]?], index: SecretIndex, reading: Int) {
      let count = index.prefixCount
      guard count > 0, reading >= 8 * count, !needles.isEmpty, needles.allSatisfy({ $0 != nil }) else { return nil }
      let words = needles.compactMap { $0 }
      guard !words.allSatisfy({ $0.count == 1 && SecretIndex.hasOwnBit($0[0]) }) else { return nil }
      self.words = words
      wordMasks = words.map { SecretIndex.characterMask(of: $0) }
      tailMasks = words.map { word in word.indices.map { SecretIndex.characterMask(of: word[$0...]) } + [0] }
      matches = index.withPrefixes { prefix in
        (0..<count).flatMap { id in words.map { Self.match($0, prefix(id)) } }
      }
    }

    static func match(_ word: [UInt8], _ prefix: UnsafeBufferPointer<UInt8>) -> Match {
      let inPrefix = word.withUnsafeBufferPointer { SecretFilter.containsLowered($0, in: prefix) }
      let mayCross = word.indices.dropFirst().contains { length in
        word[length - 1] == UInt8(ascii: "/") && prefix.count >= length
          && prefix[(prefix.count - length)...].elementsEqual(word[..<length])
      }
      var inOrder = 0
      for byte in prefix where inOrder < word.count && byte == word[inOrder] { inOrder += 1 }
      return Match(inPrefix: inPrefix, mayCross: mayCross, inOrder: Int32(inOrder))
    }

    /// The rank of a name with this prefix and rest (`SecretIndex.split(at:)`) as
    /// `rank(_:in:)` gives it, or nil when only reading the name tells.
    func rank(of split: (prefix: Int?, restMask: UInt64), matching: Matching) -> Int8? {
      guard let prefix = split.prefix else { return nil }
      var rank: Int8 = 0
      for word in words.indices {
        let match = matches[prefix * words.count + word]
        if match.inPrefix { continue }
        // In the rest, or across into it: only the name tells.
        if match.mayCross || wordMasks[word] & ~split.restMask == 0 { return nil }
        // Not a substring. A subsequence when the prefix holds it all, or the rest holds
        // what follows; not one when the rest lacks a character of that.
        if matching == .substring { return -1 }
        if Int(match.inOrder) < words[word].count {
          if tailMasks[word][Int(match.inOrder)] & ~split.restMask != 0 { return -1 }
          return nil
        }
        rank = 1
      }
      return rank
    }
  }

  /// Puts `position` with the substring matches (rank 0) or the fuzzy-only ones (rank 1).
  private static func place(_ position: Int, _ rank: Int?, _ exact: inout [Int], _ fuzzy: inout [Int]) {
    switch rank {
    case 0?: exact.append(position)
    case _?: fuzzy.append(position)
    case nil: break
    }
  }

  /// Reads a byte at each end of the names at `positions`, so that the matching after finds
  /// them in the cache. The matching branches on every byte it reads: a name not in the cache
  /// is waited for before the next name is asked for, and at 500,000 secrets a keystroke
  /// waited on memory name after name (83% of the substring scan's samples sat on its first
  /// load). Here no branch waits on a byte, so a batch's misses overlap.
  private static func warm<Positions: Collection<Int>>(
    _ positions: Positions, _ name: (Int) -> UnsafeBufferPointer<UInt8>?
  ) {
    var bytes: UInt8 = 0
    for position in positions {
      guard let lowered = name(position), let first = lowered.first, let last = lowered.last else { continue }
      bytes |= first | last
    }
    consume(bytes)
  }

  /// Keeps `warm`'s reads: a value nothing used would let the optimiser drop them.
  @inline(never) @_optimize(none) private static func consume(_ value: UInt8) {}

  /// Each text term's lower-cased ASCII bytes (nil for other terms and non-ASCII words).
  private var needles: [[UInt8]?] {
    terms.map { term in
      if case .text(let word) = term { return Self.asciiLowercased(word) }
      return nil
    }
  }

  /// How well a lower-cased ASCII name matches words that are all lower-cased ASCII: nil
  /// when it does not, 0 for substring, 1 for fuzzy-only.
  private func rank(_ words: [[UInt8]], in name: UnsafeBufferPointer<UInt8>) -> Int? {
    var rank = 0
    for word in words {
      switch Self.matchLowered(word, in: name) {
      case .substring: continue
      case .subsequence:
        if matching == .substring { return nil }
        rank = 1
      case .noMatch, .notASCII: return nil
      }
    }
    return rank
  }

  /// How well `secrets[position]` matches: nil when it does not, 0 for substring, 1 for
  /// fuzzy-only. Reads the secret's fields in place (`secrets[position].field`): copying whole
  /// `Secret`s was most of a keystroke's cost at 10,000 secrets.
  private func rank<Secrets: RandomAccessCollection<Secret>>(
    _ secrets: Secrets, at position: Int, loweredName: UnsafeBufferPointer<UInt8>?, needles: [[UInt8]?],
    masks: [UInt64], index: SecretIndex
  ) -> Int? where Secrets.Index == Int {
    var rank = 0
    var unicodeName: String?
    for (offset, term) in terms.enumerated() {
      switch term {
      case .text(let word):
        // ASCII names and words (the usual case) match on bytes lower-cased in advance.
        if let needle = needles[offset], let loweredName {
          if masks[offset] & ~index.mask(at: position) != 0 { return nil }
          switch Self.matchLowered(needle, in: loweredName) {
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

  /// Matches lower-cased ASCII `needle` in `name`'s bytes, lower-cased first (`.notASCII`
  /// when a byte is not ASCII).
  static func match(_ needle: [UInt8], in name: UnsafeBufferPointer<UInt8>) -> ByteMatch {
    if name.contains(where: { $0 >= 0x80 }) { return .notASCII }
    guard name.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return matchLowered(needle, in: name) }
    let lowered = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    return lowered.withUnsafeBufferPointer { matchLowered(needle, in: $0) }
  }

  /// Matches lower-cased ASCII `needle` in a lower-cased ASCII name (as `SecretIndex` keeps
  /// them): a substring first, else a subsequence.
  static func matchLowered(_ needle: [UInt8], in name: UnsafeBufferPointer<UInt8>) -> ByteMatch {
    needle.withUnsafeBufferPointer { needle in
      guard !needle.isEmpty else { return .substring }
      if containsLowered(needle, in: name) { return .substring }
      var from = 0
      for byte in needle {
        guard let found = firstIndex(of: byte, in: name, from: from) else { return .noMatch }
        from = found + 1
      }
      return .subsequence
    }
  }

  /// The offset of the first `byte` in `name` at or after `start`, or nil: the subsequence
  /// test looks for each byte of a word in turn. It compares 16 bytes at once and reads the
  /// first hit from the comparison's bits; a byte at a time, the second keystroke of a filter
  /// at 500,000 secrets took 6.6-7.0 ms, not 5.1 (median, `stagehand-bench`).
  static func firstIndex(of byte: UInt8, in name: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    let count = name.count
    guard start < count, let base = name.baseAddress else { return nil }
    guard count >= 16 else {
      for offset in start..<count where base[offset] == byte { return offset }
      return nil
    }
    let wanted = SIMD16<UInt8>(repeating: byte)
    let raw = UnsafeRawPointer(base)
    var offset = start
    while offset < count {
      // The last block is moved back to end at the name's end; its lanes before `offset`
      // were compared already and are masked off.
      let blockStart = min(offset, count - 16)
      let hits = SIMD16<UInt8>(repeating: 0).replacing(
        with: 0xFF, where: raw.loadUnaligned(fromByteOffset: blockStart, as: SIMD16<UInt8>.self) .== wanted)
      // Lane 0 is the low byte of the first half (read as little-endian on any machine).
      let halves = unsafeBitCast(hits, to: SIMD2<UInt64>.self)
      let skipped = (offset - blockStart) * 8
      let low = skipped >= 64 ? 0 : UInt64(littleEndian: halves[0]) & (~0 &<< skipped)
      let high = UInt64(littleEndian: halves[1]) & (skipped <= 64 ? ~0 : ~0 &<< (skipped - 64))
      if low != 0 { return blockStart + low.trailingZeroBitCount / 8 }
      if high != 0 { return blockStart + 8 + high.trailingZeroBitCount / 8 }
      offset = blockStart + 16
    }
    return nil
  }

  /// True when `needle` (not empty) is a substring of `name`. A word typed on a 500,000-secret
  /// list is looked for in nearly every name, and most names do not have it: each 16 bytes of
  /// the name are compared at once against the word's first byte and, one byte on, its
  /// second, and only where both match is the rest compared. A byte at a time, this scan was
  /// most of a keystroke (a `memchr` a step cost more in calls than it saved on names this
  /// short).
  static func containsLowered(_ needle: UnsafeBufferPointer<UInt8>, in name: UnsafeBufferPointer<UInt8>) -> Bool {
    let count = name.count
    let length = needle.count
    guard length <= count, let base = name.baseAddress else { return false }
    let lastStart = count - length
    func matches(at start: Int) -> Bool {
      var offset = 1
      while offset < length && base[start + offset] == needle[offset] { offset += 1 }
      return offset == length
    }
    // Loads read `second` bytes past a block's start, so every block must end in the name.
    let second = length > 1 ? 1 : 0
    guard count >= 16 + second else {
      for start in 0...lastStart where base[start] == needle[0] && matches(at: start) { return true }
      return false
    }
    let firstBytes = SIMD16<UInt8>(repeating: needle[0])
    let secondBytes = SIMD16<UInt8>(repeating: needle[second])
    let raw = UnsafeRawPointer(base)
    var block = 0
    while true {
      // The last block is moved back to end at the name's end (overlapping the one before).
      let start = min(block, count - 16 - second)
      let hits =
        raw.loadUnaligned(fromByteOffset: start, as: SIMD16<UInt8>.self) .== firstBytes
        .& (raw.loadUnaligned(fromByteOffset: start + second, as: SIMD16<UInt8>.self) .== secondBytes)
      if any(hits) {
        for lane in 0..<16 where hits[lane] && start + lane <= lastStart && matches(at: start + lane) { return true }
      }
      if start == count - 16 - second { return false }
      block += 16
    }
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
