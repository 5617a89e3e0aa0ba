import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// The rotation lifecycle in the UI, in process, keys through the real event loop and effect
/// runner to the embedded store and its simulated rotation functions: a rotation followed
/// to the end while the user browses, one that gets stuck and its diagnosis, a value staged
/// through the masked input (and through `$EDITOR`) then promoted, and a cancelled rotation.
/// The planted value never shows in a frame.
@Suite(.serialized, .ownThreads)
struct RotationUITests {
  static let current = "1111aaaa-0000-0000-0000-000000000001"
  static let previous = "2222bbbb-0000-0000-0000-000000000002"
  static let function = "arn:aws:lambda:us-east-1:123456789012:function:rotate-app"

  /// Fast reads, so each stage is seen as the simulated function reaches it.
  static let settings = TUISettings(rotationTimeoutSeconds: 60, followInterval: .milliseconds(100))

  /// A store of four secrets, each with a current and a previous version:
  /// - `app/rotates`: a rotation function that succeeds, 8 s a step;
  /// - `app/stuck`: one that never completes testSecret, and gets there at once (0 s a step);
  /// - `app/manual`: no rotation function (a value is staged by hand, then promoted);
  /// - `app/cancel`: rotation on, with a slow function (30 s a step), to cancel.
  ///
  /// The store runs on a `TestClock` that only the test moves, so a step is never reached
  /// early or late however loaded the machine is.
  static func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    func secret(_ name: String, _ extra: [String: Any]) -> [String: Any] {
      var secret: [String: Any] = [
        "Name": name, "CreatedDate": "2026-01-01T10:00:00Z",
        "Versions": [
          [
            "VersionId": previous, "VersionStages": ["AWSPREVIOUS"], "CreatedDate": "2026-02-01T10:00:00Z",
            "SecretString": "old-value",
          ],
          [
            "VersionId": current, "VersionStages": ["AWSCURRENT"], "CreatedDate": "2026-03-01T10:00:00Z",
            "SecretString": "current-value",
          ],
        ],
      ]
      secret.merge(extra) { $1 }
      return secret
    }
    let rotation: [String: Any] = [
      "RotationEnabled": true, "RotationLambdaARN": function, "RotationRules": ["AutomaticallyAfterDays": 30],
    ]
    let document: [String: Any] = [
      "formatVersion": 1,
      "secrets": [
        secret(
          "app/rotates", rotation.merging(["RotationSimulation": ["Outcome": "succeed", "StepSeconds": 8]]) { $1 }),
        secret(
          "app/stuck",
          rotation.merging(["RotationSimulation": ["Outcome": "failAt", "FailAt": "testSecret", "StepSeconds": 0]]) {
            $1
          }),
        secret("app/manual", [:]),
        secret(
          "app/cancel", rotation.merging(["RotationSimulation": ["Outcome": "succeed", "StepSeconds": 30]]) { $1 }),
      ],
    ]
    let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: h.storePath))
    return h
  }

  func withRotationUI(
    settings: TUISettings = settings, clock: TestClock = TestClock(Date()),
    _ body: (TestTerminal, CLIHarness) async throws -> Void
  ) async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    try await withUI(try Self.store(h.storePath, clock), settings: settings) { ui in
      try await ui.waitFor("4 secrets loaded")
      try await body(ui, h)
    }
  }

  /// The embedded store at `path`, its simulated rotation functions on `clock`.
  static func store(_ path: String, _ clock: TestClock) throws -> LocalStoreBackend {
    let backend = LocalStoreBackend(path: path, now: clock.reading)
    try backend.validate()
    return backend
  }

  /// Filters the list down to `name` and keeps the filter: `name` is selected.
  func select(_ name: String, _ ui: TestTerminal) async throws {
    ui.press(.char("/"))
    ui.type(name)
    ui.press(.enter)
    try await ui.waitForVersions(of: name)
  }

  /// The new version's id, as the preview or the progress view names it.
  func newVersion(in screen: String) throws -> String {
    let match = try #require(screen.firstMatch(of: /new version ([0-9a-f-]{36})/), "no new version on screen")
    return String(match.1)
  }

  /// The secret's top-level fields and each version's value, as the store file holds them.
  func stored(_ name: String, _ h: CLIHarness) throws -> (fields: [String: Any], values: [String: String]) {
    let object = try JSONSerialization.jsonObject(with: h.storeData()) as? [String: Any]
    let secrets = object?["secrets"] as? [[String: Any]] ?? []
    let secret = try #require(secrets.first { $0["Name"] as? String == name })
    var values: [String: String] = [:]
    for version in secret["Versions"] as? [[String: Any]] ?? [] {
      if let id = version["VersionId"] as? String, let value = version["SecretString"] as? String { values[id] = value }
    }
    return (secret, values)
  }

  /// The screen's words in order, borders and line breaks gone: a sentence a popup wrapped
  /// reads as one.
  func flat(_ screen: String) -> String {
    screen.replacingOccurrences(of: "│", with: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  func expectNoFrameShows(_ value: String, _ ui: TestTerminal, sourceLocation: SourceLocation = #_sourceLocation) {
    let leaking = ui.frames.indices.filter { ui.frames[$0].contains(value) }
    #expect(leaking.isEmpty, "frames \(leaking) show the value", sourceLocation: sourceLocation)
  }

  @Test func aRotationIsFollowedToTheEndWhileTheUserBrowses() async throws {
    let clock = TestClock(Date())
    try await withRotationUI(clock: clock) { ui, h in
      try await select("app/rotates", ui)
      ui.press(.char("o"))
      let preview = try await ui.waitUntil("the rotation preview") {
        $0.contains("Rotate app/rotates now (preview)") && $0.contains("y: rotate now")
      }
      #expect(preview.contains("rotated by rotation function \(Self.function)"))
      #expect(preview.contains("[AWSCURRENT] → [AWSPREVIOUS]"))
      let token = try newVersion(in: preview)
      #expect(try h.labels(of: "app/rotates") == [Self.current: ["AWSCURRENT"], Self.previous: ["AWSPREVIOUS"]])

      ui.press(.char("y"))
      try await ui.waitFor("Rotating app/rotates")
      // Esc closes the view and stops nothing; the list stays usable and says rotating.
      let beforeEscape = ui.frameCount
      ui.press(.escape)
      let closed = try await ui.waitFor("nothing stopped", since: beforeEscape)
      #expect(closed.contains("[rotating…]"))
      ui.press(.escape)  // the filter goes: every secret is listed again
      try await ui.waitFor("app/manual")
      ui.press(.char("j"))
      try await ui.waitFor("Versions of app/stuck")
      ui.press(.char("k"))
      try await ui.waitFor("Versions of app/rotates")
      #expect(ui.screen.contains("[rotating…]"), "still rotating: its function's steps are not due yet")
      // Reopened, the view shows the stages seen so far; the rest follow as they are reached.
      ui.press(.char("o"))
      try await ui.waitUntil("the progress so far") {
        $0.contains("Rotating app/rotates") && $0.contains("✓ new version created with AWSPENDING")
      }
      clock.advance(4 * 8)  // all four steps are due: the next read sees the rotation end
      let done = flat(try await ui.waitFor("Rotation finished"))
      for stage in RotationStage.allCases { #expect(done.contains("✓ \(stage.summary)"), "\(stage)") }
      #expect(done.contains("\(token.prefix(8))… (new version) → [AWSCURRENT]"))
      #expect(
        try h.labels(of: "app/rotates") == [token: ["AWSCURRENT"], Self.current: ["AWSPREVIOUS"], Self.previous: []])
      ui.press(.escape)
      try await ui.waitUntil("the row to stop saying rotating") {
        !$0.contains("rotating…") && $0.contains("app/rotates")
      }
      try await ui.quit()
    }
  }

  /// The demo store as `--demo` writes it: both of its rotations run at once, one succeeds,
  /// the other stops in testSecret. Their functions' steps fall due only when the test moves
  /// the clock, once both rows say rotating.
  @Test func theDemosTwoRotationsRunAtOnceOneSucceedsOneGetsStuck() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let clock = TestClock(Date())
    try DemoAccount.write(to: h.storePath, now: clock.now)
    let succeeds = "staging/orders/redis-auth-token"
    let stuck = "staging/reports/warehouse-password"
    var settings = Self.settings
    settings.followInterval = .milliseconds(500)
    try await withUI(try Self.store(h.storePath, clock), settings: settings) { ui in
      func start(_ name: String) async throws {
        try await select(name, ui)
        ui.press(.char("o"))
        try await ui.waitFor("y: rotate now")
        ui.press(.char("y"))
        try await ui.waitFor("Rotating \(name)")
        // Screens are matched from the key press on: a status line another rotation's news
        // replaced at once still counts.
        let beforeEscape = ui.frameCount
        ui.press(.escape)
        try await ui.waitFor("nothing stopped", since: beforeEscape)
        ui.press(.escape)  // the filter
        try await ui.waitUntil("the whole list") { !$0.contains("filter:") }
      }
      try await ui.waitFor("17 secrets loaded")
      let beforeStarts = ui.frameCount
      try await start(succeeds)
      try await start(stuck)
      // The list names them cut short: staging/orders/… and staging/reports/….
      try await ui.waitUntil("both rows rotating", since: beforeStarts) { screen in
        let rows = screen.split(separator: "\n").filter { $0.contains("[rotating…]") }
        return rows.count == 2 && rows.contains { $0.contains("staging/orders") }
          && rows.contains { $0.contains("staging/reports") }
      }
      clock.advance(60)  // every step is due: one rotation ends, the other fails in testSecret
      try await ui.waitFor("rotation of \(succeeds) finished", since: beforeStarts)
      // The stuck one is given up at the timeout (60 s from its start).
      try await ui.waitFor("rotation of \(stuck) stopped", since: beforeStarts, timeout: .seconds(180))
      #expect(try h.labels(of: succeeds).values.filter { $0 == ["AWSCURRENT"] }.count == 1)

      try await select(stuck, ui)
      ui.press(.char("o"))
      let diagnosis = flat(try await ui.waitFor("Rotation of \(stuck) stopped"))
      #expect(diagnosis.contains("the rotation stopped in setSecret, testSecret or finishSecret"))
      #expect(diagnosis.contains("(p) in the versions pane"))
      #expect(diagnosis.contains("(x) in the versions pane"))
      #expect(diagnosis.contains("log group /aws/lambda/"))
      ui.press(.escape, .escape)
      try await ui.waitUntil("the whole list") { !$0.contains("filter:") }
      try await select(succeeds, ui)
      ui.press(.char("o"))
      let finished = flat(try await ui.waitFor("Rotation finished"))
      for stage in RotationStage.allCases { #expect(finished.contains("✓ \(stage.summary)"), "\(stage)") }
      ui.press(.escape)  // q would only close the view
      try await ui.waitUntil("the view to close") { !$0.contains("Rotation finished") }
      try await ui.quit()
    }
  }

  @Test func aStuckRotationShowsWhereItStoppedAndWhatToDo() async throws {
    var settings = Self.settings
    settings.rotationTimeoutSeconds = 5
    try await withRotationUI(settings: settings) { ui, h in
      try await select("app/stuck", ui)
      ui.press(.char("o"))
      let preview = try await ui.waitFor("y: rotate now")
      let token = try newVersion(in: preview)
      ui.press(.char("y"))
      let stopped = flat(try await ui.waitFor("Rotation of app/stuck stopped"))
      #expect(stopped.contains("the rotation stopped in setSecret, testSecret or finishSecret"))
      #expect(stopped.contains("did not finish within 5 s"))
      #expect(stopped.contains(Self.function))
      #expect(stopped.contains("promote it: AWSCURRENT onto \(token.prefix(8))… (p)"))
      #expect(stopped.contains("remove AWSPENDING from \(token.prefix(8))… (x)"))
      #expect(try h.labels(of: "app/stuck")[token] == ["AWSPENDING"])
      ui.press(.escape)
      try await ui.waitFor("[stuck]")
      // Another rotation is refused before anything is sent, with the keys that fix it.
      ui.press(.char("o"))
      let refused = flat(try await ui.waitFor("(refused)"))
      #expect(refused.contains("Promote it (p) or remove AWSPENDING (x)."))
      ui.press(.char("y"))
      try await ui.waitFor("the pre-flight refused: nothing to send")
      ui.press(.escape)
      // x on the pending version abandons it.
      ui.press(.enter)
      try await ui.waitFor("[AWSPENDING]")
      ui.press(.char("g"), .char("x"))
      try await ui.waitFor("y: commit")
      ui.press(.char("y"))
      try await ui.waitUntil("AWSPENDING removed") { !$0.contains("[AWSPENDING]") && !$0.contains("[stuck]") }
      #expect(try h.labels(of: "app/stuck")[token] == [])
      try await ui.quit()
    }
  }

  @Test func aValueStagedThroughTheMaskedInputIsPromotedAndNeverShown() async throws {
    let value = PlantedSecrets.pendingValue
    try await withRotationUI { ui, h in
      try await select("app/manual", ui)
      ui.press(.char("s"))
      try await ui.waitFor("Stage a new AWSPENDING value on app/manual")
      ui.type(value)
      try await ui.waitFor("\(value.count) characters")
      #expect(ui.screen.contains(String(repeating: "•", count: value.count)))
      ui.press(.enter)
      let preview = try await ui.waitFor("y: stage it")
      #expect(preview.contains("value \(value.utf8.count) bytes (never shown)"))
      let token = try newVersion(in: preview)
      ui.press(.char("y"))
      try await ui.waitFor("staged on app/manual")
      #expect(try stored("app/manual", h).values[token] == value)
      #expect(try h.labels(of: "app/manual")[token] == ["AWSPENDING"])

      ui.press(.enter)
      try await ui.waitFor("[AWSPENDING]")
      ui.press(.char("p"))
      try await ui.waitFor("Promote AWSPENDING to AWSCURRENT")
      ui.press(.enter)
      try await ui.waitFor("y: commit")
      ui.press(.char("y"))
      try await ui.waitUntil("the promotion") { !$0.contains("[AWSPENDING]") && $0.contains("AWSCURRENT -> ") }
      #expect(
        try h.labels(of: "app/manual") == [token: ["AWSCURRENT"], Self.current: ["AWSPREVIOUS"], Self.previous: []])
      try await ui.quit()
      expectNoFrameShows(value, ui)
    }
  }

  @Test func aValueWrittenInTheEditorIsStagedFromAPrivateFileThatIsRemoved() async throws {
    let value = PlantedSecrets.pendingValue
    let h = try Self.harness()
    defer { h.cleanUp() }
    let scratch = h.directory.appendingPathComponent("tmp").path
    let report = h.directory.appendingPathComponent("editor-report").path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    // An editor that notes the file's and directory's modes and writes the value, with the
    // final newline editors add.
    let editor = h.directory.appendingPathComponent("editor.sh").path
    try ChildProcess.writeExecutable(
      """
      #!/bin/sh
      { stat -c %a "$1"; stat -c %a "$(dirname "$1")"; echo "$1"; } > '\(report)'
      printf '%s\\n' '\(value)' > "$1"
      """, to: editor)
    var settings = Self.settings
    settings.environment = ProcessInfo.processInfo.environment.merging(["EDITOR": editor, "TMPDIR": scratch]) {
      $1
    }
    settings.environment["VISUAL"] = nil
    let backend = try await BackendFactory.make(GlobalSettings(store: h.storePath))
    try await withUI(backend, settings: settings) { ui in
      try await ui.waitFor("4 secrets loaded")
      try await select("app/manual", ui)
      ui.press(.char("e"))
      let preview = try await ui.waitFor("y: stage it")
      #expect(preview.contains("value \(value.utf8.count) bytes (never shown)"), "one final newline is dropped")
      #expect(ui.releaseCount == 1, "the terminal was handed to the editor")
      let token = try newVersion(in: preview)
      ui.press(.char("y"))
      try await ui.waitFor("staged on app/manual")
      #expect(try stored("app/manual", h).values[token] == value)
      try await ui.quit()
      expectNoFrameShows(value, ui)
    }
    let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    #expect(lines.first == "600", "the value's file is the owner's only")
    #expect(lines.dropFirst().first == "700", "so is its directory")
    #expect(lines.last?.hasPrefix(scratch + "/stagehand-") == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty, "the file and directory are removed")
  }

  @Test func cancellingRotationTurnsItOff() async throws {
    try await withRotationUI { ui, h in
      try await select("app/cancel", ui)
      ui.press(.char("O"))
      let preview = try await ui.waitFor("y: cancel rotation")
      #expect(preview.contains("automatic rotation is turned off"))
      #expect(preview.contains("aws secretsmanager cancel-rotate-secret --secret-id app/cancel"))
      #expect(try stored("app/cancel", h).fields["RotationEnabled"] as? Bool == true)
      ui.press(.char("y"))
      try await ui.waitFor("automatic rotation of app/cancel is off")
      #expect(try stored("app/cancel", h).fields["RotationEnabled"] as? Bool == false)
      try await ui.waitFor("rotation off")
      try await ui.quit()
    }
  }

  /// A rotation under way while cancelling: the preview says where AWSPENDING is now.
  @Test func cancellingDuringARotationSaysWhereAWSPENDINGIs() async throws {
    try await withRotationUI { ui, h in
      try await select("app/cancel", ui)
      ui.press(.char("o"))
      let preview = try await ui.waitFor("y: rotate now")
      let token = try newVersion(in: preview)
      ui.press(.char("y"))
      try await ui.waitFor("✓ new version created with AWSPENDING")
      ui.press(.escape)
      ui.press(.char("O"))
      let cancel = flat(try await ui.waitFor("y: cancel rotation"))
      #expect(cancel.contains("AWSPENDING is on \(token.prefix(8))… now; a rotation under way can leave it there"))
      #expect(cancel.contains("promote it (p) or remove AWSPENDING (x) in the versions pane"))
      ui.press(.char("y"))
      try await ui.waitFor("AWSPENDING is still on \(token.prefix(8))… (x) removes it")
      #expect(try h.labels(of: "app/cancel")[token] == ["AWSPENDING"])
      try await ui.quit()
    }
  }

  /// The real binary in a real terminal (tmux), its output recorded byte for byte by
  /// script(1): a value typed into the masked input is staged, and neither the screen nor
  /// any byte written to the terminal ever holds it.
  @Test func aTypedValueNeverReachesTheTerminal() async throws {
    try await onOwnThread {
      let value = PlantedSecrets.pendingValue
      let h = try Self.harness()
      defer { h.cleanUp() }
      let typescript = h.directory.appendingPathComponent("typescript").path
      let stagehand = "\(CLIHarness.binary.path) --store \(h.storePath)"
      let tui = try TmuxSession(
        command: "script -q -f -c '\(stagehand)' \(typescript)", width: 110, height: 32,
        environment: h.terminalEnvironment)
      defer { tui.kill() }
      try tui.waitFor("app/manual")
      try tui.sendRaw("/app/manual")
      try tui.sendKeys("Enter")
      try tui.waitUntil("app/manual's versions, described") {
        $0.contains("Versions of app/manual") && !$0.contains("dates loading")
      }
      try tui.sendKeys("s")
      try tui.waitFor("Stage a new AWSPENDING value on app/manual")
      try tui.sendRaw(value)
      try tui.waitFor("\(value.count) characters")
      try tui.sendKeys("Enter")
      let preview = try tui.waitFor("y: stage it")
      let token = try newVersion(in: preview)
      try tui.sendKeys("y")
      try tui.waitFor("staged on app/manual")
      try tui.sendKeys("q")
      let exit = try tui.waitForExit()
      #expect(exit.exitStatus == 0)
      #expect(try stored("app/manual", h).values[token] == value, "the value was staged")
      let written = try String(decoding: Data(contentsOf: URL(fileURLWithPath: typescript)), as: UTF8.self)
      #expect(written.contains("Stage a new AWSPENDING value"), "the typescript recorded the UI")
      #expect(PlantedSecrets.leaks(in: written).isEmpty, "the bytes written to the terminal hold the value")
      #expect(PlantedSecrets.leaks(in: try tui.capture()).isEmpty)
    }
  }
}
