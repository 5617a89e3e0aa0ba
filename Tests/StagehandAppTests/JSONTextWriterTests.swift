import Foundation
import SecretsClient
import StagehandApp
import StagehandTestSupport
import Testing

/// The hand-written JSON text against JSONEncoder's (pretty, sorted keys, slashes as they
/// are) over random documents. (Its dates are `ISO8601Text`'s, tested in SecretsClientTests.)
@Suite(.ownThreads)
struct JSONTextWriterTests {
  indirect enum Value: Encodable {
    case string(String)
    case bool(Bool)
    case array([Value])
    case object([String: Value])

    func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      switch self {
      case .string(let text): try container.encode(text)
      case .bool(let flag): try container.encode(flag)
      case .array(let values): try container.encode(values)
      case .object(let members): try container.encode(members)
      }
    }

    func write(_ writer: inout JSONTextWriter) {
      switch self {
      case .string(let text): writer.string(text)
      case .bool(let flag): writer.bool(flag)
      case .array(let values):
        writer.beginArray()
        for value in values { value.write(&writer) }
        writer.endArray()
      case .object(let members):
        writer.beginObject()
        for (key, value) in JSONTextWriter.sortedKeys(members) {
          // Names quoted once (`MemberName`) for every other name, as they come.
          if key.utf8.count % 2 == 0 { writer.key(JSONTextWriter.MemberName(key)) } else { writer.key(key) }
          value.write(&writer)
        }
        writer.endObject()
      }
    }
  }

  static func text(_ rng: inout SplitMix64) -> String {
    let pieces = [
      "a", "B", "/", "\"", "\\", "\u{0}", "\u{1B}[2J", "\u{7F}", "\u{85}", "é", "e\u{301}", "名前", "🔑", "\u{2028}",
      "\u{202E}", "\n", "\t", "\r", "\u{8}", "\u{C}", "\u{1F}", " ", "10", "9",
    ]
    return (0..<Int.random(in: 0...5, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
  }

  static func value(_ rng: inout SplitMix64, depth: Int) -> Value {
    switch depth > 3 ? Int.random(in: 0..<2, using: &rng) : Int.random(in: 0..<4, using: &rng) {
    case 0: return .string(text(&rng))
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(&rng, depth: depth + 1) })
    default:
      var members: [String: Value] = [:]
      for _ in 0..<Int.random(in: 0...4, using: &rng) { members[text(&rng)] = value(&rng, depth: depth + 1) }
      return .object(members)
    }
  }

  @Test func writesWhatJSONEncoderWrites() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var rng = SplitMix64(seed: 11)
    var nonEmpty = 0
    for _ in 0..<3_000 {
      let document = Value.object([
        "SecretList": Self.value(&rng, depth: 0), Self.text(&rng): Self.value(&rng, depth: 1),
      ])
      var writer = JSONTextWriter()
      document.write(&writer)
      let expected = Array(try encoder.encode(document))
      #expect(writer.bytes == expected, "\(String(decoding: expected, as: UTF8.self))")
      if expected.count > 40 { nonEmpty += 1 }
    }
    #expect(nonEmpty > 1_000)
  }

  /// Members written whole (`member(_:date:)`, `member(_:_:)` with a `MemberName`) as the
  /// key-then-value calls write them.
  @Test func membersAsKeyThenValue() {
    var rng = SplitMix64(seed: 13)
    for _ in 0..<2_000 {
      let name = Self.text(&rng)
      let value = Bool.random(using: &rng) ? Self.text(&rng) : nil
      let date =
        Bool.random(using: &rng)
        ? Date(timeIntervalSince1970: Double(Int32.random(in: .min ... .max, using: &rng))) : nil
      var whole = JSONTextWriter()
      var parts = JSONTextWriter()
      whole.beginObject()
      parts.beginObject()
      whole.member(JSONTextWriter.MemberName(name), value)
      whole.member(JSONTextWriter.MemberName(name + "d"), date: date)
      if let value {
        parts.key(name)
        parts.string(value)
      }
      if let date {
        parts.key(name + "d")
        parts.string(ISO8601Text.string(date))
      }
      whole.endObject()
      parts.endObject()
      #expect(whole.bytes == parts.bytes)
    }
  }
}
