import Foundation
import StagehandTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The real binary in a real terminal (tmux) on an embedded store: browse, move labels by
/// keys and by mouse, dry run, and the terminal given back on every exit path.
@Suite(.serialized)
struct TUITerminalTests {
  static let current = "1111aaaa-0000-0000-0000-000000000001"
  static let previous = "2222bbbb-0000-0000-0000-000000000002"
  static let pending = "3333cccc-0000-0000-0000-000000000003"

  func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    try h.writeStore([
      (
        "prod/db",
        [(Self.previous, ["AWSPREVIOUS"]), (Self.current, ["AWSCURRENT"]), (Self.pending, ["AWSPENDING"])]
      ),
      ("prod/api", [(Self.current, ["AWSCURRENT"])]),
      ("staging/cache", [(Self.current, ["AWSCURRENT", "release-1"])]),
    ])
    return h
  }

  func launch(_ h: CLIHarness, _ extra: String = "", pidFile: String? = nil) throws -> TmuxSession {
    var command = "\(CLIHarness.binary.path) --store \(h.storePath) \(extra)"
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

  /// Finds `text` on the screen: (column, row), 0-based.
  func locate(_ text: String, in screen: String) -> (x: Int, y: Int)? {
    for (row, line) in screen.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if let range = line.range(of: text) {
        return (line[..<range.lowerBound].count, row)
      }
    }
    return nil
  }

  @Test func browseFilterOpenAndQuit() throws {
    let h = try harness()
    defer { h.cleanUp() }
    let tui = try launch(h)
    defer { tui.kill() }
    try tui.waitFor("Versions of prod/db")
    #expect(try !tui.paneState().isRestored, "the UI owns the terminal while it runs")
    try tui.sendKeys("j")
    try tui.waitFor("Versions of prod/api")
    try tui.sendKeys("/")
    try tui.sendRaw("stag")
    let filtered = try tui.waitUntil("the filter to apply") { !$0.contains("prod/api") && $0.contains("staging/cache") }
    #expect(filtered.contains("staging/cache"))
    try tui.sendKeys("Enter")
    try tui.waitFor("Versions of staging/cache")
    try tui.sendKeys("Enter")
    try tui.waitFor("release-1")
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)
    #expect(try tui.paneState().isRestored)
  }

  @Test func moveAWSCURRENTByKeystrokes() throws {
    let h = try harness()
    defer { h.cleanUp() }
    let tui = try launch(h)
    defer { tui.kill() }
    try waitForVersions(tui)
    try tui.sendKeys("Enter")  // focus the versions, newest first: pending, current, previous
    try press("c", until: "(automatic)", in: tui)  // versions described; this preview is cancelled
    try tui.sendKeys("Escape")
    try tui.sendKeys("j")  // the AWSCURRENT row
    try tui.sendKeys("m")  // a single chip is picked at once
    try tui.sendKeys("k")  // carry it to the pending version
    try tui.sendKeys("Enter")
    // A capture can land while the frame is still being written: wait for the whole preview.
    let preview = try tui.waitUntil("the preview with the AWSPREVIOUS shift") {
      $0.contains("(automatic)") && $0.contains("AWSPREVIOUS") && $0.contains("commit")
    }
    #expect(preview.contains("AWSPREVIOUS"))
    #expect(preview.contains("--move-to-version-id \(Self.pending)") || preview.contains(Self.pending))
    #expect(try h.labels(of: "prod/db")[Self.current] == ["AWSCURRENT"], "nothing is sent before y")
    try tui.sendKeys("y")
    try tui.waitFor("AWSCURRENT -> 3333cccc")
    #expect(
      try h.labels(of: "prod/db") == [
        Self.pending: ["AWSCURRENT", "AWSPENDING"], Self.current: ["AWSPREVIOUS"], Self.previous: [],
      ])
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)
  }

  @Test func moveAWSCURRENTByMouseDrag() throws {
    let h = try harness()
    defer { h.cleanUp() }
    let tui = try launch(h)
    defer { tui.kill() }
    try waitForVersions(tui)
    try tui.sendKeys("Enter")
    try press("c", until: "(automatic)", in: tui)  // versions described; this preview is cancelled
    try tui.sendKeys("Escape")
    let screen = try tui.waitUntil("the preview to close") { !$0.contains("(automatic)") }
    let chip = try #require(locate("[AWSCURRENT]", in: screen))
    let target = try #require(locate("[AWSPREVIOUS]", in: screen))
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

  @Test func dryRunSendsNothing() throws {
    let h = try harness()
    defer { h.cleanUp() }
    let original = try h.storeData()
    let tui = try launch(h, "--dry-run")
    defer { tui.kill() }
    try tui.waitFor("DRY-RUN")
    try waitForVersions(tui)
    try tui.sendKeys("Enter")
    try press("c", until: "(automatic)", in: tui)
    try tui.sendKeys("y")
    try tui.waitUntil("the dry-run notice") { $0.lowercased().contains("dry run") && !$0.contains("y: commit") }
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)
    #expect(try h.storeData() == original)
  }

  @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
  func signalsGiveTheTerminalBack(signal: Int32) throws {
    let h = try harness()
    defer { h.cleanUp() }
    let pidFile = h.directory.appendingPathComponent("pid").path
    let tui = try launch(h, pidFile: pidFile)
    defer { tui.kill() }
    try tui.waitFor("Versions of prod/db")
    try tui.expectDeathBy(signal, pidFile: pidFile)
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
@Suite(.serialized)
struct HostileNamesTerminalTests {
  @Test func plantedControlSequencesStayInert() throws {
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
