import StagehandTestSupport
import Testing

@testable import StagingModel

/// The ASCII fast path of the filter agrees with plain String matching.
@Suite(.ownThreads)
struct SecretFilterBytesTests {
  @Test func bytePathAgreesWithStringMatching() {
    var rng = SplitMix64(seed: 7)
    let alphabet = Array("abcdefgPQRS/-_.0189 ")
    for _ in 0..<5_000 {
      let name = String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
      let word = String((0..<Int.random(in: 0...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        .lowercased()
      let lower = name.lowercased()
      let needle = SecretFilter.asciiLowercased(word)!
      var copy = name
      let match = copy.withUTF8 { SecretFilter.match(needle, in: $0) }
      let expected: SecretFilter.ByteMatch =
        (word.isEmpty || lower.contains(word))
        ? .substring : (SecretFilter.isSubsequence(word, of: lower) ? .subsequence : .noMatch)
      #expect(match == expected, "\(name) \(word)")
    }
    #expect(SecretFilter.asciiLowercased("日本") == nil)
    var wide = "日本/db"
    #expect(wide.withUTF8 { SecretFilter.match(Array("db".utf8), in: $0) } == .notASCII)
  }
}
