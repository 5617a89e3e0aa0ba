import StagehandTestSupport
import StagehandUI
import Testing

@Suite(.ownThreads) struct CellGridTests {
  @Test func clearingSplitWideCharactersLeavesNoOrphanHalf() {
    var grid = CellGrid(width: 8, height: 1)
    grid.put("日本語x", x: 0, y: 0)
    grid.clearSplitWideCharacters(x: 3, y: 0, width: 2, height: 1)
    grid.fill(x: 3, y: 0, width: 2, height: 1, with: Cell("#"))
    #expect(grid.text == "日 ## x ")
  }

  @Test func unsplitCharactersAreKept() {
    var grid = CellGrid(width: 6, height: 1)
    grid.put("日本語", x: 0, y: 0)
    grid.clearSplitWideCharacters(x: 2, y: 0, width: 2, height: 1)
    #expect(grid.text == "日本語")
  }
}
