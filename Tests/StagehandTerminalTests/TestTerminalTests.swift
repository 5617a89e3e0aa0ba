import StagehandTestSupport
import StagehandUI
import Testing

/// The test terminal the in-process end-to-end tests drive the event loop with: events in
/// order, wakes, waiting for a screen, and the end of the UI.
@Suite("TestTerminal", .ownThreads)
struct TestTerminalTests {
  func grid(_ text: String) -> CellGrid {
    var grid = CellGrid(width: 20, height: 2)
    grid.put(text, x: 0, y: 1)
    return grid
  }

  @Test func playsEventsInOrderAndTracksTheSize() {
    let terminal = TestTerminal(width: 100, height: 30)
    terminal.press(.char("j"), .enter)
    terminal.type("ab")
    terminal.resize(width: 70, height: 20)
    var events: [TerminalEvent] = []
    while let event = terminal.nextEvent(timeoutMilliseconds: 0) { events.append(event) }
    #expect(
      events == [
        .key(.char("j")), .key(.enter), .key(.char("a")), .key(.char("b")), .resize(width: 70, height: 20),
      ])
    #expect(terminal.size.width == 70)
    #expect(terminal.size.height == 20)
  }

  @Test func dragsThroughEveryCellOnTheWay() {
    let terminal = TestTerminal()
    terminal.drag(from: (4, 2), to: (4, 5))
    var events: [TerminalEvent] = []
    while let event = terminal.nextEvent(timeoutMilliseconds: 0) { events.append(event) }
    #expect(
      events == [
        .mouse(MouseEvent(.press(button: 1), x: 4, y: 2)), .mouse(MouseEvent(.drag(button: 1), x: 4, y: 3)),
        .mouse(MouseEvent(.drag(button: 1), x: 4, y: 4)), .mouse(MouseEvent(.drag(button: 1), x: 4, y: 5)),
        .mouse(MouseEvent(.release(button: 1), x: 4, y: 5)),
      ])
  }

  /// A wake, from any thread, ends the input wait (a long timeout would otherwise hold the
  /// test), and keys sent before it are not lost.
  @Test func aWakeEndsTheWaitWithoutLosingEvents() {
    let terminal = TestTerminal()
    terminal.waker()
    #expect(terminal.nextEvent(timeoutMilliseconds: 600_000) == nil)
    terminal.press(.char("a"))
    terminal.waker()
    #expect(terminal.nextEvent(timeoutMilliseconds: 600_000) == .key(.char("a")))
    #expect(terminal.nextEvent(timeoutMilliseconds: 600_000) == nil)
  }

  /// As after `fg`, the size is reported again.
  @Test func aSuspensionIsCountedAndFollowedByTheSize() {
    let terminal = TestTerminal(width: 90, height: 25)
    terminal.press(.char("j"))
    terminal.suspend()
    #expect(terminal.suspendCount == 1)
    #expect(terminal.nextEvent(timeoutMilliseconds: 0) == .resize(width: 90, height: 25))
    #expect(terminal.nextEvent(timeoutMilliseconds: 0) == .key(.char("j")))
  }

  @Test func waitsForADrawnScreen() async throws {
    let terminal = TestTerminal()
    terminal.draw(grid("loading"))
    let shown = Task { try await terminal.waitFor("Preview") }
    terminal.draw(grid("still loading"))
    terminal.draw(grid("Preview"))
    #expect(try await shown.value.contains("Preview"))
    #expect(terminal.frames.count == 3)
    // Already on the screen: at once.
    #expect(try await terminal.waitFor("Preview").contains("Preview"))
  }

  @Test func aWaitEndsWhenTheUIEndsOrTimesOut() async throws {
    let terminal = TestTerminal()
    terminal.draw(grid("Versions"))
    await #expect(throws: TestTerminal.Failure.self) {
      try await terminal.waitFor("never shown", timeout: .milliseconds(1))
    }
    let waiting = Task { try await terminal.waitFor("never shown") }
    terminal.restore()
    await #expect(throws: TestTerminal.Failure.self) { try await waiting.value }
    #expect(try await terminal.waitForRestore().contains("Versions"))
    #expect(terminal.isRestored)
  }
}
