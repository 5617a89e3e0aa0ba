import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

/// 200 AWSCURRENT moves through the fault proxy, resets after the server applied a move
/// included, and faults on the reads around the moves in the CLI's random phase: after each one the labels read back without the proxy equal the plan's
/// prediction (so no move was lost or applied twice: AWSPREVIOUS sits exactly where one move
/// puts it), and an ambiguous outcome is reported as applied, not applied or unknown
/// honestly. 24 moves go through the CLI, each checked with the aws CLI; 176 go through
/// AWSSecretsBackend and PlanExecutor in this process, each checked by a proxy-free backend
/// and every 25th and the last with the aws CLI, to keep the run short.
@Suite(.serialized, .ownThreads)
struct FaultMoveTests {
  static let secret = "fault/moves"
  static let faults = ["throttle", "500", "503", "reset_before", "reset_after", "truncate", "cut", "garble"]
  static let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

  typealias Labels = [String: Set<String>]

  struct Fixture {
    let moto: MotoServer
    let proxy: FaultProxy
    let harness: CLIHarness
    /// Three versions, each with a custom label of its own that no move touches.
    let versions: [String]

    static func make() async throws -> Fixture {
      let moto = try await MotoServer.start()
      let created =
        try await moto.aws(["secretsmanager", "create-secret", "--name", secret, "--secret-string", "one"])
        as? [String: Any]
      let first = try #require(created?["VersionId"] as? String)
      let second = try await moto.put(secret, "two", stages: ["green"])
      let third = try await moto.put(secret, "three", stages: ["red"])
      _ = try await moto.aws([
        "secretsmanager", "update-secret-version-stage", "--secret-id", secret, "--version-stage", "blue",
        "--move-to-version-id", first,
      ])
      let proxy = try await FaultProxy.start(target: moto, seed: 7)
      return Fixture(moto: moto, proxy: proxy, harness: try CLIHarness(), versions: [first, second, third])
    }

    func labels() throws -> Labels { try moto.labels(of: secret) }

    /// The version after the one holding AWSCURRENT, in creation order.
    func nextTarget(_ labels: Labels) throws -> String {
      let current = try #require(labels.first { $0.value.contains("AWSCURRENT") }?.key)
      let index = try #require(versions.firstIndex(of: current))
      return versions[(index + 1) % versions.count]
    }

    func stop() {
      proxy.stop()
      moto.stop()
      harness.cleanUp()
    }
  }

  /// What one AWSCURRENT move does: the old current version gets AWSPREVIOUS (taken from
  /// wherever it was), the target gets AWSCURRENT; unlabelled versions drop out.
  static func predicted(_ labels: Labels, currentTo target: String) -> Labels {
    var next = labels
    let old = labels.first { $0.value.contains("AWSCURRENT") }?.key
    for key in next.keys { next[key]?.remove("AWSPREVIOUS") }
    if let old {
      next[old]?.remove("AWSCURRENT")
      next[old, default: []].insert("AWSPREVIOUS")
    }
    next[target, default: []].insert("AWSCURRENT")
    return next.filter { !$0.value.isEmpty }
  }

  /// Counts of how each CLI move ended, for the summary and the coverage checks.
  struct Tally {
    var applied = 0
    var appliedAfterAmbiguity = 0
    var resentAfterAmbiguity = 0
    var unknown = 0
    var failedUnapplied = 0
  }

  /// One CLI move; checks the outcome against the labels the aws CLI reads afterwards.
  func cliMove(_ f: Fixture, _ tally: inout Tally, _ context: String) throws {
    let before = try f.labels()
    let target = try f.nextTarget(before)
    let after = Self.predicted(before, currentTo: target)
    let log = f.harness.directory.appendingPathComponent("move-\(UUID().uuidString).log")
    let result = try f.harness.run(
      [
        "move", Self.secret, "AWSCURRENT", "--to", target, "--yes", "--json", "--endpoint-url",
        f.proxy.endpoint.absoluteString, "--region", "us-east-1", "--log-file", log.path,
      ],
      extraEnvironment: MotoServer.stagehandEnvironment.merging(["AWS_MAX_ATTEMPTS": "10"]) { _, new in new })
    let now = try f.labels()
    let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
    if result.status == 0 {
      #expect(now == after, "\(context): reported applied, labels \(now), planned \(after)")
      #expect(json?["Applied"] as? Bool == true, "\(context): \(result.stdout)")
      tally.applied += 1
      if logText.contains("(applied after ambiguous failure)") { tally.appliedAfterAmbiguity += 1 }
      if logText.contains("(not applied after ambiguous failure; resent once)") { tally.resentAfterAmbiguity += 1 }
    } else {
      #expect(result.status == 1, "\(context): \(result.stderr)")
      #expect(now == before || now == after, "\(context): labels \(now) are neither \(before) nor \(after)")
      #expect(json?["Applied"] as? Bool == false, "\(context): \(result.stdout)")
      if result.stderr.contains("outcome is unknown") {
        tally.unknown += 1
      } else {
        // A failure that does not say "unknown" must mean nothing was applied.
        #expect(now == before, "\(context): said \(result.stderr) yet the move is in place")
        tally.failedUnapplied += 1
      }
    }
  }

  @Test func twoHundredMovesUnderFaultsEndExactlyAsPlanned() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    var tally = Tally()
    var injected = 0

    // Scripted first, so each ambiguous path runs at least once whatever the seed does.
    let scripted: [(faults: [String], outcome: String)] = [
      (["reset_after"], "applied after ambiguity"),
      (["reset_before"], "resent"),
      (["500"], "resent"),
      (["cut"], "applied after ambiguity"),
      (["503", "reset_before"], "unknown, not applied"),
      // The resend's outcome is unknown to the backend; the executor's re-read finds the
      // move in place and reports it applied.
      (["reset_before", "reset_after"], "applied, found by the executor's re-read"),
      (["throttle", "throttle"], "applied"),
      (["garble"], "applied"),
    ]
    for (index, script) in scripted.enumerated() {
      try await f.proxy.resetStats()
      try await f.proxy.configure([
        "rate": 0.0, "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": script.faults],
      ])
      let before = tally
      let labelsBefore = try f.labels()
      try cliMove(f, &tally, "scripted \(script.faults)")
      let labelsAfter = try f.labels()
      let stats = try await f.proxy.stats()
      #expect(stats.injected("UpdateSecretVersionStage") == script.faults.count, "\(script.faults): \(stats.faults)")
      injected += stats.injected
      switch script.outcome {
      case "applied after ambiguity":
        #expect(tally.appliedAfterAmbiguity == before.appliedAfterAmbiguity + 1, "\(script.faults)")
      case "resent":
        #expect(tally.resentAfterAmbiguity == before.resentAfterAmbiguity + 1, "\(script.faults)")
      case "unknown, not applied":
        #expect(tally.unknown == before.unknown + 1, "\(script.faults)")
        #expect(labelsAfter == labelsBefore)
      case "applied, found by the executor's re-read":
        #expect(tally.applied == before.applied + 1, "\(script.faults)")
        #expect(labelsAfter != labelsBefore)
      default:
        #expect(tally.applied == before.applied + 1, "\(script.faults) \(index)")
      }
    }

    // Then random faults on every call the CLI makes: the reads before and after the move
    // (DescribeSecret, ListSecretVersionIds, on reused keep-alive connections) and the move.
    try await f.proxy.configure([
      "fail_nth": NSNull(), "rate": 0.3, "faults": Self.faults, "operations": [], "seed": 11,
    ])
    try await f.proxy.resetStats()
    for run in 1...16 { try cliMove(f, &tally, "random run \(run)") }
    let randomStats = try await f.proxy.stats()
    injected += randomStats.injected
    #expect(randomStats.injected("UpdateSecretVersionStage") > 0, "\(randomStats.faults)")
    #expect(randomStats.injected("DescribeSecret") + randomStats.injected("ListSecretVersionIds") > 0)
    #expect(randomStats.faultsOnReusedConnections > 0, "some read faults hit a reused connection")
    #expect(randomStats.incompleteBodies == 0, "no request was resent without its body")

    // The rest in this process.
    let inProcess = try await inProcessMoves(f, count: 176)
    injected += inProcess.injected
    #expect(inProcess.moves == 176)
    print(
      "FaultMoveTests: CLI \(tally) ; in-process \(inProcess) ; \(injected) faults injected in all "
        + "(random phase \(randomStats.faults))")
  }

  struct InProcessResult: CustomStringConvertible {
    var moves = 0
    var applied = 0
    var unknown = 0
    var failedUnapplied = 0
    var injected = 0
    var notes: [String: Int] = [:]
    var description: String {
      "moves \(moves), applied \(applied), unknown \(unknown), failed unapplied \(failedUnapplied), notes \(notes)"
    }
  }

  /// Collects the backend's notes on how ambiguous failures were resolved.
  final class NoteLog: RequestLog, @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [String] = []
    func record(_ entry: RequestLogEntry) {
      guard let note = entry.note else { return }
      lock.withLock { notes.append(note) }
    }
    func drain() -> [String] {
      lock.withLock {
        defer { notes = [] }
        return notes
      }
    }
  }

  static func backend(_ endpoint: URL, log: (any RequestLog)?, timeout: Duration) -> AWSSecretsBackend {
    let environment = AWSEnvironment(variables: credentials, homeDirectory: "/nonexistent") { _ in nil }
    let client = AWSJSONClient(
      endpoint: endpoint, region: "us-east-1", credentials: EnvironmentCredentialProvider(environment: environment),
      retryPolicy: RetryPolicy(maxAttempts: 10, base: .milliseconds(5), cap: .milliseconds(50)), log: log,
      timeout: timeout)
    return AWSSecretsBackend(client: client, customEndpoint: endpoint)
  }

  func inProcessMoves(_ f: Fixture, count: Int) async throws -> InProcessResult {
    let notes = NoteLog()
    // A one-second timeout, so that "delay_after" (the server applied, the answer comes
    // late) is a timeout to the client.
    let faulty = Self.backend(f.proxy.endpoint, log: notes, timeout: .seconds(1))
    let direct = Self.backend(f.moto.endpoint, log: nil, timeout: .seconds(10))
    let executor = PlanExecutor(backend: faulty)
    var result = InProcessResult()
    try await f.proxy.resetStats()
    try await f.proxy.configure(["delay_seconds": 1.5, "seed": 23, "operations": []])
    for move in 1...count {
      // Every 40th move: the server applies it and the answer is late (a client timeout).
      if move % 40 == 0 {
        try await f.proxy.configure([
          "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": ["delay_after"]]
        ])
      } else if move % 40 == 1 && move > 1 {
        try await f.proxy.configure(["fail_nth": NSNull()])
      }
      let secret = try await direct.describeSecret(Self.secret, includeDeprecated: true)
      let before = secret.labelMap.labelledVersions.stages
      let target = try f.nextTarget(before)
      let after = Self.predicted(before, currentTo: target)
      let plan = try Planner.plan(.move(label: "AWSCURRENT", to: target, from: nil), for: secret).get()
      #expect(plan.after.labelledVersions.stages == after, "move \(move): the planner disagrees with the test")
      let report = await executor.execute(plan)
      let now = try await direct.describeSecret(Self.secret, includeDeprecated: true).labelMap.labelledVersions.stages
      switch report {
      case .applied:
        #expect(now == after, "move \(move): reported applied, labels \(now), planned \(after)")
        result.applied += 1
      case .conflict(_, _, let changes):
        Issue.record("move \(move): a conflict with no other writer: \(changes)")
      case .failed(_, let error, let appliedSteps, _, _, _):
        #expect(appliedSteps == 0)
        #expect(now == before || now == after, "move \(move): labels \(now) are neither before nor after")
        if error.userMessage.contains("outcome is unknown") {
          result.unknown += 1
        } else {
          #expect(now == before, "move \(move): \(error.userMessage) yet the move is in place")
          result.failedUnapplied += 1
        }
      case .unknown(_, _, let appliedSteps):
        // The labels could not be read back after the failure.
        #expect(appliedSteps == 0)
        #expect(now == before || now == after, "move \(move): labels \(now) are neither before nor after")
        result.unknown += 1
      }
      for note in notes.drain() { result.notes[note, default: 0] += 1 }
      result.moves += 1
      if move % 25 == 0 || move == count {
        #expect(try f.labels() == now, "move \(move): the aws CLI disagrees with the direct backend")
      }
    }
    result.injected = try await f.proxy.stats().injected
    #expect(result.injected > 0)
    #expect(result.notes["applied after ambiguous failure", default: 0] > 0, "\(result)")
    return result
  }
}
