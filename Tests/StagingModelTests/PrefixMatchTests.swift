import StagehandTestSupport
import Testing

@testable import StagingModel

/// Names decided from their path prefix (`SecretFilter.PrefixMatches`) rank as reading them
/// does. The lists have few prefixes and many names, so the filter takes that way, and are
/// made from a small alphabet with `/`, so words start in a prefix and run on into the rest
/// of the name; names with no `/` and not ASCII are mixed in. Both matchings.
@Suite(.ownThreads) struct PrefixMatchTests {
  static let prefixAlphabet = Array("ab/")
  static let restAlphabet = Array("abAB-")
  static let queryAlphabet = Array("ab/-")

  static func random(_ alphabet: [Character], _ lengths: ClosedRange<Int>, _ rng: inout SplitMix64) -> String {
    String((0..<Int.random(in: lengths, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
  }

  /// Plain matching on lower-cased names: per word a substring (rank 0), else in `.fuzzy` a
  /// subsequence (rank 1); the substring matches first, each part in the names' order.
  static func expected(_ query: String, _ matching: SecretFilter.Matching, _ names: [String]) -> [Int] {
    let words = query.lowercased().split(separator: " ").map { Array($0.utf8) }
    var exact: [Int] = []
    var fuzzy: [Int] = []
    for (position, name) in names.enumerated() {
      let bytes = Array(name.lowercased().utf8)
      var rank = 0
      for word in words {
        if ByteMatchTests.isSubstring(word, of: bytes) { continue }
        if matching == .fuzzy && ByteMatchTests.isSubsequence(word, of: bytes) {
          rank = 1
          continue
        }
        rank = -1
        break
      }
      if rank == 0 { exact.append(position) } else if rank == 1 { fuzzy.append(position) }
    }
    return exact + fuzzy
  }

  @Test(arguments: 0..<25) func decidingByPrefixEqualsReadingTheName(seed: UInt64) {
    var rng = SplitMix64(seed: seed &+ 0x9F1)
    let prefixes = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
      Self.random(Self.prefixAlphabet, 0...7, &rng) + "/"
    }
    let names = (0..<600).map { number -> String in
      switch Int.random(in: 0..<20, using: &rng) {
      case 0: return Self.random(Self.restAlphabet, 1...8, &rng)
      case 1: return prefixes.randomElement(using: &rng)! + "é" + Self.random(Self.restAlphabet, 0...4, &rng)
      default:
        return prefixes.randomElement(using: &rng)! + Self.random(Self.restAlphabet, 0...8, &rng) + "\(number % 3)"
      }
    }
    let secrets = SecretList(names.map { Secret(name: $0) })
    let index = SecretIndex(secrets)
    #expect(index.prefixCount > 0 && names.count >= 8 * index.prefixCount)
    for _ in 0..<40 {
      var query = Self.random(Self.queryAlphabet, 1...5, &rng)
      if Int.random(in: 0..<4, using: &rng) == 0 { query += " " + Self.random(Self.queryAlphabet, 1...3, &rng) }
      for matching in [SecretFilter.Matching.fuzzy, .substring] {
        let filter = SecretFilter(query, matching: matching)
        let rows = filter.rows(of: secrets, index: index).positions
        #expect(rows == Self.expected(query, matching, names), "seed \(seed): \"\(query)\" \(matching)")
      }
    }
  }

  /// A name longer than the index keeps as bytes (AWS allows 512 characters) is matched
  /// whole, beside names under the same prefix.
  @Test func aNameTooLongForTheIndexIsMatchedWhole() {
    let names = ["prod/" + String(repeating: "a", count: 40_000) + "xyz"] + (0..<40).map { "prod/b\($0)" }
    let secrets = SecretList(names.map { Secret(name: $0) })
    let index = SecretIndex(secrets)
    for query in ["xyz", "ax", "prod/a", "pb", "b1", "zz"] {
      #expect(SecretFilter(query).rows(of: secrets, index: index).positions == Self.expected(query, .fuzzy, names))
    }
  }

  /// Past `SecretIndex.prefixLimit` distinct prefixes, a new prefix is not kept: its names
  /// keep the mask of all their characters and have no prefix, while names under a prefix
  /// already kept still find it.
  @Test func namesPastThePrefixLimitAreKeptWhole() {
    var index = SecretIndex()
    let limit = SecretIndex.prefixLimit
    var names = (0..<(limit + 3)).map { "p\($0)/Rest-\($0 % 7)" }
    names.append("p0/Again")
    for name in names { index.append(name, key: name, id: name) }
    #expect(index.prefixCount == limit)
    for position in [0, limit - 1, limit, limit + 2, limit + 3] {
      #expect(index.mask(at: position) == SecretIndex.characterMask(of: names[position].lowercased().utf8))
    }
    #expect(index.split(at: limit - 1).prefix == limit - 1)
    #expect(index.split(at: limit).prefix == nil)
    #expect(index.split(at: limit + 3).prefix == 0)
  }
}
