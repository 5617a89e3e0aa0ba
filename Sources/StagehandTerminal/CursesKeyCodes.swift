internal import CNcursesw

/// The ncurses key codes the decoder understands. Read from the C headers at run time
/// (KEY_F(n) and friends are macros Swift cannot import) and passed into the decoder so
/// the decoder itself stays a pure value.
public struct CursesKeyCodes: Hashable, Sendable {
  public var up: Int32
  public var down: Int32
  public var left: Int32
  public var right: Int32
  public var home: Int32
  public var end: Int32
  public var pageUp: Int32
  public var pageDown: Int32
  public var deleteChar: Int32
  public var insertChar: Int32
  public var backspace: Int32
  public var enter: Int32
  public var backTab: Int32
  public var resize: Int32
  public var mouse: Int32
  /// `KEY_F(n)` is `f0 + n`.
  public var f0: Int32

  /// ncurses reserves 64 function key codes after KEY_F0.
  static let functionKeyCount: Int32 = 63

  public static var current: CursesKeyCodes {
    let c = cn_key_codes()
    return CursesKeyCodes(
      up: c.up, down: c.down, left: c.left, right: c.right, home: c.home, end: c.end,
      pageUp: c.pageUp, pageDown: c.pageDown, deleteChar: c.deleteChar, insertChar: c.insertChar,
      backspace: c.backspace, enter: c.enter, backTab: c.backTab, resize: c.resize, mouse: c.mouse,
      f0: c.f0)
  }

  /// `KEY_F(n)`.
  public func function(_ n: Int) -> Int32 { f0 + Int32(n) }
}
