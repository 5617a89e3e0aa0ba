import Foundation
import StagehandTestSupport
import Testing

/// Plants a known secret value, access key, secret key and session token, runs every command
/// with `--log-file`, and scans every stdout, stderr and log: the value appears only in the
/// reveal command's stdout, the credentials nowhere. (The UI's side is SecretsHygieneUITests.)
@Suite(.serialized, .ownThreads)
struct SecretsHygieneTests {
  struct Captured {
    var name: String
    var text: String
  }

  /// Fails (naming where) if any planted string is in `text`.
  static func expectClean(_ captured: Captured, allowValue: Bool = false) {
    let leaks = PlantedSecrets.leaks(in: captured.text, allowValue: allowValue)
    #expect(leaks.isEmpty, "\(captured.name) contains \(leaks.joined(separator: ", "))")
  }

  @Test func theCLIPrintsTheValueOnlyWhenRevealedAndCredentialsNever() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 9)
    defer { proxy.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    _ = try await moto.aws([
      "secretsmanager", "create-secret", "--name", PlantedSecrets.secret, "--secret-string", PlantedSecrets.value,
    ])
    let pending = try await moto.put(PlantedSecrets.secret, PlantedSecrets.pendingValue, stages: ["AWSPENDING"])
    let log = h.directory.appendingPathComponent("requests.log")

    var captured: [Captured] = []
    func stagehand(_ arguments: [String], through endpoint: URL? = nil, maxAttempts: Int = 3) throws
      -> CLIHarness.Result
    {
      let result = try h.run(
        arguments + [
          "--endpoint-url", (endpoint ?? moto.endpoint).absoluteString, "--region", "us-east-1", "--log-file",
          log.path,
        ],
        extraEnvironment: PlantedSecrets.environment.merging(["AWS_MAX_ATTEMPTS": String(maxAttempts)]) { _, new in new
        })
      let name = arguments.joined(separator: " ")
      captured.append(Captured(name: "stdout of \(name)", text: result.stdout))
      captured.append(Captured(name: "stderr of \(name)", text: result.stderr))
      return result
    }

    #expect(try stagehand(["list"]).status == 0)
    #expect(try stagehand(["list", "--json"]).status == 0)
    #expect(try stagehand(["versions", PlantedSecrets.secret, "--include-deprecated"]).status == 0)
    #expect(try stagehand(["versions", PlantedSecrets.secret, "--json"]).status == 0)
    #expect(try stagehand(["move", PlantedSecrets.secret, "canary", "--to", pending, "--dry-run"]).status == 0)
    #expect(try stagehand(["move", PlantedSecrets.secret, "canary", "--to", pending, "--yes", "--json"]).status == 0)
    #expect(try stagehand(["promote", PlantedSecrets.secret, "--dry-run", "--json"]).status == 0)
    #expect(try stagehand(["promote", PlantedSecrets.secret, "--yes"]).status == 0)
    #expect(try stagehand(["rollback", PlantedSecrets.secret, "--yes"]).status == 0)
    #expect(try stagehand(["versions", "hygiene/missing"]).status == 2)
    #expect(try stagehand(["remove", PlantedSecrets.secret, "AWSCURRENT", "--yes"]).status == 2)

    // Failure paths too: an ambiguous move resolved by re-reading, an unknown outcome, and
    // damaged GetSecretValue answers whose errors must not quote the body.
    try await proxy.configure([
      "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": ["reset_after"]]
    ])
    #expect(
      try stagehand(["move", PlantedSecrets.secret, "canary", "--to", ":AWSCURRENT", "--yes"], through: proxy.endpoint)
        .status == 0)
    // (A 503, then a reset before the resend reached the server: the move is not in place,
    // so the executor's re-read cannot settle it either.)
    try await proxy.configure([
      "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": ["503", "reset_before"]]
    ])
    #expect(
      try stagehand(
        ["move", PlantedSecrets.secret, "canary", "--to", ":AWSPREVIOUS", "--yes"], through: proxy.endpoint
      )
      .status == 1)
    for fault in ["truncate", "garble", "cut", "500"] {
      try await proxy.configure([
        "fail_nth": NSNull(), "rate": 1.0, "faults": [fault], "operations": ["GetSecretValue"],
      ])
      let damaged = try stagehand(
        ["reveal", PlantedSecrets.secret, ":AWSCURRENT"], through: proxy.endpoint, maxAttempts: 1)
      #expect(damaged.status == 1, "\(fault): \(damaged.stderr)")
    }
    #expect(try await proxy.stats().injected >= 6)

    // The one place the value may appear: an explicit reveal's stdout.
    let revealed = try await h.run(
      [
        "reveal", PlantedSecrets.secret, ":AWSCURRENT", "--endpoint-url", moto.endpoint.absoluteString, "--region",
        "us-east-1",
        "--log-file", log.path,
      ],
      extraEnvironment: PlantedSecrets.environment)
    #expect(revealed.status == 0, "\(revealed.stderr)")
    #expect(revealed.stdout.contains(PlantedSecrets.value), "\(revealed.stdout.count) bytes")
    Self.expectClean(Captured(name: "stdout of reveal", text: revealed.stdout), allowValue: true)
    Self.expectClean(Captured(name: "stderr of reveal", text: revealed.stderr))

    for item in captured { Self.expectClean(item) }
    let logText = try String(contentsOf: log, encoding: .utf8)
    #expect(logText.contains("GetSecretValue"), "the log is meant to record the reveal")
    #expect(logText.contains("UpdateSecretVersionStage"))
    #expect(logText.contains("applied after ambiguous failure"))
    Self.expectClean(Captured(name: "the --log-file", text: logText))
  }
}
