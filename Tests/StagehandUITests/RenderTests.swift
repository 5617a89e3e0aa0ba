import Foundation
import StagehandUI
import StagingModel
import Testing

@Suite struct RenderTests {
  @Test func prints() {
    let state = Fixture.loaded()
    let grid = render(state)
    print(grid.text)
    print(grid.styleDump)
    #expect(grid.width == 80)
  }
}
