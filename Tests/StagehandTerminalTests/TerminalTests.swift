import Foundation
import StagehandTestSupport
import StagehandUI
import Testing

@testable import StagehandTerminal

/// `Terminal` against real ncurses on a pseudo-terminal: what reaches the terminal, what
/// comes back as events, and that everything is given back. (ncurses state is process-wide,
/// so one terminal at a time.)
@Suite("Terminal", .serialized, .ownThreads)
struct TerminalTests {
  private func open(_ pty: PseudoTerminal, colors: TerminalOptions.Colors = .auto) throws -> Terminal {
    try Terminal(
      options: TerminalOptions(
        mouse: true, colors: colors,
        device: TerminalDevice(inputDescriptor: pty.follower, outputDescriptor: pty.follower, type: "xterm-256color")))
  }

  private func events(_ terminal: Terminal, count: Int) -> [TerminalEvent] {
    var events: [TerminalEvent] = []
    var attempts = 0
    while events.count < count && attempts < 40 {
      attempts += 1
      if let event = terminal.nextEvent(timeoutMilliseconds: 100) { events.append(event) }
    }
    return events
  }

  /// Every number in the `ESC [ ... m` sequences of `output`.
  private func selectGraphicRenditionParameters(in output: String) -> Set<Int> {
    var numbers: Set<Int> = []
    var rest = Substring(output)
    while let start = rest.range(of: "\u{1B}[") {
      let body = rest[start.upperBound...].prefix { $0.isNumber || $0 == ";" }
      let after = rest[start.upperBound...].dropFirst(body.count)
      if after.first == "m" {
        numbers.formUnion(body.split(separator: ";").compactMap { Int($0) })
      }
      rest = after
    }
    return numbers
  }

  /// A wake from another thread ends an input wait long before its timeout, and never
  /// costs a key that was already typed.
  @Test func wakeEndsTheInputWaitWithoutLosingKeys() throws {
    let pty = try PseudoTerminal()
    let terminal = try open(pty)
    defer { terminal.restore() }
    _ = pty.readOutput()
    let started = Date()
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { Terminal.wake() }
    #expect(terminal.nextEvent(timeoutMilliseconds: 60_000) == nil)
    #expect(Date().timeIntervalSince(started) < 30, "the wait ended by the wake, not by its 60 s timeout")

    pty.type("a")
    Terminal.wake()
    #expect(events(terminal, count: 1) == [.key(.char("a"))])
    // A wake left over from before the wait ends it at once, and the next wait is normal.
    Terminal.wake()
    #expect(terminal.nextEvent(timeoutMilliseconds: 60_000) == nil)
    pty.type("b")
    #expect(terminal.nextEvent(timeoutMilliseconds: 10_000) == .key(.char("b")))
  }

  @Test func entersAndLeavesTheTerminalWhole() throws {
    let pty = try PseudoTerminal()
    let modesBefore = pty.localModes()
    #expect(modesBefore & tcflag_t(ICANON | ECHO) == tcflag_t(ICANON | ECHO))

    let terminal = try open(pty)
    let setup = pty.readOutput()
    #expect(setup.contains("\u{1B}[?1049h"))
    #expect(setup.contains("\u{1B}[?1003h\u{1B}[?1006h"))
    #expect(setup.contains("\u{1B}[?25l"))
    #expect(pty.localModes() & tcflag_t(ICANON | ECHO | ISIG) == 0)
    #expect(terminal.isActive)

    terminal.restore()
    let teardown = pty.readOutput()
    #expect(teardown.contains("\u{1B}[?1003l"))
    #expect(teardown.contains("\u{1B}[?1006l"))
    #expect(teardown.contains("\u{1B}[?1049l"))
    #expect(teardown.contains("\u{1B}[?25h"))
    #expect(pty.localModes() == modesBefore)
    #expect(!terminal.isActive)

    terminal.restore()
    #expect(pty.readOutput(quietMilliseconds: 50).isEmpty)
    #expect(terminal.nextEvent(timeoutMilliseconds: 0) == nil)
  }

  @Test func drawsOnlyWhatChanged() throws {
    let pty = try PseudoTerminal()
    let terminal = try open(pty)
    defer { terminal.restore() }
    _ = pty.readOutput()
    #expect(terminal.size.width == 80)
    #expect(terminal.size.height == 24)
    #expect(terminal.colorCount == 256)
    #expect(terminal.colorMode == .sixteen)

    var grid = CellGrid(width: 80, height: 24)
    grid.put("hello world", x: 0, y: 0)
    grid.put("status line", x: 0, y: 23, style: CellStyle(fg: .brightRed, bold: true))
    terminal.draw(grid)
    let first = pty.readOutput()
    #expect(first.contains("hello world"))
    #expect(first.contains("status line"))
    #expect(first.contains("\u{1B}[91m") || first.contains("\u{1B}[38;5;9m"))

    grid[6, 0] = Cell("W")
    terminal.draw(grid)
    let second = pty.readOutput()
    #expect(second.contains("W"))
    #expect(!second.contains("hello"))
    #expect(!second.contains("status"))

    terminal.draw(grid)
    #expect(!pty.readOutput().contains("hello"))

    terminal.forceRedraw()
    terminal.draw(grid)
    let repainted = pty.readOutput()
    #expect(repainted.contains("hello World"))
    #expect(repainted.contains("status line"))
  }

  @Test func noColorKeepsAttributesOnly() throws {
    let pty = try PseudoTerminal()
    let terminal = try open(pty, colors: .none)
    defer { terminal.restore() }
    _ = pty.readOutput()
    #expect(terminal.colorCount == 0)
    #expect(terminal.colorMode == .none)
    var grid = CellGrid(width: 80, height: 24)
    grid.put("chip", x: 0, y: 0, style: CellStyle(fg: .green, bg: .blue, reverse: true))
    terminal.draw(grid)
    let output = pty.readOutput()
    #expect(output.contains("chip"))
    let parameters = selectGraphicRenditionParameters(in: output)
    #expect(parameters.contains(7))
    #expect(parameters.isDisjoint(with: Set(30...49).subtracting([39, 49])))
  }

  @Test func decodesKeysAndMouseFromTheTerminal() throws {
    let pty = try PseudoTerminal()
    let terminal = try open(pty)
    defer { terminal.restore() }
    _ = pty.readOutput()

    pty.type("\u{1B}[<0;5;3M\u{1B}[<32;7;4M\u{1B}[<0;8;4m\u{1B}[<65;1;1M")
    #expect(
      events(terminal, count: 4) == [
        .mouse(MouseEvent(.press(button: 1), x: 4, y: 2)), .mouse(MouseEvent(.drag(button: 1), x: 6, y: 3)),
        .mouse(MouseEvent(.release(button: 1), x: 7, y: 3)), .mouse(MouseEvent(.wheelDown, x: 0, y: 0)),
      ])

    // Application-mode cursor keys (what keypad mode asks xterm for) go through ncurses;
    // normal-mode ones through the decoder.
    pty.type("\u{1B}OA\u{1B}[Bq\u{3}\r\t\u{7F}\u{1B}[5~\u{1B}OP")
    #expect(
      events(terminal, count: 9) == [
        .key(.up), .key(.down), .key(.char("q")), .key(.ctrl("c")), .key(.enter), .key(.tab), .key(.backspace),
        .key(.pageUp), .key(.function(1)),
      ])

    pty.type("\u{1B}")
    #expect(events(terminal, count: 1) == [.key(.escape)])
    #expect(terminal.nextEvent(timeoutMilliseconds: 50) == nil)
  }

  @Test func reportsTheNewSizeOnResize() throws {
    let pty = try PseudoTerminal()
    try pty.resize(columns: 80, rows: 24)
    let terminal = try open(pty)
    defer { terminal.restore() }
    _ = pty.readOutput()
    try pty.resize(columns: 100, rows: 30)
    kill(getpid(), SIGWINCH)
    #expect(events(terminal, count: 1) == [.resize(width: 100, height: 30)])
    #expect(terminal.size.width == 100)
    #expect(terminal.size.height == 30)
  }
}
