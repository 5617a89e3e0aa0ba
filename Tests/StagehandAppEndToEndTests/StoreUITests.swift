import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// The UI in process, keys and mouse through the real event loop to the embedded store
/// (a store file per test, chosen as `--store` chooses it): browse, pick / carry / drop,
/// drag, the preview, commit, dry run, undo, a conflict and errors.
@Suite(.serialized, .ownThreads)
struct StoreUITests {
  static let current = StagingStore.current
  static let previous = StagingStore.previous
  static let pending = StagingStore.pending
  static let original: [String: Set<String>] = [
    previous: ["AWSPREVIOUS"], current: ["AWSCURRENT"], pending: ["AWSPENDING"],
  ]

  func backend(_ h: CLIHarness) async throws -> any SecretsBackend {
    try await BackendFactory.make(GlobalSettings(store: h.storePath))
  }

  /// The UI on a fresh store, chosen as `--store` chooses it.
  func withStoreUI(dryRun: Bool = false, _ body: (TestTerminal, CLIHarness) async throws -> Void) async throws {
    let h = try StagingStore.harness()
    defer { h.cleanUp() }
    try await withUI(try await backend(h), dryRun: dryRun) { try await body($0, h) }
  }

  /// Cuts the store file short: it is no longer valid JSON.
  func breakStore(_ h: CLIHarness) throws {
    try Data("{\"formatVersion\": 1, \"secrets\": [".utf8).write(to: URL(fileURLWithPath: h.storePath))
  }

  /// From prod/db's versions (newest first: pending, current, previous), the AWSCURRENT
  /// chip picked with m, carried up to the pending version with k and dropped with Enter;
  /// returns the preview.
  func carryCurrentOntoPending(_ ui: TestTerminal) async throws -> String {
    try await ui.waitForVersions(of: "prod/db")
    ui.press(.enter, .char("j"), .char("m"))
    try await ui.waitFor("carrying AWSCURRENT")
    ui.press(.char("k"), .enter)
    return try await ui.waitUntil("the preview") { $0.contains("(automatic)") && $0.contains("commit") }
  }

  @Test func browseFilterOpenAndQuit() async throws {
    try await withStoreUI { ui, h in
      try await ui.waitFor("Versions of prod/db")
      ui.press(.char("j"))
      try await ui.waitFor("Versions of prod/api")
      ui.press(.char("/"))
      ui.type("stag")
      let filtered = try await ui.waitUntil("the filter to apply") {
        !$0.contains("prod/api") && $0.contains("staging/cache")
      }
      #expect(filtered.contains("staging/cache"))
      ui.press(.enter)
      try await ui.waitFor("Versions of staging/cache")
      ui.press(.enter)
      try await ui.waitFor("release-1")
      try await ui.quit()
    }
  }

  @Test func pickCarryAndDropByKeysPreviewsTheShiftAndCommitsOnY() async throws {
    try await withStoreUI { ui, h in
      let preview = try await carryCurrentOntoPending(ui)
      #expect(preview.contains("AWSPREVIOUS"))
      #expect(preview.contains("--move-to-version-id \(Self.pending)") || preview.contains(Self.pending))
      #expect(try h.labels(of: "prod/db") == Self.original, "nothing is sent before y")
      ui.press(.char("y"))
      try await ui.waitFor("AWSCURRENT -> 3333cccc")
      #expect(
        try h.labels(of: "prod/db") == [
          Self.pending: ["AWSCURRENT", "AWSPENDING"], Self.current: ["AWSPREVIOUS"], Self.previous: [],
        ])
      try await ui.quit()
    }
  }

  @Test func aMouseDragOfTheChipMovesIt() async throws {
    try await withStoreUI { ui, h in
      let screen = try await ui.waitForVersions(of: "prod/db")
      let chip = try #require(ScreenText.locate("[AWSCURRENT]", in: screen))
      let target = try #require(ScreenText.locate("[AWSPREVIOUS]", in: screen))
      ui.drag(from: (chip.x + 2, chip.y), to: (chip.x + 2, target.y))
      try await ui.waitUntil("the preview with its commit hint") { $0.contains("(automatic)") && $0.contains("commit") }
      ui.press(.char("y"))
      try await ui.waitFor("AWSCURRENT -> 2222bbbb")
      #expect(
        try h.labels(of: "prod/db") == [
          Self.previous: ["AWSCURRENT"], Self.current: ["AWSPREVIOUS"], Self.pending: ["AWSPENDING"],
        ])
      try await ui.quit()
    }
  }

  @Test func dryRunSendsNothing() async throws {
    try await withStoreUI(dryRun: true) { ui, h in
      let original = try h.storeData()
      try await ui.waitFor("DRY-RUN")
      _ = try await carryCurrentOntoPending(ui)
      ui.press(.char("y"))
      try await ui.waitUntil("the dry-run notice") { $0.lowercased().contains("dry run") && !$0.contains("y: commit") }
      try await ui.quit()
      #expect(try h.storeData() == original)
    }
  }

  @Test func undoPreviewsTheInverseAndRestoresTheLabels() async throws {
    try await withStoreUI { ui, h in
      _ = try await carryCurrentOntoPending(ui)
      ui.press(.char("y"))
      try await ui.waitFor("AWSCURRENT -> 3333cccc")
      ui.press(.char("u"))
      try await ui.waitUntil("the undo preview") { $0.contains("Undo:") && $0.contains("commit") }
      #expect(try h.labels(of: "prod/db")[Self.pending] == ["AWSCURRENT", "AWSPENDING"], "nothing is sent before y")
      ui.press(.char("y"))
      try await ui.waitUntil("the undo to be applied") {
        !$0.contains("Undo:") && $0.contains("AWSCURRENT -> 1111aaaa")
      }
      #expect(try h.labels(of: "prod/db") == Self.original)
      try await ui.quit()
    }
  }

  /// The terminal hangs up: the loop ends and gives it back rather than wait for input.
  @Test func aTerminalThatHangsUpEndsTheUI() async throws {
    try await withStoreUI { ui, _ in
      try await ui.waitFor("Versions of prod/db")
      ui.hangUp()
      try await ui.waitForRestore()
    }
  }

  /// Another client moves AWSCURRENT between the preview and y: the executor's re-read
  /// sees it, nothing is sent, and the UI says what changed.
  @Test func aChangeUnderneathBetweenPreviewAndCommitIsAConflict() async throws {
    try await withStoreUI { ui, h in
      _ = try await carryCurrentOntoPending(ui)
      let other = LocalStoreBackend(path: h.storePath, readOnly: false)
      try await other.updateSecretVersionStage(
        secretId: "prod/db",
        step: StageStep(versionStage: "AWSCURRENT", removeFromVersionId: Self.current, moveToVersionId: Self.previous))
      let changed = try h.labels(of: "prod/db")
      ui.press(.char("y"))
      let screen = try await ui.waitUntil("the conflict") { $0.contains("changed since the preview") }
      #expect(screen.contains("AWSCURRENT"))
      #expect(try h.labels(of: "prod/db") == changed, "nothing was sent")
      ui.press(.escape)
      try await ui.quit()
    }
  }

  /// The store becomes unreadable between the preview and y: the commit fails before
  /// anything is sent, and the error popup says why.
  @Test func aBackendFailureAtCommitIsShownInTheErrorPopup() async throws {
    try await withStoreUI { ui, h in
      _ = try await carryCurrentOntoPending(ui)
      try breakStore(h)
      ui.press(.char("y"))
      let popup = try await ui.waitFor("Commit failed")
      #expect(popup.contains("is not valid JSON"))
      #expect(popup.contains("Nothing was changed."))
      ui.press(.escape)
      try await ui.quit()
    }
  }

  @Test func aListingThatFailsIsShownInTheErrorPopup() async throws {
    let h = try StagingStore.harness()
    defer { h.cleanUp() }
    let backend = try await backend(h)
    try breakStore(h)
    try await withUI(backend) { ui in
      let popup = try await ui.waitFor("┌─ Loading secrets failed")
      #expect(popup.contains("Unexpected end of file during JSON parse"))
      #expect(popup.contains("Press R to try again."))
      ui.press(.escape)
      try await ui.quit()
    }
  }
}
