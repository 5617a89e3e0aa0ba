import Foundation

/// Writes JSON text byte for byte as JSONEncoder does with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]` (two-space indent, `"key" : value`, empty containers as an
/// open bracket, a blank line and the close), without building Encodable values first:
/// `list --json` at 10,000 secrets spent most of its time in JSONEncoder. The caller writes
/// keys in sorted order (`sortedKeys(_:)` sorts as JSONEncoder does); a test holds the
/// output to JSONEncoder's.
public struct JSONTextWriter {
  public private(set) var bytes: [UInt8] = []
  /// Per open container: has it a member yet?
  private var filled: [Bool] = []
  private var afterKey = false

  public init(reservingCapacity capacity: Int = 0) {
    bytes.reserveCapacity(capacity)
  }

  /// JSONEncoder's key order: by UTF-8 bytes (not String's canonical-equivalence order).
  public static func keyPrecedes(_ a: String, _ b: String) -> Bool {
    let compared = a.utf8.withContiguousStorageIfAvailable { a in
      b.utf8.withContiguousStorageIfAvailable { b in
        // The common prefix by memcmp, then the shorter first.
        let common = min(a.count, b.count)
        let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
        return order != 0 ? order < 0 : a.count < b.count
      }
    }
    return (compared ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
  }

  public static func sortedKeys<Value>(_ dictionary: [String: Value]) -> [(key: String, value: Value)] {
    dictionary.sorted { keyPrecedes($0.key, $1.key) }
  }

  public mutating func beginObject() { open(UInt8(ascii: "{")) }
  public mutating func endObject() { close(UInt8(ascii: "}")) }
  public mutating func beginArray() { open(UInt8(ascii: "[")) }
  public mutating func endArray() { close(UInt8(ascii: "]")) }

  public mutating func key(_ key: String) {
    newElement()
    quoted(key)
    bytes.append(contentsOf: " : ".utf8)
    afterKey = true
  }

  /// A member name written many times (the same few for every secret of a list), quoted
  /// once.
  public struct MemberName: Sendable {
    /// `"name" : `
    fileprivate let text: [UInt8]

    public init(_ name: String) {
      var writer = JSONTextWriter()
      writer.key(name)
      text = writer.bytes
    }
  }

  public mutating func key(_ name: borrowing MemberName) {
    newElement()
    name.text.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
    afterKey = true
  }

  public mutating func string(_ value: String) {
    newElement()
    quoted(value)
  }

  public mutating func bool(_ value: Bool) {
    newElement()
    bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
  }

  /// `"key" : "value"`, or nothing when `value` is nil (JSONEncoder omits nil optionals).
  public mutating func member(_ key: String, _ value: String?) {
    guard let value else { return }
    self.key(key)
    string(value)
  }

  public mutating func member(_ name: borrowing MemberName, _ value: String?) {
    guard let value else { return }
    key(name)
    string(value)
  }

  /// `"name" : "2023-11-14T22:13:20Z"` (`ISO8601Text`), or nothing when `date` is nil.
  public mutating func member(_ name: borrowing MemberName, date: Date?) {
    guard let date else { return }
    key(name)
    newElement()
    bytes.append(UInt8(ascii: "\""))
    ISO8601Text.append(date, to: &bytes)
    bytes.append(UInt8(ascii: "\""))
  }

  private mutating func open(_ bracket: UInt8) {
    newElement()
    bytes.append(bracket)
    filled.append(false)
  }

  private mutating func close(_ bracket: UInt8) {
    let wasFilled = filled.removeLast()
    bytes.append(0x0A)
    if !wasFilled { bytes.append(0x0A) }
    indent()
    bytes.append(bracket)
  }

  /// The separator and indent before a value; nothing right after a key.
  private mutating func newElement() {
    if afterKey {
      afterKey = false
      return
    }
    guard !filled.isEmpty else { return }
    if filled[filled.count - 1] { bytes.append(UInt8(ascii: ",")) }
    filled[filled.count - 1] = true
    bytes.append(0x0A)
    indent()
  }

  private mutating func indent() {
    let width = 2 * filled.count
    Self.spaces.withUTF8Buffer { spaces in
      if width <= spaces.count {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: spaces[..<width]))
      } else {
        bytes.append(contentsOf: repeatElement(0x20, count: width))
      }
    }
  }

  /// Indents up to 32 levels deep in one copy.
  private static let spaces: StaticString = "                                                                "

  private static let hexDigits = Array("0123456789abcdef".utf8)

  /// Appends a raw newline (after the document, say).
  public mutating func newline() { bytes.append(0x0A) }

  /// Hands the bytes written so far to `output` (when there are any) and forgets them,
  /// keeping their room: a long document goes out in pieces, writing continues where it was.
  public mutating func flush(to output: (UnsafeRawBufferPointer) -> Void) {
    guard !bytes.isEmpty else { return }
    bytes.withUnsafeBytes { output($0) }
    bytes.removeAll(keepingCapacity: true)
  }

  private mutating func quoted(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    // Most strings need no escape: copy them whole.
    if !ByteScan.needsJSONEscape(text) {
      bytes.append(contentsOf: text.utf8)
      bytes.append(UInt8(ascii: "\""))
      return
    }
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
      case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
      case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
      case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
      case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
      case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
      case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
      case 0..<0x20:
        bytes.append(contentsOf: Array(#"\u00"#.utf8))
        bytes.append(Self.hexDigits[Int(byte >> 4)])
        bytes.append(Self.hexDigits[Int(byte & 0xF)])
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }
}

/// `2023-11-14T22:13:20Z`: UTC, whole seconds rounded down, without a formatter per call.
/// Total: every `Date` gets a valid ISO 8601 date-time string (a server's `CreatedDate` of
/// -1e15 or 1e300 must not crash `list --json`, nor turn the member into another type).
///
/// - From 1582-10-15 (the Gregorian reform) to year 506713, where JSONEncoder's `.iso8601`
///   (`Date.formatted(.iso8601)`) writes the true date, the bytes are JSONEncoder's: years
///   0000-9999 in four digits, later years in as many as they need (`10000-01-01T00:00:00Z`).
/// - Elsewhere JSONEncoder wrote no true date: before the reform it switches to the Julian
///   calendar (so an ISO 8601 reader got an instant days off), and past its calendar's limits it
///   writes `-4712-01-01T12:00:00Z` or `506713-02-07T00:00:00Z` whatever the date. Here the
///   proleptic Gregorian calendar, as ISO 8601 has it, continues both ways: year 0 is 1 BC,
///   earlier years have a minus sign and at least four digits (`-0001-12-31T23:59:59Z`), so
///   what a reader parses back is the instant the server sent, and a later date never reads
///   as an earlier one.
/// - Whole seconds are saturated to 64 bits: nothing before `-292277022657-01-27T08:29:52Z`
///   or after `292277026596-12-04T15:30:07Z` (about 292 billion years either way, the limits
///   of every 64-bit seconds clock); NaN, which no reader gives, is written as the earliest.
public enum ISO8601Text {
  /// The longest text, the earliest date: `-292277022657-01-27T08:29:52Z`.
  public static let maxLength = 29

  public static func string(_ date: Date) -> String {
    var text = [UInt8]()
    text.reserveCapacity(maxLength)
    append(date, to: &text)
    return String(decoding: text, as: UTF8.self)
  }

  /// The same bytes (20 for years 0000-9999), appended to `text`.
  public static func append(_ date: Date, to text: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
      var written = 0
      write(date) { byte in
        buffer[written] = byte
        written += 1
      }
      text.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<written]))
    }
  }

  /// Seconds since 1970 rounded down, saturated to 64 bits (NaN as the earliest).
  static func wholeSeconds(_ interval: TimeInterval) -> Int {
    let floor = interval.rounded(.down)
    if floor >= 0x1p63 { return .max }
    guard floor >= -0x1p63 else { return .min }
    return Int(floor)
  }

  @inline(__always) private static func write(_ date: Date, _ put: (UInt8) -> Void) {
    // Floor division: no overflow even at Int.min.
    var (days, secondOfDay) = wholeSeconds(date.timeIntervalSince1970).quotientAndRemainder(dividingBy: 86_400)
    if secondOfDay < 0 {
      days -= 1
      secondOfDay += 86_400
    }
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian; |days| < 1.1e14 here).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    if year < 0 { put(UInt8(ascii: "-")) }
    digits(year.magnitude, 4, put)
    put(UInt8(ascii: "-"))
    digits(UInt(month), 2, put)
    put(UInt8(ascii: "-"))
    digits(UInt(day), 2, put)
    put(UInt8(ascii: "T"))
    digits(UInt(secondOfDay / 3_600), 2, put)
    put(UInt8(ascii: ":"))
    digits(UInt(secondOfDay / 60 % 60), 2, put)
    put(UInt8(ascii: ":"))
    digits(UInt(secondOfDay % 60), 2, put)
    put(UInt8(ascii: "Z"))
  }

  /// `value` in decimal, zero-padded to at least `count` digits.
  @inline(__always) private static func digits(_ value: UInt, _ count: Int, _ put: (UInt8) -> Void) {
    var divisor: UInt = 1
    var width = 1
    while width < count || value / divisor >= 10 {
      divisor *= 10
      width += 1
    }
    while divisor > 0 {
      put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
      divisor /= 10
    }
  }
}
