import StagehandTestSupport
import Testing

@testable import StagehandTerminal

@Suite("CellGlyph", .ownThreads)
struct CellGlyphTests {
  @Test func encodesScalarsZeroTerminated() {
    #expect(CellGlyph.scalars(for: "a") == [0x61, 0])
    #expect(CellGlyph.scalars(for: "日") == [0x65E5, 0])
    #expect(CellGlyph.scalars(for: "e\u{301}") == [0x65, 0x301, 0])
  }

  @Test func emptyAndControlTextBecomeASpace() {
    #expect(CellGlyph.scalars(for: "") == [0x20, 0])
    #expect(CellGlyph.scalars(for: "\n") == [0x20, 0])
    #expect(CellGlyph.scalars(for: "\t") == [0x20, 0])
    #expect(CellGlyph.scalars(for: "\u{1B}") == [0x20, 0])
    #expect(CellGlyph.scalars(for: "\u{85}") == [0x20, 0])
  }

  @Test func keepsAtMostFiveScalars() {
    let stacked = "a" + String(repeating: "\u{301}", count: 8)
    let scalars = CellGlyph.scalars(for: stacked)
    #expect(scalars.count == CellGlyph.maxScalars + 1)
    #expect(scalars.last == 0)
  }

  /// One buffer reused cell after cell, as `Terminal.draw` uses it, holds what `scalars(for:)`
  /// would have built for each text, whatever the text before it left behind.
  @Test func fillingOneReusedBufferMatchesBuildingEachGlyph() {
    func expected(_ text: String) -> [Int32] {
      guard let first = text.unicodeScalars.first else { return [0x20, 0] }
      if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return [0x20, 0] }
      return text.unicodeScalars.prefix(CellGlyph.maxScalars).map { Int32(bitPattern: $0.value) } + [0]
    }
    var texts = (0..<0x300).compactMap { Unicode.Scalar($0).map { String(Character($0)) } }
    texts += ["", "日", "e\u{301}", "a" + String(repeating: "\u{301}", count: 8), "👍🏽", "\u{1B}[", "ab", "\u{85}x"]
    var buffer = [Int32](repeating: 0x41, count: CellGlyph.maxScalars + 1)
    for text in texts + texts.reversed() {
      CellGlyph.fill(&buffer, for: text)
      let end = buffer.firstIndex(of: 0)
      #expect(end.map { Array(buffer[...$0]) } == expected(text), "\(text.unicodeScalars.map(\.value))")
      #expect(CellGlyph.scalars(for: text) == expected(text))
    }
  }
}
