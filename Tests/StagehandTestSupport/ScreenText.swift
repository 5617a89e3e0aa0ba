/// Reading a captured screen (a tmux pane, a drawn grid's text).
public enum ScreenText {
  /// Where `text` first shows: (column, row), 0-based, counting one column a Character (the
  /// screens tests look at have no wide characters).
  public static func locate(_ text: String, in screen: String) -> (x: Int, y: Int)? {
    for (row, line) in screen.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if let range = line.range(of: text) { return (line[..<range.lowerBound].count, row) }
    }
    return nil
  }
}
