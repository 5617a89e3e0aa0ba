import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// Mutated store files never crash the loader: each either loads or fails with a store
/// error that says what is wrong.
@Suite(.ownThreads)
struct StoreFuzzTests {
  static let seed: Data = {
    let document: [String: Any] = [
      "formatVersion": 1,
      "secrets": [
        [
          "Name": "prod/db", "CreatedDate": "2026-01-01T00:00:00Z", "DeletedDate": 1_767_225_600,
          "Tags": [["Key": "team", "Value": "x"]], "RotationRules": ["AutomaticallyAfterDays": 30],
          "Versions": [
            ["VersionId": "a1", "VersionStages": ["AWSCURRENT"], "CreatedDate": "2026-01-02T00:00:00Z"],
            ["VersionId": "b2", "VersionStages": [], "SecretString": "v"],
          ],
        ]
      ],
    ]
    return try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
  }()

  static let tokens: [[UInt8]] = [
    "{", "}", "[", "]", ",", ":", "\"", "null", "true", "1e999", "-0", "\\u0000", "\\ud800", "\"VersionStages\"",
    "\"formatVersion\"", String(repeating: "[", count: 300), "\u{FEFF}", "\u{1B}[2J",
  ].map { Array($0.utf8) }

  static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
    var bytes = input
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      guard !bytes.isEmpty else { return tokens.randomElement(using: &rng)! }
      let at = Int.random(in: 0..<bytes.count, using: &rng)
      switch Int.random(in: 0..<5, using: &rng) {
      case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
      case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &rng)))
      case 2: bytes.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
      case 3: bytes = Array(bytes.prefix(at))
      default:
        let other = Int.random(in: 0..<bytes.count, using: &rng)
        bytes.swapAt(at, other)
      }
    }
    return bytes
  }

  @Test(arguments: 0..<10)
  func mutatedStoresNeverCrashTheLoader(block: Int) {
    var rng = SplitMix64(seed: UInt64(block) &* 7919)
    var loaded = 0
    var refused = 0
    let seed = Array(Self.seed)
    for _ in 0..<10_000 {
      let input = Self.mutate(seed, &rng)
      do {
        let (_, document) = try StoreFile.parse(Data(input), path: "fuzz.json")
        _ = document.secrets.map { $0.secret(includeDeprecated: true) }
        loaded += 1
      } catch {
        guard case .store(let path, let problem, let hint) = error else {
          Issue.record("unexpected error kind: \(error)")
          continue
        }
        #expect(path == "fuzz.json")
        #expect(!problem.isEmpty && !hint.isEmpty)
        refused += 1
      }
    }
    #expect(loaded + refused == 10_000)
    #expect(refused > 1_000, "mutations should break most files")
  }
}
