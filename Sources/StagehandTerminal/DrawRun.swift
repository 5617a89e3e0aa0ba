import StagehandUI

/// A horizontal stretch of cells to write, starting at column `x` of row `y`.
public struct DrawRun: Hashable, Sendable {
  public var x: Int
  public var y: Int
  public var cells: [Cell]

  public init(x: Int, y: Int, cells: [Cell]) {
    self.x = x
    self.y = y
    self.cells = cells
  }
}
