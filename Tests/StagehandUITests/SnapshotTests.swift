import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

@Suite(.ownThreads) struct SnapshotTests {
  @Test func browse80x24() {
    assertSnapshot(render(Fixture.loaded()), named: "browse-80x24")
  }

  @Test func browse120x40WithVersionsFocused() {
    var state = Fixture.loaded(width: 120, height: 40)
    press(&state, .down, .enter, .down)
    assertSnapshot(render(state), named: "browse-120x40")
  }

  @Test func tooSmall() {
    let state = Fixture.loaded(width: 60, height: 20)
    let grid = render(state)
    #expect(grid.text.contains("Terminal too small: 60x20"))
    assertSnapshot(grid, named: "too-small-60x20")
  }

  @Test func noColorUsesMarkersAndAttributes() {
    var state = Fixture.loaded(config: Fixture.config(colorMode: .none))
    press(&state, .enter)
    let grid = render(state)
    #expect(!grid.styleDump.contains("G/"))
    assertSnapshot(grid, named: "no-color-80x24")
  }

  @Test func asciiOnlyHasNoBoxDrawingOrEllipsis() {
    var state = Fixture.loaded(config: Fixture.config(readOnly: true, dryRun: true, colorMode: .eight, asciiOnly: true))
    send(&state, .started)
    let grid = render(state)
    #expect(grid.text.unicodeScalars.allSatisfy { $0.isASCII })
    assertSnapshot(grid, named: "ascii-eight-80x24")
  }

  @Test func loadingSpinnerAndFilter() {
    var state = AppState(config: Fixture.config(), now: Fixture.now)
    send(&state, .started)
    send(&state, .secretsPageLoaded(requestID: 1, secrets: Fixture.all, isLastPage: false))
    press(&state, .char("/"))
    _ = type(&state, "label:AWSPENDING")
    assertSnapshot(render(state), named: "loading-filter-80x24")
  }

  @Test func helpScreen() {
    var state = Fixture.loaded()
    press(&state, .char("?"))
    assertSnapshot(render(state), named: "help-80x24")
  }

  @Test func revealPopup() throws {
    var state = Fixture.loaded()
    press(&state, .enter)
    let effects = press(&state, .char("v"))
    guard case .reveal(_, _, let id)? = effects.first else { Issue.record("no reveal"); return }
    #expect(state.needsFastTicks)
    send(
      &state, .valueRevealed(requestID: id, value: RevealedValue("{\"password\":\"correct horse\"}\nline two\u{1B}[2J"))
    )
    #expect(!state.needsFastTicks)
    assertSnapshot(render(state), named: "reveal-80x24")
  }

  @Test func wideCharactersKeepColumnsAligned() {
    let state = Fixture.loaded()
    let grid = render(state)
    let layout = state.layout
    func summaryColumn(_ row: Int) -> Int? {
      (0..<layout.leftWidth).first { grid[$0, layout.secretRowsTop + row].text == "C" }
    }
    let plain = summaryColumn(0)
    #expect(plain != nil)
    for row in 1..<Fixture.all.count {
      #expect(summaryColumn(row) == plain, "row \(row)")
      #expect(grid[layout.leftWidth - 1, layout.secretRowsTop + row].text == "│", "row \(row)")
    }
  }
}
