import Foundation
import StagehandTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The real binary in a real terminal (tmux) on an embedded store: a label moved by a mouse
/// drag (the binary's own mouse tracking, SGR reports decoded from a real terminal), and the
/// terminal given back on every exit path. Keys, previews, commits and dry runs are
/// StagehandAppEndToEndTests' in process.
@Suite(.serialized, .ownThreads)
struct TUITerminalTests {
  static let current = StagingStore.current
  static let previous = StagingStore.previous
  static let pending = StagingStore.pending

  func harness() throws -> CLIHarness { try StagingStore.harness() }

  func launch(_ h: CLIHarness, pidFile: String? = nil) throws -> TmuxSession {
    var command = "\(CLIHarness.binary.path) --store \(h.storePath)"
    if let pidFile { command = "sh -c 'echo $$ > \(pidFile); exec \(command)'" }
    let env = h.terminalEnvironment
    return try TmuxSession(
      command: TmuxSession.reportingExitAndTerminalModes(command), width: 110, height: 32, environment: env)
  }

  /// Waits until DescribeSecret has filled in prod/db's versions (dates shown, final
  /// order), so keys act on the rows the test expects.
  @discardableResult
  func waitForVersions(_ tui: TmuxSession) throws -> String {
    try tui.waitUntil("prod/db's versions with dates") { screen in
      [Self.current, Self.previous, Self.pending].allSatisfy { id in
        screen.split(separator: "\n").contains { $0.contains(id.prefix(8)) && !$0.contains("\(id.prefix(8)) -") }
      }
    }
  }

  /// Presses `key` until the screen shows `expected`. The embedded store lists versions
  /// with their dates, so only the UI can tell that DescribeSecret is done: until then a
  /// changing key is refused with "versions are still loading", and pressed again.
  @discardableResult
  func press(_ key: String, until expected: String, in tui: TmuxSession) throws -> String {
    for _ in 0..<50 {
      try tui.sendKeys(key)
      let screen = try tui.waitUntil("\(expected) or a refusal") {
        $0.contains(expected) || $0.contains("still loading")
      }
      if screen.contains(expected) { return screen }
      usleep(100_000)
    }
    return try tui.waitFor(expected)
  }

  @Test func moveAWSCURRENTByMouseDrag() async throws {
    try await onOwnThread {
      let h = try harness()
      defer { h.cleanUp() }
      let tui = try launch(h)
      defer { tui.kill() }
      try waitForVersions(tui)
      try tui.sendKeys("Enter")
      try press("c", until: "(automatic)", in: tui)  // versions described; this preview is cancelled
      try tui.sendKeys("Escape")
      let screen = try tui.waitUntil("the preview to close") { !$0.contains("(automatic)") }
      let chip = try #require(ScreenText.locate("[AWSCURRENT]", in: screen))
      let target = try #require(ScreenText.locate("[AWSPREVIOUS]", in: screen))
      try tui.dragMouse(from: (chip.x + 2, chip.y), to: (chip.x + 2, target.y))
      // A capture can land while the frame is still being written: wait for the whole preview.
      let preview = try tui.waitUntil("the preview with its commit hint") {
        $0.contains("(automatic)") && $0.contains("commit")
      }
      #expect(preview.contains("y: commit") || preview.contains("commit"))
      try tui.sendKeys("y")
      try tui.waitFor("AWSCURRENT -> 2222bbbb")
      #expect(
        try h.labels(of: "prod/db") == [
          Self.previous: ["AWSCURRENT"], Self.current: ["AWSPREVIOUS"], Self.pending: ["AWSPENDING"],
        ])
      try tui.sendKeys("q")
      #expect(try tui.waitForExitReport() == 0)
      #expect(try tui.paneState().isRestored)
    }
  }

  @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
  func signalsGiveTheTerminalBack(signal: Int32) async throws {
    try await onOwnThread {
      let h = try harness()
      defer { h.cleanUp() }
      let pidFile = h.directory.appendingPathComponent("pid").path
      let tui = try launch(h, pidFile: pidFile)
      defer { tui.kill() }
      try tui.waitFor("Versions of prod/db")
      try tui.expectDeathBy(signal, pidFile: pidFile)
    }
  }
}

/// kill(2), under a name `TmuxSession.kill()` does not hide.
private func send(_ signal: Int32, to pid: Int32) -> Int32 { kill(pid, signal) }

extension TmuxSession {
  /// Sends `signal` to the process whose id `pidFile` holds (the pane's command runs under
  /// `reportingExitAndTerminalModes`), then checks that it died of that signal and left the
  /// pane normal, echo and canonical input on.
  func expectDeathBy(_ signal: Int32, pidFile: String) throws {
    let pid = try #require(
      Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(send(signal, to: pid) == 0)
    #expect(try waitForExitReport() == 128 + Int(signal))
    #expect(try waitForTerminalModes() == ["echo", "icanon"])
    let state = try paneState()
    #expect(state.isRestored, "\(state)")
  }
}

/// Names, descriptions and labels are data: planted escape sequences must not retitle the
/// pane, write the clipboard, clear the screen or reorder text.
@Suite(.serialized, .ownThreads)
struct HostileNamesTerminalTests {
  @Test func plantedControlSequencesStayInert() async throws {
    try await onOwnThread {
      let h = try CLIHarness()
      defer { h.cleanUp() }
      let title = "\u{1B}]2;PWNED-TITLE\u{07}"
      let clipboard = "\u{1B}]52;c;UFdORUQ=\u{07}"
      let clear = "\u{1B}[2J\u{1B}[H"
      try h.writeStore([
        ("evil\(title)name", [("1111aaaa-0000-0000-0000-000000000001", ["AWSCURRENT", "rel\(clear)ease"])]),
        (
          "clip\(clipboard)\u{9B}31mred\u{202E}txt.exe\u{200B}",
          [("2222bbbb-0000-0000-0000-000000000002", ["AWSCURRENT"])]
        ),
        ("plain/after", [("3333cccc-0000-0000-0000-000000000003", ["AWSCURRENT"])]),
      ])
      let env = h.terminalEnvironment
      let tui = try TmuxSession(
        command: TmuxSession.reportingExit("\(CLIHarness.binary.path) --store \(h.storePath)"), width: 110, height: 30,
        environment: env)
      defer { tui.kill() }
      let titleBefore = try tui.display("#{pane_title}")
      let screen = try tui.waitFor("plain/after")
      #expect(screen.contains("evil␛]2;PWNED-TITLE␇name"))
      #expect(screen.contains("clip␛]52;c;UFdORUQ=␇<U+009B>"))
      try tui.sendKeys("Enter")
      let versions = try tui.waitFor("rel␛[2J")
      #expect(versions.contains("plain/after"), "nothing cleared the screen")
      try tui.sendKeys("q")
      #expect(try tui.waitForExitReport() == 0)
      #expect(try tui.display("#{pane_title}") == titleBefore)
      #expect(!(try tui.display("#{pane_title}")).contains("PWNED"))
      let buffers = (try? tui.display("#{buffer_sample}")) ?? ""
      #expect(!buffers.contains("PWNED"))
    }
  }
}
