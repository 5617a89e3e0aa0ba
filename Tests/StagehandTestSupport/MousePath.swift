/// The cells a pointer passes on a straight drag, as tests send drags to a terminal.
public enum MousePath {
  /// `from`, then one cell a step along the longer axis up to `to` (both included).
  public static func points(from: (x: Int, y: Int), to: (x: Int, y: Int)) -> [(x: Int, y: Int)] {
    let steps = max(abs(to.x - from.x), abs(to.y - from.y))
    guard steps > 0 else { return [from] }
    return [from]
      + (1...steps).map { step in
        (from.x + (to.x - from.x) * step / steps, from.y + (to.y - from.y) * step / steps)
      }
  }
}
