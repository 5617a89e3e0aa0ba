import Foundation
import StagehandTestSupport
import Testing

/// Ctrl-Z hands the terminal back to the shell and `fg` brings the UI back whole; a resize
/// redraws at the new size at once.
@Suite(.serialized, .ownThreads)
struct SuspendResizeTerminalTests {
  @Test func ctrlZSuspendsAndFgResumesWhole() async throws {
    try await onOwnThread {
      let h = try CLIHarness()
      defer { h.cleanUp() }
      try h.writeStore([("prod/db", [("1111aaaa-0000-0000-0000-000000000001", ["AWSCURRENT"])])])
      let env = h.terminalEnvironment
      let tui = try TmuxSession(command: "bash --norc --noprofile -i", width: 100, height: 30, environment: env)
      defer { tui.kill() }
      try tui.sendRaw("echo READY-$((40+2))")
      try tui.sendKeys("Enter")
      try tui.waitFor("READY-42")
      try tui.sendRaw("\(CLIHarness.binary.path) --store \(h.storePath)")
      try tui.sendKeys("Enter")
      try tui.waitFor("Versions of prod/db")
      try tui.sendKeys("C-z")
      try tui.waitUntil("the shell after the suspend") { $0.contains("Stopped") || $0.contains("stopped") }
      let suspended = try tui.paneState()
      #expect(suspended.isRestored, "\(suspended)")
      try tui.sendRaw("fg")
      try tui.sendKeys("Enter")
      try tui.waitFor("Versions of prod/db")
      #expect(try !tui.paneState().isRestored, "the UI owns the terminal again")
      try tui.sendKeys("j")  // still responsive
      try tui.sendKeys("q")
      try tui.sendRaw("echo DONE-$((40+3))")
      try tui.sendKeys("Enter")
      try tui.waitFor("DONE-43")
      #expect(try tui.paneState().isRestored)
    }
  }

  @Test func resizeRedrawsAtTheNewSize() async throws {
    try await onOwnThread {
      let h = try CLIHarness()
      defer { h.cleanUp() }
      try h.writeStore([("prod/db", [("1111aaaa-0000-0000-0000-000000000001", ["AWSCURRENT"])])])
      let env = h.terminalEnvironment
      let tui = try TmuxSession(
        command: TmuxSession.reportingExit("\(CLIHarness.binary.path) --store \(h.storePath)"), width: 100, height: 30,
        environment: env)
      defer { tui.kill() }
      try tui.waitFor("Versions of prod/db")
      try tui.resize(width: 70, height: 20)
      try tui.waitFor("Terminal too small")
      try tui.resize(width: 130, height: 40)
      let wide = try tui.waitFor("Versions of prod/db")
      let header = try #require(wide.split(separator: "\n").first)
      #expect(header.count > 100, "the header spans the new width")
      try tui.sendKeys("q")
      // tmux 3.3 leaves stale cells on its main screen after a pane grew while the alternate
      // screen was on, so the exit line is looked for anywhere and the modes are what count.
      try tui.waitUntil("the exit report") { $0.contains("[exit 0]") }
      #expect(try tui.paneState().isRestored)
    }
  }
}
