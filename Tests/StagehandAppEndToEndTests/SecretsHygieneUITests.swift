import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

@testable import StagehandApp

/// The UI with planted credentials and a planted value, through the AWS backend against
/// moto with `--log-file`: the value is on screen only while the reveal popup shows it, and
/// neither it nor the credentials reach the log; no frame ever shows a credential.
@Suite(.serialized, .ownThreads)
struct SecretsHygieneUITests {
  /// Fails (naming where) if any planted string is in `text`.
  func expectClean(_ name: String, _ text: String, allowValue: Bool = false) {
    let leaks = PlantedSecrets.leaks(in: text, allowValue: allowValue)
    #expect(leaks.isEmpty, "\(name) contains \(leaks.joined(separator: ", "))")
  }

  @Test func theTUIShowsARevealedValueButNeverLogsItOrTheCredentials() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try await onOwnThread {
      _ = try moto.aws([
        "secretsmanager", "create-secret", "--name", PlantedSecrets.secret, "--secret-string", PlantedSecrets.value,
      ])
    }
    let log = h.directory.appendingPathComponent("tui.log")
    let environment = AWSEnvironment(variables: PlantedSecrets.environment, homeDirectory: h.directory.path) {
      try? String(contentsOfFile: $0, encoding: .utf8)
    }
    let backend = try await BackendFactory.make(
      GlobalSettings(region: "us-east-1", endpointURL: moto.endpoint.absoluteString, logFile: log.path),
      environment: environment)
    try await withUI(backend) { ui in
      try await ui.waitFor("AWSCURRENT")
      ui.press(.enter, .char("v"))
      let shown = try await ui.waitFor(PlantedSecrets.value)
      expectClean("the screen with the popup", shown, allowValue: true)
      ui.press(.escape)
      let closed = try await ui.waitUntil("the popup to close") { !$0.contains(PlantedSecrets.value) }
      expectClean("the screen after closing the popup", closed)
      try await ui.quit()
      for (index, frame) in ui.frames.enumerated() { expectClean("frame \(index)", frame, allowValue: true) }
    }

    let logText = try String(contentsOf: log, encoding: .utf8)
    #expect(logText.contains("GetSecretValue"), "the log is meant to record the reveal")
    expectClean("the TUI's --log-file", logText)
  }
}
