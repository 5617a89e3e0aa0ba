import StagehandUI

/// What the event loop needs of a terminal, and all it may use: `Terminal` (ncurses) in the
/// app, `TestTerminal` in tests, as ratatui has `Backend` and `TestBackend`.
///
/// The loop calls it from one actor; only `waker` is called from other threads.
public protocol TerminalBackend: AnyObject {
  /// Columns and rows, as of the last resize event.
  var size: (width: Int, height: Int) { get }
  /// 0 when colours are off.
  var colorCount: Int { get }
  /// False when the locale is not UTF-8: the UI draws ASCII fallbacks.
  var isUTF8: Bool { get }
  /// True once no input can come (the terminal hung up): the loop ends instead of polling.
  var isInputClosed: Bool { get }

  /// Shows `grid`.
  func draw(_ grid: CellGrid)
  /// The next key, mouse event or resize, waiting at most `timeoutMilliseconds` (0 polls);
  /// nil when nothing came in time or `waker` was called.
  func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent?
  /// Hands the terminal to the shell and stops the process (Ctrl-Z); returns once it is
  /// continued, with a `.resize` event queued and everything repainted on the next draw.
  func suspend()
  /// Runs `body` (an external program such as `$EDITOR`) with the terminal given back, then
  /// takes it over again, as `suspend` does around a stop, with everything repainted.
  func withTerminalReleased<Result>(_ body: () throws -> Result) rethrows -> Result
  /// Gives the terminal back for good. Safe to call more than once.
  func restore()
  /// Ends the current or next `nextEvent` wait at once. Callable from any thread, so a
  /// result posted by an effect task is drawn without waiting out the input timeout.
  var waker: @Sendable () -> Void { get }
}

extension Terminal: TerminalBackend {
  public var waker: @Sendable () -> Void { { Terminal.wake() } }
}
