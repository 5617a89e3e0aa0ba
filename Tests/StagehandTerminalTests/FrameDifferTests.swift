import StagehandTestSupport
import StagehandUI
import Testing

@testable import StagehandTerminal

@Suite("FrameDiffer", .ownThreads)
struct FrameDifferTests {
  private func grid(_ rows: [String], width: Int? = nil) -> CellGrid {
    var grid = CellGrid(width: width ?? rows.map { displayWidth($0) }.max() ?? 0, height: rows.count)
    for (y, row) in rows.enumerated() { grid.put(row, x: 0, y: y) }
    return grid
  }

  private func text(_ run: DrawRun) -> String { run.cells.map(\.text).joined() }

  @Test func identicalGridsNeedNothing() {
    let frame = grid(["hello", "world"])
    #expect(FrameDiffer.runs(from: frame, to: frame).isEmpty)
    #expect(!FrameDiffer.isFullRedraw(from: frame, to: frame))
  }

  @Test func oneChangedCellIsOneRun() {
    let old = grid(["hello", "world"])
    var new = old
    new[1, 1] = Cell("a")
    let runs = FrameDiffer.runs(from: old, to: new)
    #expect(runs == [DrawRun(x: 1, y: 1, cells: [Cell("a")])])
  }

  @Test func aStyleChangeAloneIsRedrawn() {
    let old = grid(["hello"])
    var new = old
    new.restyle(x: 2, y: 0, width: 2) { $0.reverse = true }
    let runs = FrameDiffer.runs(from: old, to: new)
    #expect(runs.count == 1)
    #expect(runs.first?.x == 2)
    #expect(runs.first.map(text) == "ll")
    #expect(runs.first?.cells.allSatisfy(\.style.reverse) == true)
  }

  @Test func separateChangesAreSeparateRuns() {
    let old = grid(["abcdefgh", "ijklmnop"])
    let new = grid(["aXcdeYZh", "ijklmnoQ"])
    let runs = FrameDiffer.runs(from: old, to: new)
    #expect(runs.map { [$0.x, $0.y] } == [[1, 0], [5, 0], [7, 1]])
    #expect(runs.map(text) == ["X", "YZ", "Q"])
  }

  @Test func noPreviousFrameRepaintsEverything() {
    let new = grid(["ab", "cd", "ef"])
    let runs = FrameDiffer.runs(from: nil, to: new)
    #expect(FrameDiffer.isFullRedraw(from: nil, to: new))
    #expect(runs.map(\.y) == [0, 1, 2])
    #expect(runs.allSatisfy { $0.x == 0 && $0.cells.count == 2 })
    #expect(runs.map(text) == ["ab", "cd", "ef"])
  }

  @Test func aResizeRepaintsEverything() {
    let old = grid(["abc", "def"])
    let new = grid(["abc", "def", "ghi"])
    #expect(FrameDiffer.isFullRedraw(from: old, to: new))
    #expect(FrameDiffer.runs(from: old, to: new).map(text) == ["abc", "def", "ghi"])
    let narrower = grid(["ab", "de"])
    #expect(FrameDiffer.runs(from: old, to: narrower).map(text) == ["ab", "de"])
  }

  @Test func anEmptyGridHasNoRuns() {
    #expect(FrameDiffer.runs(from: nil, to: CellGrid(width: 0, height: 3)).isEmpty)
  }

  @Test func aChangedWideCharacterTakesItsContinuation() {
    let old = grid(["a日b"])
    let new = grid(["a本b"])
    let runs = FrameDiffer.runs(from: old, to: new)
    #expect(runs.count == 1)
    #expect(runs.first?.x == 1)
    #expect(runs.first?.cells == [Cell("本"), .continuation])
  }

  @Test func aChangedContinuationTakesItsWideCharacter() {
    let old = grid(["日本"])
    var new = old
    new[1, 0] = Cell("", style: CellStyle(bold: true))
    let runs = FrameDiffer.runs(from: old, to: new)
    #expect(runs.map(\.x) == [0])
    #expect(runs.first?.cells.first == Cell("日"))
    #expect(runs.first?.cells.count == 2)
  }

  @Test func replacingAWideCharacterWithNarrowOnesCoversBothColumns() {
    let old = grid(["x日y"])
    let new = grid(["xaby"])
    let runs = FrameDiffer.runs(from: old, to: new)
    #expect(runs == [DrawRun(x: 1, y: 0, cells: [Cell("a"), Cell("b")])])
  }

  @Test func narrowingTheLeftHalfOfAWideCharacterRepaintsTheRightHalf() {
    let old = grid(["x日y"])
    var new = old
    new[1, 0] = Cell("a")
    // The continuation cell itself is unchanged in the grid, but the terminal must lose
    // the stale right half of the old glyph.
    let runs = FrameDiffer.runs(from: old, to: new)
    #expect(runs.map(\.x) == [1])
    #expect(runs.first?.cells.count == 2)
  }

  @Test func runsCoverEveryChangedCell() {
    var generator = SplitMix64(seed: 42)
    let alphabet = ["a", "b", "日", " "]
    for _ in 0..<100 {
      let rows = (0..<4).map { _ in
        (0..<6).map { _ in alphabet[Int(generator.next() % 4)] }.joined()
      }
      let rows2 = (0..<4).map { _ in
        (0..<6).map { _ in alphabet[Int(generator.next() % 4)] }.joined()
      }
      let old = grid(rows, width: 12)
      let new = grid(rows2, width: 12)
      let runs = FrameDiffer.runs(from: old, to: new)
      var applied = old
      for run in runs {
        for (offset, cell) in run.cells.enumerated() {
          #expect(cell == new[run.x + offset, run.y])
          applied[run.x + offset, run.y] = cell
        }
      }
      #expect(applied == new)
    }
  }
}
