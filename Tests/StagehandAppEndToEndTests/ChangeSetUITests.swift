import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// Change sets in the UI, in process, keys through the real event loop and effect runner to
/// the embedded store: secrets marked through the filter, one promote for all of them
/// previewed and sent, the store checked label by label; and plan files written from the
/// bulk and the single preview, sending nothing.
@Suite(.serialized, .ownThreads)
struct ChangeSetUITests {
  static let old = "1111aaaa-0000-0000-0000-000000000001"
  static let current = "2222bbbb-0000-0000-0000-000000000002"
  static let pending = "3333cccc-0000-0000-0000-000000000003"

  /// Six secrets, five under `app/`:
  /// - `app/alpha`, `app/beta`: AWSPENDING on a newer version than AWSCURRENT (promotable);
  /// - `app/gamma`: nothing pending (skipped);
  /// - `app/rds-managed`: managed by RDS, AWSPENDING on a newer version (skipped);
  /// - `app/retired`: scheduled for deletion, AWSPENDING on a newer version (skipped);
  /// - `zz/other`: promotable, but outside the filter: never marked, never touched.
  static func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    func secret(_ name: String, pending: Bool, _ extra: [String: Any] = [:]) -> [String: Any] {
      var versions: [[String: Any]] = [
        ["VersionId": old, "VersionStages": ["AWSPREVIOUS"], "CreatedDate": "2026-01-01T10:00:00Z"],
        ["VersionId": current, "VersionStages": ["AWSCURRENT"], "CreatedDate": "2026-02-01T10:00:00Z"],
      ]
      if pending {
        versions.append([
          "VersionId": Self.pending, "VersionStages": ["AWSPENDING"], "CreatedDate": "2026-03-01T10:00:00Z",
        ])
      }
      for index in versions.indices { versions[index]["SecretString"] = "value-\(index)" }
      var secret: [String: Any] = ["Name": name, "CreatedDate": "2025-12-01T10:00:00Z", "Versions": versions]
      secret.merge(extra) { $1 }
      return secret
    }
    let document: [String: Any] = [
      "formatVersion": 1,
      "secrets": [
        secret("app/alpha", pending: true),
        secret("app/beta", pending: true),
        secret("app/gamma", pending: false),
        secret("app/rds-managed", pending: true, ["OwningService": "rds"]),
        secret("app/retired", pending: true, ["DeletedDate": "2026-12-20T00:00:00Z"]),
        secret("zz/other", pending: true),
      ],
    ]
    let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: h.storePath))
    return h
  }

  static let promoted: [String: Set<String>] = [old: [], current: ["AWSPREVIOUS"], pending: ["AWSCURRENT"]]
  static let untouched: [String: Set<String>] = [
    old: ["AWSPREVIOUS"], current: ["AWSCURRENT"], pending: ["AWSPENDING"],
  ]

  func withChangeSetUI(_ body: (TestTerminal, CLIHarness, any SecretsBackend) async throws -> Void) async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let backend = try await BackendFactory.make(GlobalSettings(store: h.storePath))
    try await withUI(backend) { ui in
      try await ui.waitFor("6 secrets loaded")
      try await body(ui, h, backend)
    }
  }

  /// Filters the list to `app/` and marks every row shown.
  func markApp(_ ui: TestTerminal) async throws {
    ui.press(.char("/"))
    ui.type("app/")
    ui.press(.enter)
    try await ui.waitFor("Secrets (5/6)")
    ui.press(.char("*"))
    try await ui.waitFor("Secrets (5 marked · 5/6)")
  }

  /// Replaces the path input's text with `path` and writes the plan; returns the screen
  /// that says where it went.
  @discardableResult
  func writePlan(to path: String, _ ui: TestTerminal, expecting: String = "plan written to") async throws -> String {
    ui.press(.char("w"))
    try await ui.waitFor("Write a plan file")
    for _ in 0..<60 { ui.press(.backspace) }
    ui.type(path)
    let mark = ui.frameCount
    ui.press(.enter)
    return try await ui.waitFor(expecting, since: mark)
  }

  /// The screen's words in order, borders and line breaks gone.
  func flat(_ screen: String) -> String {
    screen.replacingOccurrences(of: "│", with: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  /// The secrets pane's row of `name`.
  func row(_ name: String, in screen: String) -> String {
    screen.split(separator: "\n").first { $0.hasPrefix("│") && $0.contains(name) }.map(String.init) ?? ""
  }

  /// Every secret's labels in the store, by name, as the harness wrote them.
  static func before(_ name: String) -> [String: Set<String>] {
    name == "app/gamma" ? [old: ["AWSPREVIOUS"], current: ["AWSCURRENT"]] : untouched
  }

  @Test func markedSecretsArePromotedTogetherAndTheSkippedAreLeftAlone() async throws {
    try await withChangeSetUI { ui, h, _ in
      try await markApp(ui)
      #expect(row("app/alpha", in: ui.screen).contains("●"))
      #expect(row("app/alpha", in: ui.screen).contains("⧗"), "AWSPENDING is listed before")
      ui.press(.char("P"))
      let preview = flat(try await ui.waitFor("Promote pending on 5 marked secrets (preview)"))
      #expect(preview.contains("2 secrets, 4 calls; 3 skipped"), "\(preview)")
      #expect(preview.contains("app/alpha: promote pending (2 calls)"))
      #expect(preview.contains("app/beta: promote pending (2 calls)"))
      #expect(preview.contains("+ AWSPREVIOUS (automatic)"))
      for name in ["app/alpha", "app/beta", "app/gamma", "app/rds-managed", "app/retired", "zz/other"] {
        #expect(try h.labels(of: name) == Self.before(name), "\(name) before y")
      }

      let mark = ui.frameCount
      ui.press(.char("y"))
      let done = flat(
        try await ui.waitFor("Done: 2 applied, 3 skipped, 0 conflicts, 0 failed, 0 unknown", since: mark))
      #expect(done.contains("applied app/alpha: "))
      #expect(done.contains("applied app/beta: "))
      #expect(done.contains("skipped app/gamma: "))
      #expect(done.contains("skipped app/rds-managed: app/rds-managed is managed by rds"))
      #expect(done.contains("skipped app/retired: app/retired is scheduled for deletion"))

      #expect(try h.labels(of: "app/alpha") == Self.promoted)
      #expect(try h.labels(of: "app/beta") == Self.promoted)
      for name in ["app/gamma", "app/rds-managed", "app/retired", "zz/other"] {
        #expect(try h.labels(of: name) == Self.before(name), "\(name) was not touched")
      }

      // The summary stays until esc; the list shows the labels read back.
      let closing = ui.frameCount
      ui.press(.escape)
      let closed = try await ui.waitUntil("the popup closed", since: closing) {
        !$0.contains("(done)") && $0.contains("2 applied, 3 skipped")
      }
      #expect(!row("app/alpha", in: closed).contains("⧗"), "\(row("app/alpha", in: closed))")
      #expect(row("app/alpha", in: closed).contains("●"), "the marks stay after the change")
      try await ui.quit()
    }
  }

  @Test func planFilesAreWrittenFromTheBulkAndTheSinglePreviewAndNothingIsSent() async throws {
    try await withChangeSetUI { ui, h, backend in
      var listed: [Secret] = []
      for try await page in backend.listSecrets(filters: []) { listed += page }

      try await markApp(ui)
      ui.press(.char("P"))
      try await ui.waitFor("Promote pending on 5 marked secrets (preview)")
      // A directory is refused, said on the status line.
      let refused = try await writePlan(to: h.directory.path, ui, expecting: "plan not written: ")
      let status = refused.split(separator: "\n").first { $0.contains("plan not written: ") } ?? ""
      #expect(status.contains("\(h.directory.path) is a directory"), "\(status)")
      let bulkPath = h.directory.appendingPathComponent("bulk plan.json").path
      try await writePlan(to: bulkPath, ui)

      let attributes = try FileManager.default.attributesOfItem(atPath: bulkPath)
      #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
      let bulk = try PlanFile.read(bulkPath)
      #expect(bulk.command == "TUI: promote pending on 5 marked secrets")
      let marked = listed.filter { $0.name.hasPrefix("app/") }
      let expected = ChangeSet.plan(marked) { _ in .promotePending(keepPending: false) }
      #expect(bulk.plans.map(\.name) == ["app/alpha", "app/beta"])
      #expect(bulk.changeSet.plans.map(\.steps) == expected.plans.map(\.steps))
      #expect(bulk.plans.map(\.before) == expected.plans.map(\.before.labelledVersions))
      #expect(bulk.plans.map(\.after) == expected.plans.map(\.after.labelledVersions))
      #expect(bulk.plans.allSatisfy { $0.store == h.storePath })
      #expect(bulk.skipped.map(\.name) == ["app/gamma", "app/rds-managed", "app/retired"])
      #expect(bulk.summary.calls == 4)

      // Back in the preview; then the single preview of one secret.
      #expect(ui.screen.contains("Promote pending on 5 marked secrets (preview)"))
      ui.press(.escape)
      try await ui.waitFor("preview closed: nothing sent")
      ui.press(.char("U"))
      try await ui.waitFor("5 marks cleared")
      ui.press(.char("g"), .enter)
      try await ui.waitForVersions(of: "app/alpha")
      ui.press(.char("b"))
      try await ui.waitFor("Roll back (preview)")
      let singlePath = h.directory.appendingPathComponent("single.json").path
      try await writePlan(to: singlePath, ui)
      let single = try PlanFile.read(singlePath)
      let secret = try #require(listed.first { $0.name == "app/alpha" })
      let rollback = try Planner.plan(.rollback, for: secret).get()
      #expect(single.command == "TUI: roll back on app/alpha")
      #expect(single.plans.map(\.name) == ["app/alpha"])
      #expect(single.changeSet.plans.map(\.steps) == [rollback.steps])
      #expect(single.plans.first?.after == rollback.after.labelledVersions)
      #expect(single.skipped.isEmpty)
      let mode = try FileManager.default.attributesOfItem(atPath: singlePath)[.posixPermissions] as? NSNumber
      #expect(mode?.intValue == 0o600)

      for name in ["app/alpha", "app/beta", "app/gamma", "app/rds-managed", "app/retired", "zz/other"] {
        #expect(try h.labels(of: name) == Self.before(name), "\(name): a plan file sends nothing")
      }
      ui.press(.escape)
      try await ui.waitFor("preview closed: nothing sent")
      try await ui.quit()
    }
  }
}
