import Foundation
import StagehandTestSupport
import Testing

/// Exercises the tmux harness on plain shell commands, so a failing end-to-end test of the
/// real binary can be told apart from a broken harness.
@Suite("TmuxSession", .ownThreads)
struct TmuxSessionTests {
  @Test func capturesOutputAndTracksTerminalModes() async throws {
    try await onOwnThread {
      let script = [
        "printf 'first screen\\n'",
        "printf '\\033[?1049h\\033[?25l\\033[?1003h\\033[?1006h'",
        "printf 'on the alternate screen\\n'",
        "read line",
        "printf '\\033[?1003l\\033[?1006l\\033[?25h\\033[?1049l'",
        "echo \"got:$line\"",
        "exit 3",
      ].joined(separator: "; ")
      let session = try TmuxSession(command: TmuxSession.reportingExit(script), width: 100, height: 30)
      defer { session.kill() }

      let screen = try session.waitFor("on the alternate screen")
      #expect(!screen.contains("first screen"))
      let inside = try session.paneState()
      #expect(inside.alternateScreen)
      #expect(!inside.cursorVisible)
      #expect(inside.mouseAnyMotion)
      #expect(inside.mouseSGR)
      #expect(inside.width == 100)
      #expect(inside.height == 30)
      #expect(!inside.isRestored)

      try session.sendRaw("a b")
      try session.sendKeys("Enter")
      #expect(try session.waitForExitReport() == 3)
      let final = try session.paneState()
      #expect(final.isRestored)
      #expect(!final.dead)
      let after = try session.capture()
      #expect(after.contains("first screen"))
      #expect(after.contains("got:a b"))
    }
  }

  @Test func sendsExactBytesAndMouseReports() async throws {
    try await onOwnThread {
      let session = try TmuxSession(
        command: "stty -icanon -echo; printf 'ready\\n'; head -c 20 | od -An -c | tr -s ' '; printf 'done\\n'; sleep 30"
      )
      defer { session.kill() }
      try session.waitFor("ready")
      try session.sendBytes([0x01, 0x7F])
      try session.sendSGRMouse(button: 0, x: 4, y: 2)
      try session.sendSGRMouse(button: 0, x: 4, y: 2, release: true)
      let screen = try session.waitFor("done")
      let dump = screen.split(separator: "\n").drop { $0 == "ready" }.prefix { !$0.contains("done") }.joined(
        separator: " ")
      let tokens = dump.split(separator: " ").map(String.init)
      let report = ["033", "[", "<", "0", ";", "5", ";", "3"]
      #expect(tokens == ["001", "177"] + report + ["M"] + report + ["m"])
    }
  }

  @Test func buildsDragReportsAlongThePath() async throws {
    try await onOwnThread {
      #expect(
        TmuxSession.sgrDragReports(from: (2, 5), to: (2, 8)) == [
          "\u{1B}[<0;3;6M", "\u{1B}[<32;3;7M", "\u{1B}[<32;3;8M", "\u{1B}[<32;3;9M", "\u{1B}[<0;3;9m",
        ])
      #expect(TmuxSession.sgrDragReports(from: (1, 1), to: (1, 1)) == ["\u{1B}[<0;2;2M", "\u{1B}[<0;2;2m"])
    }
  }

  @Test func passesTheEnvironmentToThePane() async throws {
    try await onOwnThread {
      let session = try TmuxSession(
        command: "echo \"[$STAGEHAND_PROBE][$SWIFT_BACKTRACE][$TERM]\"; sleep 30",
        environment: ["STAGEHAND_PROBE": "x y"]
      )
      defer { session.kill() }
      try session.waitFor("[x y][interactive=no][tmux-256color]")
    }
  }

  @Test func reportsResizesAndSignals() async throws {
    try await onOwnThread {
      let session = try TmuxSession(
        command: "trap 'echo resized' WINCH; while :; do sleep 0.05; done", width: 80, height: 24)
      defer { session.kill() }
      #expect(try session.paneState().width == 80)
      try session.resize(width: 90, height: 26)
      try session.waitFor("resized")
      let resized = try session.paneState()
      #expect(resized.width == 90)
      #expect(resized.height == 26)
      Foundation.kill(try session.panePID(), SIGTERM)
      let final = try session.waitForExit()
      #expect(final.dead)
      #expect(final.exitSignal == Int(SIGTERM) || final.exitStatus == 128 + Int(SIGTERM))
    }
  }
}
