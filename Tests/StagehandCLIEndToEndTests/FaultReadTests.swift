import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

/// Through the fault proxy in front of moto: reads whose keep-alive connection (one earlier
/// requests used) is reset are sent again at once, whole, and succeed; a request the proxy
/// holds past the client's timeout before forwarding it (the server may get it later, or
/// not) is asked again if it is a read, and resolved by re-reading if it is a label move,
/// whose late arrival then changes nothing.
@Suite(.serialized, .ownThreads)
struct FaultReadTests {
  static let secret = "fault/reads"

  /// Records every attempt the client logs.
  final class AttemptLog: RequestLog, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [RequestLogEntry] = []
    func record(_ entry: RequestLogEntry) { lock.withLock { entries.append(entry) } }
    func drain() -> [RequestLogEntry] {
      lock.withLock {
        defer { entries = [] }
        return entries
      }
    }
  }

  /// A client as the CLI makes one (30 s timeout unless `timeout` says otherwise).
  static func client(_ endpoint: URL, log: AttemptLog, timeout: Duration = .seconds(30)) -> AWSJSONClient {
    let environment = AWSEnvironment(variables: FaultMoveTests.credentials, homeDirectory: "/nonexistent") { _ in nil }
    return AWSJSONClient(
      endpoint: endpoint, region: "us-east-1", credentials: EnvironmentCredentialProvider(environment: environment),
      log: log, timeout: timeout)
  }

  /// moto holding `secret`, and the fault proxy in front of it.
  static func serverWithOneSecret(seed: Int) async throws -> (MotoServer, FaultProxy) {
    let moto = try await MotoServer.start()
    do {
      _ = try await moto.aws(["secretsmanager", "create-secret", "--name", secret, "--secret-string", "one"])
      return (moto, try await FaultProxy.start(target: moto, seed: seed))
    } catch {
      moto.stop()
      throw error
    }
  }

  /// The labelled versions of FaultMoveTests.secret, as `backend` reads them.
  static func labels(_ backend: AWSSecretsBackend) async throws -> FaultMoveTests.Labels {
    let secret = try await backend.describeSecret(FaultMoveTests.secret, includeDeprecated: true)
    return secret.labelMap.labelledVersions.stages
  }

  /// Waits until the proxy has had the server answer `count` delayed requests.
  static func waitForLateForwards(_ proxy: FaultProxy, _ count: Int) async throws {
    for _ in 0..<400 {
      if try await proxy.stats().lateForwards >= count { return }
      try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("the proxy never forwarded the delayed request")
  }

  /// A read reset on a reused connection is sent again at once, whole; a changing call is
  /// not, whichever connection it would have had.
  @Test(.timeLimit(.minutes(10))) func aReadResetOnAReusedConnectionIsRetriedAndSucceeds() async throws {
    let (moto, proxy) = try await Self.serverWithOneSecret(seed: 3)
    defer {
      proxy.stop()
      moto.stop()
    }
    let log = AttemptLog()
    let client = Self.client(proxy.endpoint, log: log)
    for operation in ["DescribeSecret", "ListSecretVersionIds"] {
      for fault in ["reset_before", "reset_after"] {
        let context = "\(operation) \(fault)"
        // A first call opens the keep-alive connection the faulted one goes out on.
        _ = try await client.call(operation: operation, input: ["SecretId": Self.secret])
        try await proxy.resetStats()
        try await proxy.configure(["fail_nth": ["operation": operation, "n": 1, "faults": [fault]]])
        _ = log.drain()
        let data = try await client.call(operation: operation, input: ["SecretId": Self.secret])
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["Name"] as? String == Self.secret, "\(context)")
        let stats = try await proxy.stats()
        #expect(stats.faults == ["\(operation):\(fault)": 1], "\(context): \(stats.faults)")
        #expect(stats.faultsOnReusedConnections == 1, "\(context): the fault hit a reused connection")
        // The faulted request and one more, sent whole: never a resend without its body.
        #expect(stats.byOperation == [operation: 2], "\(context): \(stats.byOperation)")
        #expect(stats.incompleteBodies == 0, "\(context)")
        #expect(stats.chunkedOrExpect == 0, "\(context): the body went with its length, at once")
        #expect(stats.forwarded == (fault == "reset_after" ? 2 : 1), "\(context)")
        let attempts = log.drain()
        print("FaultReadTests: \(context): attempts \(attempts.map { "\($0.attempt) \($0.outcome) \($0.latency)" })")
      }
    }

    // A changing call from the same client, after all those reads, goes out on a connection
    // of its own, and a reset is reported as ambiguous: never sent a second time.
    let described = try await client.call(operation: "DescribeSecret", input: ["SecretId": Self.secret])
    let stages = (try JSONSerialization.jsonObject(with: described) as? [String: Any])?["VersionIdsToStages"]
    let version = try #require((stages as? [String: Any])?.keys.first)
    for (index, fault) in ["reset_before", "reset_after"].enumerated() {
      let label = "x\(index)"
      try await proxy.resetStats()
      try await proxy.configure([
        "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": [fault]]
      ])
      await #expect(throws: AmbiguousWriteFailure.self, "\(fault)") {
        _ = try await client.call(
          operation: "UpdateSecretVersionStage",
          input: ["SecretId": Self.secret, "VersionStage": label, "MoveToVersionId": version])
      }
      let stats = try await proxy.stats()
      #expect(stats.byOperation == ["UpdateSecretVersionStage": 1], "\(fault): \(stats.byOperation)")
      #expect(stats.faultsOnReusedConnections == 0, "\(fault): a fresh connection")
      let labels = try await moto.labels(of: Self.secret)
      #expect(labels[version]?.contains(label) == (fault == "reset_after"), "\(fault): \(labels)")
    }
    try await proxy.configure(["fail_nth": NSNull()])
  }

  /// The proxy holds a DescribeSecret 8 s before forwarding it, far past the client's 1 s
  /// timeout: the margin is wide because the timeout is enforced by tasks on Swift's
  /// cooperative pool, which a loaded 2-core machine running the whole suite can hold up
  /// for over a second (CI once saw the 3 s answer beat a 2 s timeout that way).
  @Test(.timeLimit(.minutes(10))) func aReadDelayedPastTheTimeoutIsAskedAgainAndSucceeds() async throws {
    let (moto, proxy) = try await Self.serverWithOneSecret(seed: 5)
    defer {
      proxy.stop()
      moto.stop()
    }
    let log = AttemptLog()
    let client = Self.client(proxy.endpoint, log: log, timeout: .seconds(1))
    try await proxy.configure([
      "delay_seconds": 8, "fail_nth": ["operation": "DescribeSecret", "n": 1, "faults": ["delay"]],
    ])
    let data = try await client.call(operation: "DescribeSecret", input: ["SecretId": Self.secret])
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    #expect(object?["Name"] as? String == Self.secret)
    // A timeout, then the answer to a later ask (a slow machine may time out once more).
    let outcomes = log.drain().map(\.outcome)
    #expect(outcomes.count >= 2 && outcomes.last == "ok", "\(outcomes)")
    #expect(outcomes.dropLast().allSatisfy { $0 == "transport" }, "\(outcomes)")
    try await Self.waitForLateForwards(proxy, 1)
    let stats = try await proxy.stats()
    #expect(stats.byOperation == ["DescribeSecret": outcomes.count])
    #expect(stats.faults == ["DescribeSecret:delay": 1])
    #expect(stats.forwarded == outcomes.count, "the delayed request reached the server too")
  }

  /// AWSCURRENT moves whose UpdateSecretVersionStage the proxy holds ("hold") past the
  /// client's timeout and releases at a chosen point, twice for each way it can resolve:
  /// - released after the command ended: the re-read saw it not applied, it was resent once,
  ///   and the held request is then refused (its RemoveFromVersionId no longer holds the label);
  /// - released when the re-read arrives: the re-read sees it applied;
  /// - the resend held too, both released after the command ended: the outcome is unknown;
  /// - released when the resend arrives: the resend is refused, and the executor's re-read
  ///   finds the move in place, so it is reported applied although its last call failed.
  /// Each report is checked against the labels read without the proxy, then again once every
  /// held request has reached the server: an applied report stays true, an unknown one leaves
  /// the before or after state, and nothing is applied twice (AWSPREVIOUS sits where one
  /// move puts it). The order is set by releases, not by clocks: only the client's timeout
  /// (4 s) must pass while a request is held, and it is held for as long as it takes.
  @Test(.timeLimit(.minutes(10))) func aMoveHeldPastTheTimeoutIsResolvedByRereading() async throws {
    let f = try await FaultMoveTests.Fixture.make()
    defer { f.stop() }
    let notes = FaultMoveTests.NoteLog()
    let faulty = FaultMoveTests.backend(f.proxy.endpoint, log: notes, timeout: .seconds(4))
    let direct = FaultMoveTests.backend(f.moto.endpoint, log: nil, timeout: .seconds(30))
    let executor = PlanExecutor(backend: faulty)
    typealias Scenario = (name: String, holds: [String], releaseOn: String?, late: Int, outcome: String)
    let scenarios: [Scenario] = [
      ("resent", ["hold"], nil, 1, "applied (not applied after ambiguous failure; resent once)"),
      ("released by the re-read", ["hold"], "DescribeSecret", 1, "applied (applied after ambiguous failure)"),
      ("resend held", ["hold", "hold"], nil, 2, "unknown"),
      ("released by the resend", ["hold"], "UpdateSecretVersionStage", 1, "applied"),
    ]
    var outcomes: [String: Int] = [:]
    for (round, scenario) in (scenarios + scenarios).enumerated() {
      let context = "move \(round + 1) (\(scenario.name))"
      // Configured after the direct read and the planning, so that only the executor's
      // calls count: its DescribeSecret before the move must release nothing.
      let secret = try await direct.describeSecret(FaultMoveTests.secret, includeDeprecated: true)
      let before = secret.labelMap.labelledVersions.stages
      let target = try f.nextTarget(before)
      let after = FaultMoveTests.predicted(before, currentTo: target)
      let plan = try Planner.plan(.move(label: "AWSCURRENT", to: target, from: nil), for: secret).get()
      try await f.proxy.resetStats()
      try await f.proxy.configure([
        "hold_release_on": scenario.releaseOn ?? NSNull(),
        "fail_nth": ["operation": "UpdateSecretVersionStage", "n": 1, "faults": scenario.holds],
      ])
      let report = await executor.execute(plan)
      let reported = try await Self.labels(direct)
      var outcome: String
      switch report {
      case .applied:
        #expect(reported == after, "\(context): reported applied, labels \(reported)")
        outcome = "applied"
      case .conflict(_, _, let changes):
        Issue.record("\(context): a conflict with no other writer: \(changes)")
        outcome = "conflict"
      case .failed(_, let error, _, _, _, _):
        if error.userMessage.contains("outcome is unknown") {
          #expect(reported == before || reported == after, "\(context): labels \(reported)")
          outcome = "unknown"
        } else {
          #expect(reported == before, "\(context): said \(error.userMessage) yet the move is in place")
          outcome = "not applied"
        }
      case .unknown:
        // The labels could not be read back after the failure.
        #expect(reported == before || reported == after, "\(context): labels \(reported)")
        outcome = "unknown"
      }
      let resolved = notes.drain()
      if !resolved.isEmpty { outcome += " (\(resolved.joined(separator: "; ")))" }
      #expect(outcome == scenario.outcome, "\(context)")
      outcomes[outcome, default: 0] += 1
      // The held requests reach the server late: they must not change what was reported.
      try await f.proxy.configure(["hold_release_on": NSNull(), "fail_nth": NSNull()])
      try await f.proxy.releaseHeld()
      try await Self.waitForLateForwards(f.proxy, scenario.late)
      let final = try await Self.labels(direct)
      if outcome == "unknown" {
        #expect(final == before || final == after, "\(context): labels \(final) after the late requests")
      } else {
        #expect(final == reported, "\(context): the late request changed \(reported) to \(final)")
      }
      #expect(try f.labels() == final, "\(context): the aws CLI disagrees")
      let stats = try await f.proxy.stats()
      #expect(stats.held == 0 && stats.faults == ["UpdateSecretVersionStage:hold": scenario.holds.count], "\(context)")
    }
    print("FaultReadTests: moves held past the timeout: \(outcomes)")
  }
}
