import StagehandTestSupport
import Testing

@testable import StagehandApp

/// The eight-bytes-at-a-time tests against the byte-by-byte definitions, over strings of every
/// length around the word size with each kind of byte at every position.
@Suite(.ownThreads)
struct ByteScanTests {
  static let bytes: [UInt8] = [
    0x00, 0x09, 0x1F, 0x20, 0x21, 0x22, 0x41, 0x5C, 0x7E, 0x7F, 0xC3, 0xA9, 0xE2, 0x80, 0xAE,
  ]

  @Test func agreesWithTheByteByByteDefinitions() {
    var rng = SplitMix64(seed: 31)
    var seen = (printable: 0, notPrintable: 0, escape: 0, noEscape: 0)
    for _ in 0..<50_000 {
      let length = Int.random(in: 0...40, using: &rng)
      let text = String(
        decoding: (0..<length).map { _ in
          Int.random(in: 0..<4, using: &rng) == 0 ? Self.bytes.randomElement(using: &rng)! : UInt8(ascii: "a")
        }, as: UTF8.self)
      let printable = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
      let escape = text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
      #expect(ByteScan.isPrintableASCII(text) == printable, "\(Array(text.utf8))")
      #expect(ByteScan.needsJSONEscape(text) == escape, "\(Array(text.utf8))")
      if printable { seen.printable += 1 } else { seen.notPrintable += 1 }
      if escape { seen.escape += 1 } else { seen.noEscape += 1 }
    }
    #expect(min(seen.printable, seen.notPrintable, seen.escape, seen.noEscape) > 5_000)
  }
}
