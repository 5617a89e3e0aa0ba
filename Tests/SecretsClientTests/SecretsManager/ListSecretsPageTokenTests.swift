import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

/// `ListSecretsPage.trailingNextToken` (NextToken read backwards from the end of a body)
/// against the full scans, and `decode` (secrets and token in one pass) against the two
/// scans it replaced.
@Suite(.ownThreads)
struct ListSecretsPageTokenTests {
  /// `text` as a JSON string literal, escaped as JSONSerialization escapes it.
  static func quoted(_ text: String) -> String {
    let array = try! JSONSerialization.data(withJSONObject: [text])
    return String(String(decoding: array, as: UTF8.self).dropFirst().dropLast())
  }

  static func whitespace(_ rng: inout SplitMix64) -> String {
    guard Int.random(in: 0..<3, using: &rng) == 0 else { return "" }
    return (0..<Int.random(in: 1...3, using: &rng)).map { _ in [" ", "\n", "\t", "\r\n"].randomElement(using: &rng)! }
      .joined()
  }

  /// A NextToken value: plain tokens as AWS sends them, and every kind the tail must leave
  /// to the full scan (escapes, non-ASCII, empty, null, a quote inside).
  static func tokenValue(_ rng: inout SplitMix64) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .:{}[],")
    let plain = String((0..<Int.random(in: 1...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    switch Int.random(in: 0..<10, using: &rng) {
    case 0: return #""ab\/cd\u0041""#
    case 1: return quoted("tök-" + plain)
    case 2: return #""""#
    case 3: return "null"
    case 4: return quoted(#"say "NextToken":"x" here"#)
    case 5: return quoted(plain + "\\")
    default: return "\"" + plain + "\""
    }
  }

  /// Members that look like a trailing NextToken without being one.
  static func decoy(_ rng: inout SplitMix64) -> (String, String) {
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: return ("Description", quoted(#"x","NextToken":"decoy"#))
    case 1: return ("Meta", #"{"NextToken":"inner"}"#)
    case 2: return ("NextTokens", #""decoy""#)
    case 3: return ("List", #"["NextToken","decoy"]"#)
    case 4: return ("Note", quoted(#"\","NextToken":"decoy"#))
    default: return (#"Next\u0054oken"#, "\"escaped-name\"")
    }
  }

  /// A page written member by member in a random order, with random whitespace between
  /// the tokens, zero to three NextToken members, and decoys.
  static func page(_ rng: inout SplitMix64) throws -> (data: Data, lastIsPlainToken: Bool) {
    let list = try JSONSerialization.data(
      withJSONObject: ListSecretsPageTests.page(&rng)["SecretList"] ?? [], options: [.fragmentsAllowed])
    var members = [("SecretList", String(decoding: list, as: UTF8.self))]
    for _ in 0..<Int.random(in: 0...3, using: &rng) { members.append(("NextToken", tokenValue(&rng))) }
    for _ in 0..<Int.random(in: 0...2, using: &rng) { members.append(decoy(&rng)) }
    members.shuffle(using: &rng)
    if Bool.random(using: &rng) {
      members.append(("NextToken", "\"" + "page-\(Int.random(in: 0...999, using: &rng))\""))
    }
    var text = whitespace(&rng) + "{"
    for (index, (name, value)) in members.enumerated() {
      if index > 0 { text += whitespace(&rng) + "," }
      text += whitespace(&rng) + "\"\(name)\"" + whitespace(&rng) + ":" + whitespace(&rng) + value
    }
    text += whitespace(&rng) + "}" + whitespace(&rng)
    let last = members.last
    let lastIsPlainToken =
      last?.0 == "NextToken" && last!.1.count > 2 && last!.1.hasPrefix("\"")
      && !last!.1.dropFirst().dropLast().contains { $0 == "\"" || $0 == "\\" || !$0.isASCII }
    return (Data(text.utf8), lastIsPlainToken)
  }

  /// The token as JSONSerialization reads it: like Python's json (the aws CLI's) and unlike
  /// JSONDecoder, it keeps the last of repeated members, as the page decoder does.
  static func serializationToken(_ data: Data) throws -> String? {
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    let token = object?["NextToken"] as? String
    return (token?.isEmpty ?? true) ? nil : token
  }

  /// The tail's promise: on a page the decoder accepts, it finds the decoded token or nothing.
  static func expectAgreement(_ data: Data) -> Bool {
    guard let decoded = try? ListSecretsPage.decode(data) else { return false }
    let tail = ListSecretsPage.trailingNextToken(data)
    #expect(tail == nil || tail == decoded.nextToken, "\(String(decoding: data, as: UTF8.self))")
    return true
  }

  @Test func trailingTokenAgreesWithTheFullScans() throws {
    var rng = SplitMix64(seed: 77)
    var found = 0
    for _ in 0..<4_000 {
      let (data, lastIsPlainToken) = try Self.page(&rng)
      let decoded = try ListSecretsPage.decode(data)
      #expect(decoded.nextToken == (try ListSecretsPage.nextToken(data)))
      #expect(decoded.nextToken == (try Self.serializationToken(data)), "\(String(decoding: data, as: UTF8.self))")
      #expect(decoded.secrets == (try ListSecretsPageTests.reference(data)))
      let tail = ListSecretsPage.trailingNextToken(data)
      #expect(tail == nil || tail == decoded.nextToken, "\(String(decoding: data, as: UTF8.self))")
      // Where AWS puts it, the tail always finds it.
      if lastIsPlainToken { #expect(tail != nil && tail == decoded.nextToken) }
      if tail != nil { found += 1 }
    }
    #expect(found > 1_500, "the tail read \(found) tokens")
  }

  @Test(arguments: 0..<4)
  func trailingTokenAgreesOnDamagedPages(block: Int) throws {
    var rng = SplitMix64(seed: UInt64(3_300 + block))
    // Damaged pages the decoder accepted (true) and refused (false). On one it refuses, any
    // answer (or none) is allowed: the listing checks the early token against the decoded one.
    var outcomes: [Bool: Int] = [:]
    for _ in 0..<2_500 {
      let damaged = Data(StoreFuzzTests.mutate(Array(try Self.page(&rng).data), &rng))
      _ = ListSecretsPage.trailingNextToken(damaged)
      outcomes[Self.expectAgreement(damaged), default: 0] += 1
    }
    #expect(outcomes[true, default: 0] > 100 && outcomes[false, default: 0] > 500, "\(outcomes)")
  }

  @Test func trailingTokenAgreesOnEveryPrefixAndSuffix() throws {
    var rng = SplitMix64(seed: 4_242)
    var accepted = 0
    for _ in 0..<40 {
      let bytes = Array(try Self.page(&rng).data)
      for cut in 0...bytes.count {
        if Self.expectAgreement(Data(bytes[..<cut])) { accepted += 1 }
        if Self.expectAgreement(Data(bytes[cut...])) { accepted += 1 }
      }
    }
    #expect(accepted >= 80)
  }

  @Test func trailingTokenReadsOnlyALastPlainNextToken() {
    let cases: [(String, String?)] = [
      (#"{"SecretList":[],"NextToken":"abc"}"#, "abc"),
      (" {\"SecretList\" : [] ,\n\t\"NextToken\" :\r\n \"a/b+c=\" } \n", "a/b+c="),
      (#"{"NextToken":"only"}"#, "only"),
      (#"{"NextToken":""}"#, nil),
      (#"{"NextToken":null}"#, nil),
      (#"{"SecretList":[],"NextToken":"a\/b"}"#, nil),
      (#"{"SecretList":[],"NextToken":"tök"}"#, nil),
      (#"{"SecretList":[],"Next\u0054oken":"abc"}"#, nil),
      (#"{"SecretList":[],"XNextToken":"abc"}"#, nil),
      (#"{"SecretList":[],"Meta":{"NextToken":"abc"}}"#, nil),
      (#"{"Note":"x\",\"NextToken\":\"abc"}"#, nil),
      (#"["NextToken":"abc"}"#, nil),
      (#"{"SecretList":[],"NextToken":"abc""#, nil),
      (#"{"SecretList":[],"NextToken":"abc"}}"#, nil),
      ("", nil),
    ]
    for (body, expected) in cases {
      #expect(ListSecretsPage.trailingNextToken(Data(body.utf8)) == expected, "\(body)")
    }
  }

  /// Escaped member names and version ids, repeated ids (some spelled differently but equal
  /// as Swift strings), more versions than are searched one by one, and label lists that
  /// repeat byte for byte or nearly so. The expected versions follow the rules written out:
  /// a repeated id keeps its last labels (as JSONSerialization and the aws CLI's json keep
  /// the last member; JSONDecoder keeps the first), unlabelled versions are left out, and the
  /// rest are sorted by id.
  @Test func versionsAndLabelListsFollowTheirRules() throws {
    var rng = SplitMix64(seed: 2_024)
    let labelLists: [(json: String, labels: Set<String>)] =
      [
        (#"["AWSCURRENT"]"#, ["AWSCURRENT"]), (#"[ "AWSCURRENT" ]"#, ["AWSCURRENT"]),
        (#"["AWSCURRENT","x"]"#, ["AWSCURRENT", "x"]), (#"["AWSCURRENT","AWSCURRENT"]"#, ["AWSCURRENT"]),
        (#"["AWS\u0043URRENT"]"#, ["AWSCURRENT"]), (#"["AWSPREVIOUS"]"#, ["AWSPREVIOUS"]),
        (#"["AWSPENDING","blue"]"#, ["AWSPENDING", "blue"]), (#"["blue","AWSPENDING"]"#, ["AWSPENDING", "blue"]),
        ("[]", []), ("null", []), (#"["canary"]"#, ["canary"]),
      ] + "abcdefgh".map { (#"["\#($0)"]"#, [String($0)]) }
    let ids: [(json: String, id: String)] =
      [
        ("v1", "v1"), ("v2", "v2"), (#"v\u0031"#, "v1"), ("é", "é"), (#"e\u0301"#, "e\u{301}"), ("éx", "éx"),
      ] + "abcdefghij".map { (String($0), String($0)) }
    for _ in 0..<1_500 {
      var entries: [String] = []
      var expected: [[SecretVersion]] = []
      for _ in 0..<Int.random(in: 1...12, using: &rng) {
        var stages: [String] = []
        var versions: [SecretVersion] = []
        for _ in 0..<Int.random(in: 0...14, using: &rng) {
          let (idJSON, id) = ids.randomElement(using: &rng)!
          let (listJSON, labels) = labelLists.randomElement(using: &rng)!
          stages.append("\"\(idJSON)\":\(listJSON)")
          if let index = versions.firstIndex(where: { $0.versionId == id }) {
            versions[index].labels = labels
          } else {
            versions.append(SecretVersion(versionId: id, labels: labels))
          }
        }
        let member = Bool.random(using: &rng) ? "SecretVersionsToStages" : #"Secret\u0056ersionsToStages"#
        entries.append(#"{"N\u0061me":"s","\#(member)":{\#(stages.joined(separator: ","))}}"#)
        expected.append(versions.filter { !$0.labels.isEmpty }.sorted { $0.versionId < $1.versionId })
      }
      let data = Data(#"{"SecretList":[\#(entries.joined(separator: ","))]}"#.utf8)
      let fast = try ListSecretsPage.secrets(data)
      #expect(fast.map(\.versions) == expected, "\(String(decoding: data, as: UTF8.self))")
      #expect(fast.allSatisfy { $0.name == "s" })
    }
  }
}

/// The scanner's fast paths against the slow ones they stand for.
@Suite(.ownThreads)
struct JSONScannerFastPathTests {
  /// Strings of every length up to 40 with one special byte at every position, so the
  /// eight-bytes-at-a-time scan meets each kind at each place in a word: accepted and
  /// decoded exactly as JSONSerialization does.
  @Test func stringsAgreeWithJSONSerializationAroundEveryWordBoundary() throws {
    let specials: [[UInt8]] = [
      Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\u00e9"#.utf8), Array(#"\ud83d\udd11"#.utf8), [0x22], [0x5C],
      [0x01], [0x1F], [0x7F], [0x20], [0xC3, 0xA9], [0xF0, 0x9F, 0x94, 0x91], [0xC3], [0xFF], [0x80], Array("\\x".utf8),
      Array(#"\u12"#.utf8),
    ]
    var checked = 0
    for length in 0...40 {
      for position in 0...length {
        for special in specials {
          var body = Array(repeating: UInt8(ascii: "a"), count: length)
          body.insert(contentsOf: special, at: position)
          let json = Data([UInt8(ascii: "["), UInt8(ascii: "\"")] + body + [UInt8(ascii: "\""), UInt8(ascii: "]")])
          let expected = (try? JSONSerialization.jsonObject(with: json)) as? [String]
          #expect(JSONScanner.isCompleteJSON(json) == (expected != nil), "\(body)")
          let page = Data(#"{"SecretList":[{"Name":"#.utf8 + json.dropFirst().dropLast() + #"}]}"#.utf8)
          let name = try? ListSecretsPage.secrets(page).first?.name
          #expect(name == expected?.first, "\(body)")
          checked += 1
        }
      }
    }
    #expect(checked > 10_000)
  }

  /// Numbers read through Clinger's fast path are bit for bit what `Double(String)` reads.
  @Test func numbersAgreeWithDoubleParsing() throws {
    var rng = SplitMix64(seed: 1_953)
    var texts = [
      "0", "-0", "0.0", "1", "9007199254740992", "9007199254740993", "1700000000.125", "0.1", "0.3",
      "123456789012345678", "1234567890123456789", "12345678901234567890", "0.0000000000000000000001",
      "1.00000000000000000000000", "1e3", "1E-3", "-2.5e+2", "4.9406564584124654e-324",
    ]
    for _ in 0..<50_000 {
      let integer = String(UInt64.random(in: 0...UInt64.max, using: &rng)).prefix(Int.random(in: 1...20, using: &rng))
      let digits = integer.hasPrefix("0") ? "0" : String(integer)
      var text = (Bool.random(using: &rng) ? "-" : "") + digits
      if Bool.random(using: &rng) {
        text +=
          "." + String((0..<Int.random(in: 1...24, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
      }
      texts.append(text)
    }
    for text in texts {
      let value = try Data(text.utf8).withUnsafeBytes { raw in
        var scanner = JSONScanner(raw)
        return try scanner.readOptionalDouble()
      }
      let expected = try #require(Double(text))
      #expect(value?.bitPattern == expected.bitPattern, "\(text)")
    }
  }
}
