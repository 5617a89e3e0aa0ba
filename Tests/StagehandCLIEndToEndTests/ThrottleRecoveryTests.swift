import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

/// The adaptive rate limiter against moto through the fault proxy, in this process so its
/// state can be read: reads at full speed, then a burst with every request throttled while
/// eight tasks keep reading, then none. Every read succeeds; the send rate the limiter allows
/// drops below the rate measured before the burst, and climbs back past it once the throttling
/// stops.
@Suite(.serialized, .ownThreads)
struct ThrottleRecoveryTests {
  struct SecretId: Encodable { var SecretId: String }

  @Test func theSendRateDropsUnderThrottlingAndRecoversAfter() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    _ = try await moto.aws(["secretsmanager", "create-secret", "--name", "throttle/one", "--secret-string", "one"])
    let proxy = try await FaultProxy.start(target: moto)
    defer { proxy.stop() }
    let environment = AWSEnvironment(variables: FaultMoveTests.credentials, homeDirectory: "/nonexistent") { _ in nil }
    let limiter = AdaptiveRateLimiter()
    let client = AWSJSONClient(
      endpoint: proxy.endpoint, region: "us-east-1",
      credentials: EnvironmentCredentialProvider(environment: environment),
      retryPolicy: RetryPolicy(maxAttempts: 10), clockCorrection: ClockCorrection(), rateLimiter: limiter)
    @Sendable func read() async throws {
      _ = try await client.call(operation: "DescribeSecret", input: SecretId(SecretId: "throttle/one"))
    }

    // Full speed for 2 s and at least 60 reads, four readers at once (a loaded machine
    // reads slowly one at a time, and the measured rate is smoothed): the limiter measures
    // the rate and stays out of the way.
    let warmUp = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<4 {
        group.addTask {
          var reads = 0
          while ContinuousClock.now - warmUp < .seconds(2) || reads < 15 {
            try await read()
            reads += 1
          }
        }
      }
      try await group.waitForAll()
    }
    #expect(!limiter.snapshot.isEngaged)
    // How fast moto answers is the machine's business (0.7 reads/s on a loaded CI runner,
    // 20 on a quiet laptop); what follows is relative to it.
    let before = limiter.snapshot.measuredRate
    #expect(before > 0, "\(limiter.snapshot)")

    // At least 3 s of throttling under eight readers, and on until the limiter has engaged
    // (a loaded machine can take longer to see the first throttle); the lowest send rate is
    // sampled meanwhile.
    try await proxy.configure(["rate": 1.0, "faults": ["throttle"]])
    let readers = Task {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<8 { group.addTask { for _ in 0..<3 { try await read() } } }
        try await group.waitForAll()
      }
    }
    var lowest = Double.infinity
    let burst = ContinuousClock.now
    while ContinuousClock.now - burst < .seconds(3)
      || (lowest == .infinity && ContinuousClock.now - burst < .seconds(120))
    {
      let now = limiter.snapshot
      if now.isEngaged { lowest = min(lowest, now.sendRate) }
      try await Task.sleep(for: .milliseconds(50))
    }
    try await proxy.configure(["rate": 0.0])
    let recovery = ContinuousClock.now
    try await readers.value
    let throttles = try await proxy.stats().injected
    #expect(throttles >= 1)
    #expect(limiter.snapshot.isEngaged)
    #expect(lowest < before * 0.7, "lowest \(lowest), before \(before)")

    // Reads go on, four at once as before the burst (the allowed rate is held under twice
    // the measured one); within 120 s of the end of the burst (a few seconds when the
    // machine is not loaded) it is past the rate measured before.
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<4 {
        group.addTask {
          while limiter.snapshot.sendRate < before && ContinuousClock.now - recovery < .seconds(120) {
            try await read()
          }
        }
      }
      try await group.waitForAll()
    }
    let took = ContinuousClock.now - recovery
    #expect(limiter.snapshot.sendRate >= before, "\(limiter.snapshot) after \(took)")
    print("throttle recovery: measured \(before)/s before, lowest \(lowest)/s, \(throttles) throttles, back in \(took)")
  }
}
