import StagehandTestSupport
import Testing

@testable import StagehandUI

/// The ASCII fast path of the filter agrees with plain String matching.
struct SecretFilterBytesTests {
  @Test func bytePathAgreesWithStringMatching() {
    var rng = SplitMix64(seed: 7)
    let alphabet = Array("abcdefgPQRS/-_.0189 ")
    for _ in 0..<5_000 {
      let name = String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
      let word = String((0..<Int.random(in: 0...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        .lowercased()
      let lower = name.lowercased()
      let bytes = SecretFilter.asciiLowercased(name)!
      let needle = SecretFilter.asciiLowercased(word)!
      #expect(SecretFilter.contains(bytes, needle) == (word.isEmpty || lower.contains(word)), "\(name) \(word)")
      #expect(SecretFilter.isSubsequence(needle, of: bytes) == SecretFilter.isSubsequence(word, of: lower))
    }
    #expect(SecretFilter.asciiLowercased("日本") == nil)
  }
}
