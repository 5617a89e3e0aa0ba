import Testing

@testable import StagehandTerminal

@Suite("CellGlyph")
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
}
