/// A key as the UI core understands it. The terminal module decodes ncurses input into
/// these; the keymap matches on them.
public enum Key: Hashable, Sendable {
  case char(Character)
  case ctrl(Character)
  case up, down, left, right
  case pageUp, pageDown, home, end
  case enter, escape, tab, backTab, backspace, delete
  case function(Int)

  /// A stable text form ("j", "ctrl+c", "enter", "pgdn", "space") used by the help
  /// screen, the hint bar and the README table.
  public var name: String {
    switch self {
    case .char(" "): return "space"
    case .char(let c): return String(c)
    case .ctrl(let c): return "ctrl+\(c)"
    case .up: return "up"
    case .down: return "down"
    case .left: return "left"
    case .right: return "right"
    case .pageUp: return "pgup"
    case .pageDown: return "pgdn"
    case .home: return "home"
    case .end: return "end"
    case .enter: return "enter"
    case .escape: return "esc"
    case .tab: return "tab"
    case .backTab: return "shift+tab"
    case .backspace: return "backspace"
    case .delete: return "delete"
    case .function(let n): return "f\(n)"
    }
  }
}

/// A mouse event in grid coordinates (0-based column and row). Buttons are numbered as
/// ncurses does: 1 left, 2 middle, 3 right.
public struct MouseEvent: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    case press(button: Int)
    case release(button: Int?)
    /// Motion with a button held (drag).
    case drag(button: Int)
    /// Motion with no button held.
    case move
    case wheelUp
    case wheelDown
  }

  public var kind: Kind
  public var x: Int
  public var y: Int

  public init(_ kind: Kind, x: Int, y: Int) {
    self.kind = kind
    self.x = x
    self.y = y
  }
}

/// Everything the terminal can tell the UI core.
public enum TerminalEvent: Hashable, Sendable {
  case key(Key)
  case mouse(MouseEvent)
  case resize(width: Int, height: Int)
}
