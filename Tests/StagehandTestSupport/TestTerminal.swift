import Foundation
import StagehandTerminal
import StagehandUI

/// A terminal for in-process end-to-end tests, as ratatui's TestBackend is for its
/// `Backend`: the real event loop draws into it and reads the events a test sends.
///
/// It keeps the text of every grid it is asked to draw (`CellGrid.text`), plays the events
/// sent with `send` (keys, mouse presses, drags and releases, resizes) in order, and lets a
/// test wait until the last drawn screen meets a condition. Nothing is polled: a draw checks
/// the waiting conditions, and `send` and `waker` end the loop's input wait as typed keys
/// and effect results end ncurses' wait.
///
/// ```swift
/// let terminal = TestTerminal(width: 110, height: 32)
/// // the runner on the main actor, drawing into `terminal` ...
/// try await terminal.waitFor("Versions of prod/db")
/// terminal.press(.enter, .char("c"))
/// try await terminal.waitFor("(automatic)")
/// try await terminal.quit()
/// ```
public final class TestTerminal: TerminalBackend, @unchecked Sendable {
  public enum Failure: Error, CustomStringConvertible {
    case timedOut(waitingFor: String, screen: String)
    /// The loop gave the terminal back while a test was still waiting for a screen.
    case ended(waitingFor: String, screen: String)

    public var description: String {
      switch self {
      case .timedOut(let what, let screen): return "timed out waiting for \(what); the screen shows:\n\(screen)"
      case .ended(let what, let screen):
        return "the UI ended while waiting for \(what); the last screen was:\n\(screen)"
      }
    }
  }

  public let colorCount: Int
  public let isUTF8: Bool

  /// Guards everything below: the loop calls in on the main actor, the test from its own task
  /// and effect tasks through `waker`.
  private let condition = NSCondition()
  private var events: [TerminalEvent] = []
  private var woken = false
  private var inputClosed = false
  private var currentSize: (width: Int, height: Int)
  private var drawn: [String] = []
  private var restored = false
  private var suspensions = 0
  private var releases = 0
  private var waiters: [Waiter] = []

  private struct Waiter {
    enum Goal {
      case screen(@Sendable (String) -> Bool)
      case restore
    }

    var id: Int
    var description: String
    var goal: Goal
    var continuation: CheckedContinuation<String, any Error>
    var timer: Task<Void, Never>
  }

  private var nextWaiterID = 0

  public init(width: Int = 110, height: Int = 32, colorCount: Int = 256, isUTF8: Bool = true) {
    currentSize = (width, height)
    self.colorCount = colorCount
    self.isUTF8 = isUTF8
  }

  // MARK: TerminalBackend, called by the event loop

  public var size: (width: Int, height: Int) { condition.withLock { currentSize } }

  public var isInputClosed: Bool { condition.withLock { inputClosed } }

  public func draw(_ grid: CellGrid) {
    let text = grid.text
    let ready = condition.withLock {
      drawn.append(text)
      return take { waiter in
        if case .screen(let met) = waiter.goal { return met(text) }
        return false
      }
    }
    for waiter in ready { waiter.continuation.resume(returning: text) }
  }

  /// How long a test waits for a screen, a restore or the end: generous, because the whole
  /// suite runs these loops beside hundreds of other tests on two cores, and effect tasks
  /// then wait their turn on the cooperative pool. A screen that never comes still fails.
  public static let defaultWait: Duration = .seconds(90)

  /// The next event sent, waiting at most the timeout for one (and at most 20 ms); a wake
  /// ends the wait early.
  ///
  /// The loop blocks its actor while it waits. In the app that is fine: one loop owns the
  /// main actor and sleeps until the next minute when idle. Here every UI test's loop runs
  /// on the one main actor of the test process at once, so a long wait in one would stall the
  /// others; 20 ms lets them take turns.
  public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
    condition.lock()
    defer { condition.unlock() }
    let deadline = Date(timeIntervalSinceNow: Double(min(20, max(0, timeoutMilliseconds))) / 1_000)
    while events.isEmpty && !woken && !restored && condition.wait(until: deadline) {}
    guard !events.isEmpty else {
      woken = false
      return nil
    }
    let event = events.removeFirst()
    // As ncurses measures the new size before it reports the resize.
    if case .resize(let width, let height) = event { currentSize = (width, height) }
    return event
  }

  /// Counts the suspension; as after `fg`, the current size is reported next.
  public func suspend() {
    condition.withLock {
      suspensions += 1
      events.insert(.resize(width: currentSize.width, height: currentSize.height), at: 0)
    }
  }

  /// Counts the hand-over and runs `body`; as after a suspension, the current size is
  /// reported next.
  public func withTerminalReleased<Result>(_ body: () throws -> Result) rethrows -> Result {
    condition.withLock { releases += 1 }
    defer {
      condition.withLock { events.insert(.resize(width: currentSize.width, height: currentSize.height), at: 0) }
    }
    return try body()
  }

  public func restore() {
    let waiting = condition.withLock {
      restored = true
      condition.broadcast()
      return take { _ in true }
    }
    let screen = self.screen
    for waiter in waiting {
      if case .restore = waiter.goal {
        waiter.continuation.resume(returning: screen)
      } else {
        waiter.continuation.resume(throwing: Failure.ended(waitingFor: waiter.description, screen: screen))
      }
    }
  }

  public var waker: @Sendable () -> Void {
    { [weak self] in self?.wake() }
  }

  // MARK: What the test does

  /// Plays `events` to the loop, in order, after any sent before.
  public func send(_ events: [TerminalEvent]) {
    condition.withLock {
      self.events += events
      condition.broadcast()
    }
  }

  public func send(_ events: TerminalEvent...) { send(events) }

  public func press(_ keys: Key...) { send(keys.map { .key($0) }) }

  /// Each character of `text` as a key press.
  public func type(_ text: String) { send(text.map { .key(.char($0)) }) }

  /// The left button pressed at `from`, moved through every cell on the way to `to`, and
  /// released there, as a terminal reports a drag.
  public func drag(from: (x: Int, y: Int), to: (x: Int, y: Int)) {
    let path = MousePath.points(from: from, to: to)
    send(
      [.mouse(MouseEvent(.press(button: 1), x: from.x, y: from.y))]
        + path.dropFirst().map { .mouse(MouseEvent(.drag(button: 1), x: $0.x, y: $0.y)) }
        + [.mouse(MouseEvent(.release(button: 1), x: to.x, y: to.y))])
  }

  /// A resize to `width` x `height`, reported as ncurses reports one.
  public func resize(width: Int, height: Int) { send(.resize(width: width, height: height)) }

  /// From now on no input comes, as when the terminal hangs up.
  public func hangUp() {
    condition.withLock {
      inputClosed = true
      condition.broadcast()
    }
  }

  /// Ends the current or next input wait, as an effect posting its result does.
  public func wake() {
    condition.withLock {
      woken = true
      condition.broadcast()
    }
  }

  /// The text of the last grid drawn ("" before the first).
  public var screen: String { condition.withLock { drawn.last ?? "" } }

  /// The text of every grid drawn, in order.
  public var frames: [String] { condition.withLock { drawn } }

  /// True once the loop gave the terminal back.
  public var isRestored: Bool { condition.withLock { restored } }

  /// How often the loop suspended the process (Ctrl-Z).
  public var suspendCount: Int { condition.withLock { suspensions } }

  /// How often the loop gave the terminal to an external program (`$EDITOR`).
  public var releaseCount: Int { condition.withLock { releases } }

  /// How many grids have been drawn: a mark for `waitFor(_:since:)`.
  public var frameCount: Int { condition.withLock { drawn.count } }

  /// Waits until the last drawn screen contains `text`; returns that screen.
  ///
  /// With `since`, any screen drawn from that mark on counts, so a screen that came and went
  /// between a key press and this call is still seen.
  @discardableResult
  public func waitFor(
    _ text: String, since mark: Int? = nil, timeout: Duration = TestTerminal.defaultWait
  ) async throws -> String {
    try await waitUntil("\"\(text)\"", since: mark, timeout: timeout) { $0.contains(text) }
  }

  /// Waits until the last drawn screen (or, with `since`, any screen drawn from that mark on)
  /// meets `condition`, at once if one already does; returns that screen. The timeout only
  /// bounds a broken test: it fails instead of hanging.
  @discardableResult
  public func waitUntil(
    _ description: String, since mark: Int? = nil, timeout: Duration = TestTerminal.defaultWait,
    _ condition: @escaping @Sendable (String) -> Bool
  ) async throws -> String {
    try await wait(description, .screen(condition), since: mark, timeout: timeout)
  }

  /// Waits until the loop has given the terminal back; returns the last screen.
  @discardableResult
  public func waitForRestore(timeout: Duration = TestTerminal.defaultWait) async throws -> String {
    try await wait("the terminal to be restored", .restore, timeout: timeout)
  }

  /// Presses `q` and waits until the loop has ended and given the terminal back.
  public func quit(timeout: Duration = TestTerminal.defaultWait) async throws {
    press(.char("q"))
    try await waitForRestore(timeout: timeout)
  }

  private func wait(
    _ description: String, _ goal: Waiter.Goal, since mark: Int? = nil, timeout: Duration
  ) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
      condition.lock()
      let last = drawn.last ?? ""
      let seen = mark.map { Array(drawn.dropFirst(max(0, $0))) } ?? [last]
      switch goal {
      case .screen(let met) where seen.contains(where: met):
        let screen = seen.first(where: met) ?? last
        condition.unlock()
        continuation.resume(returning: screen)
        return
      case .restore where restored:
        condition.unlock()
        continuation.resume(returning: last)
        return
      case .screen where restored:
        condition.unlock()
        continuation.resume(throwing: Failure.ended(waitingFor: description, screen: last))
        return
      default:
        break
      }
      nextWaiterID += 1
      let id = nextWaiterID
      let timer = Task { [weak self] in
        try? await Task.sleep(for: timeout)
        if !Task.isCancelled { self?.expire(id) }
      }
      waiters.append(
        Waiter(id: id, description: description, goal: goal, continuation: continuation, timer: timer))
      condition.unlock()
    }
  }

  private func expire(_ id: Int) {
    let expired = condition.withLock { take { $0.id == id } }
    let screen = self.screen
    for waiter in expired {
      waiter.continuation.resume(throwing: Failure.timedOut(waitingFor: waiter.description, screen: screen))
    }
  }

  /// Removes and returns the waiters `matches` picks, their timers stopped. Called locked;
  /// the caller resumes them after unlocking.
  private func take(_ matches: (Waiter) -> Bool) -> [Waiter] {
    let taken = waiters.filter(matches)
    waiters.removeAll(where: matches)
    for waiter in taken { waiter.timer.cancel() }
    return taken
  }
}
