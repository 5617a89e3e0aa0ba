internal import CNcursesw
import StagehandUI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one object that talks to ncurses: it flushes cell grids and reads input.
///
/// Not `Sendable`: ncurses is a process-wide, single-threaded library, so the terminal must
/// live on one actor (the executable's main actor). Every exit path must call `restore()`;
/// the C layer also restores on SIGINT, SIGTERM, SIGHUP, SIGQUIT, crashes and `exit()`.
///
/// The event loop waits for input with a timeout (the next clock tick); `waker` ends the wait
/// early so effect results posted by tasks are handled at once, and a resize ends it too
/// (bubbletea's loop, with ncurses doing the waiting):
///
/// ```swift
/// let terminal = try Terminal(options: .from(environment: ProcessInfo.processInfo.environment))
/// defer { terminal.restore() }
/// var grid = CellGrid(width: terminal.size.width, height: terminal.size.height)
/// while running {
///   if let event = terminal.nextEvent(timeoutMilliseconds: 16) { /* update(.terminal(event)) */ }
///   await Task.yield()  // let finished effects post their messages, then drain them
///   if changed { render(state, into: &grid); terminal.draw(grid) }
/// }
/// ```
public final class Terminal {
  public let options: TerminalOptions
  /// 0 when colours are off (`NO_COLOR` or a monochrome terminal).
  public let colorCount: Int
  /// What the UI's theme and the drawing both go by.
  public let colorMode: ColorMode
  /// From the locale (`LC_ALL`/`LC_CTYPE`/`LANG`): the UI draws ASCII fallbacks otherwise.
  public let isUTF8: Bool

  private var pairs: ColorPairTable
  private var decoder: InputDecoder
  private let keyCodes: CursesKeyCodes
  private var previousFrame: CellGrid?
  private var pending: [TerminalEvent] = []
  private var isOpen = true

  /// How long to wait for the rest of an escape sequence once ESC and its next byte have
  /// arrived (ncurses has already waited its escape delay, 25 ms, for that byte). A started
  /// sequence is unambiguous, so waiting longer costs nothing, while a terminal, ssh or a busy
  /// machine delivering a mouse report in pieces must not turn it into stray keys.
  private static let sequenceTimeoutMilliseconds: Int32 = 150
  /// Bound on inputs read in one call, so a flood of input cannot hold the caller.
  private static let maxInputsPerCall = 256

  public init(options: TerminalOptions = TerminalOptions()) throws {
    let mouse: Int32 = options.mouse ? 1 : 0
    let result =
      if let device = options.device {
        cn_begin_on(device.inputDescriptor, device.outputDescriptor, device.type, mouse)
      } else {
        cn_begin(mouse)
      }
    switch result {
    case CN_BEGIN_OK: break
    case CN_BEGIN_NO_TTY: throw TerminalError.notATerminal
    case CN_BEGIN_ALREADY_ACTIVE: throw TerminalError.alreadyOpen
    default:
      throw TerminalError.unknownTerminalType(options.device?.type ?? getenv("TERM").map { String(cString: $0) })
    }
    self.options = options
    let available = Int(cn_colors())
    colorCount = options.colors == .none ? 0 : available
    colorMode = ColorMode(colorCount: colorCount)
    isUTF8 = cn_is_utf8() != 0
    pairs = ColorPairTable(capacity: Int(cn_color_pairs()))
    keyCodes = .current
    decoder = InputDecoder(keyCodes: keyCodes)
  }

  deinit {
    restore()
  }

  /// Columns and rows, as ncurses last measured them (updated on each resize event).
  public var size: (width: Int, height: Int) {
    (Int(cn_cols()), Int(cn_lines()))
  }

  /// Writes the cells that changed since the last frame and refreshes. After a resize, a
  /// resume or a grid of another size, everything is repainted.
  public func draw(_ grid: CellGrid) {
    guard isOpen else { return }
    if cn_take_resumed_flag() != 0 {
      previousFrame = nil
      pending.append(.resize(width: size.width, height: size.height))
    }
    if FrameDiffer.isFullRedraw(from: previousFrame, to: grid) {
      cn_clear_all()
      previousFrame = nil
    }
    let rows = Int(cn_lines())
    let columns = Int(cn_cols())
    var glyph = [Int32](repeating: 0, count: CellGlyph.maxScalars + 1)
    var style: CursesStyle?
    for run in FrameDiffer.runs(from: previousFrame, to: grid) where run.y < rows {
      write(run, of: grid, columns: columns, glyph: &glyph, style: &style)
    }
    cn_refresh()
    previousFrame = grid
  }

  /// The next key, mouse event or resize, waiting at most `timeoutMilliseconds` for input
  /// to start (0 polls). Returns nil when nothing came, so the caller can run other work.
  /// Ends the current (or next) `nextEvent` wait at once, from any thread: work finished
  /// elsewhere is drawn without waiting out the input timeout.
  public nonisolated static func wake() { cn_wake() }

  public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
    guard isOpen else { return nil }
    if cn_take_resumed_flag() != 0 {
      previousFrame = nil
      return .resize(width: size.width, height: size.height)
    }
    if !pending.isEmpty { return pending.removeFirst() }
    let timeout = Int32(clamping: max(0, timeoutMilliseconds))
    guard let first = readInput(timeoutMilliseconds: timeout, wakeable: true) else {
      pending += decoder.isPending ? decoder.flush() : []
      return pending.isEmpty ? nil : pending.removeFirst()
    }
    pending += decoder.feed(first)
    var reads = 1
    while decoder.isPending && reads < Self.maxInputsPerCall {
      reads += 1
      guard let next = readInput(timeoutMilliseconds: Self.sequenceTimeoutMilliseconds) else {
        pending += decoder.flush()
        break
      }
      pending += decoder.feed(next)
    }
    return pending.isEmpty ? nil : pending.removeFirst()
  }

  /// Repaints every cell on the next `draw` (Ctrl-L, or after something else wrote to the
  /// terminal).
  public func forceRedraw() {
    previousFrame = nil
  }

  /// False once `restore()` has run.
  public var isActive: Bool { isOpen }

  /// True once the terminal hung up (its pty closed while SIGHUP was ignored, say): no input
  /// will come, and the caller should end rather than poll a dead device.
  public private(set) var isInputClosed = false

  /// Leaves the alternate screen, turns mouse tracking off, shows the cursor and restores
  /// the terminal modes. Safe to call more than once; the terminal is unusable afterwards.
  public func restore() {
    guard isOpen else { return }
    isOpen = false
    cn_end()
  }

  /// Stops the process as Ctrl-Z does in a shell (in raw mode Ctrl-Z arrives as a key, so
  /// the UI asks for this), and returns after `fg` with the screen fully repainted on the
  /// next `draw` and a `.resize` event queued so the UI renders at the current size.
  public func suspend() {
    guard isOpen else { return }
    cn_suspend()
  }

  /// Runs `body` (an editor, say) with the terminal given back as it was before curses, and
  /// takes it over again afterwards, whatever `body` does: the process is not stopped, and the
  /// next `draw` repaints everything, with a `.resize` event queued for the current size.
  public func withTerminalReleased<Result>(_ body: () throws -> Result) rethrows -> Result {
    guard isOpen else { return try body() }
    cn_release()
    defer { cn_reclaim() }
    return try body()
  }

  /// One read; `wakeable` lets `wake()` end the wait early (never inside an escape
  /// sequence, whose parts must not be split).
  private func readInput(timeoutMilliseconds: Int32, wakeable: Bool = false) -> RawInput? {
    var value: UInt32 = 0
    let result =
      wakeable ? cn_get_wch_wakeable(timeoutMilliseconds, &value) : cn_get_wch(timeoutMilliseconds, &value)
    switch result {
    case CN_INPUT_CHAR:
      return .character(value)
    case CN_INPUT_CLOSED:
      isInputClosed = true
      return nil
    case CN_INPUT_KEYCODE:
      if Int32(bitPattern: value) == keyCodes.resize {
        previousFrame = nil
        return .resize(width: size.width, height: size.height)
      }
      return .keyCode(Int32(bitPattern: value))
    default:
      return nil
    }
  }

  /// A cell style as curses draws it, kept while consecutive cells share the style.
  private struct CursesStyle {
    var style: CellStyle
    var attributes: UInt32
    var pair: Int32
  }

  private func write(
    _ run: DrawRun, of grid: CellGrid, columns: Int, glyph: inout [Int32], style: inout CursesStyle?
  ) {
    for offset in run.cells.indices {
      let x = run.x + offset
      guard x < columns else { break }
      let cell = run.cells[offset]
      if style?.style != cell.style { style = cursesStyle(cell.style) }
      let attributes = style!.attributes
      let pair = style!.pair
      // Printable ASCII, nearly every cell, is one column drawn as it is: no width checks.
      let text: String
      if CellGlyph.isPrintableASCII(cell.text) {
        text = cell.text
      } else {
        guard let shown = glyphText(cell, at: x, row: run.y, of: grid, columns: columns) else { continue }
        text = shown
      }
      CellGlyph.fill(&glyph, for: text)
      glyph.withUnsafeBufferPointer { buffer in
        _ = cn_put_cell(Int32(run.y), Int32(x), buffer.baseAddress, attributes, pair)
      }
    }
  }

  private func cursesStyle(_ style: CellStyle) -> CursesStyle {
    let mapped = StyleMapper.map(style, mode: colorMode)
    var pairNumber = 0
    if colorMode != .none {
      let (number, isNew) = pairs.pair(foreground: mapped.foreground, background: mapped.background)
      if isNew { _ = cn_init_pair(Int32(number), Int32(mapped.foreground), Int32(mapped.background)) }
      pairNumber = number
    }
    return CursesStyle(style: style, attributes: mapped.attributes.rawValue, pair: Int32(pairNumber))
  }

  /// What a cell that is not plain ASCII shows, or nil when the wide character to its left
  /// already covers it.
  private func glyphText(_ cell: Cell, at x: Int, row y: Int, of grid: CellGrid, columns: Int) -> String? {
    var text = cell.text
    if FrameDiffer.isContinuation(cell) {
      // The wide character to the left already covers this column.
      if x > 0, let left = grid[x - 1, y].text.first, displayWidth(left) == 2 { return nil }
      text = " "
    } else if let first = text.first, displayWidth(first) == 2,
      x + 1 >= min(columns, grid.width) || !FrameDiffer.isContinuation(grid[x + 1, y])
    {
      // A wide glyph without room for its right half would shift the rest of the row.
      text = " "
    }
    return text
  }
}

@available(*, unavailable)
extension Terminal: Sendable {}
