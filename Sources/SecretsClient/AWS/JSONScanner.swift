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

  init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
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
  mutating func peek() -> UInt8? {
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

  /// Calls `body` with each member's key; `body` must consume the member's value.
  mutating func forEachMember(_ body: (inout JSONScanner, String) throws -> Void) throws {
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
      let key = try readString()
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
      let range = try numberBytes()
      // Only an exponent or hundreds of digits can leave Double's range.
      let mayOverflow =
        range.count > 300 || bytes[range].contains { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
      if mayOverflow, try number(in: range) == nil { throw failure("number out of range") }
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
    guard let value = try number(in: numberBytes()) else { throw failure("number out of range") }
    return value
  }

  /// The finite value of checked number bytes, nil when out of range.
  private func number(in range: Range<Int>) throws(Failure) -> Double? {
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    guard let value = Double(text), value.isFinite else { return nil }
    return value
  }

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

  /// The bytes of one number, checked against the JSON grammar.
  private mutating func numberBytes() throws(Failure) -> Range<Int> {
    let start = offset
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
    guard offset < bytes.count else { throw failure("unexpected end of data") }
    if bytes[offset] == UInt8(ascii: "0") {
      offset += 1
    } else if isDigit(bytes[offset]) {
      while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
    } else {
      throw failure("unexpected character")
    }
    if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
      offset += 1
      guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure("expected a digit after '.'") }
      while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
    }
    if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
      offset += 1
      if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
        offset += 1
      }
      guard offset < bytes.count, isDigit(bytes[offset]) else { throw failure("expected a digit in an exponent") }
      while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
    }
    return start..<offset
  }

  private func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

  /// Scans a string starting at its opening quote. Plain strings (no escapes) are decoded
  /// straight from the input bytes; escaped ones are rebuilt.
  @discardableResult
  private mutating func scanString(keep: Bool) throws(Failure) -> String? {
    offset += 1
    let start = offset
    var sawEscape = false
    var sawNonASCII = false
    while true {
      guard offset < bytes.count else { throw failure("unterminated string") }
      let byte = bytes[offset]
      if byte == UInt8(ascii: "\"") { break }
      if byte < 0x20 { throw failure("unescaped control character in a string") }
      if byte >= 0x80 { sawNonASCII = true }
      if byte == UInt8(ascii: "\\") {
        sawEscape = true
        offset += 1
        guard offset < bytes.count else { throw failure("unterminated string") }
        switch bytes[offset] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
          UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          offset += 1
        case UInt8(ascii: "u"):
          guard offset + 4 < bytes.count else { throw failure("unterminated string") }
          for index in 1...4 where hexValue(bytes[offset + index]) == nil {
            throw failure("invalid \\u escape")
          }
          offset += 5
        default:
          throw failure("invalid escape")
        }
        continue
      }
      offset += 1
    }
    let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    offset += 1
    if sawNonASCII, String(validating: raw, as: UTF8.self) == nil {
      throw Failure(message: "invalid UTF-8 in a string", offset: start)
    }
    if sawEscape {
      let text = try unescape(raw, at: start)
      return keep ? text : nil
    }
    return keep ? String(decoding: raw, as: UTF8.self) : nil
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
