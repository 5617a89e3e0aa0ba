import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

/// The one-pass ListSecrets decoder against the Codable shapes it replaced: same secrets
/// for every page JSONDecoder accepts, an error for every page it refuses, and the
/// completeness check against JSONSerialization.
@Suite(.ownThreads)
struct ListSecretsPageTests {
  /// The reference: JSONDecoder into the API shapes, then the model, as before.
  static func reference(_ data: Data) throws -> [Secret] {
    let page = try AWSJSONClient.decoder.decode(
      SecretsManagerShapes.ListSecretsOutput.self, from: data.isEmpty ? Data("{}".utf8) : data)
    return (page.SecretList ?? []).map { $0.secret(fallbackName: $0.ARN ?? "") }
  }

  static func referenceToken(_ data: Data) throws -> String? {
    let token = try AWSJSONClient.decoder.decode(
      SecretsManagerShapes.ListSecretsOutput.self, from: data.isEmpty ? Data("{}".utf8) : data
    ).NextToken
    return (token?.isEmpty ?? true) ? nil : token
  }

  /// Text with what JSON must escape and what UTF-8 must carry: quotes, backslashes,
  /// slashes, controls, accents, CJK, emoji, bidi and zero-width characters.
  static func text(_ rng: inout SplitMix64) -> String {
    let pieces = [
      "prod/", "db", "-", "ü", "名前", "🔑", "\"", "\\", "\n", "\t", "\u{1B}[31m", "\u{7}", "\u{202E}", "\u{200B}",
      " ", "AWSCURRENT", "x", "0", "é", "\u{0}",
    ]
    return (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
  }

  /// A random AWS-shaped page as a JSON object, nulls and unknown fields included.
  static func page(_ rng: inout SplitMix64) -> [String: Any] {
    func maybe(_ value: @autoclosure () -> Any) -> Any? {
      switch Int.random(in: 0..<4, using: &rng) {
      case 0: return nil
      case 1: return NSNull()
      default: return value()
      }
    }
    var entries: [Any] = []
    for _ in 0..<Int.random(in: 0...6, using: &rng) {
      var entry: [String: Any] = [:]
      entry["Name"] = maybe(text(&rng))
      entry["ARN"] = maybe("arn:aws:secretsmanager:us-east-1:1:secret:" + text(&rng))
      entry["Description"] = maybe(text(&rng))
      entry["RotationEnabled"] = maybe(Bool.random(using: &rng))
      entry["RotationLambdaARN"] = maybe(text(&rng))
      entry["OwningService"] = maybe(text(&rng))
      entry["PrimaryRegion"] = maybe(Bool.random(using: &rng) ? "eu-west-1" : text(&rng))
      for key in [
        "CreatedDate", "LastChangedDate", "LastAccessedDate", "DeletedDate", "NextRotationDate", "LastRotatedDate",
      ] {
        let seconds = Double(Int.random(in: 1_500_000_000...1_900_000_000, using: &rng))
        entry[key] = maybe(
          Bool.random(using: &rng) ? seconds : seconds + Double(Int.random(in: 1...999, using: &rng)) / 1000)
      }
      entry["RotationRules"] = maybe(
        [
          "AutomaticallyAfterDays": maybe(Int.random(in: 1...365, using: &rng)),
          "ScheduleExpression": maybe(text(&rng)), "Duration": maybe("2h"),
        ].compactMapValues { $0 })
      entry["Tags"] = maybe(
        (0..<Int.random(in: 0...3, using: &rng)).map { _ in
          ["Key": maybe(text(&rng)), "Value": maybe(text(&rng))].compactMapValues { $0 }
        })
      var stages: [String: Any] = [:]
      for index in 0..<Int.random(in: 0...4, using: &rng) {
        let labels = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
          ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", text(&rng)].randomElement(using: &rng)!
        }
        stages["v\(index)-" + text(&rng)] = Int.random(in: 0..<5, using: &rng) == 0 ? NSNull() : labels
      }
      entry[Bool.random(using: &rng) ? "SecretVersionsToStages" : "VersionIdsToStages"] = maybe(stages)
      if Bool.random(using: &rng) {
        entry["Unknown" + text(&rng)] = ["nested": [1, 2.5, -3e2, true, NSNull(), ["deep": "x"]]]
      }
      entries.append(entry.compactMapValues { $0 })
    }
    var page: [String: Any] = ["SecretList": entries]
    if let token = maybe(Bool.random(using: &rng) ? "" : "token-" + text(&rng)) { page["NextToken"] = token }
    return page
  }

  static func json(_ object: Any, _ rng: inout SplitMix64) throws -> Data {
    let options: JSONSerialization.WritingOptions = Bool.random(using: &rng) ? [.prettyPrinted] : []
    return try JSONSerialization.data(withJSONObject: object, options: options)
  }

  @Test func generatedPagesDecodeAsTheCodableShapesDo() throws {
    var rng = SplitMix64(seed: 7)
    var secrets = 0
    var replicas = 0
    for _ in 0..<3_000 {
      let data = try Self.json(Self.page(&rng), &rng)
      let fast = try ListSecretsPage.secrets(data)
      #expect(fast == (try Self.reference(data)), "\(String(decoding: data, as: UTF8.self))")
      #expect(try ListSecretsPage.nextToken(data) == (try Self.referenceToken(data)))
      #expect(JSONScanner.isCompleteJSON(data))
      secrets += fast.count
      replicas += fast.filter { $0.primaryRegion != nil }.count
    }
    #expect(secrets > 5_000)
    #expect(replicas > 1_000, "PrimaryRegion is decoded and compared too")
  }

  /// Byte-level damage. JSONDecoder skips what it does not decode without checking it, so
  /// it is the reference only for bodies JSONSerialization accepts: the client retries every
  /// other read before decoding. There both decoders must agree; elsewhere ours refuses.
  @Test(arguments: 0..<4)
  func mutatedPagesAreAcceptedAndRefusedAsByTheCodableShapes(block: Int) throws {
    var rng = SplitMix64(seed: UInt64(500 + block))
    var accepted = 0
    var refused = 0
    for _ in 0..<2_500 {
      let original = Array(try Self.json(Self.page(&rng), &rng))
      let data = Data(StoreFuzzTests.mutate(original, &rng))
      // An empty body counts as complete, as the client reads it as {}.
      let complete =
        data.isEmpty || (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
      let reference = complete ? Result { try Self.reference(data) } : .failure(CancellationError())
      let fast = Result { try ListSecretsPage.secrets(data) }
      switch (fast, reference) {
      case (.success(let mine), .success(let theirs)):
        #expect(mine == theirs, "\(String(decoding: data, as: UTF8.self))")
        accepted += 1
      case (.failure(let error), .failure):
        let message = (error as? SecretsError)?.userMessage ?? ""
        #expect(message.hasPrefix("Unexpected response: ListSecrets: "), "\(message)")
        refused += 1
      case (.success, .failure(let error)):
        Issue.record("accepted what JSONDecoder refuses (\(error)): \(String(decoding: data, as: UTF8.self))")
      case (.failure(let error), .success):
        Issue.record("refused what JSONDecoder accepts (\(error)): \(String(decoding: data, as: UTF8.self))")
      }
    }
    #expect(accepted > 100 && refused > 500, "\(accepted) accepted, \(refused) refused")
  }

  @Test(arguments: 0..<4)
  func completenessAgreesWithJSONSerialization(block: Int) throws {
    var rng = SplitMix64(seed: UInt64(900 + block))
    var complete = 0
    for _ in 0..<2_500 {
      let data = Data(StoreFuzzTests.mutate(Array(try Self.json(Self.page(&rng), &rng)), &rng))
      let expected = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
      #expect(JSONScanner.isCompleteJSON(data) == expected, "\(String(decoding: data, as: UTF8.self))")
      if expected { complete += 1 }
    }
    #expect(complete > 100)
  }

  /// One leading UTF-8 byte order mark is accepted, as by JSONSerialization and JSONDecoder;
  /// a second one, or one anywhere else, is not.
  @Test func aLeadingByteOrderMarkIsAcceptedAsByFoundation() throws {
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    let page = Array(#"{"SecretList":[{"Name":"a","PrimaryRegion":"eu-west-1"}],"NextToken":"t"}"#.utf8)
    let data = Data(bom + page)
    #expect(JSONScanner.isCompleteJSON(data))
    #expect(try ListSecretsPage.secrets(data) == (try Self.reference(data)))
    #expect(try ListSecretsPage.secrets(data).first?.primaryRegion == "eu-west-1")
    #expect(try ListSecretsPage.nextToken(data) == "t")
    for bad in [bom + bom + page, page + bom, Array(page.prefix(1)) + bom + Array(page.dropFirst())] {
      let data = Data(bad)
      #expect((try? JSONSerialization.jsonObject(with: data)) == nil)
      #expect(!JSONScanner.isCompleteJSON(data))
      #expect((try? ListSecretsPage.secrets(data)) == nil)
    }
  }

  @Test func escapesSurrogatesAndHostileNesting() throws {
    let escaped = Data(
      #"{"SecretList":[{"Name":"a\u00e9\ud83d\udd11\/\"\\\b\f\n\r\t","SecretVersionsToStages":{"v":["L"]}}]}"#.utf8)
    #expect(try ListSecretsPage.secrets(escaped).map(\.name) == ["aé🔑/\"\\\u{8}\u{C}\n\r\t"])
    for bad in [
      #"{"SecretList":[{"Name":"\ud83d"}]}"#, #"{"SecretList":[{"Name":"\udd11x"}]}"#,
      #"{"SecretList":[{"Name":"\x"}]}"#,
      #"{"SecretList":[{"Name":"a"}]"#, #"{"SecretList":[{"Name":01}]}"#, #"{"SecretList":[{"CreatedDate":1e999}]}"#,
      #"{"SecretList":[{"RotationRules":{"AutomaticallyAfterDays":1.5}}]}"#, #"{"SecretList":[null]}"#,
      #"{"SecretList":[{"Name":"a"}]} x"#, "[", "",
    ] {
      let data = Data(bad.utf8)
      if bad.isEmpty {
        #expect(try ListSecretsPage.secrets(data) == [])
        continue
      }
      #expect(throws: SecretsError.self, "\(bad)") { try ListSecretsPage.secrets(data) }
      #expect((try? Self.reference(data)) == nil, "the reference refuses \(bad) too")
    }
    let deep = Data(("{\"x\":" + String(repeating: "[", count: 100_000)).utf8)
    #expect(throws: SecretsError.self) { try ListSecretsPage.secrets(deep) }
    #expect(!JSONScanner.isCompleteJSON(deep))
    let invalidUTF8 = Data([0x22, 0xC3, 0x28, 0x22])
    #expect(!JSONScanner.isCompleteJSON(invalidUTF8))
  }
}
