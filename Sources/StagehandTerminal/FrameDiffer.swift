import StagehandUI

/// Works out which cells to send to the terminal (ratatui's `Buffer::diff`): only cells that
/// changed since the last frame, grouped into runs so each run costs one cursor move.
public enum FrameDiffer {
  /// With no previous frame, or one of another size (a resize), every row is one run.
  ///
  /// A double-width character and its continuation cell always travel together: redrawing
  /// only the right half would leave the terminal showing half a glyph, and redrawing only
  /// the left half of a former wide glyph would leave its stale right half on screen.
  public static func runs(from old: CellGrid?, to new: CellGrid) -> [DrawRun] {
    guard let old, old.width == new.width, old.height == new.height else {
      return (0..<new.height).compactMap { y in
        new.width > 0 ? DrawRun(x: 0, y: y, cells: (0..<new.width).map { new[$0, y] }) : nil
      }
    }
    var runs: [DrawRun] = []
    let width = new.width
    for y in 0..<new.height {
      var marked = [Bool](repeating: false, count: width)
      var any = false
      for x in 0..<width where old[x, y] != new[x, y] {
        any = true
        marked[x] = true
        if x > 0 && (isContinuation(new[x, y]) || isContinuation(old[x, y])) { marked[x - 1] = true }
        if x + 1 < width && (isContinuation(new[x + 1, y]) || isContinuation(old[x + 1, y])) {
          marked[x + 1] = true
        }
      }
      guard any else { continue }
      var x = 0
      while x < width {
        guard marked[x] else {
          x += 1
          continue
        }
        let start = x
        while x < width && marked[x] { x += 1 }
        runs.append(DrawRun(x: start, y: y, cells: (start..<x).map { new[$0, y] }))
      }
    }
    return runs
  }

  /// Whether `runs(from:to:)` would repaint everything.
  public static func isFullRedraw(from old: CellGrid?, to new: CellGrid) -> Bool {
    guard let old else { return true }
    return old.width != new.width || old.height != new.height
  }

  static func isContinuation(_ cell: Cell) -> Bool { cell.text.isEmpty }
}
