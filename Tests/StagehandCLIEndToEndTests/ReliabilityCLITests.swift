import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

/// Field faults a plain moto never produces, through the stagehand binary and loopback peers,
/// with the aws CLI (straight to moto) as the judge of the end state: a skewed clock (the auth
/// proxy's clock is off and it answers `Date`), session credentials that expire mid-run (its
/// container credentials endpoint), and a burst of throttling (the fault proxy).
@Suite(.serialized, .ownThreads)
struct ReliabilityCLITests {
  static let secret = "field/db"

  /// moto with `secret` at two versions: v1 AWSCURRENT, v2 unlabelled but for "next".
  static func motoWithSecret() async throws -> (moto: MotoServer, v1: String, v2: String) {
    let moto = try await MotoServer.start()
    let created =
      try await moto.aws(["secretsmanager", "create-secret", "--name", secret, "--secret-string", "one"])
      as? [String: Any]
    let v1 = try #require(created?["VersionId"] as? String)
    let v2 = try await moto.put(secret, "two", stages: ["next"])
    return (moto, v1, v2)
  }

  static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

  static func lines(_ text: String, containing word: String) -> [Substring] {
    text.split(separator: "\n").filter { $0.contains(word) }
  }

  // MARK: - Clock skew

  /// Each run learns the offset from the first refusal's `Date`, says so once in its log, and
  /// then lists and moves as if the clock were right.
  @Test(arguments: [1200, -1200])
  func aSkewedClockIsCorrectedAndSaidOnceInTheLog(_ skew: Int) async throws {
    let (moto, v1, v2) = try await Self.motoWithSecret()
    defer { moto.stop() }
    let proxy = try await AuthProxy.start(target: moto, skewSeconds: skew)
    defer { proxy.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    func stagehand(_ arguments: [String], log: String) throws -> CLIHarness.Result {
      try h.run(
        arguments + [
          "--endpoint-url", proxy.endpoint.absoluteString, "--region", "us-east-1", "--log-file",
          h.directory.appendingPathComponent(log).path,
        ], extraEnvironment: MotoServer.stagehandEnvironment)
    }
    let listed = try stagehand(["list"], log: "list.log")
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.stdout.contains(Self.secret))
    let moved = try stagehand(["move", Self.secret, "AWSCURRENT", "--to", v2, "--yes"], log: "move.log")
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(try await moto.labels(of: Self.secret) == [v2: ["AWSCURRENT", "next"], v1: ["AWSPREVIOUS"]])

    let direction = skew > 0 ? "behind AWS" : "ahead of AWS"
    for log in ["list.log", "move.log"] {
      let text = Self.read(h.directory.appendingPathComponent(log).path)
      let notes = Self.lines(text, containing: "clock skew:")
      #expect(notes.count == 1, "\(log):\n\(text)")
      let said = notes.first.flatMap { note in
        note.range(of: #"is (\d+) s"#, options: .regularExpression).map { Int(note[$0].split(separator: " ")[1]) }
      }
      #expect(said.flatMap { $0 }.map { abs($0 - abs(skew)) <= 5 } == true, "\(notes)")
      #expect(notes.first?.contains(direction) == true)
    }
    let stats = try await proxy.stats()
    let refusals = stats["skew_refusals"] as? Int ?? -1
    // One refusal per run, or two when a run's first calls go out together (the move reads the
    // secret and its versions at once).
    #expect((2...4).contains(refusals), "\(stats)")
  }

  /// No `Date` to learn from: the run fails with words that name this machine's clock, and
  /// sends nothing again.
  @Test func withoutADateHeaderTheErrorNamesTheClock() async throws {
    let (moto, _, _) = try await Self.motoWithSecret()
    defer { moto.stop() }
    let proxy = try await AuthProxy.start(target: moto, skewSeconds: 1200)
    defer { proxy.stop() }
    try await proxy.configure(["send_date": false])
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let listed = try await h.run(
      ["list", "--endpoint-url", proxy.endpoint.absoluteString, "--region", "us-east-1"],
      extraEnvironment: MotoServer.stagehandEnvironment)
    #expect(listed.status != 0)
    #expect(listed.stderr.contains("Signature expired"), "\(listed.stderr)")
    #expect(listed.stderr.contains("This computer's clock reads"))
    #expect(listed.stderr.contains("no Date header"))
    #expect(listed.stderr.contains("timedatectl set-ntp true"))
    let stats = try await proxy.stats()
    #expect(stats["skew_refusals"] as? Int == 1, "\(stats)")
    #expect(stats["forwarded"] as? Int == 0)
  }

  // MARK: - Expiring credentials

  /// Container credentials whose session token AWS stops accepting after two requests: each
  /// refusal makes the run fetch new ones and send the refused call again (a refused change was
  /// not applied), and the move completes.
  @Test func sessionCredentialsThatExpireMidRunAreRenewed() async throws {
    let (moto, v1, v2) = try await Self.motoWithSecret()
    defer { moto.stop() }
    let proxy = try await AuthProxy.start(target: moto)
    defer { proxy.stop() }
    try await proxy.configure(["token_uses": 2])
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let log = h.directory.appendingPathComponent("creds.log").path
    let moved = try await h.run(
      [
        "move", Self.secret, "AWSCURRENT", "--to", v2, "--yes", "--endpoint-url", proxy.endpoint.absoluteString,
        "--region", "us-east-1", "--log-file", log,
      ],
      extraEnvironment: [
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": proxy.credentialsURL, "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
      ])
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(try await moto.labels(of: Self.secret) == [v2: ["AWSCURRENT", "next"], v1: ["AWSPREVIOUS"]])
    let stats = try await proxy.stats()
    let refusals = stats["token_refusals"] as? Int ?? 0
    #expect(refusals >= 1, "\(stats)")
    #expect((stats["issued"] as? Int ?? 0) >= 2)
    let text = Self.read(log)
    #expect(Self.lines(text, containing: "ExpiredTokenException").count == refusals, "\(text)")
    #expect(text.contains("credentials refused (ExpiredTokenException); refreshed and sent again"))
    #expect(!text.contains("session-"), "no token reaches the log")
  }

  // MARK: - Throttling

  /// A burst of throttling at the start of a move (the first three calls of each operation it
  /// makes are refused with ThrottlingException): the client-side limiter engages (the log
  /// says at what rate), spaces the attempts out, and the move completes once the throttling
  /// stops. The burst is counted in requests, not seconds, so a slow machine cannot outlast
  /// `AWS_MAX_ATTEMPTS=10` with it.
  @Test func aMoveCompletesOnceAThrottlingBurstEnds() async throws {
    let (moto, v1, v2) = try await Self.motoWithSecret()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto)
    defer { proxy.stop() }
    try await proxy.configure([
      "fail_nth": ["DescribeSecret", "ListSecretVersionIds", "UpdateSecretVersionStage"].map {
        ["operation": $0, "n": 1, "times": 3, "status": 400, "type": "ThrottlingException"]
      }
    ])
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let log = h.directory.appendingPathComponent("throttle.log").path
    let endpoint = proxy.endpoint.absoluteString
    let run = Task.detached {
      try h.run(
        [
          "move", Self.secret, "AWSCURRENT", "--to", v2, "--yes", "--endpoint-url", endpoint, "--region",
          "us-east-1", "--log-file", log,
        ], extraEnvironment: MotoServer.stagehandEnvironment.merging(["AWS_MAX_ATTEMPTS": "10"]) { _, new in new })
    }
    let moved = try await run.value
    #expect(moved.status == 0, "\(moved.stderr)")
    #expect(try await moto.labels(of: Self.secret) == [v2: ["AWSCURRENT", "next"], v1: ["AWSPREVIOUS"]])
    let stats = try await proxy.stats()
    #expect(stats.injected >= 1, "\(stats.faults)")
    let text = Self.read(log)
    let throttled = Self.lines(text, containing: "ThrottlingException")
    #expect(throttled.count == stats.injected, "\(text)")
    #expect(throttled.allSatisfy { $0.contains("client-side rate limit now ") })
  }
}
