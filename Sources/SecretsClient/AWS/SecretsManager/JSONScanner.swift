import Foundation

/// A forward-only JSON reader over UTF-8 bytes (RFC 8259), for the two hot paths that
/// Foundation makes slow at 10,000 secrets: checking that a read's body is complete JSON,
/// and decoding ListSecrets pages straight into model values in one pass. It allocates only
/// the strings a caller asks for; everything it skips is still checked (structure, string
/// escapes, UTF-8, number syntax, nesting depth), so a value it accepts is one
/// JSONSerialization accepts too (which, like JSONDecoder, tolerates a trailing comma).
struct JSONScanner: ~Copyable {
  struct Failure: Error, CustomStringConvertible {
    var message: String
    var offset: Int
    var description: String { "\(message) at byte \(offset)" }
  }

  /// JSONSerialization's own limit, so deeply nested input fails cleanly instead of
  /// exhausting the stack.
  static let maximumDepth = 512

  private let bytes: UnsafeRawBufferPointer
  private(set) var offset = 0
  private var depth = 0

  /// A leading UTF-8 byte order mark is skipped, as JSONSerialization and JSONDecoder do.
  init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { offset = 3 }
  }

  /// True when `data` holds exactly one JSON value, whitespace around it allowed.
  static func isCompleteJSON(_ data: Data) -> Bool {
    data.withUnsafeBytes { raw in
      var scanner = JSONScanner(raw)
      do {
        try scanner.skipValue()
        try scanner.expectEnd()
        return true
      } catch {
        return false
      }
    }
  }

  // MARK: - Structure

  func failure(_ message: String) -> Failure { Failure(message: message, offset: offset) }

  mutating func skipWhitespace() {
    while offset < bytes.count {
      switch bytes[offset] {
      case 0x20, 0x0A, 0x0D, 0x09: offset += 1
      default: return
      }
    }
  }

  /// The next significant byte, or nil at the end.
  @inline(__always)
  mutating func peek() -> UInt8? {
    // Between tokens of a compact body the next byte is already significant.
    if offset < bytes.count, bytes[offset] > 0x20 { return bytes[offset] }
    skipWhitespace()
    return offset < bytes.count ? bytes[offset] : nil
  }

  mutating func expectEnd() throws(Failure) {
    if peek() != nil { throw failure("unexpected data after the JSON value") }
  }

  /// Consumes `null` if it comes next.
  mutating func skipNull() throws(Failure) -> Bool {
    guard peek() == UInt8(ascii: "n") else { return false }
    try literal("null")
    return true
  }

  /// A member name, compared without building a String. It may point into the input, so it
  /// is valid only inside the `forEachMember` callback it is passed to.
  struct Key {
    /// The name's bytes as written, when it has no escapes.
    fileprivate let raw: UnsafeRawBufferPointer
    /// The decoded name, when it has escapes.
    fileprivate let unescaped: String?

    var string: String { unescaped ?? String(decoding: raw, as: UTF8.self) }

    /// True when the decoded name is `name`, so `switch key { case "Name": ... }` works.
    @inline(__always)
    static func ~= (name: StaticString, key: Key) -> Bool {
      let expected = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
      if let unescaped = key.unescaped { return unescaped.utf8.elementsEqual(expected) }
      return key.raw.count == expected.count
        && (expected.isEmpty || memcmp(key.raw.baseAddress!, expected.baseAddress!, expected.count) == 0)
    }
  }

  /// Calls `body` with each member's key; `body` must consume the member's value.
  mutating func forEachMember(_ body: (inout JSONScanner, Key) throws -> Void) throws {
    guard peek() == UInt8(ascii: "{") else { throw failure("expected an object") }
    try enter()
    offset += 1
    if peek() == UInt8(ascii: "}") {
      offset += 1
      depth -= 1
      return
    }
    while true {
      guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name") }
      let key = try readKey()
      guard peek() == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
      offset += 1
      try body(&self, key)
      if peek() == UInt8(ascii: ",") {
        offset += 1
        guard peek() == UInt8(ascii: "}") else { continue }  // a trailing comma is tolerated
      }
      switch peek() {
      case UInt8(ascii: "}"):
        offset += 1
        depth -= 1
        return
      default: throw failure("expected ',' or '}' in an object")
      }
    }
  }

  /// Consumes the next value when its bytes are those of `earlier`, the range of a value
  /// this scanner accepted before at the same depth: the same bytes are the same value, so
  /// the caller may reuse what it built from that one instead of reading this one again.
  mutating func skipRepeat(of earlier: Range<Int>) -> Bool {
    guard peek() != nil, offset + earlier.count <= bytes.count, let base = bytes.baseAddress,
      memcmp(base + offset, base + earlier.lowerBound, earlier.count) == 0
    else { return false }
    offset += earlier.count
    return true
  }

  /// Calls `body` once per element; `body` must consume the element.
  mutating func forEachElement(_ body: (inout JSONScanner) throws -> Void) throws {
    guard peek() == UInt8(ascii: "[") else { throw failure("expected an array") }
    try enter()
    offset += 1
    if peek() == UInt8(ascii: "]") {
      offset += 1
      depth -= 1
      return
    }
    while true {
      try body(&self)
      if peek() == UInt8(ascii: ",") {
        offset += 1
        guard peek() == UInt8(ascii: "]") else { continue }  // a trailing comma is tolerated
      }
      switch peek() {
      case UInt8(ascii: "]"):
        offset += 1
        depth -= 1
        return
      default: throw failure("expected ',' or ']' in an array")
      }
    }
  }

  private mutating func enter() throws(Failure) {
    depth += 1
    if depth > Self.maximumDepth { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
  }

  /// Skips one value of any kind, checking it.
  mutating func skipValue() throws(Failure) {
    guard let byte = peek() else { throw failure("unexpected end of data") }
    switch byte {
    case UInt8(ascii: "\""):
      try scanString(keep: false)
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      try skipContainer()
    case UInt8(ascii: "t"): try literal("true")
    case UInt8(ascii: "f"): try literal("false")
    case UInt8(ascii: "n"): try literal("null")
    default:
      let number = try numberBytes()
      guard number.exact == nil else { return }
      // Only an exponent or hundreds of digits can leave Double's range.
      let range = number.range
      let mayOverflow =
        range.count > 300 || bytes[range].contains { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
      if mayOverflow, value(of: number) == nil { throw failure("number out of range") }
    }
  }

  /// Objects and arrays without recursion: a stack of the open brackets.
  private mutating func skipContainer() throws(Failure) {
    var open: [UInt8] = []
    var expectingValue = true
    while true {
      guard let byte = peek() else { throw failure("unexpected end of data") }
      if expectingValue {
        switch byte {
        case UInt8(ascii: "{"):
          offset += 1
          open.append(byte)
          if open.count + depth > Self.maximumDepth {
            throw failure("nesting deeper than \(Self.maximumDepth) levels")
          }
          if peek() == UInt8(ascii: "}") {
            offset += 1
            open.removeLast()
            expectingValue = false
          } else {
            try memberName()
          }
          if open.isEmpty { return }
          continue
        case UInt8(ascii: "["):
          offset += 1
          open.append(byte)
          if open.count + depth > Self.maximumDepth {
            throw failure("nesting deeper than \(Self.maximumDepth) levels")
          }
          if peek() == UInt8(ascii: "]") {
            offset += 1
            open.removeLast()
            expectingValue = false
            if open.isEmpty { return }
          }
          continue
        default:
          try skipValue()
          expectingValue = false
          continue
        }
      }
      let closer = open.last == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
      if byte == UInt8(ascii: ",") {
        offset += 1
        // A trailing comma is tolerated, as JSONSerialization and JSONDecoder do.
        if peek() == closer { continue }
        if open.last == UInt8(ascii: "{") { try memberName() }
        expectingValue = true
      } else if byte == closer {
        offset += 1
        open.removeLast()
        if open.isEmpty { return }
      } else {
        throw failure("expected ',' or '\(Character(Unicode.Scalar(closer)))'")
      }
    }
  }

  private mutating func memberName() throws(Failure) {
    guard peek() == UInt8(ascii: "\"") else { throw failure("expected a member name") }
    try scanString(keep: false)
    guard peek() == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
    offset += 1
  }

  private mutating func literal(_ word: StaticString) throws(Failure) {
    let count = word.utf8CodeUnitCount
    guard offset + count <= bytes.count else { throw failure("unexpected end of data") }
    let pointer = word.utf8Start
    for index in 0..<count where bytes[offset + index] != pointer[index] {
      throw failure("invalid literal")
    }
    offset += count
  }

  // MARK: - Scalars

  mutating func readString() throws(Failure) -> String {
    guard peek() == UInt8(ascii: "\"") else { throw failure("expected a string") }
    return try scanString(keep: true)!
  }

  /// A string, or nil for `null`.
  mutating func readOptionalString() throws(Failure) -> String? {
    if try skipNull() { return nil }
    return try readString()
  }

  mutating func readOptionalBool() throws(Failure) -> Bool? {
    switch peek() {
    case UInt8(ascii: "t"):
      try literal("true")
      return true
    case UInt8(ascii: "f"):
      try literal("false")
      return false
    case UInt8(ascii: "n"):
      try literal("null")
      return nil
    default:
      throw failure("expected true or false")
    }
  }

  mutating func readOptionalDouble() throws(Failure) -> Double? {
    if try skipNull() { return nil }
    guard let byte = peek(), byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte) else {
      throw failure("expected a number")
    }
    guard let value = value(of: try numberBytes()) else { throw failure("number out of range") }
    return value
  }

  /// The finite value of a checked number, nil when out of range.
  private func value(of number: (range: Range<Int>, exact: Double?)) -> Double? {
    if let exact = number.exact { return exact }
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[number.range]), as: UTF8.self)
    guard let value = Double(text), value.isFinite else { return nil }
    return value
  }

  /// 10^0 ... 10^22, every one exact as a double.
  private static let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
  ]

  /// An integer, refusing fractions (as Codable's Int does).
  mutating func readOptionalInt() throws(Failure) -> Int? {
    guard let value = try readOptionalDouble() else { return nil }
    guard let integer = Int(exactly: value) else {
      throw failure("expected a whole number")
    }
    return integer
  }

  /// Epoch seconds, possibly fractional, as the API sends dates.
  mutating func readOptionalDate() throws(Failure) -> Date? {
    try readOptionalDouble().map { Date(timeIntervalSince1970: $0) }
  }

  /// The bytes of one number, checked against the JSON grammar, and its value when Clinger's
  /// fast path gives it, as for the epoch seconds ListSecrets sends: a number without exponent
  /// whose digits make an integer up to 2^53, with at most 22 of them after the point, is that
  /// integer divided by a power of ten, both exact as doubles, so the one correctly rounded
  /// division gives the correctly rounded value that `Double(String)` gives.
  private mutating func numberBytes() throws(Failure) -> (range: Range<Int>, exact: Double?) {
    // Locals, not `self`, in the loops: they stay in registers.
    let bytes = self.bytes
    let start = offset
    var index = offset
    defer { offset = index }
    var mantissa: UInt64 = 0
    var digits = 0
    func isDigit(_ at: Int) -> Bool { at < bytes.count && bytes[at] &- 0x30 < 10 }
    func readDigits() {
      while isDigit(index) {
        mantissa = mantissa &* 10 &+ UInt64(bytes[index] &- 0x30)
        digits += 1
        index += 1
      }
    }
    func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }
    let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
    if negative { index += 1 }
    guard index < bytes.count else { throw fail("unexpected end of data") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
    } else if isDigit(index) {
      readDigits()
    } else {
      throw fail("unexpected character")
    }
    var scale = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard isDigit(index) else { throw fail("expected a digit after '.'") }
      let before = digits
      readDigits()
      scale = digits - before
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
        index += 1
      }
      guard isDigit(index) else { throw fail("expected a digit in an exponent") }
      while isDigit(index) { index += 1 }
      return (start..<index, nil)
    }
    // Nineteen digits cannot overflow a UInt64.
    guard digits <= 19, mantissa <= 1 << 53, scale < Self.powersOfTen.count else { return (start..<index, nil) }
    let value = Double(mantissa) / Self.powersOfTen[scale]
    return (start..<index, negative ? -value : value)
  }

  /// A member name; see `Key`.
  private mutating func readKey() throws(Failure) -> Key {
    let scanned = try scanStringBytes()
    if scanned.plainASCII { return Key(raw: scanned.raw, unescaped: nil) }
    return Key(raw: scanned.raw, unescaped: try decode(scanned))
  }

  /// Scans a string starting at its opening quote, checking it; its text only when `keep`.
  @discardableResult
  private mutating func scanString(keep: Bool) throws(Failure) -> String? {
    let scanned = try scanStringBytes()
    if scanned.plainASCII { return keep ? Self.asciiString(scanned.raw) : nil }
    let text = try decode(scanned)
    return keep ? text : nil
  }

  /// Text from bytes known to be ASCII. This initializer builds short strings in place
  /// without validating them and long ones with a single copy, where `String(decoding:as:)`
  /// validates first and copies after.
  private static func asciiString(_ raw: UnsafeRawBufferPointer) -> String {
    String(unsafeUninitializedCapacity: raw.count) { buffer in
      UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
      return raw.count
    }
  }

  private struct ScannedString {
    /// The bytes between the quotes, as written.
    var raw: UnsafeRawBufferPointer
    var start: Int
    var sawEscape: Bool
    var sawNonASCII: Bool
    var plainASCII: Bool { !sawEscape && !sawNonASCII }
  }

  /// Moves past the string whose opening quote is next, checking its escapes and that it has
  /// no raw control characters; UTF-8 is checked when it is decoded. Runs of plain ASCII are
  /// skipped eight bytes at a time.
  private mutating func scanStringBytes() throws(Failure) -> ScannedString {
    // Locals, not `self`, in the loop: they stay in registers.
    let bytes = self.bytes
    let start = offset + 1
    var index = start
    var sawEscape = false
    var sawNonASCII = false
    func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }
    while true {
      while index &+ 8 <= bytes.count {
        let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        let special = Self.specialBytes(word)
        if special != 0 {
          index &+= special.trailingZeroBitCount &>> 3
          break
        }
        index &+= 8
      }
      guard index < bytes.count else { throw fail("unterminated string") }
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") { break }
      if byte < 0x20 { throw fail("unescaped control character in a string") }
      if byte >= 0x80 { sawNonASCII = true }
      if byte == UInt8(ascii: "\\") {
        sawEscape = true
        index += 1
        guard index < bytes.count else { throw fail("unterminated string") }
        switch bytes[index] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
          UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          index += 1
        case UInt8(ascii: "u"):
          guard index + 4 < bytes.count else { throw fail("unterminated string") }
          for digit in 1...4 where hexValue(bytes[index + digit]) == nil {
            throw fail("invalid \\u escape")
          }
          index += 5
        default:
          throw fail("invalid escape")
        }
        continue
      }
      index += 1
    }
    offset = index + 1
    return ScannedString(
      raw: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), start: start, sawEscape: sawEscape,
      sawNonASCII: sawNonASCII)
  }

  /// A high bit set in the first byte of `word` (in memory order) that is a quote, a
  /// backslash, a control character or not ASCII, and possibly in later bytes; zero when
  /// there is none. The zero-byte tests (`(x - 0x01...) & ~x`) can only misfire above a true
  /// hit, as a borrow runs upwards, so the lowest set bit is exact.
  @inline(__always)
  private static func specialBytes(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let quotes = word ^ (ones &* 0x22)
    let backslashes = word ^ (ones &* 0x5C)
    let isQuote = (quotes &- ones) & ~quotes
    let isBackslash = (backslashes &- ones) & ~backslashes
    let isControl = (word &- ones &* 0x20) & ~word
    return (isQuote | isBackslash | isControl | word) & (ones &* 0x80)
  }

  /// The text of a scanned string that has escapes or non-ASCII bytes.
  private func decode(_ scanned: ScannedString) throws(Failure) -> String {
    if scanned.sawNonASCII && !scanned.sawEscape {
      guard let text = String(validating: scanned.raw, as: UTF8.self) else {
        throw Failure(message: "invalid UTF-8 in a string", offset: scanned.start)
      }
      return text
    }
    if scanned.sawNonASCII, String(validating: scanned.raw, as: UTF8.self) == nil {
      throw Failure(message: "invalid UTF-8 in a string", offset: scanned.start)
    }
    return try unescape(scanned.raw, at: scanned.start)
  }

  private func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case 0x30...0x39: UInt32(byte - 0x30)
    case 0x41...0x46: UInt32(byte - 0x41 + 10)
    case 0x61...0x66: UInt32(byte - 0x61 + 10)
    default: nil
    }
  }

  /// Resolves escapes; a lone or mismatched surrogate is an error, as in JSONSerialization.
  private func unescape(_ raw: UnsafeRawBufferPointer, at start: Int) throws(Failure) -> String {
    var utf8: [UInt8] = []
    utf8.reserveCapacity(raw.count)
    var index = 0
    func hex4(_ at: Int) -> UInt32 {
      (0..<4).reduce(0) { $0 << 4 | hexValue(raw[at + $1])! }
    }
    func append(_ scalar: Unicode.Scalar) {
      utf8.append(contentsOf: UTF8.encode(scalar)!)
    }
    while index < raw.count {
      let byte = raw[index]
      guard byte == UInt8(ascii: "\\") else {
        utf8.append(byte)
        index += 1
        continue
      }
      let kind = raw[index + 1]
      index += 2
      switch kind {
      case UInt8(ascii: "b"): utf8.append(0x08)
      case UInt8(ascii: "f"): utf8.append(0x0C)
      case UInt8(ascii: "n"): utf8.append(0x0A)
      case UInt8(ascii: "r"): utf8.append(0x0D)
      case UInt8(ascii: "t"): utf8.append(0x09)
      case UInt8(ascii: "u"):
        let unit = hex4(index)
        index += 4
        if (0xD800..<0xDC00).contains(unit) {
          guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u")
          else { throw Failure(message: "unpaired surrogate in a \\u escape", offset: start + index) }
          let low = hex4(index + 2)
          guard (0xDC00..<0xE000).contains(low) else {
            throw Failure(message: "unpaired surrogate in a \\u escape", offset: start + index)
          }
          index += 6
          append(Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!)
        } else if let scalar = Unicode.Scalar(unit) {
          append(scalar)
        } else {
          throw Failure(message: "unpaired surrogate in a \\u escape", offset: start + index)
        }
      default: utf8.append(kind)  // '"', '\\' and '/'
      }
    }
    return String(decoding: utf8, as: UTF8.self)
  }
}
