import Foundation
import StagehandTestSupport
import Testing

/// The real binary in tmux against moto: moves by keystrokes and by a mouse drag sent as
/// raw SGR sequences, dry run, and a conflict made by another client between preview and
/// commit. The aws CLI checks the result.
@Suite(.serialized)
struct MotoTUITests {
  struct Fixture {
    let moto: MotoServer
    let harness: CLIHarness
    let secret = "tui/db"
    let previous: String
    let current: String
    let pending: String

    static func make() async throws -> Fixture {
      let moto = try await MotoServer.start()
      let harness = try CLIHarness()
      let created =
        try moto.aws(["secretsmanager", "create-secret", "--name", "tui/db", "--secret-string", "one"])
        as? [String: Any]
      let first = try #require(created?["VersionId"] as? String)
      let second = try MotoCLITests.put(moto, "tui/db", "two", stages: ["AWSCURRENT"])
      let third = try MotoCLITests.put(moto, "tui/db", "three", stages: ["AWSPENDING"])
      return Fixture(moto: moto, harness: harness, previous: first, current: second, pending: third)
    }

    func launch(_ extra: String = "") throws -> TmuxSession {
      var env = harness.terminalEnvironment
      env.merge(MotoCLITests.credentials) { _, new in new }
      let command =
        "\(CLIHarness.binary.path) --endpoint-url \(moto.endpoint.absoluteString) --region us-east-1 \(extra)"
      return try TmuxSession(command: TmuxSession.reportingExit(command), width: 110, height: 32, environment: env)
    }

    func labels() throws -> [String: Set<String>] { try MotoCLITests.labels(moto, secret) }

    func stop() {
      moto.stop()
      harness.cleanUp()
    }
  }

  /// Moto gives every version the same creation second, so rows are found by id prefix.
  func row(of version: String, in screen: String) -> Int? {
    screen.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
      $0.contains(String(version.prefix(8)))
    }
  }

  func column(of text: String, onRow row: Int, in screen: String) -> Int? {
    let line = screen.split(separator: "\n", omittingEmptySubsequences: false)[row]
    return line.range(of: text).map { line[..<$0.lowerBound].count }
  }

  /// Waits until DescribeSecret has filled in the versions (dates shown, final order).
  func waitForVersions(_ f: Fixture, in tui: TmuxSession) throws -> String {
    try tui.waitUntil("the versions with dates") { screen in
      [f.previous, f.current, f.pending].allSatisfy { id in
        screen.split(separator: "\n").contains { $0.contains(id.prefix(8)) && !$0.contains("\(id.prefix(8)) -") }
      }
    }
  }

  /// Moves the versions cursor onto `version` with j/k.
  func select(_ version: String, in tui: TmuxSession) throws {
    for _ in 0..<6 {
      let screen = try tui.capture()
      guard let target = row(of: version, in: screen) else { break }
      let cursor = screen.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("│▸") }
      guard let cursor else { break }
      if cursor == target { return }
      try tui.sendKeys(cursor < target ? "j" : "k")
      _ = try tui.waitUntil("the cursor to move") { $0 != screen }
    }
    Issue.record("could not select \(version)")
  }

  /// Opens the preview of `c` on the AWSPENDING version, once its versions are described.
  func previewMakingPendingCurrent(_ f: Fixture, in tui: TmuxSession) throws {
    _ = try waitForVersions(f, in: tui)
    try tui.sendKeys("Enter")
    try select(f.pending, in: tui)
    try tui.sendKeys("c")
    try tui.waitFor("(automatic)")
  }

  @Test func moveAWSCURRENTByKeystrokes() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    let tui = try f.launch()
    defer { tui.kill() }
    try previewMakingPendingCurrent(f, in: tui)
    #expect(try f.labels()[f.current] == ["AWSCURRENT"], "nothing is sent before y")
    try tui.sendKeys("y")
    try tui.waitFor("AWSCURRENT -> \(f.pending.prefix(8))")
    #expect(try f.labels() == [f.pending: ["AWSCURRENT", "AWSPENDING"], f.current: ["AWSPREVIOUS"]])
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)
    #expect(try tui.paneState().isRestored)
  }

  /// Once the versions are described, drags the AWSCURRENT chip onto the previous version's
  /// row with raw SGR mouse reports and waits for the preview.
  func dragCurrentOntoPrevious(_ f: Fixture, in tui: TmuxSession) throws {
    let screen = try waitForVersions(f, in: tui)
    let from = try #require(row(of: f.current, in: screen))
    let to = try #require(row(of: f.previous, in: screen))
    let x = try #require(column(of: "[AWSCURRENT]", onRow: from, in: screen))
    try tui.dragMouse(from: (x + 3, from), to: (x + 3, to))
    try tui.waitFor("(automatic)")
  }

  @Test func moveAWSCURRENTByMouseDrag() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    let tui = try f.launch()
    defer { tui.kill() }
    try dragCurrentOntoPrevious(f, in: tui)
    try tui.sendKeys("y")
    try tui.waitFor("AWSCURRENT -> \(f.previous.prefix(8))")
    #expect(try f.labels() == [f.previous: ["AWSCURRENT"], f.current: ["AWSPREVIOUS"], f.pending: ["AWSPENDING"]])
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)
  }

  @Test func dryRunLeavesMotoUnchanged() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    let before = try f.labels()
    let tui = try f.launch("--dry-run")
    defer { tui.kill() }
    try dragCurrentOntoPrevious(f, in: tui)
    try tui.sendKeys("y")
    try tui.waitFor("nothing sent (dry run)")
    // And a quick key: promote the pending version (choose how, preview, y).
    try tui.sendKeys("Escape")
    try tui.sendKeys("p")
    try tui.waitFor("Promote AWSPENDING to AWSCURRENT")
    try tui.sendKeys("Enter")
    try tui.waitFor("(automatic)")
    try tui.sendKeys("y")
    try tui.waitFor("nothing sent (dry run)")
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)
    #expect(try f.labels() == before)
  }

  @Test func aLabelMovedByTheAWSCLIBetweenPreviewAndCommitIsAConflict() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    let tui = try f.launch()
    defer { tui.kill() }
    try previewMakingPendingCurrent(f, in: tui)
    // Another client rolls back meanwhile.
    _ = try f.moto.aws([
      "secretsmanager", "update-secret-version-stage", "--secret-id", f.secret, "--version-stage", "AWSCURRENT",
      "--remove-from-version-id", f.current, "--move-to-version-id", f.previous,
    ])
    let changed = try f.labels()
    try tui.sendKeys("y")
    let screen = try tui.waitUntil("the conflict") { $0.lowercased().contains("changed") }
    #expect(screen.contains("AWSCURRENT"))
    #expect(try f.labels() == changed, "nothing was sent")
    try tui.sendKeys("Escape")
    try tui.sendKeys("q")
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)
  }
}
