import Foundation
import StagehandTestSupport
import Testing

/// Plants a known secret value, access key, secret key and session token, runs every command
/// (and the TUI) with `--log-file`, and scans every stdout, stderr and log: the value appears
/// only in the reveal command's stdout and the TUI's popup, the credentials nowhere.
@Suite(.serialized)
struct SecretsHygieneTests {
  static let value = "S3CRET-VALUE-PLANTED-123"
  static let pendingValue = "S3CRET-PENDING-PLANTED-456"
  static let accessKeyId = "AKIAPLANTEDKEY000123"
  static let secretAccessKey = "pLaNtEd/SeCrEt+AcCeSs/KeY-0123456789abcd"
  static let sessionToken = "PLANTED-SESSION-TOKEN-IQoJb3JpZ2luX2VjEXAMPLE"
  static let secret = "hygiene/db"

  /// Everything stagehand must never print; the value is checked separately.
  static let credentials = [accessKeyId, secretAccessKey, sessionToken]

  /// The planted credentials, and no config files. moto accepts any signature.
  static let environment = [
    "AWS_ACCESS_KEY_ID": accessKeyId, "AWS_SECRET_ACCESS_KEY": secretAccessKey, "AWS_SESSION_TOKEN": sessionToken,
    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
  ]

  struct Captured {
    var name: String
    var text: String
  }

  /// Fails (naming where) if any planted string is in `text`.
  static func expectClean(_ captured: Captured, allowValue: Bool = false) {
    for credential in credentials {
      #expect(!captured.text.contains(credential), "\(captured.name) contains a planted credential")
    }
    // Parts of the secret key and token, in case something prints them split or truncated.
    for credential in [secretAccessKey, sessionToken] {
      #expect(!captured.text.contains(String(credential.prefix(16))), "\(captured.name) contains part of a credential")
      #expect(!captured.text.contains(String(credential.suffix(16))), "\(captured.name) contains part of a credential")
    }
    if !allowValue {
      for value in [value, pendingValue] {
        #expect(!captured.text.contains(value), "\(captured.name) contains the planted secret value")
      }
    }
  }

  @Test func theCLIPrintsTheValueOnlyWhenRevealedAndCredentialsNever() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 9)
    defer { proxy.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    _ = try moto.aws(["secretsmanager", "create-secret", "--name", Self.secret, "--secret-string", Self.value])
    let pending = try MotoCLITests.put(moto, Self.secret, Self.pendingValue, stages: ["AWSPENDING"])
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
        extraEnvironment: Self.environment.merging(["AWS_MAX_ATTEMPTS": String(maxAttempts)]) { _, new in new })
      let name = arguments.joined(separator: " ")
      captured.append(Captured(name: "stdout of \(name)", text: result.stdout))
      captured.append(Captured(name: "stderr of \(name)", text: result.stderr))
      return result
    }

    #expect(try stagehand(["list"]).status == 0)
    #expect(try stagehand(["list", "--json"]).status == 0)
    #expect(try stagehand(["versions", Self.secret, "--include-deprecated"]).status == 0)
    #expect(try stagehand(["versions", Self.secret, "--json"]).status == 0)
    #expect(try stagehand(["move", Self.secret, "canary", "--to", pending, "--dry-run"]).status == 0)
    #expect(try stagehand(["move", Self.secret, "canary", "--to", pending, "--yes", "--json"]).status == 0)
    #expect(try stagehand(["promote", Self.secret, "--dry-run", "--json"]).status == 0)
    #expect(try stagehand(["promote", Self.secret, "--yes"]).status == 0)
    #expect(try stagehand(["rollback", Self.secret, "--yes"]).status == 0)
    #expect(try stagehand(["versions", "hygiene/missing"]).status == 2)
    #expect(try stagehand(["remove", Self.secret, "AWSCURRENT", "--yes"]).status == 2)

    // Failure paths too: an ambiguous move resolved by re-reading, an unknown outcome, and
    // damaged GetSecretValue answers whose errors must not quote the body.
    try await proxy.configure([
      "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": ["reset_after"]]
    ])
    #expect(
      try stagehand(["move", Self.secret, "canary", "--to", ":AWSCURRENT", "--yes"], through: proxy.endpoint)
        .status == 0)
    // (A 503, then a reset before the resend reached the server: the move is not in place,
    // so the executor's re-read cannot settle it either.)
    try await proxy.configure([
      "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": ["503", "reset_before"]]
    ])
    #expect(
      try stagehand(["move", Self.secret, "canary", "--to", ":AWSPREVIOUS", "--yes"], through: proxy.endpoint)
        .status == 1)
    for fault in ["truncate", "garble", "cut", "500"] {
      try await proxy.configure([
        "fail_nth": NSNull(), "rate": 1.0, "faults": [fault], "operations": ["GetSecretValue"],
      ])
      let damaged = try stagehand(["reveal", Self.secret, ":AWSCURRENT"], through: proxy.endpoint, maxAttempts: 1)
      #expect(damaged.status == 1, "\(fault): \(damaged.stderr)")
    }
    #expect(try await proxy.stats().injected >= 6)

    // The one place the value may appear: an explicit reveal's stdout.
    let revealed = try h.run(
      [
        "reveal", Self.secret, ":AWSCURRENT", "--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1",
        "--log-file", log.path,
      ],
      extraEnvironment: Self.environment)
    #expect(revealed.status == 0, "\(revealed.stderr)")
    #expect(revealed.stdout.contains(Self.value), "\(revealed.stdout.count) bytes")
    Self.expectClean(Captured(name: "stdout of reveal", text: revealed.stdout), allowValue: true)
    Self.expectClean(Captured(name: "stderr of reveal", text: revealed.stderr))

    for item in captured { Self.expectClean(item) }
    let logText = try String(contentsOf: log, encoding: .utf8)
    #expect(logText.contains("GetSecretValue"), "the log is meant to record the reveal")
    #expect(logText.contains("UpdateSecretVersionStage"))
    #expect(logText.contains("applied after ambiguous failure"))
    Self.expectClean(Captured(name: "the --log-file", text: logText))
  }

  @Test func theTUIShowsARevealedValueButNeverLogsItOrTheCredentials() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    _ = try moto.aws(["secretsmanager", "create-secret", "--name", Self.secret, "--secret-string", Self.value])
    let log = h.directory.appendingPathComponent("tui.log")
    var env = h.terminalEnvironment
    env.merge(Self.environment) { _, new in new }
    let command =
      "\(CLIHarness.binary.path) --endpoint-url \(moto.endpoint.absoluteString) --region us-east-1 "
      + "--log-file \(log.path)"
    let tui = try TmuxSession(command: TmuxSession.reportingExit(command), width: 110, height: 32, environment: env)
    defer { tui.kill() }
    try tui.waitFor("AWSCURRENT")
    try tui.sendKeys("Enter")
    try tui.sendKeys("v")
    let shown = try tui.waitFor(Self.value)
    Self.expectClean(Captured(name: "the pane with the popup", text: shown), allowValue: true)
    try tui.sendKeys("Escape")
    let closed = try tui.waitUntil("the popup to close") { !$0.contains(Self.value) }
    Self.expectClean(Captured(name: "the pane after closing the popup", text: closed))
    try tui.sendKeys("q")
    #expect(try tui.waitForExitReport() == 0)

    let logText = try String(contentsOf: log, encoding: .utf8)
    #expect(logText.contains("GetSecretValue"), "the log is meant to record the reveal")
    Self.expectClean(Captured(name: "the TUI's --log-file", text: logText))
  }
}
