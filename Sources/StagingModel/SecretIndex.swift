/// What the filter and the page merge need of the loaded secrets, kept beside them so a
/// keystroke at 500,000 secrets never copies a `Secret`: each name's position, the
/// lower-cased bytes of the ASCII names in one contiguous buffer, and per name a mask of the
/// characters in it (`characterMask`), which turns most names a word cannot match away
/// without reading them; and the path prefixes names share (`prod/payments/`), so the filter
/// matches a word against each prefix once and decides most names from their prefix's answer
/// and the mask of the rest (`SecretFilter.PrefixMatches`).
///
/// `AppState` appends a name whenever it appends a secret and resets both together;
/// replacing a secret in place keeps its name, so the index stays valid.
public struct SecretIndex: Sendable {
  /// Per secret, where its lower-cased name is in `lowered`, under what prefix, and what
  /// characters it has after the prefix: one record of 16 bytes, so the filter reads one
  /// cache line per secret beside the name's bytes, and none beside it for a name its prefix
  /// decides. The name's own mask is its prefix's and its rest's (`mask(at:)`).
  private struct Entry {
    var start: UInt32
    /// The name's length in `lowered`, or -1 when it is not ASCII, past 4 GB of names, or
    /// longer than 32,767 bytes (AWS allows 512 characters).
    var length: Int16
    /// One more than the name's prefix in `prefixes` (up to and including its last `/`), or
    /// 0 when it has no `/`, is not ASCII, or came after `prefixLimit` prefixes.
    var prefix: UInt16
    /// `characterMask` of the lower-cased name after its prefix (all of it with prefix 0);
    /// every bit for a name not ASCII.
    var restMask: UInt64
  }

  /// A path prefix of one or more names (`prod/payments/`): where it is in `lowered`, in the
  /// first name that has it.
  private struct Prefix {
    var start: UInt32
    var length: UInt32
  }

  /// At most this many prefixes are kept (a 16-bit id; about 1.5 MB), so an account whose
  /// every name has a prefix of its own (`app/<uuid>/config`) costs little; names under later
  /// prefixes are matched whole.
  static let prefixLimit = Int(UInt16.max)
  private var prefixes: [Prefix] = []
  /// `characterMask` of each prefix, after a 0 for names with none (by `Entry.prefix`).
  private var prefixMasks: [UInt64] = [0]
  /// `slots` for `prefixes`, by a hash of the prefix's bytes.
  private var prefixSlots: [Int32] = []

  /// Lower-cased bytes of every ASCII name, one after another.
  private var lowered: [UInt8] = []
  private var entries: [Entry] = []
  /// Per secret, its key: the name, or where one list holds several profiles or Regions, the
  /// name and where it was read.
  private var keys: [String] = []
  /// Per secret, its key's hash, so the table grows without hashing a key again (a
  /// dictionary's rehash at 393,216 names took 370 ms, a stalled frame).
  private var keyHashes: [Int] = []
  /// Per secret, the hash of its id (`Secret.id`, the ARN else the name): what finds the
  /// marked secrets (marks are ids) without reading every secret out of the packed list.
  private var idHashes: [Int] = []
  /// Open addressing, linear probing, at most half full: a position plus one, or 0 for
  /// an empty slot. A key's first position only (should a list repeat a key).
  private var slots: [Int32] = []

  public init() {}

  public init<Secrets: Sequence<Secret>>(_ secrets: Secrets) {
    for secret in secrets { append(secret.name, key: secret.name, id: secret.id) }
  }

  public var count: Int { entries.count }

  /// The position of the first secret with this key (`append(_:key:)`).
  public func position(of key: String) -> Int? {
    position(of: key, hash: key.hashValue)
  }

  private func position(of key: String, hash: Int) -> Int? {
    guard !slots.isEmpty else { return nil }
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] != 0 {
      let position = Int(slots[slot]) - 1
      if keyHashes[position] == hash && keys[position] == key { return position }
      slot = (slot + 1) & mask
    }
    return nil
  }

  /// Appends a secret found again by `key` (its name, or its name and where it was read), with
  /// its id (`Secret.id`).
  public mutating func append(_ name: String, key: String, id: String) {
    idHashes.append(id.hashValue)
    let hash = key.hashValue
    let isNew = position(of: key, hash: hash) == nil
    keys.append(key)
    keyHashes.append(hash)
    if isNew {
      if (entries.count + 1) * 2 > slots.count { grow() }
      insert(entries.count, hash: hash)
    }
    guard name.utf8.allSatisfy({ $0 < 0x80 }), name.utf8.count <= Int(Int16.max),
      lowered.count + name.utf8.count <= Int(UInt32.max)
    else {
      entries.append(Entry(start: UInt32(min(lowered.count, Int(UInt32.max))), length: -1, prefix: 0, restMask: ~0))
      return
    }
    let start = lowered.count
    var mask: UInt64 = 0
    var prefixMask: UInt64 = 0
    var prefixLength = 0
    for byte in name.utf8 {
      let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
      lowered.append(lower)
      mask |= Self.bit(of: lower)
      if lower == UInt8(ascii: "/") {
        prefixMask = mask
        prefixLength = lowered.count - start
      }
    }
    var prefix: UInt16 = 0
    var restMask = mask
    if prefixLength > 0,
      let id = intern(Prefix(start: UInt32(start), length: UInt32(prefixLength)), characters: prefixMask)
    {
      prefix = UInt16(id + 1)
      restMask = Self.characterMask(of: lowered[(start + prefixLength)...])
    }
    entries.append(
      Entry(start: UInt32(start), length: Int16(lowered.count - start), prefix: prefix, restMask: restMask))
  }

  /// The id of the prefix with `prefix`'s bytes, added with `characters` (its `characterMask`)
  /// if new and under `prefixLimit`; nil past it.
  private mutating func intern(_ prefix: Prefix, characters: UInt64) -> Int? {
    let hash = hash(of: prefix)
    if !prefixSlots.isEmpty {
      let mask = prefixSlots.count - 1
      var slot = hash & mask
      while prefixSlots[slot] != 0 {
        let id = Int(prefixSlots[slot]) - 1
        if bytes(of: prefixes[id]).elementsEqual(bytes(of: prefix)) { return id }
        slot = (slot + 1) & mask
      }
    }
    guard prefixes.count < Self.prefixLimit else { return nil }
    prefixes.append(prefix)
    prefixMasks.append(characters)
    if prefixes.count * 2 > prefixSlots.count {
      prefixSlots = [Int32](repeating: 0, count: max(16, prefixSlots.count * 2))
      for id in prefixes.indices { insertPrefix(id) }
    } else {
      insertPrefix(prefixes.count - 1)
    }
    return prefixes.count - 1
  }

  private mutating func insertPrefix(_ id: Int) {
    let mask = prefixSlots.count - 1
    var slot = hash(of: prefixes[id]) & mask
    while prefixSlots[slot] != 0 { slot = (slot + 1) & mask }
    prefixSlots[slot] = Int32(id + 1)
  }

  private func bytes(of prefix: Prefix) -> ArraySlice<UInt8> {
    lowered[Int(prefix.start)..<Int(prefix.start) + Int(prefix.length)]
  }

  private func hash(of prefix: Prefix) -> Int {
    lowered.withUnsafeBytes { all in
      var hasher = Hasher()
      hasher.combine(
        bytes: UnsafeRawBufferPointer(rebasing: all[Int(prefix.start)..<Int(prefix.start + prefix.length)]))
      return hasher.finalize()
    }
  }

  /// Records that the secret at `position` now has the id `id` (an ARN learnt on a second read).
  public mutating func setID(_ id: String, at position: Int) {
    idHashes[position] = id.hashValue
  }

  /// The positions, ascending, of the secrets whose id may be one of `ids`: every secret whose
  /// id is, and now and then one whose id only shares a hash with one of them (the caller
  /// compares the ids). Reads 8 bytes a secret.
  public func positions(mayHavingIDIn ids: Set<String>) -> [Int] {
    guard !ids.isEmpty else { return [] }
    let hashes = Set(ids.map(\.hashValue))
    // One bit per hash's low 6 bits: with a few marks, nearly every secret is passed over on
    // one AND, not a set lookup (7 ms at 500,000 with one mark).
    let bits = hashes.reduce(UInt64(0)) { $0 | 1 << UInt64($1 & 63) }
    return idHashes.indices.filter { position in
      let hash = idHashes[position]
      return bits & 1 << UInt64(hash & 63) != 0 && hashes.contains(hash)
    }
  }

  private mutating func insert(_ position: Int, hash: Int) {
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] != 0 { slot = (slot + 1) & mask }
    slots[slot] = Int32(truncatingIfNeeded: position + 1)
  }

  /// Twice the slots, each position moved by its stored hash.
  private mutating func grow() {
    let old = slots
    slots = [Int32](repeating: 0, count: max(16, old.count * 2))
    for stored in old where stored != 0 {
      let position = Int(stored) - 1
      insert(position, hash: keyHashes[position])
    }
  }

  /// Calls `body` with a function giving each secret's lower-cased ASCII name (nil when the
  /// name is not ASCII), valid only inside `body`.
  public func withLoweredNames<Result>(_ body: ((Int) -> UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
    lowered.withUnsafeBufferPointer { all in
      entries.withUnsafeBufferPointer { entries in
        body { position in
          let entry = entries[position]
          guard entry.length >= 0, let base = all.baseAddress else {
            return entry.length >= 0 ? .init(start: nil, count: 0) : nil
          }
          return UnsafeBufferPointer(start: base + Int(entry.start), count: Int(entry.length))
        }
      }
    }
  }

  /// The characters of `position`'s name as bits (`characterMask`).
  public func mask(at position: Int) -> UInt64 {
    let entry = entries[position]
    return prefixMasks[Int(entry.prefix)] | entry.restMask
  }

  /// How many path prefixes the names share, at most `prefixLimit`.
  public var prefixCount: Int { prefixes.count }

  /// Calls `body` with a function giving each prefix's lower-cased bytes by id (below
  /// `prefixCount`), valid only inside `body`.
  func withPrefixes<Result>(_ body: ((Int) -> UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    lowered.withUnsafeBufferPointer { all in
      body { id in
        UnsafeBufferPointer(rebasing: all[Int(prefixes[id].start)..<Int(prefixes[id].start + prefixes[id].length)])
      }
    }
  }

  /// The prefix of `position`'s name (nil when it has none kept) and the characters after
  /// it as bits: the name is the prefix's bytes then bytes with those characters.
  func split(at position: Int) -> (prefix: Int?, restMask: UInt64) {
    let entry = entries[position]
    return (entry.prefix == 0 ? nil : Int(entry.prefix) - 1, entry.restMask)
  }

  /// One bit per lower-cased ASCII byte present: a word whose mask has a bit the name's
  /// lacks is neither a substring nor a subsequence of it. Letters, digits and the other
  /// characters AWS allows in a name (`/_+=.@-`, and `:`) each have a bit of their own, so for a
  /// one-character word the mask alone answers; other bytes share the last bits.
  public static func characterMask<Bytes: Sequence<UInt8>>(of bytes: Bytes) -> UInt64 {
    bytes.reduce(0) { $0 | bit(of: $1) }
  }

  /// True when `byte` (lower-cased ASCII) has a bit no other byte shares.
  public static func hasOwnBit(_ byte: UInt8) -> Bool { ownBits[Int(byte & 0x7F)] != 0 }

  @inline(__always) static func bit(of byte: UInt8) -> UInt64 {
    let own = ownBits[Int(byte & 0x7F)]
    return own != 0 ? own : 1 << (44 + UInt64(byte % 20))
  }

  /// Bits 0-43 for `a`-`z`, `0`-`9` and `/_+=.@-:`; zero for every other byte.
  private static let ownBits: [UInt64] = {
    var bits = [UInt64](repeating: 0, count: 128)
    let own = Array("abcdefghijklmnopqrstuvwxyz0123456789/_+=.@-:".utf8)
    for (bit, byte) in own.enumerated() { bits[Int(byte)] = 1 << UInt64(bit) }
    return bits
  }()
}
