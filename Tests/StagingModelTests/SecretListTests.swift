import Foundation
import StagehandTestSupport
import StagingModel
import Testing

/// `SecretList` packs each secret into bytes and reads it back on demand: every secret it is
/// given, however odd its fields, must read back equal, after appends and after any mix of
/// replacements (which write records again and rewrite chunks).
@Suite(.ownThreads) struct SecretListTests {
  /// Characters strings are made of: ASCII of both cases, the ARN's separators, hex digits,
  /// and non-ASCII ones (a combining accent too, so canonical equivalence is exercised).
  static let alphabet = Array("abcdefABCDEF0129:/-_.@ é日\u{301}🙂")

  static func string(_ rng: inout SplitMix64, length: ClosedRange<Int> = 0...20) -> String {
    String((0..<Int.random(in: length, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
  }

  static func maybe<T>(_ rng: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> T? {
    Bool.random(using: &rng) ? make(&rng) : nil
  }

  static func date(_ rng: inout SplitMix64) -> Date {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return Date(timeIntervalSince1970: Double(Int.random(in: 1_500_000_000...1_800_000_000, using: &rng)))
    case 1: return Date(timeIntervalSinceReferenceDate: Double.random(in: -1e10...1e10, using: &rng))
    case 2: return Date(timeIntervalSinceReferenceDate: -0.0)
    default: return Date(timeIntervalSince1970: 1_700_000_000.123_456_789)
    }
  }

  /// A version id: usually a lower-case UUID (packed to 16 bytes), else one that only nearly
  /// is (upper case, a dash astray, one character short or long) or any string.
  static func versionID(_ rng: inout SplitMix64) -> String {
    let uuid = UUID(
      uuid: (
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
        UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng)
      )
    ).uuidString
    switch Int.random(in: 0..<8, using: &rng) {
    case 0..<4: return uuid.lowercased()
    case 4: return uuid
    case 5: return String(uuid.lowercased().dropLast())
    case 6: return uuid.lowercased().replacingOccurrences(of: "-", with: "a", options: [], range: nil) + "-x"
    default: return string(&rng)
    }
  }

  static let labels = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "blue", "canary", "Payé", ""]
  static let prefixes = [
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:", "arn:aws:secretsmanager:eu-west-1:210987654321:secret:",
  ]

  static func secret(_ rng: inout SplitMix64) -> Secret {
    let name = string(&rng)
    let arn: String?
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: arn = nil
    case 1: arn = string(&rng)
    case 2: arn = prefixes.randomElement(using: &rng)! + name
    case 3: arn = "arn:x:secret:" + name.dropLast() + string(&rng, length: 0...3)
    default: arn = prefixes.randomElement(using: &rng)! + name + "-" + string(&rng, length: 6...6)
    }
    let versions = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
      SecretVersion(
        versionId: versionID(&rng),
        labels: Set((0..<Int.random(in: 0...3, using: &rng)).map { _ in labels.randomElement(using: &rng)! }),
        createdDate: maybe(&rng, date), lastAccessedDate: maybe(&rng, date))
    }
    let tags = Dictionary(
      (0..<Int.random(in: 0...3, using: &rng)).map { _ in
        (["team", "env", "Owner", ""].randomElement(using: &rng)!, string(&rng, length: 0...4))
      }, uniquingKeysWith: { first, _ in first })
    let replicas = (0..<Int.random(in: 0...2, using: &rng)).map { _ in
      ReplicaStatus(
        region: string(&rng), status: maybe(&rng) { string(&$0) }, statusMessage: maybe(&rng) { string(&$0) })
    }
    let rules = maybe(&rng) { rng in
      RotationRules(
        automaticallyAfterDays: maybe(&rng) { Int.random(in: Int.min...Int.max, using: &$0) },
        scheduleExpression: maybe(&rng) { string(&$0) }, duration: maybe(&rng) { string(&$0) })
    }
    var secret = Secret(
      name: name, arn: arn, description: maybe(&rng) { string(&$0, length: 0...80) }, createdDate: maybe(&rng, date),
      lastChangedDate: maybe(&rng, date), lastAccessedDate: maybe(&rng, date),
      rotationEnabled: Bool.random(using: &rng),
      rotationLambdaARN: maybe(&rng) { string(&$0) }, rotationRules: rules, lastRotatedDate: maybe(&rng, date),
      nextRotationDate: maybe(&rng, date), owningService: maybe(&rng) { string(&$0) },
      deletedDate: maybe(&rng, date), primaryRegion: maybe(&rng) { string(&$0) }, replicationStatus: replicas,
      tags: tags, versions: versions, versionsComplete: Bool.random(using: &rng),
      includesDeprecated: Bool.random(using: &rng))
    if Bool.random(using: &rng) {
      secret.origin = SecretOrigin(profile: maybe(&rng) { string(&$0) }, region: string(&rng))
    }
    return secret
  }

  @Test(arguments: 0..<40)
  func everySecretReadsBackEqual(seed: UInt64) {
    var rng = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 1)
    let count = Int.random(in: 0...(seed % 4 == 0 ? 9_000 : 300), using: &rng)
    var model = (0..<count).map { _ in Self.secret(&rng) }
    var list = SecretList()
    for secret in model { list.append(secret) }
    #expect(list.count == model.count)
    #expect(Array(list) == model)

    // Replacements, some of one secret over and over, so chunks are rewritten.
    guard !model.isEmpty else { return }
    for _ in 0..<Int.random(in: 1...600, using: &rng) {
      let position = Bool.random(using: &rng) ? 0 : Int.random(in: model.indices, using: &rng)
      var replacement = Self.secret(&rng)
      switch Int.random(in: 0..<3, using: &rng) {
      case 0:
        // As a reload does: the secret listed again, unchanged or with one field changed.
        replacement = model[position]
        if Bool.random(using: &rng) { replacement.description = Bool.random(using: &rng) ? nil : "changed" }
      case 1:
        // As a describe answer does: the listed secret with dates and more versions.
        replacement = list[position]
        replacement.versions.append(
          SecretVersion(versionId: Self.versionID(&rng), labels: [], createdDate: Self.date(&rng)))
        replacement.versionsComplete = true
      default: break
      }
      model[position] = replacement
      list[position] = replacement
      #expect(list[position] == replacement)
    }
    #expect(Array(list) == model)
    #expect(list == SecretList(model))
    var changed = model
    changed[changed.count - 1].name += "x"
    #expect(list != SecretList(changed))
  }
}
