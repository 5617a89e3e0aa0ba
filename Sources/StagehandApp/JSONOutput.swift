import Foundation

/// A document that `--json` prints: a Codable shape whose coding keys are the API's field
/// names, and the order its object members are written in.
protocol JSONDocument: Encodable {
  static var keyOrder: JSONKeyOrder { get }
}

/// How the members of every object of a document are sorted. Each document keeps the order
/// it has always been printed in, so a script comparing the bytes sees no change.
enum JSONKeyOrder: Sendable {
  /// By UTF-8 bytes, as JSONEncoder's `.sortedKeys` (`JSONTextWriter.keyPrecedes`): `list
  /// --json`, first written with JSONEncoder.
  case utf8
  /// As JSONSerialization's `.sortedKeys`: numeric and case-insensitive, compared as
  /// Foundation compares with the system locale (`Applied` before `ARN`, `9a` before `10a`):
  /// `versions --json` and the plans, first written with JSONSerialization.
  case foundation

  func precedes(_ a: String, _ b: String) -> Bool {
    switch self {
    case .utf8:
      return JSONTextWriter.keyPrecedes(a, b)
    case .foundation:
      return a.compare(
        b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex,
        locale: NSLocale.system) == .orderedAscending
    }
  }
}

/// The one way Stagehand writes JSON output. A document is encoded into a tree (its own
/// `Encoder`, so no JSONEncoder or JSONSerialization settings can differ between commands),
/// then written with `JSONTextWriter`, the writer `list --json`'s fast path uses too:
/// pretty-printed (two-space indent, `"key" : value`, an empty container as an open bracket,
/// a blank line and the close), slashes and non-ASCII as they are, control characters
/// escaped, dates as `ISO8601Text`, integers in decimal, absent optionals left out (a shape
/// that wants `null` encodes the nil), object members sorted in the document's `keyOrder`
/// (a key encoded twice is written twice, in the order it came), and a newline at the end.
enum JSONOutput {
  static func bytes<Document: JSONDocument>(_ document: Document) throws -> [UInt8] {
    let root = Node()
    try TreeEncoder.store(document, in: root, at: [])
    var writer = JSONTextWriter()
    write(root, to: &writer, order: Document.keyOrder)
    writer.newline()
    return writer.bytes
  }

  /// The document on standard output.
  static func write<Document: JSONDocument>(_ document: Document) throws {
    Output.write(try bytes(document))
  }

  private static func write(_ node: Node, to writer: inout JSONTextWriter, order: JSONKeyOrder) {
    switch node.value {
    case .null: writer.null()
    case .bool(let value): writer.bool(value)
    case .string(let value): writer.string(value)
    case .integer(let value): writer.integer(value)
    case .date(let value): writer.date(value)
    case .array:
      writer.beginArray()
      for element in node.elements { write(element, to: &writer, order: order) }
      writer.endArray()
    case .object, .empty:
      // A value that encoded nothing is an empty object, as JSONEncoder writes it.
      writer.beginObject()
      // `sorted` is stable: a key encoded twice keeps the order it came in.
      for member in node.members.sorted(by: { order.precedes($0.key, $1.key) }) {
        writer.key(member.key)
        write(member.node, to: &writer, order: order)
      }
      writer.endObject()
    }
  }
}

/// One value of the document being encoded; containers hold their members in the order they
/// were encoded (sorting is the writer's).
private final class Node {
  enum Value {
    case empty, null, bool(Bool), string(String), integer(Int64), date(Date), array, object
  }

  var value = Value.empty
  var elements: [Node] = []
  var members: [(key: String, node: Node)] = []

  /// The member `key`, new.
  func member(_ key: String) -> Node {
    let node = Node()
    members.append((key, node))
    return node
  }

  func element() -> Node {
    let node = Node()
    elements.append(node)
    return node
  }
}

private struct EncodingKey: CodingKey {
  var stringValue: String
  var intValue: Int?

  init(stringValue: String) {
    self.stringValue = stringValue
  }

  init(intValue: Int) {
    stringValue = "\(intValue)"
    self.intValue = intValue
  }
}

/// Builds the tree: strings, booleans, whole numbers and dates are leaves; everything else is
/// asked to encode itself.
private struct TreeEncoder: Encoder {
  let node: Node
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  static func store<T: Encodable>(_ value: T, in node: Node, at codingPath: [any CodingKey]) throws {
    switch value {
    case let text as String: node.value = .string(text)
    case let flag as Bool: node.value = .bool(flag)
    case let date as Date: node.value = .date(date)
    case let number as any BinaryInteger:
      guard let whole = Int64(exactly: number) else {
        throw EncodingError.invalidValue(
          value, EncodingError.Context(codingPath: codingPath, debugDescription: "\(number) is out of range"))
      }
      node.value = .integer(whole)
    case is Double, is Float:
      throw EncodingError.invalidValue(
        value, EncodingError.Context(codingPath: codingPath, debugDescription: "JSON output has no fractions"))
    default:
      try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
    }
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = node.value {} else { node.value = .object }
    return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array = node.value {} else { node.value = .array }
    return UnkeyedContainer(node: node, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleValueContainer(node: node, codingPath: codingPath)
  }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let node: Node
  let codingPath: [any CodingKey]

  mutating func encodeNil(forKey key: Key) throws {
    node.member(key.stringValue).value = .null
  }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try TreeEncoder.store(value, in: node.member(key.stringValue), at: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
    -> KeyedEncodingContainer<NestedKey>
  {
    TreeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    TreeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    TreeEncoder(node: node.member("super"), codingPath: codingPath + [EncodingKey(stringValue: "super")])
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    TreeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
  }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let node: Node
  let codingPath: [any CodingKey]
  var count: Int { node.elements.count }

  private var nextPath: [any CodingKey] { codingPath + [EncodingKey(intValue: count)] }

  mutating func encodeNil() throws {
    node.element().value = .null
  }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let path = nextPath
    try TreeEncoder.store(value, in: node.element(), at: path)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let path = nextPath
    return TreeEncoder(node: node.element(), codingPath: path).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let path = nextPath
    return TreeEncoder(node: node.element(), codingPath: path).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    let path = nextPath
    return TreeEncoder(node: node.element(), codingPath: path)
  }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
  let node: Node
  let codingPath: [any CodingKey]

  mutating func encodeNil() throws {
    node.value = .null
  }

  mutating func encode<T: Encodable>(_ value: T) throws {
    try TreeEncoder.store(value, in: node, at: codingPath)
  }
}
