/// Why the terminal could not be opened.
public enum TerminalError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Neither stdin/stdout nor /dev/tty is a terminal (piped, or run without one).
  case notATerminal
  /// ncurses has no terminfo entry for `TERM`.
  case unknownTerminalType(String?)
  /// A second `Terminal` while one is open.
  case alreadyOpen

  public var description: String {
    switch self {
    case .notATerminal:
      return "stagehand's interface needs a terminal, and neither its input and output nor /dev/tty is one"
    case .unknownTerminalType(let name):
      return "the terminal type \(name.map { "'\($0)'" } ?? "(TERM is not set)") is not known; try TERM=xterm-256color"
    case .alreadyOpen:
      return "the terminal is already in use by this process"
    }
  }
}
