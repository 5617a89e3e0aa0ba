/// What the filter and the page merge need of the loaded secrets, kept beside them so a
/// keystroke at 500,000 secrets never copies a `Secret`: each name's position, the
/// lower-cased bytes of the ASCII names in one contiguous buffer, and per name a mask of the
/// characters in it (`characterMask`), which turns most names a word cannot match away
/// without reading them.
///
/// `AppState` appends a name whenever it appends a secret and resets both together;
/// replacing a secret in place keeps its name, so the index stays valid.
public struct SecretIndex: Sendable {
  /// Per secret, where its lower-cased name is in `lowered` and what characters it has: one
  /// record, so the filter reads one cache line per secret beside the name's bytes.
  private struct Entry {
    var start: UInt32
    /// The name's length in `lowered`, or -1 when it is not ASCII (or past 4 GB of names).
    var length: Int32
    /// `characterMask` of the lower-cased name; every bit for a name not ASCII.
    var mask: UInt64
  }

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
    guard name.utf8.allSatisfy({ $0 < 0x80 }), lowered.count + name.utf8.count <= Int(UInt32.max) else {
      entries.append(Entry(start: UInt32(min(lowered.count, Int(UInt32.max))), length: -1, mask: ~0))
      return
    }
    let start = lowered.count
    var mask: UInt64 = 0
    for byte in name.utf8 {
      let lower = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
      lowered.append(lower)
      mask |= Self.bit(of: lower)
    }
    entries.append(Entry(start: UInt32(start), length: Int32(lowered.count - start), mask: mask))
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
  public func mask(at position: Int) -> UInt64 { entries[position].mask }

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
