import Foundation
import StagingModel

/// The text of each element of a small XML document, by element name: what the STS answers
/// need (`AccessKeyId`, `Expiration`, `Code`, `Message`), without FoundationXML (which made
/// every `stagehand` process load libxml2 and ICU at start-up).
///
/// The leaves are what the XMLParser delegate this replaces collected: an element's text is
/// the character data since the last start or end tag inside it, trimmed of white space and
/// newlines; the first non-empty text for a name wins. Names are qualified names as written
/// (`sts:Code`, no namespace processing). CDATA sections are read but add nothing (XMLParser
/// reports them apart, and that delegate never took them); comments and processing
/// instructions add nothing and do not split text.
///
/// Strict XML 1.0 (fifth edition) with namespaces, UTF-8 only: a document that is not
/// well-formed is an error naming the line, column and problem, never a guess. No DTD (a
/// DOCTYPE is refused, so only the five predefined entities and character references
/// exist). Nesting is limited only by the input: the reader keeps its open elements in an
/// array, not on the call stack.
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
    let result: Result<[String: String], Malformed> = data.withUnsafeBytes { raw in
      var reader = Reader(raw.bindMemory(to: UInt8.self))
      do throws(Malformed) {
        try reader.document()
        return .success(reader.leaves)
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  private struct Reader {
    let input: UnsafeBufferPointer<UInt8>
    var position = 0
    var leaves: [String: String] = [:]
    /// Character data since the last tag (line ends normalized, references resolved).
    var text: [UInt8] = []
    /// Names of the open elements, outermost first.
    var open: [Range<Int>] = []
    /// Namespace prefixes declared on open elements: the prefix and the depth it was
    /// declared at.
    var prefixes: [(prefix: Range<Int>, depth: Int)] = []

    init(_ input: UnsafeBufferPointer<UInt8>) {
      self.input = input
    }

    // MARK: Document

    mutating func document() throws(Malformed) {
      if input.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
      if starts(with: "<?xml"), position + 5 < input.count, isSpace(input[position + 5]) {
        try declaration()
      } else if input.starts(with: [0xFE, 0xFF]) || input.starts(with: [0xFF, 0xFE]) {
        throw failure("UTF-16 is not supported (UTF-8 only)")
      }
      try misc()
      guard position < input.count else {
        throw failure(input.isEmpty ? "the document is empty" : "no root element")
      }
      guard input[position] == UInt8(ascii: "<") else { throw failure("text before the root element") }
      try content()
      try misc()
      if position < input.count {
        throw failure(
          input[position] == UInt8(ascii: "<") ? "a second root element" : "text after the root element")
      }
    }

    /// White space, comments and processing instructions around the root element.
    mutating func misc() throws(Malformed) {
      while position < input.count {
        if isSpace(input[position]) {
          position += 1
        } else if starts(with: "<!--") {
          try comment()
        } else if starts(with: "<?") {
          try processingInstruction()
        } else if starts(with: "<!") {
          throw failure(
            starts(with: "<!DOCTYPE")
              ? "DOCTYPE declarations are not supported" : "markup declarations are not supported")
        } else {
          return
        }
      }
    }

    /// `<?xml version="1.x" encoding="UTF-8" standalone="yes"?>`, at the very start.
    mutating func declaration() throws(Malformed) {
      position += 5
      var sawSpace = skipSpaces()
      guard sawSpace, try pseudoAttribute("version") else { throw failure("the XML declaration has no version") }
      var value = try quotedValue()
      guard value.count > 2, value.starts(with: "1.".utf8), value.dropFirst(2).allSatisfy(Self.isDigit) else {
        throw failure("unsupported XML version \"\(Self.text(value))\"")
      }
      sawSpace = skipSpaces()
      if sawSpace, try pseudoAttribute("encoding") {
        value = try quotedValue()
        guard ["UTF-8", "UTF8"].contains(Self.text(value).uppercased()) else {
          throw failure("encoding \"\(Self.text(value))\" is not supported (UTF-8 only)")
        }
        sawSpace = skipSpaces()
      }
      if sawSpace, try pseudoAttribute("standalone") {
        value = try quotedValue()
        guard value.elementsEqual("yes".utf8) || value.elementsEqual("no".utf8) else {
          throw failure("standalone must be \"yes\" or \"no\"")
        }
        skipSpaces()
      }
      guard starts(with: "?>") else { throw failure("malformed XML declaration") }
      position += 2
    }

    /// `name =` of the declaration; false (nothing read) when another name comes.
    mutating func pseudoAttribute(_ name: StaticString) throws(Malformed) -> Bool {
      guard starts(with: name) else { return false }
      position += name.utf8CodeUnitCount
      skipSpaces()
      guard position < input.count, input[position] == UInt8(ascii: "=") else { throw failure("expected =") }
      position += 1
      skipSpaces()
      return true
    }

    /// A quoted declaration value (no references, no markup).
    mutating func quotedValue() throws(Malformed) -> ArraySlice<UInt8> {
      guard position < input.count, input[position] == 0x22 || input[position] == 0x27 else {
        throw failure("expected a quoted value")
      }
      let quote = input[position]
      let start = position + 1
      guard let end = input[start...].firstIndex(of: quote) else { throw failure("unterminated value") }
      position = end + 1
      return ArraySlice(input[start..<end])
    }

    // MARK: Elements

    /// The root element and everything in it, one piece of markup or text at a time.
    mutating func content() throws(Malformed) {
      try startTag()
      while !open.isEmpty {
        guard position < input.count else {
          throw failure("<\(Self.text(input[open[open.count - 1]]))> is not closed")
        }
        switch input[position] {
        case UInt8(ascii: "<"):
          if starts(with: "</") {
            try endTag()
          } else if starts(with: "<!--") {
            try comment()
          } else if starts(with: "<![CDATA[") {
            try cdata()
          } else if starts(with: "<?") {
            try processingInstruction()
          } else if starts(with: "<!") {
            throw failure("markup declarations are not allowed in content")
          } else {
            try startTag()
          }
        case UInt8(ascii: "&"):
          let scalar = try reference()
          text.append(contentsOf: String(scalar).utf8)
        default:
          try characterData()
        }
      }
    }

    mutating func startTag() throws(Malformed) {
      let tagStart = position
      position += 1
      let name = try qualifiedName()
      // Attributes are checked, then dropped; namespace declarations are kept for the
      // prefixes of this element, its attributes and its descendants.
      let depth = open.count + 1
      var attributes: [Range<Int>] = []
      var attributePrefixes: [Range<Int>] = []
      while true {
        let spaced = skipSpaces()
        guard position < input.count else { throw failure("unterminated start tag") }
        if input[position] == UInt8(ascii: ">") || starts(with: "/>") { break }
        guard spaced else { throw failure("attributes must be separated by white space") }
        let attributeStart = position
        let attribute = try qualifiedName()
        if attributes.contains(where: { input[$0].elementsEqual(input[attribute]) }) {
          position = attributeStart
          throw failure("attribute \(Self.text(input[attribute])) appears twice")
        }
        attributes.append(attribute)
        skipSpaces()
        guard position < input.count, input[position] == UInt8(ascii: "=") else {
          throw failure("expected = after attribute \(Self.text(input[attribute]))")
        }
        position += 1
        skipSpaces()
        let value = try attributeValue()
        try declareNamespace(attribute, value: value, depth: depth, prefixesToCheck: &attributePrefixes)
      }
      for prefix in attributePrefixes { try requireBound(prefix, at: tagStart) }
      if let prefix = prefix(of: name) { try requireBound(prefix, at: tagStart + 1) }
      text.removeAll(keepingCapacity: true)
      if input[position] == UInt8(ascii: "/") {
        position += 2
        endElement(name)
        popPrefixes(above: depth - 1)
      } else {
        position += 1
        open.append(name)
      }
    }

    mutating func endTag() throws(Malformed) {
      let tagStart = position
      position += 2
      let name = try qualifiedName()
      skipSpaces()
      guard position < input.count, input[position] == UInt8(ascii: ">") else {
        throw failure("malformed end tag </\(Self.text(input[name]))")
      }
      let expected = open[open.count - 1]
      guard input[name].elementsEqual(input[expected]) else {
        position = tagStart
        throw failure("</\(Self.text(input[name]))> does not close <\(Self.text(input[expected]))>")
      }
      position += 1
      open.removeLast()
      endElement(name)
      popPrefixes(above: open.count)
    }

    /// What the replaced delegate did at every end tag (and empty-element tag).
    mutating func endElement(_ name: Range<Int>) {
      defer { text.removeAll(keepingCapacity: true) }
      guard !text.isEmpty else { return }
      let value = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      guard !value.isEmpty else { return }
      let key = String(decoding: input[name], as: UTF8.self)
      if leaves[key] == nil { leaves[key] = value }
    }

    // MARK: Namespaces

    /// `xmlns:p="uri"` binds p from this element down; `xmlns="..."` (the default namespace)
    /// needs no bookkeeping, as names keep their prefixes. Other prefixed attributes are
    /// collected to check once all of this tag's declarations are known.
    mutating func declareNamespace(
      _ attribute: Range<Int>, value: Range<Int>, depth: Int, prefixesToCheck: inout [Range<Int>]
    ) throws(Malformed) {
      let xmlNamespace = Array("http://www.w3.org/XML/1998/namespace".utf8)
      let xmlnsNamespace = Array("http://www.w3.org/2000/xmlns/".utf8)
      let uri = input[value]
      if input[attribute].elementsEqual("xmlns".utf8) {
        if uri.elementsEqual(xmlNamespace) || uri.elementsEqual(xmlnsNamespace) {
          throw failure("the default namespace cannot be \(Self.text(uri))")
        }
        return
      }
      guard let prefix = prefix(of: attribute) else { return }
      guard input[prefix].elementsEqual("xmlns".utf8) else {
        prefixesToCheck.append(prefix)
        return
      }
      let declared = (prefix.upperBound + 1)..<attribute.upperBound
      let name = input[declared]
      if name.elementsEqual("xmlns".utf8) { throw failure("the prefix xmlns cannot be declared") }
      if name.elementsEqual("xml".utf8) != uri.elementsEqual(xmlNamespace) {
        throw failure("the prefix xml and the namespace \(Self.text(xmlNamespace)) go only together")
      }
      if uri.elementsEqual(xmlnsNamespace) { throw failure("no prefix can be bound to \(Self.text(uri))") }
      if uri.isEmpty { throw failure("the prefix \(Self.text(name)) cannot be undeclared (XML 1.0)") }
      prefixes.append((declared, depth))
    }

    func requireBound(_ prefix: Range<Int>, at offset: Int) throws(Malformed) {
      let name = input[prefix]
      if name.elementsEqual("xml".utf8) || name.elementsEqual("xmlns".utf8) { return }
      guard prefixes.contains(where: { input[$0.prefix].elementsEqual(name) }) else {
        throw Malformed(at: offset, in: input, problem: "namespace prefix \(Self.text(name)) is not declared")
      }
    }

    mutating func popPrefixes(above depth: Int) {
      while let last = prefixes.last, last.depth > depth { prefixes.removeLast() }
    }

    /// The part before the colon of a qualified name, if it has one.
    func prefix(of name: Range<Int>) -> Range<Int>? {
      input[name].firstIndex(of: UInt8(ascii: ":")).map { name.lowerBound..<$0 }
    }

    // MARK: Names

    /// An XML Name that is also a QName: at most one colon, with a name on either side.
    mutating func qualifiedName() throws(Malformed) -> Range<Int> {
      let start = position
      var colons = 0
      var atPartStart = true
      while position < input.count {
        if input[position] == UInt8(ascii: ":") {
          guard !atPartStart, colons == 0 else { throw failure("malformed qualified name") }
          colons += 1
          atPartStart = true
          position += 1
          continue
        }
        let save = position
        guard let scalar = try decodeScalar() else { break }
        if atPartStart ? Self.isNameStart(scalar) : Self.isNameCharacter(scalar) {
          atPartStart = false
        } else {
          position = save
          break
        }
      }
      if position == start { throw failure("expected a name") }
      if atPartStart { throw failure("malformed qualified name") }
      return start..<position
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
      switch scalar.value {
      case 0x41...0x5A, 0x61...0x7A, 0x5F, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF,
        0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD,
        0x10000...0xEFFFF:
        return true
      default:
        return false
      }
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
      switch scalar.value {
      case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: return true
      default: return isNameStart(scalar)
      }
    }

    // MARK: Text

    /// Text up to the next `<` or `&`: line ends normalized to `\n`, `]]>` refused.
    mutating func characterData() throws(Malformed) {
      while position < input.count {
        let byte = input[position]
        if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") { return }
        if byte == UInt8(ascii: "]") && starts(with: "]]>") {
          throw failure("]]> is not allowed in text")
        }
        if byte == 0x0D {
          text.append(0x0A)
          position += 1
          if position < input.count && input[position] == 0x0A { position += 1 }
        } else if byte < 0x80 {
          guard byte >= 0x20 || byte == 0x09 || byte == 0x0A else { throw failure(Self.badCharacter(byte)) }
          text.append(byte)
          position += 1
        } else {
          let start = position
          _ = try character()
          text.append(contentsOf: input[start..<position])
        }
      }
    }

    /// The character of `&lt;` `&gt;` `&amp;` `&apos;` `&quot;`, `&#NN;` or `&#xHH;`.
    mutating func reference() throws(Malformed) -> Unicode.Scalar {
      let start = position
      position += 1
      guard position < input.count, input[position] == UInt8(ascii: "#") else {
        let name = try entityName()
        guard position < input.count, input[position] == UInt8(ascii: ";") else {
          throw failure("a reference must end with ;")
        }
        position += 1
        let predefined: [(String, Unicode.Scalar)] = [
          ("lt", "<"), ("gt", ">"), ("amp", "&"), ("apos", "'"), ("quot", "\""),
        ]
        guard let (_, scalar) = predefined.first(where: { input[name].elementsEqual($0.0.utf8) }) else {
          position = start
          throw failure("unknown entity (no DTD: only &lt; &gt; &amp; &apos; &quot;)")
        }
        return scalar
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
      guard let scalar = Unicode.Scalar(value), Self.isCharacter(scalar) else {
        position = start
        let what = value > 0x10FFFF ? "a value past U+10FFFF" : "U+" + Self.hex(value)
        throw failure("character reference to \(what), which XML does not allow")
      }
      return scalar
    }

    /// The Name after `&` (colons allowed, as XML 1.0 allows them).
    mutating func entityName() throws(Malformed) -> Range<Int> {
      let start = position
      while position < input.count {
        let save = position
        guard let scalar = try decodeScalar() else { break }
        let colon = scalar == ":"
        guard colon || (save == start ? Self.isNameStart(scalar) : Self.isNameCharacter(scalar)) else {
          position = save
          break
        }
      }
      guard position > start else { throw failure("& must start a reference such as &amp;") }
      return start..<position
    }

    static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: return UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: return UInt32(byte - UInt8(ascii: "A") + 10)
      default: return nil
      }
    }

    /// A quoted attribute value: no `<`, references well-formed. The range is what is between
    /// the quotes (namespace names hold no references in practice; a reference in one is
    /// compared as written).
    mutating func attributeValue() throws(Malformed) -> Range<Int> {
      guard position < input.count, input[position] == 0x22 || input[position] == 0x27 else {
        throw failure("attribute values must be quoted")
      }
      let quote = input[position]
      position += 1
      let start = position
      while true {
        guard position < input.count else { throw failure("unterminated attribute value") }
        let byte = input[position]
        if byte == quote { break }
        if byte == UInt8(ascii: "<") { throw failure("< is not allowed in attribute values") }
        if byte == UInt8(ascii: "&") {
          _ = try reference()
        } else {
          _ = try character()
        }
      }
      position += 1
      return start..<(position - 1)
    }

    /// `<!-- ... -->`: `--` only as the end.
    mutating func comment() throws(Malformed) {
      position += 4
      while true {
        guard position < input.count else { throw failure("unterminated comment") }
        if starts(with: "--") {
          guard position + 2 < input.count, input[position + 2] == UInt8(ascii: ">") else {
            throw failure("-- is not allowed inside a comment")
          }
          position += 3
          return
        }
        _ = try character()
      }
    }

    /// `<![CDATA[ ... ]]>`, read and skipped (see the type's note).
    mutating func cdata() throws(Malformed) {
      position += 9
      while !starts(with: "]]>") {
        guard position < input.count else { throw failure("unterminated CDATA section") }
        _ = try character()
      }
      position += 3
    }

    /// `<?target data?>`, skipped; the target cannot be `xml` in any case (the declaration
    /// is only allowed at the very start).
    mutating func processingInstruction() throws(Malformed) {
      let start = position
      position += 2
      let target = try qualifiedName()
      // Targets starting with xml are reserved; of those only the W3C's own are allowed.
      let name = Self.text(input[target])
      if name.lowercased().hasPrefix("xml") && !["xml-stylesheet", "xml-model"].contains(name) {
        position = start
        throw failure(
          name.count == 3
            ? "an XML declaration is only allowed at the very start"
            : "processing instruction target \(name) is reserved (it starts with xml)")
      }
      if input[target].contains(UInt8(ascii: ":")) {
        position = start
        throw failure("a processing instruction target cannot contain a colon")
      }
      if starts(with: "?>") {
        position += 2
        return
      }
      guard skipSpaces() else { throw failure("malformed processing instruction") }
      while !starts(with: "?>") {
        guard position < input.count else { throw failure("unterminated processing instruction") }
        _ = try character()
      }
      position += 2
    }

    // MARK: Characters

    /// One character (UTF-8, and a Char in XML's sense); nil at the end of the input.
    @discardableResult
    mutating func character() throws(Malformed) -> Unicode.Scalar? {
      let start = position
      guard let scalar = try decodeScalar() else { return nil }
      guard Self.isCharacter(scalar) else {
        position = start
        throw failure(
          scalar.value < 0x80 ? Self.badCharacter(UInt8(scalar.value)) : "U+\(Self.hex(scalar.value)) is not allowed")
      }
      return scalar
    }

    /// Strict UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    mutating func decodeScalar() throws(Malformed) -> Unicode.Scalar? {
      guard position < input.count else { return nil }
      let lead = input[position]
      if lead < 0x80 {
        position += 1
        return Unicode.Scalar(lead)
      }
      let length: Int
      var value: UInt32
      switch lead {
      case 0xC2...0xDF: (length, value) = (2, UInt32(lead & 0x1F))
      case 0xE0...0xEF: (length, value) = (3, UInt32(lead & 0x0F))
      case 0xF0...0xF4: (length, value) = (4, UInt32(lead & 0x07))
      default: throw failure("invalid UTF-8")
      }
      guard position + length <= input.count else { throw failure("invalid UTF-8") }
      for offset in 1..<length {
        let byte = input[position + offset]
        guard byte & 0xC0 == 0x80 else { throw failure("invalid UTF-8") }
        value = value << 6 | UInt32(byte & 0x3F)
      }
      let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
      guard value >= minimum, let scalar = Unicode.Scalar(value) else { throw failure("invalid UTF-8") }
      position += length
      return scalar
    }

    /// XML 1.0's Char.
    static func isCharacter(_ scalar: Unicode.Scalar) -> Bool {
      switch scalar.value {
      case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
      default: return false
      }
    }

    static func badCharacter(_ byte: UInt8) -> String { "control character U+\(hex(UInt32(byte))) is not allowed" }

    static func hex(_ value: UInt32) -> String {
      let digits = String(value, radix: 16, uppercase: true)
      return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // MARK: Helpers

    func starts(with prefix: StaticString) -> Bool {
      prefix.withUTF8Buffer { bytes in
        position + bytes.count <= input.count && input[position..<(position + bytes.count)].elementsEqual(bytes)
      }
    }

    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    @discardableResult
    mutating func skipSpaces() -> Bool {
      let start = position
      while position < input.count && isSpace(input[position]) { position += 1 }
      return position > start
    }

    /// Names and values quoted in messages: at most 40 characters, made inert for a terminal.
    /// Never character data or anything in it (an entity name), which may be a credential.
    static func text<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
      let whole = String(decoding: bytes, as: UTF8.self)
      return DisplayText.sanitized(whole.count > 40 ? String(whole.prefix(39)) + "…" : whole)
    }

    func failure(_ problem: String) -> Malformed { Malformed(at: position, in: input, problem: problem) }
  }
}

extension XMLLeafReader.Malformed {
  init(at offset: Int, in input: UnsafeBufferPointer<UInt8>, problem: String) {
    let before = input[..<min(offset, input.count)]
    let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
    self.init(
      line: before.count { $0 == 0x0A } + 1, column: offset - lineStart + 1, offset: before.count, problem: problem)
  }
}
