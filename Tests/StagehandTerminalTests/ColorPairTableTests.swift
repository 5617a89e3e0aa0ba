import StagehandTestSupport
import Testing

@testable import StagehandTerminal

@Suite("ColorPairTable", .ownThreads)
struct ColorPairTableTests {
  @Test func defaultColoursUsePairZero() {
    var table = ColorPairTable(capacity: 64)
    #expect(table.pair(foreground: -1, background: -1) == (0, false))
    #expect(table.pairs.isEmpty)
  }

  @Test func eachCombinationIsAllocatedOnce() {
    var table = ColorPairTable(capacity: 64)
    #expect(table.pair(foreground: 1, background: -1) == (1, true))
    #expect(table.pair(foreground: 2, background: 0) == (2, true))
    #expect(table.pair(foreground: 1, background: -1) == (1, false))
    #expect(table.pair(foreground: -1, background: 1) == (3, true))
    #expect(table.pairs.count == 3)
  }

  @Test func aFullTableFallsBackToTheDefaultPair() {
    var table = ColorPairTable(capacity: 3)
    #expect(table.pair(foreground: 1, background: -1) == (1, true))
    #expect(table.pair(foreground: 2, background: -1) == (2, true))
    #expect(table.pair(foreground: 3, background: -1) == (0, false))
    #expect(table.pair(foreground: 1, background: -1) == (1, false))
  }

  @Test func capacityIsLimitedToWhatInitPairAccepts() {
    #expect(ColorPairTable(capacity: 65536).capacity == 32767)
    #expect(ColorPairTable(capacity: -5).capacity == 0)
    var none = ColorPairTable(capacity: 0)
    #expect(none.pair(foreground: 1, background: 2) == (0, false))
  }
}
