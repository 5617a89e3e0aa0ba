import Foundation
import SecretsClient

/// Writes JSON text byte for byte as JSONEncoder does with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]` (two-space indent, `"key" : value`, empty containers as an
/// open bracket, a blank line and the close), without building Encodable values first:
/// `list --json` at 10,000 secrets spent most of its time in JSONEncoder. The caller writes
/// keys in sorted order (`sortedKeys(_:)` sorts as JSONEncoder does); a test holds the
/// output to JSONEncoder's. `JSONOutput` writes every other `--json` document through it.
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

  /// Writes on as if the innermost open container already had a member, so the next value
  /// comes after a comma: for an array written in pieces joined later, in an order not known
  /// while writing (`SecretListJSON.Sections`).
  public mutating func continueAfterMember() {
    if !filled.isEmpty { filled[filled.count - 1] = true }
  }

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

  public mutating func null() {
    newElement()
    bytes.append(contentsOf: "null".utf8)
  }

  /// A whole number in decimal, as JSONEncoder and JSONSerialization write one.
  public mutating func integer(_ value: some BinaryInteger) {
    newElement()
    bytes.append(contentsOf: String(value).utf8)
  }

  /// `"2023-11-14T22:13:20Z"` (`ISO8601Text`), the one date format of Stagehand's JSON.
  public mutating func date(_ date: Date) {
    newElement()
    bytes.append(UInt8(ascii: "\""))
    ISO8601Text.append(date, to: &bytes)
    bytes.append(UInt8(ascii: "\""))
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
    self.date(date)
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
