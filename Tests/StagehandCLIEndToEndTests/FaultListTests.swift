import Foundation
import StagehandTestSupport
import Testing

/// `stagehand list --json` over 1,000 secrets while the proxy damages ListSecrets: the list
/// is complete and exact, or the command fails clearly with nothing on stdout. Never a
/// silently partial list.
@Suite(.serialized, .ownThreads)
struct FaultListTests {
  static let count = 1_000
  static let prefix = "fault-list"
  static let allFaults = ["throttle", "500", "503", "reset_before", "reset_after", "truncate", "cut", "garble"]

  struct Fixture {
    let moto: MotoServer
    let proxy: FaultProxy
    let harness: CLIHarness
    let expected: Set<String>

    static func make() async throws -> Fixture {
      let moto = try await MotoServer.start()
      try await moto.seed(["bulk", String(FaultListTests.count), FaultListTests.prefix])
      let proxy = try await FaultProxy.start(target: moto, seed: 1)
      let expected = Set((0..<FaultListTests.count).map { String(format: "%@-%04d", FaultListTests.prefix, $0) })
      return Fixture(moto: moto, proxy: proxy, harness: try CLIHarness(), expected: expected)
    }

    func list(maxAttempts: Int) throws -> CLIHarness.Result {
      try harness.run(
        ["list", "--json", "--endpoint-url", proxy.endpoint.absoluteString, "--region", "us-east-1"],
        extraEnvironment: MotoServer.stagehandEnvironment.merging(["AWS_MAX_ATTEMPTS": String(maxAttempts)]) { _, new in
          new
        })
    }

    func stop() {
      proxy.stop()
      moto.stop()
      harness.cleanUp()
    }
  }

  static func names(_ stdout: String) throws -> [String] {
    let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
    let list = try #require(object?["SecretList"] as? [[String: Any]])
    return list.compactMap { $0["Name"] as? String }
  }

  /// One seeded moto for the three parts: seeding 1,000 secrets is the slow bit.
  @Test func listingUnderFaultsIsExactOrFailsClearly() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    try await thirtyPercentFaultsStillGiveExactlyTheRightSet(f)
    try await aSpentRetryBudgetFailsClearlyWithNothingOnStdout(f)
    try await aFailureOnALaterPageDiscardsThePagesAlreadyRead(f)
  }

  func thirtyPercentFaultsStillGiveExactlyTheRightSet(_ f: Fixture) async throws {
    var injected = 0
    for seed in 1...3 {
      try await f.proxy.resetStats()
      try await f.proxy.configure([
        "rate": 0.3, "faults": Self.allFaults, "operations": ["ListSecrets"], "seed": seed,
      ])
      let result = try f.list(maxAttempts: 10)
      let stats = try await f.proxy.stats()
      #expect(result.status == 0, "seed \(seed): \(result.stderr)")
      let names = try Self.names(result.stdout)
      #expect(names.count == Self.count, "seed \(seed)")
      #expect(Set(names) == f.expected, "seed \(seed)")
      // Ten pages of 100, and one more request per injected fault (the transport resends a
      // read, whole, whose reused connection closed before any answer).
      #expect(stats.requests >= 10 + stats.injected("ListSecrets"), "seed \(seed): \(stats.faults)")
      #expect(stats.incompleteBodies == 0, "seed \(seed): a request was resent without its body")
      injected += stats.injected
    }
    #expect(injected > 0)
    print("FaultListTests: \(injected) faults injected over 3 complete listings of \(Self.count) secrets")
  }

  /// One attempt per call and every ListSecrets damaged: each kind of fault ends the command
  /// with exit 1 and a message naming it, and stdout stays empty.
  func aSpentRetryBudgetFailsClearlyWithNothingOnStdout(_ f: Fixture) async throws {
    let expectedWords = [
      "throttle": "ThrottlingException", "500": "InternalServiceError", "503": "InternalServiceError",
      "reset_before": "was reset before the answer arrived",
      "reset_after": "was reset before the answer arrived", "truncate": "not complete JSON",
      "cut": "was reset before the answer arrived", "garble": "not complete JSON",
    ]
    for fault in Self.allFaults {
      try await f.proxy.configure(["rate": 1.0, "faults": [fault], "operations": ["ListSecrets"]])
      let result = try f.list(maxAttempts: 1)
      #expect(result.status == 1, "\(fault): \(result.stderr)")
      #expect(result.stdout.isEmpty, "\(fault): \(result.stdout.prefix(200))")
      #expect(result.stderr.contains(expectedWords[fault]!), "\(fault): \(result.stderr)")
    }
  }

  /// The first three requests are answered (pages read, chains started), every later one
  /// fails: whichever chain runs out of attempts first, the secrets already read are not
  /// printed.
  func aFailureOnALaterPageDiscardsThePagesAlreadyRead(_ f: Fixture) async throws {
    try await f.proxy.configure([
      "rate": 0.0,
      "fail_nth": ["operation": "ListSecrets", "n": 4, "status": 500, "type": "InternalServiceError", "times": 1_000],
    ])
    let result = try f.list(maxAttempts: 3)
    let stats = try await f.proxy.stats()
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stdout.isEmpty, "\(result.stdout.prefix(200))")
    #expect(result.stderr.contains("InternalServiceError"), "\(result.stderr)")
    #expect((stats.faults["ListSecrets:fail_nth"] ?? 0) >= 3, "one request tried three times at least")

    // The same fault once, within the budget: the whole list.
    try await f.proxy.configure([
      "fail_nth": ["operation": "ListSecrets", "n": 4, "status": 500, "type": "InternalServiceError", "times": 2]
    ])
    let recovered = try f.list(maxAttempts: 3)
    #expect(recovered.status == 0, "\(recovered.stderr)")
    #expect(Set(try Self.names(recovered.stdout)) == f.expected)
  }
}
