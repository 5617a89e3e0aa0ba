import StagehandTestSupport
import Testing

@testable import StagingModel

/// The filter's byte matching (`SecretFilter.matchLowered` and `firstIndex(of:in:from:)`,
/// which compare 16 bytes at once) against the plain definition, on random names of every length around the block sizes,
/// from a small alphabet so words are found at every offset, at the ends included.
@Suite(.ownThreads) struct ByteMatchTests {
  static let alphabet = Array("ab/-".utf8)

  static func isSubstring(_ needle: [UInt8], of name: [UInt8]) -> Bool {
    needle.isEmpty
      || (needle.count <= name.count
        && (0...(name.count - needle.count)).contains { start in
          name[start..<start + needle.count].elementsEqual(needle)
        })
  }

  static func isSubsequence(_ needle: [UInt8], of name: [UInt8]) -> Bool {
    var rest = name[...]
    for byte in needle {
      guard let found = rest.firstIndex(of: byte) else { return false }
      rest = rest[(found + 1)...]
    }
    return true
  }

  @Test(arguments: 0..<20)
  func matchingEqualsThePlainDefinition(seed: UInt64) {
    var rng = SplitMix64(seed: seed &+ 0x5EED)
    for _ in 0..<1_000 {
      let name = (0..<Int.random(in: 0...70, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! }
      let needle = (0..<Int.random(in: 0...6, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! }
      let expected: SecretFilter.ByteMatch =
        Self.isSubstring(needle, of: name) ? .substring : Self.isSubsequence(needle, of: name) ? .subsequence : .noMatch
      name.withUnsafeBufferPointer { name in
        #expect(SecretFilter.matchLowered(needle, in: name) == expected, "\(needle) in \(Array(name))")
      }
    }
  }

  /// Every start in the name, so a search begins in each lane of a block, in the last block
  /// (moved back to end at the name's end) and past the end.
  @Test(arguments: 0..<10)
  func firstIndexEqualsThePlainDefinition(seed: UInt64) {
    var rng = SplitMix64(seed: seed &+ 0xF1D)
    for _ in 0..<300 {
      let name = (0..<Int.random(in: 0...70, using: &rng)).map { _ in Self.alphabet.randomElement(using: &rng)! }
      let byte = Self.alphabet.randomElement(using: &rng)!
      name.withUnsafeBufferPointer { buffer in
        for start in 0...(name.count + 1) {
          let expected = start < name.count ? name[start...].firstIndex(of: byte) : nil
          #expect(
            SecretFilter.firstIndex(of: byte, in: buffer, from: start) == expected, "\(byte) from \(start) in \(name)")
        }
      }
    }
  }
}
