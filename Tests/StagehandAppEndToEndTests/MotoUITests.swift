import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

@testable import StagehandApp

/// The UI in process against moto, through the AWS backend as `--endpoint-url` builds it:
/// moves by keys and by a mouse drag, dry run, and a conflict made by the aws CLI between
/// preview and commit. The aws CLI, an independent client, checks the result.
@Suite(.serialized, .ownThreads)
struct MotoUITests {
  struct Fixture {
    let moto: MotoServer
    let home: URL
    let secret = "tui/db"
    let previous: String
    let current: String
    let pending: String

    static func make() async throws -> Fixture {
      let moto = try await MotoServer.start()
      let home = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-ui-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
      let (first, second, third) = try await onOwnThread {
        let created =
          try moto.aws(["secretsmanager", "create-secret", "--name", "tui/db", "--secret-string", "one"])
          as? [String: Any]
        let first = try #require(created?["VersionId"] as? String)
        let second = try moto.put("tui/db", "two", stages: ["AWSCURRENT"])
        let third = try moto.put("tui/db", "three", stages: ["AWSPENDING"])
        return (first, second, third)
      }
      return Fixture(moto: moto, home: home, previous: first, current: second, pending: third)
    }

    /// The AWS backend as the command line builds it for `--endpoint-url` and `--region`,
    /// with test credentials and no user files.
    func backend() async throws -> any SecretsBackend {
      let environment = AWSEnvironment(variables: MotoServer.stagehandEnvironment, homeDirectory: home.path) {
        try? String(contentsOfFile: $0, encoding: .utf8)
      }
      return try await BackendFactory.make(
        GlobalSettings(region: "us-east-1", endpointURL: moto.endpoint.absoluteString), environment: environment)
    }

    func labels() async throws -> [String: Set<String>] {
      try await onOwnThread { [moto, secret] in try moto.labels(of: secret) }
    }

    func stop() {
      moto.stop()
      try? FileManager.default.removeItem(at: home)
    }
  }

  /// Moto gives every version the same creation second, so rows are found by id prefix.
  func row(of version: String, in screen: String) -> Int? {
    ScreenText.locate(String(version.prefix(8)), in: screen)?.y
  }

  /// Moves the versions cursor onto `version` with j/k.
  func select(_ version: String, in ui: TestTerminal) async throws {
    for _ in 0..<6 {
      let screen = ui.screen
      guard let target = row(of: version, in: screen), let cursor = ScreenText.locate("│▸", in: screen)?.y
      else { break }
      if cursor == target { return }
      ui.press(.char(cursor < target ? "j" : "k"))
      // The cursor's row, not any change: a spinner or a late describe redraws the screen too.
      _ = try await ui.waitUntil("the cursor to move") { ScreenText.locate("│▸", in: $0)?.y != cursor }
    }
    Issue.record("could not select \(version)")
  }

  /// Opens the preview of `c` on the AWSPENDING version, once its versions are described.
  func previewMakingPendingCurrent(_ f: Fixture, in ui: TestTerminal) async throws {
    try await ui.waitForVersions(of: f.secret)
    ui.press(.enter)
    try await select(f.pending, in: ui)
    ui.press(.char("c"))
    try await ui.waitFor("(automatic)")
  }

  /// Once the versions are described, drags the AWSCURRENT chip onto the previous version's
  /// row and waits for the preview.
  func dragCurrentOntoPrevious(_ f: Fixture, in ui: TestTerminal) async throws {
    let screen = try await ui.waitForVersions(of: f.secret)
    let from = try #require(row(of: f.current, in: screen))
    let to = try #require(row(of: f.previous, in: screen))
    let line = screen.split(separator: "\n", omittingEmptySubsequences: false)[from]
    let x = try #require(ScreenText.locate("[AWSCURRENT]", in: String(line))?.x)
    ui.drag(from: (x + 3, from), to: (x + 3, to))
    try await ui.waitFor("(automatic)")
  }

  @Test func moveAWSCURRENTByKeys() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    try await withUI(try await f.backend()) { ui in
      try await previewMakingPendingCurrent(f, in: ui)
      #expect(try await f.labels()[f.current] == ["AWSCURRENT"], "nothing is sent before y")
      ui.press(.char("y"))
      try await ui.waitFor("AWSCURRENT -> \(f.pending.prefix(8))")
      #expect(try await f.labels() == [f.pending: ["AWSCURRENT", "AWSPENDING"], f.current: ["AWSPREVIOUS"]])
      try await ui.quit()
    }
  }

  @Test func moveAWSCURRENTByMouseDrag() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    try await withUI(try await f.backend()) { ui in
      try await dragCurrentOntoPrevious(f, in: ui)
      ui.press(.char("y"))
      try await ui.waitFor("AWSCURRENT -> \(f.previous.prefix(8))")
      #expect(
        try await f.labels() == [f.previous: ["AWSCURRENT"], f.current: ["AWSPREVIOUS"], f.pending: ["AWSPENDING"]])
      try await ui.quit()
    }
  }

  @Test func dryRunLeavesMotoUnchanged() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    let before = try await f.labels()
    try await withUI(try await f.backend(), dryRun: true) { ui in
      try await dragCurrentOntoPrevious(f, in: ui)
      ui.press(.char("y"))
      try await ui.waitFor("nothing sent (dry run)")
      // And a quick key: promote the pending version (choose how, preview, y).
      ui.press(.escape, .char("p"))
      try await ui.waitFor("Promote AWSPENDING to AWSCURRENT")
      ui.press(.enter)
      try await ui.waitFor("(automatic)")
      ui.press(.char("y"))
      try await ui.waitFor("nothing sent (dry run)")
      try await ui.quit()
    }
    #expect(try await f.labels() == before)
  }

  @Test func aLabelMovedByTheAWSCLIBetweenPreviewAndCommitIsAConflict() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    try await withUI(try await f.backend()) { ui in
      try await previewMakingPendingCurrent(f, in: ui)
      // Another client rolls back meanwhile.
      try await onOwnThread {
        _ = try f.moto.aws([
          "secretsmanager", "update-secret-version-stage", "--secret-id", f.secret, "--version-stage", "AWSCURRENT",
          "--remove-from-version-id", f.current, "--move-to-version-id", f.previous,
        ])
      }
      let changed = try await f.labels()
      ui.press(.char("y"))
      let screen = try await ui.waitUntil("the conflict") { $0.lowercased().contains("changed") }
      #expect(screen.contains("AWSCURRENT"))
      #expect(try await f.labels() == changed, "nothing was sent")
      ui.press(.escape, .char("q"))
      try await ui.quit()
    }
  }
}
