import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// `JSONOutput`, the one encoder of `--json` documents, held byte for byte to JSONEncoder
/// (byte order) and JSONSerialization (Foundation's order) over random trees.
struct JSONOutputTests {
  /// nil when `written` is `expected`, else the first line where they part (a whole document
  /// of bytes says little).
  static func difference(_ written: [UInt8], _ expected: [UInt8]) -> String? {
    guard written != expected else { return nil }
    let lines = [written, expected].map {
      String(decoding: $0, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
    let common = min(lines[0].count, lines[1].count)
    let line = (0..<common).first { lines[0][$0] != lines[1][$0] } ?? common
    let shown = lines.map { line < $0.count ? $0[line].debugDescription : "(end)" }
    return "line \(line + 1): wrote \(shown[0]), expected \(shown[1])"
  }

  // MARK: the encoder against JSONEncoder and JSONSerialization

  indirect enum Tree: Encodable {
    case string(String)
    case bool(Bool)
    case integer(Int)
    case null
    case array([Tree])
    case object([String: Tree])

    func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      switch self {
      case .string(let text): try container.encode(text)
      case .bool(let flag): try container.encode(flag)
      case .integer(let number): try container.encode(number)
      case .null: try container.encodeNil()
      case .array(let values): try container.encode(values)
      case .object(let members): try container.encode(members)
      }
    }

    /// As JSONSerialization takes it.
    var object: Any {
      switch self {
      case .string(let text): return text
      case .bool(let flag): return flag
      case .integer(let number): return number
      case .null: return NSNull()
      case .array(let values): return values.map(\.object)
      case .object(let members): return members.mapValues(\.object)
      }
    }

    static func key(_ rng: inout SplitMix64) -> String {
      let pieces = ["a", "A", "b", "B", "9", "10", "_", "-", "é", "e\u{301}", "ß", "ss", "名", "🔑", "\u{1B}", "\"", "/"]
      return (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    static func random(_ rng: inout SplitMix64, depth: Int) -> Tree {
      switch depth > 3 ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 0..<6, using: &rng) {
      case 0: return .string(JSONTextWriterTests.text(&rng))
      case 1: return .bool(Bool.random(using: &rng))
      case 2: return .integer(Int.random(in: -1_000_000...1_000_000, using: &rng))
      case 3: return .null
      case 4: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in random(&rng, depth: depth + 1) })
      default:
        var members: [String: Tree] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &rng) { members[key(&rng)] = random(&rng, depth: depth + 1) }
        return .object(members)
      }
    }
  }

  struct UTF8Ordered<Value: Encodable>: JSONDocument {
    static var keyOrder: JSONKeyOrder { .utf8 }
    var value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
  }

  struct FoundationOrdered<Value: Encodable>: JSONDocument {
    static var keyOrder: JSONKeyOrder { .foundation }
    var value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
  }

  @Test func utf8OrderWritesWhatJSONEncoderWrites() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var rng = SplitMix64(seed: 95)
    for _ in 0..<3_000 {
      let tree = Tree.object(["SecretList": Tree.random(&rng, depth: 0), Tree.key(&rng): Tree.random(&rng, depth: 1)])
      let expected = Array(try encoder.encode(tree)) + [0x0A]
      #expect(Self.difference(try JSONOutput.bytes(UTF8Ordered(tree)), expected) == nil)
    }
  }

  @Test func foundationOrderWritesWhatJSONSerializationWrites() throws {
    var rng = SplitMix64(seed: 96)
    var differs = 0
    for _ in 0..<3_000 {
      let tree = Tree.object(["Name": Tree.random(&rng, depth: 0), Tree.key(&rng): Tree.random(&rng, depth: 1)])
      let expected = JSONOutputReference.json(tree.object)
      let written = try JSONOutput.bytes(FoundationOrdered(tree))
      #expect(Self.difference(written, expected) == nil)
      if written != (try JSONOutput.bytes(UTF8Ordered(tree))) { differs += 1 }
    }
    // The two orders part often enough for the test to tell them apart.
    #expect(differs > 500)
  }

}
