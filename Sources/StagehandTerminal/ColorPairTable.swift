/// Hands out curses colour pair numbers, one per (foreground, background) combination, so
/// each pair is initialised once. Pair 0 is the terminal's default pair and is never
/// redefined; when the table is full, further combinations fall back to it (the text keeps
/// its attributes, only the colour is lost) instead of recycling pairs already on screen.
public struct ColorPairTable: Sendable {
  public struct Key: Hashable, Sendable {
    public var foreground: Int
    public var background: Int
  }

  /// Pair numbers available are `1..<capacity`.
  public let capacity: Int
  public private(set) var pairs: [Key: Int] = [:]

  public init(capacity: Int) {
    // init_pair takes a short.
    self.capacity = max(0, min(capacity, Int(Int16.max)))
  }

  /// The pair for the colours, and whether it was just allocated (so the caller must
  /// `init_pair` it).
  public mutating func pair(foreground: Int, background: Int) -> (number: Int, isNew: Bool) {
    if foreground == -1 && background == -1 { return (0, false) }
    let key = Key(foreground: foreground, background: background)
    if let existing = pairs[key] { return (existing, false) }
    let next = pairs.count + 1
    guard next < capacity else { return (0, false) }
    pairs[key] = next
    return (next, true)
  }
}
