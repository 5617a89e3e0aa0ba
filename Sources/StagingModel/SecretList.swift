import Foundation

/// The loaded secrets, packed: each one is kept as a few hundred bytes in its chunk's byte
/// buffer and made into a `Secret` again only when it is read (a frame reads the rows it
/// shows; the filter reads `SecretIndex`, not the secrets).
///
/// A `Secret` as such is 304 bytes inline plus a heap object for each string over 15 bytes
/// (the name, the ARN, the description, every version id) and for each array, set and
/// dictionary: about 1.1 KB a listed secret, 550 MB at 500,000. Packed, the strings are their
/// UTF-8 bytes, a version id shaped like a UUID is its 16 bytes, a date is its 8, the ARN is
/// the part before the name (kept once, in `Pool`) and the few bytes after it, and a label set
/// or tag set is the number of its one shared copy: about 220 bytes a secret.
///
/// Secrets are kept in chunks of 4,096, so appending never moves the secrets before (one
/// array doubling at 262,144 secrets stalled a page's apply for 58 ms). A secret replaced
/// (a describe answer read over a listed one) is written again at the end of its chunk, unless
/// its record is unchanged; the chunk is rewritten when more than half its bytes are old
/// records.
public struct SecretList: RandomAccessCollection, MutableCollection, Equatable, Sendable {
  public typealias Index = Int
  public typealias Indices = Range<Int>

  private static let shift = 12
  private static let chunkSize = 1 << shift

  /// 4,096 secrets' records (the last chunk filling), each where `starts` says.
  private struct Chunk: Sendable {
    var bytes: [UInt8] = []
    var starts: [UInt32] = []
    /// Bytes of records no longer pointed to (secrets replaced since the chunk was written).
    var unused = 0
  }

  /// Full chunks, then the last one, filling.
  private var chunks: [Chunk] = []
  private var pool = Pool()
  public private(set) var count = 0

  public init() {}

  public init<Secrets: Sequence<Secret>>(_ secrets: Secrets) {
    for secret in secrets { append(secret) }
  }

  public var startIndex: Int { 0 }
  public var endIndex: Int { count }
  public var indices: Range<Int> { 0..<count }

  public subscript(position: Int) -> Secret {
    get {
      precondition(indices.contains(position), "SecretList index out of range")
      let chunk = chunks[position >> Self.shift]
      let start = Int(chunk.starts[position & (Self.chunkSize - 1)])
      return chunk.bytes.withUnsafeBufferPointer { bytes in
        var reader = Reader(bytes: bytes, offset: start)
        return reader.secret(pool)
      }
    }
    set {
      precondition(indices.contains(position), "SecretList index out of range")
      let slot = position & (Self.chunkSize - 1)
      let old = Self.recordRange(in: chunks[position >> Self.shift], at: slot, pool: pool)
      var record: [UInt8] = []
      pool.write(newValue, to: &record)
      // A secret listed again unchanged (most of a reload) keeps its record: writing it again
      // would grow every chunk a reload touches.
      if chunks[position >> Self.shift].bytes[old].elementsEqual(record) { return }
      var chunk = chunks[position >> Self.shift]
      chunks[position >> Self.shift] = Chunk()  // `chunk` alone holds the buffers: no copy to write
      chunk.starts[slot] = UInt32(chunk.bytes.count)
      chunk.bytes += record
      chunk.unused += old.count
      if chunk.unused > chunk.bytes.count / 2 { chunk = rewritten(chunk) }
      chunks[position >> Self.shift] = chunk
    }
  }

  public mutating func append(_ secret: Secret) {
    if count & (Self.chunkSize - 1) == 0 {
      // The chunk before is full: keep its bytes at their size, not the capacity they grew to.
      if let last = chunks.indices.last { chunks[last].bytes = Array(chunks[last].bytes[...]) }
      var chunk = Chunk()
      chunk.starts.reserveCapacity(Self.chunkSize)
      chunks.append(chunk)
    }
    let last = chunks.count - 1
    chunks[last].starts.append(UInt32(chunks[last].bytes.count))
    pool.write(secret, to: &chunks[last].bytes)
    count += 1
  }

  /// Equal secrets in the same order; how they are packed does not count.
  public static func == (lhs: SecretList, rhs: SecretList) -> Bool {
    lhs.count == rhs.count && lhs.elementsEqual(rhs)
  }

  /// Where the record at `slot` is in `chunk.bytes`.
  private static func recordRange(in chunk: Chunk, at slot: Int, pool: Pool) -> Range<Int> {
    let start = Int(chunk.starts[slot])
    return chunk.bytes.withUnsafeBufferPointer { bytes in
      var reader = Reader(bytes: bytes, offset: start)
      _ = reader.secret(pool)
      return start..<reader.offset
    }
  }

  /// `chunk` with its records copied in order and nothing else.
  private func rewritten(_ chunk: Chunk) -> Chunk {
    var fresh = Chunk()
    fresh.starts.reserveCapacity(chunk.starts.count)
    fresh.bytes.reserveCapacity(chunk.bytes.count - chunk.unused)
    for slot in chunk.starts.indices {
      let range = Self.recordRange(in: chunk, at: slot, pool: pool)
      fresh.starts.append(UInt32(fresh.bytes.count))
      fresh.bytes += chunk.bytes[range]
    }
    return fresh
  }
}

// MARK: - The record

/// The values many secrets repeat, each kept once and written as its number: label sets
/// (`AWSCURRENT`, `AWSPREVIOUS`, ...), tag sets (a team and an environment) and the part of
/// an ARN before the name (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:`). Swift's
/// collections are copy-on-write, so every secret read shares the one copy.
private struct Pool: Sendable {
  var labelSets: [Set<String>] = []
  var labelSetNumbers: [Set<String>: Int] = [:]
  var tagSets: [[String: String]] = []
  var tagSetNumbers: [[String: String]: Int] = [:]
  var arnPrefixes: [String] = []
  var arnPrefixNumbers: [String: Int] = [:]

  /// The number of `value` in `values`, added if new.
  static func number<Value: Hashable>(of value: Value, _ values: inout [Value], _ numbers: inout [Value: Int]) -> Int {
    if let number = numbers[value] { return number }
    values.append(value)
    numbers[value] = values.count - 1
    return values.count - 1
  }

  /// Which optional fields a record has, one bit each, written first.
  enum Field: Int {
    case arn, description, createdDate, lastChangedDate, lastAccessedDate, rotationEnabled
    case rotationLambdaARN, rotationRules, lastRotatedDate, nextRotationDate, owningService
    case deletedDate, primaryRegion, replicationStatus, tags, origin, versionsComplete
    case includesDeprecated

    var bit: UInt64 { 1 << UInt64(rawValue) }
  }

  /// Appends `secret`'s record to `bytes`. `Reader.secret` reads it back equal.
  mutating func write(_ secret: Secret, to bytes: inout [UInt8]) {
    let dates: [(Field, Date?)] = [
      (.createdDate, secret.createdDate), (.lastChangedDate, secret.lastChangedDate),
      (.lastAccessedDate, secret.lastAccessedDate), (.lastRotatedDate, secret.lastRotatedDate),
      (.nextRotationDate, secret.nextRotationDate), (.deletedDate, secret.deletedDate),
    ]
    var fields: UInt64 = 0
    func mark(_ field: Field, _ present: Bool) { if present { fields |= field.bit } }
    mark(.arn, secret.arn != nil)
    mark(.description, secret.description != nil)
    for (field, date) in dates { mark(field, date != nil) }
    mark(.rotationEnabled, secret.rotationEnabled)
    mark(.rotationLambdaARN, secret.rotationLambdaARN != nil)
    mark(.rotationRules, secret.rotationRules != nil)
    mark(.owningService, secret.owningService != nil)
    mark(.primaryRegion, secret.primaryRegion != nil)
    mark(.replicationStatus, !secret.replicationStatus.isEmpty)
    mark(.tags, !secret.tags.isEmpty)
    mark(.origin, secret.origin != nil)
    mark(.versionsComplete, secret.versionsComplete)
    mark(.includesDeprecated, secret.includesDeprecated)

    Writer.number(fields, to: &bytes)
    Writer.string(secret.name, to: &bytes)
    if let arn = secret.arn { writeARN(arn, name: secret.name, to: &bytes) }
    if let description = secret.description { Writer.string(description, to: &bytes) }
    for case (_, let date?) in dates { Writer.date(date, to: &bytes) }
    if let lambda = secret.rotationLambdaARN { Writer.string(lambda, to: &bytes) }
    if let rules = secret.rotationRules {
      let days = rules.automaticallyAfterDays
      let present = (days != nil ? 1 : 0) | (rules.scheduleExpression != nil ? 2 : 0) | (rules.duration != nil ? 4 : 0)
      Writer.number(UInt64(present), to: &bytes)
      if let days { Writer.number(UInt64(bitPattern: Int64(days)), to: &bytes) }
      if let expression = rules.scheduleExpression { Writer.string(expression, to: &bytes) }
      if let duration = rules.duration { Writer.string(duration, to: &bytes) }
    }
    if let service = secret.owningService { Writer.string(service, to: &bytes) }
    if let region = secret.primaryRegion { Writer.string(region, to: &bytes) }
    if !secret.replicationStatus.isEmpty {
      Writer.number(UInt64(secret.replicationStatus.count), to: &bytes)
      for replica in secret.replicationStatus {
        Writer.string(replica.region, to: &bytes)
        Writer.optionalString(replica.status, to: &bytes)
        Writer.optionalString(replica.statusMessage, to: &bytes)
      }
    }
    if !secret.tags.isEmpty {
      Writer.number(UInt64(Self.number(of: secret.tags, &tagSets, &tagSetNumbers)), to: &bytes)
    }
    if let origin = secret.origin {
      Writer.optionalString(origin.profile, to: &bytes)
      Writer.string(origin.region, to: &bytes)
    }
    Writer.number(UInt64(secret.versions.count), to: &bytes)
    for version in secret.versions {
      let uuid = UUIDBytes(version.versionId)
      let present =
        (uuid != nil ? 1 : 0) | (version.createdDate != nil ? 2 : 0) | (version.lastAccessedDate != nil ? 4 : 0)
      bytes.append(UInt8(present))
      if let uuid { uuid.write(to: &bytes) } else { Writer.string(version.versionId, to: &bytes) }
      Writer.number(UInt64(Self.number(of: version.labels, &labelSets, &labelSetNumbers)), to: &bytes)
      if let created = version.createdDate { Writer.date(created, to: &bytes) }
      if let accessed = version.lastAccessedDate { Writer.date(accessed, to: &bytes) }
    }
  }

  /// An ARN is nearly always `arn:...:secret:` + the name + `-` and 6 characters: the part
  /// before the name is kept once, and the record holds its number and what follows the name.
  /// Written as 0 and the whole ARN otherwise, or prefix number + 1 and the rest.
  private mutating func writeARN(_ arn: String, name: String, to bytes: inout [UInt8]) {
    var arn = arn
    var name = name
    let packed: Bool = arn.withUTF8 { arn in
      name.withUTF8 { name in
        guard let end = Self.end(of: ":secret:", in: arn), arn[end...].starts(with: name) else { return false }
        let prefix = String(decoding: UnsafeBufferPointer(rebasing: arn[..<end]), as: UTF8.self)
        Writer.number(UInt64(Self.number(of: prefix, &arnPrefixes, &arnPrefixNumbers) + 1), to: &bytes)
        Writer.bytes(arn[(end + name.count)...], to: &bytes)
        return true
      }
    }
    if !packed {
      Writer.number(0, to: &bytes)
      Writer.string(arn, to: &bytes)
    }
  }

  /// Where the first `marker` in `bytes` ends. A plain scan: `firstRange(of:)` cost more than
  /// the rest of packing a secret.
  private static func end(of marker: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    let marker = UnsafeBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount)
    guard bytes.count >= marker.count else { return nil }
    for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
      if bytes[start..<start + marker.count].elementsEqual(marker) { return start + marker.count }
    }
    return nil
  }
}

/// Appends the record's parts: numbers as LEB128 (7 bits a byte, most under 128 in one),
/// strings as their length and UTF-8 bytes, dates as their 8 bytes.
private enum Writer {
  static func number(_ value: UInt64, to bytes: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  static func bytes<Bytes: Collection<UInt8>>(_ value: Bytes, to bytes: inout [UInt8]) {
    number(UInt64(value.count), to: &bytes)
    bytes.append(contentsOf: value)
  }

  static func string(_ value: String, to bytes: inout [UInt8]) {
    Self.bytes(value.utf8, to: &bytes)
  }

  /// 0 for nil, else the length plus one and the bytes.
  static func optionalString(_ value: String?, to bytes: inout [UInt8]) {
    guard let value else { return number(0, to: &bytes) }
    number(UInt64(value.utf8.count) + 1, to: &bytes)
    bytes.append(contentsOf: value.utf8)
  }

  /// The bits of its interval since the reference date, so it reads back the same `Date`.
  static func date(_ date: Date, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: date.timeIntervalSinceReferenceDate.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
  }
}

/// Reads a record `Pool.write` wrote, from `offset` on, leaving `offset` just after it.
private struct Reader {
  let bytes: UnsafeBufferPointer<UInt8>
  var offset: Int

  mutating func number() -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let byte = bytes[offset]
      offset += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return value }
      shift += 7
    }
  }

  mutating func raw(_ count: Int) -> UnsafeBufferPointer<UInt8> {
    defer { offset += count }
    return UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])
  }

  mutating func string() -> String {
    String(decoding: raw(Int(number())), as: UTF8.self)
  }

  mutating func optionalString() -> String? {
    let length = Int(number())
    return length == 0 ? nil : String(decoding: raw(length - 1), as: UTF8.self)
  }

  mutating func date() -> Date {
    var bits: UInt64 = 0
    withUnsafeMutableBytes(of: &bits) { $0.copyMemory(from: UnsafeRawBufferPointer(raw(8))) }
    return Date(timeIntervalSinceReferenceDate: Double(bitPattern: UInt64(littleEndian: bits)))
  }

  mutating func secret(_ pool: Pool) -> Secret {
    let fields = number()
    func has(_ field: Pool.Field) -> Bool { fields & field.bit != 0 }
    let name = string()
    var secret = Secret(name: name)
    if has(.arn) {
      let prefix = Int(number())
      if prefix == 0 {
        secret.arn = string()
      } else {
        let suffix = raw(Int(number()))
        var arn = pool.arnPrefixes[prefix - 1]
        arn.reserveCapacity(arn.utf8.count + name.utf8.count + suffix.count)
        arn += name
        arn += String(decoding: suffix, as: UTF8.self)
        secret.arn = arn
      }
    }
    if has(.description) { secret.description = string() }
    if has(.createdDate) { secret.createdDate = date() }
    if has(.lastChangedDate) { secret.lastChangedDate = date() }
    if has(.lastAccessedDate) { secret.lastAccessedDate = date() }
    if has(.lastRotatedDate) { secret.lastRotatedDate = date() }
    if has(.nextRotationDate) { secret.nextRotationDate = date() }
    if has(.deletedDate) { secret.deletedDate = date() }
    secret.rotationEnabled = has(.rotationEnabled)
    if has(.rotationLambdaARN) { secret.rotationLambdaARN = string() }
    if has(.rotationRules) {
      let present = number()
      var rules = RotationRules()
      if present & 1 != 0 { rules.automaticallyAfterDays = Int(Int64(bitPattern: number())) }
      if present & 2 != 0 { rules.scheduleExpression = string() }
      if present & 4 != 0 { rules.duration = string() }
      secret.rotationRules = rules
    }
    if has(.owningService) { secret.owningService = string() }
    if has(.primaryRegion) { secret.primaryRegion = string() }
    if has(.replicationStatus) {
      secret.replicationStatus = (0..<Int(number())).map { _ in
        let region = string()
        let status = optionalString()
        return ReplicaStatus(region: region, status: status, statusMessage: optionalString())
      }
    }
    if has(.tags) { secret.tags = pool.tagSets[Int(number())] }
    if has(.origin) {
      let profile = optionalString()
      secret.origin = SecretOrigin(profile: profile, region: string())
    }
    let versionCount = Int(number())
    secret.versions.reserveCapacity(versionCount)
    for _ in 0..<versionCount {
      let present = raw(1)[0]
      let id = present & 1 != 0 ? UUIDBytes.string(raw(16)) : string()
      var version = SecretVersion(versionId: id, labels: pool.labelSets[Int(number())])
      if present & 2 != 0 { version.createdDate = date() }
      if present & 4 != 0 { version.lastAccessedDate = date() }
      secret.versions.append(version)
    }
    secret.versionsComplete = has(.versionsComplete)
    secret.includesDeprecated = has(.includesDeprecated)
    return secret
  }
}

/// A version id in the form AWS gives them, a UUID in lower-case hex
/// (`0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`), as its 16 bytes. Any other id (upper-case hex
/// included, so it reads back as given) is not one.
private struct UUIDBytes {
  var value: (UInt64, UInt64) = (0, 0)

  init?(_ id: String) {
    var id = id
    guard
      let value = id.withUTF8({ text -> (UInt64, UInt64)? in
        guard text.count == 36 else { return nil }
        var halves: (UInt64, UInt64) = (0, 0)
        var digits = 0
        for (position, byte) in text.enumerated() {
          if position == 8 || position == 13 || position == 18 || position == 23 {
            guard byte == UInt8(ascii: "-") else { return nil }
            continue
          }
          guard let nibble = Self.nibble(byte) else { return nil }
          if digits < 16 {
            halves.0 = halves.0 << 4 | UInt64(nibble)
          } else {
            halves.1 = halves.1 << 4 | UInt64(nibble)
          }
          digits += 1
        }
        return halves
      })
    else { return nil }
    self.value = value
  }

  private static func nibble(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    default: nil
    }
  }

  /// The 16 bytes, most significant first.
  func write(to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.0.bigEndian) { bytes.append(contentsOf: $0) }
    withUnsafeBytes(of: value.1.bigEndian) { bytes.append(contentsOf: $0) }
  }

  /// The lower-case text of 16 bytes.
  static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
    return String(unsafeUninitializedCapacity: 36) { text in
      var position = 0
      for (index, byte) in bytes.enumerated() {
        if index == 4 || index == 6 || index == 8 || index == 10 {
          text[position] = UInt8(ascii: "-")
          position += 1
        }
        text[position] = hex(byte >> 4)
        text[position + 1] = hex(byte & 0x0F)
        position += 2
      }
      return position
    }
  }
}
