import Foundation
import StagehandTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The real binary in a real terminal (tmux) ended by a crash or by an error: afterwards the
/// pane is normal (main screen, cursor shown, mouse tracking off) and `stty` in the same
/// pane finds echo and canonical input back on.
@Suite(.serialized, .ownThreads)
struct ForcedExitTerminalTests {
  static let version = "1111aaaa-0000-0000-0000-000000000001"

  func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    try h.writeStore([("prod/db", [(Self.version, ["AWSCURRENT"])])])
    return h
  }

  func launch(_ command: String, _ h: CLIHarness, backtrace: String? = nil) throws -> TmuxSession {
    var env = h.terminalEnvironment
    if let backtrace { env["SWIFT_BACKTRACE"] = backtrace }
    return try TmuxSession(
      command: TmuxSession.reportingExitAndTerminalModes(command), width: 100, height: 30, environment: env)
  }

  /// SIGABRT (abort), SIGSEGV and SIGBUS (bad memory access), and SIGILL and SIGTRAP (what a
  /// Swift runtime trap raises: fatalError, a failed precondition, nil force-unwrapped) sent
  /// to the running UI: the crash handler restores the terminal, then the process dies of
  /// the signal, as the exit status shows. Swift's backtracer still runs after the handler,
  /// but without symbolication: reading a debug binary's symbols takes 2 s on an idle
  /// machine and passed the 60 s wait on a loaded 2-core CI runner.
  @Test(arguments: [SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP])
  func crashesGiveTheTerminalBack(signal: Int32) async throws {
    try await onOwnThread {
      let h = try harness()
      defer { h.cleanUp() }
      let pidFile = h.directory.appendingPathComponent("pid").path
      // No core file: the signals are sent, not real faults.
      let tui = try launch(
        "sh -c 'ulimit -c 0; echo $$ > \(pidFile); exec \(CLIHarness.binary.path) --store \(h.storePath)'", h,
        backtrace: "interactive=no,symbolicate=off")
      defer { tui.kill() }
      try tui.waitFor("Versions of prod/db")
      #expect(try !tui.paneState().isRestored, "the UI owns the terminal before the crash")
      try tui.expectDeathBy(signal, pidFile: pidFile)
    }
  }

  /// The terminal goes away while SIGHUP is ignored (as under nohup): every read of the
  /// closed pty fails at once. The UI ends instead of spinning on it, and the store is as
  /// it was.
  @Test func aTerminalThatGoesAwayWithoutSIGHUPEndsTheUI() async throws {
    try await onOwnThread {
      let h = try harness()
      defer { h.cleanUp() }
      let before = try h.storeData()
      let pidFile = h.directory.appendingPathComponent("pid").path
      let tui = try launch(
        "sh -c 'trap \"\" HUP; echo $$ > \(pidFile); exec \(CLIHarness.binary.path) --store \(h.storePath)'", h)
      try tui.waitFor("Versions of prod/db")
      let text = try String(contentsOfFile: pidFile, encoding: .utf8)
      let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
      #expect(Self.isRunning(pid))
      tui.kill()
      // Bounded wait so a spinning UI fails the test instead of hanging it; no timing is asserted.
      let deadline = ContinuousClock.now + .seconds(20)
      while Self.isRunning(pid) && ContinuousClock.now < deadline { usleep(50_000) }
      let stillRunning = Self.isRunning(pid)
      if stillRunning { kill(pid, SIGKILL) }
      #expect(!stillRunning, "the UI kept running after its terminal went away")
      #expect(try h.storeData() == before)
    }
  }

  /// Alive and not a zombie (a reparented child may wait unreaped).
  static func isRunning(_ pid: Int32) -> Bool {
    #if os(Linux)
      guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return false }
      let state = stat[stat.index(close, offsetBy: 2)...].first
      return state != "Z" && state != "X"
    #else
      // No /proc on Darwin: the kernel's process table says the same.
      var info = kinfo_proc()
      var size = MemoryLayout<kinfo_proc>.stride
      var name: [Int32] = [CTL_KERN, KERN_PROC, KERN_PROC_PID, pid]
      guard sysctl(&name, u_int(name.count), &info, &size, nil, 0) == 0, size > 0 else { return false }
      return Int32(info.kp_proc.p_stat) != SZOMB
    #endif
  }

  /// The UI cannot start: a terminal type with no terminfo entry, or a store that is not
  /// valid JSON. The command exits 1 with a message saying what is wrong, and the pane is
  /// as it was.
  @Test(arguments: ["unknown terminal", "corrupt store"])
  func anErrorExitLeavesThePaneNormal(cause: String) async throws {
    try await onOwnThread {
      let h = try harness()
      defer { h.cleanUp() }
      var command = "\(CLIHarness.binary.path) --store \(h.storePath)"
      let message: String
      if cause == "unknown terminal" {
        command = "TERM=no-such-terminal " + command
        message = "Can't open the terminal UI"
      } else {
        try Data("{\"formatVersion\": 1, \"secrets\": [".utf8).write(to: URL(fileURLWithPath: h.storePath))
        message = "is not valid JSON"
      }
      let tui = try launch(command, h)
      defer { tui.kill() }
      #expect(try tui.waitForExitReport() == 1)
      let screen = try tui.capture()
      #expect(screen.replacingOccurrences(of: "\n", with: "").contains(message), "\(screen)")
      #expect(try tui.waitForTerminalModes() == ["echo", "icanon"])
      let state = try tui.paneState()
      #expect(state.isRestored, "\(state)")
    }
  }
}
