import Foundation
import StagingModel

/// The text of each element of an STS answer, by element name: `AccessKeyId`,
/// `SecretAccessKey`, `SessionToken` and `Expiration` from AssumeRole and
/// AssumeRoleWithWebIdentity, `Code` and `Message` from an error. FoundationXML would make
/// every `stagehand` process load libxml2 and ICU at start-up for these few fields.
///
/// Not a general XML parser: it reads what such answers are made of (a declaration, elements
/// with attributes, text with the five predefined entities and character references,
/// comments) and refuses a DOCTYPE or any other declaration, so no other entity can exist.
/// Input that is not UTF-8, or whose tags do not nest, is an error naming the line, column
/// and problem, never a guess. Processing instructions and CDATA sections are skipped and
/// add no text, as with the XMLParser delegate this replaced.
///
/// An element's text is the character data since the last start or end tag inside it,
/// trimmed of white space and newlines; the first non-empty text for a name wins. Names are
/// as written (`sts:Code`). Open elements are kept in an array, not on the call stack, so
/// deep nesting cannot overflow it.
enum XMLLeafReader {
  struct Malformed: Error, CustomStringConvertible, Equatable {
    /// Where the problem is: 1-based line and column (in UTF-8 bytes), and 0-based byte offset.
    var line: Int
    var column: Int
    var offset: Int
    var problem: String

    var description: String { "malformed XML at line \(line), column \(column): \(problem)" }
  }

  static func leaves(of data: Data) throws(Malformed) -> [String: String] {
    var reader = Reader(input: Array(data))
    try reader.document()
    return reader.leaves
  }

  private struct Reader {
    let input: [UInt8]
    var position = 0
    var leaves: [String: String] = [:]
    /// Character data since the last tag (line ends normalized, references resolved).
    var text: [UInt8] = []
    /// Names of the open elements, outermost first.
    var open: [ArraySlice<UInt8>] = []

    mutating func document() throws(Malformed) {
      if input.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
      try requireUTF8()
      try misc()
      guard position < input.count else {
        throw failure(input.isEmpty ? "the document is empty" : "no root element")
      }
      guard input[position] == UInt8(ascii: "<") else { throw failure("text before the root element") }
      try startTag()
      while let innermost = open.last {
        guard position < input.count else { throw failure("<\(Self.shown(innermost))> is not closed") }
        switch input[position] {
        case UInt8(ascii: "<"): try markup()
        case UInt8(ascii: "&"): text += String(try reference()).utf8
        default: try characterData()
        }
      }
      try misc()
      if position < input.count {
        throw failure(
          input[position] == UInt8(ascii: "<") ? "a second root element" : "text after the root element")
      }
    }

    /// Checked once up front, so the rest can take any byte of 0x80 or more as part of a
    /// character.
    mutating func requireUTF8() throws(Malformed) {
      var parser = Unicode.UTF8.ForwardParser()
      var bytes = input[position...].makeIterator()
      var offset = position
      while true {
        switch parser.parseScalar(from: &bytes) {
        case .valid(let scalar): offset += scalar.count
        case .emptyInput: return
        case .error:
          position = offset
          throw failure("invalid UTF-8")
        }
      }
    }

    /// White space, comments and processing instructions (the declaration among them) around
    /// the root element.
    mutating func misc() throws(Malformed) {
      while position < input.count {
        if isSpace(input[position]) {
          position += 1
        } else if starts(with: "<!--") {
          try skip(past: "-->", "comment")
        } else if starts(with: "<?") {
          try skip(past: "?>", "processing instruction")
        } else if starts(with: "<!") {
          throw failure(
            starts(with: "<!DOCTYPE")
              ? "DOCTYPE declarations are not supported" : "markup declarations are not supported")
        } else {
          return
        }
      }
    }

    mutating func markup() throws(Malformed) {
      if starts(with: "</") {
        try endTag()
      } else if starts(with: "<!--") {
        try skip(past: "-->", "comment")
      } else if starts(with: "<![CDATA[") {
        try skip(past: "]]>", "CDATA section")
      } else if starts(with: "<!") {
        throw failure("markup declarations are not allowed in content")
      } else if starts(with: "<?") {
        try skip(past: "?>", "processing instruction")
      } else {
        try startTag()
      }
    }

    mutating func skip(past end: StaticString, _ what: String) throws(Malformed) {
      let start = position
      while !starts(with: end) {
        guard position < input.count else {
          position = start
          throw failure("unterminated \(what)")
        }
        position += 1
      }
      position += end.utf8CodeUnitCount
    }

    // MARK: Tags

    /// Attributes are checked for shape, then dropped.
    mutating func startTag() throws(Malformed) {
      position += 1
      let element = try name()
      text.removeAll(keepingCapacity: true)
      while true {
        let spaced = skipSpaces()
        guard position < input.count else { throw failure("unterminated start tag") }
        if input[position] == UInt8(ascii: ">") {
          position += 1
          open.append(element)
          return
        }
        if starts(with: "/>") {
          position += 2
          endElement(element)
          return
        }
        guard spaced else { throw failure("attributes must be separated by white space") }
        let attribute = try name()
        skipSpaces()
        guard position < input.count, input[position] == UInt8(ascii: "=") else {
          throw failure("expected = after attribute \(Self.shown(attribute))")
        }
        position += 1
        skipSpaces()
        try attributeValue()
      }
    }

    mutating func attributeValue() throws(Malformed) {
      guard position < input.count, input[position] == 0x22 || input[position] == 0x27 else {
        throw failure("attribute values must be quoted")
      }
      let quote = input[position]
      position += 1
      while true {
        guard position < input.count else { throw failure("unterminated attribute value") }
        switch input[position] {
        case quote:
          position += 1
          return
        case UInt8(ascii: "<"): throw failure("< is not allowed in attribute values")
        case UInt8(ascii: "&"): _ = try reference()
        default: position += 1
        }
      }
    }

    mutating func endTag() throws(Malformed) {
      let tagStart = position
      position += 2
      let element = try name()
      skipSpaces()
      guard position < input.count, input[position] == UInt8(ascii: ">") else {
        throw failure("malformed end tag </\(Self.shown(element))")
      }
      let expected = open[open.count - 1]
      guard element == expected else {
        position = tagStart
        throw failure("</\(Self.shown(element))> does not close <\(Self.shown(expected))>")
      }
      position += 1
      open.removeLast()
      endElement(element)
    }

    /// What the replaced delegate did at every end tag (and empty-element tag).
    mutating func endElement(_ element: ArraySlice<UInt8>) {
      defer { text.removeAll(keepingCapacity: true) }
      guard !text.isEmpty else { return }
      let value = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      guard !value.isEmpty else { return }
      let key = String(decoding: element, as: UTF8.self)
      if leaves[key] == nil { leaves[key] = value }
    }

    /// Letters, digits and `_ : . -` as ASCII goes, and any non-ASCII character; not
    /// starting with a digit, `.` or `-`.
    mutating func name() throws(Malformed) -> ArraySlice<UInt8> {
      let start = position
      while position < input.count {
        let byte = input[position]
        let startsName =
          (0x61...0x7A).contains(byte | 0x20) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
        let inName =
          (0x30...0x39).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        guard startsName || (inName && position > start) else { break }
        position += 1
      }
      guard position > start else { throw failure("expected a name") }
      return input[start..<position]
    }

    // MARK: Text

    /// Text up to the next `<` or `&`: line ends normalized to `\n`, control characters and
    /// `]]>` refused.
    mutating func characterData() throws(Malformed) {
      while position < input.count {
        let byte = input[position]
        if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") { return }
        if byte == UInt8(ascii: "]") && starts(with: "]]>") { throw failure("]]> is not allowed in text") }
        if byte == 0x0D {
          text.append(0x0A)
          position += 1
          if position < input.count && input[position] == 0x0A { position += 1 }
          continue
        }
        guard byte >= 0x20 || byte == 0x09 || byte == 0x0A else {
          throw failure("control character U+\(Self.hex(UInt32(byte))) is not allowed")
        }
        text.append(byte)
        position += 1
      }
    }

    /// The character of `&lt;` `&gt;` `&amp;` `&apos;` `&quot;`, `&#NN;` or `&#xHH;`.
    mutating func reference() throws(Malformed) -> Unicode.Scalar {
      let start = position
      position += 1
      guard position < input.count, input[position] == UInt8(ascii: "#") else {
        let entity = input[position...].prefix { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0 | 0x20) }
        guard !entity.isEmpty else { throw failure("& must start a reference such as &amp;") }
        position = entity.endIndex
        guard position < input.count, input[position] == UInt8(ascii: ";") else {
          throw failure("a reference must end with ;")
        }
        position += 1
        let predefined: [(name: String, scalar: Unicode.Scalar)] = [
          ("lt", "<"), ("gt", ">"), ("amp", "&"), ("apos", "'"), ("quot", "\""),
        ]
        guard let known = predefined.first(where: { entity.elementsEqual($0.name.utf8) }) else {
          position = start
          throw failure("unknown entity (no DTD: only &lt; &gt; &amp; &apos; &quot;)")
        }
        return known.scalar
      }
      position += 1
      let hex = position < input.count && input[position] == UInt8(ascii: "x")
      if hex { position += 1 }
      var value: UInt32 = 0
      var digits = 0
      while position < input.count, let digit = Self.digitValue(input[position], hex: hex) {
        // Past U+10FFFF it is refused below; stop growing before UInt32 would overflow.
        value = min(value * (hex ? 16 : 10) + digit, 0x11_0000)
        digits += 1
        position += 1
      }
      guard digits > 0, position < input.count, input[position] == UInt8(ascii: ";") else {
        throw failure("malformed character reference")
      }
      position += 1
      switch value {
      case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF:
        return Unicode.Scalar(value)!
      default:
        position = start
        let what = value > 0x10FFFF ? "a value past U+10FFFF" : "U+" + Self.hex(value)
        throw failure("character reference to \(what), which XML does not allow")
      }
    }

    static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: return UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: return UInt32(byte - UInt8(ascii: "A") + 10)
      default: return nil
      }
    }

    // MARK: Helpers

    func starts(with prefix: StaticString) -> Bool {
      prefix.withUTF8Buffer { input[position...].starts(with: $0) }
    }

    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    @discardableResult
    mutating func skipSpaces() -> Bool {
      let start = position
      while position < input.count && isSpace(input[position]) { position += 1 }
      return position > start
    }

    /// Names quoted in messages: at most 40 characters, made inert for a terminal. Never
    /// character data, which may be a credential.
    static func shown(_ name: ArraySlice<UInt8>) -> String {
      let whole = String(decoding: name, as: UTF8.self)
      return DisplayText.sanitized(whole.count > 40 ? String(whole.prefix(39)) + "…" : whole)
    }

    static func hex(_ value: UInt32) -> String {
      let digits = String(value, radix: 16, uppercase: true)
      return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func failure(_ problem: String) -> Malformed {
      let before = input[..<min(position, input.count)]
      let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
      return Malformed(
        line: before.count { $0 == 0x0A } + 1, column: position - lineStart + 1, offset: before.count,
        problem: problem)
    }
  }
}
