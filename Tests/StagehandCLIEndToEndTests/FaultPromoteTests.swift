import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

/// A promote is two calls (AWSCURRENT onto the pending version, then AWSPENDING off it). When
/// the proxy fails only the second, the CLI says 1 of 2 steps were applied, shows the labels
/// now and how to revert or finish; running promote again finishes, and both the printed
/// revert commands and the executor's revert plan bring the labels back. The aws CLI checks.
@Suite(.serialized, .ownThreads)
struct FaultPromoteTests {
  typealias Labels = [String: Set<String>]

  struct Rotation {
    let name: String
    let old: String
    let current: String
    let pending: String
    var before: Labels { [old: ["AWSPREVIOUS"], current: ["AWSCURRENT"], pending: ["AWSPENDING"]] }
    var partial: Labels { [current: ["AWSPREVIOUS"], pending: ["AWSCURRENT", "AWSPENDING"]] }
    var finished: Labels { [current: ["AWSPREVIOUS"], pending: ["AWSCURRENT"]] }
  }

  /// Three versions: AWSPREVIOUS, AWSCURRENT and an AWSPENDING one waiting to be promoted.
  static func rotation(_ moto: MotoServer, _ name: String) throws -> Rotation {
    let created =
      try moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "old"]) as? [String: Any]
    let old = try #require(created?["VersionId"] as? String)
    let current = try moto.put(name, "current", stages: ["AWSCURRENT"])
    let pending = try moto.put(name, "pending", stages: ["AWSPENDING"])
    let rotation = Rotation(name: name, old: old, current: current, pending: pending)
    #expect(try moto.labels(of: name) == rotation.before)
    return rotation
  }

  static func failSecondUpdate(_ proxy: FaultProxy, status: Int = 400, type: String = "InvalidRequestException")
    async throws
  {
    try await proxy.configure([
      "rate": 0.0,
      "fail_nth": [
        "operation": "UpdateSecretVersionStage", "n": 2, "status": status, "type": type,
        // A 500 on a change is ambiguous: after the re-read shows it not applied, the resend fails too.
        "times": status >= 500 ? 2 : 1,
      ],
    ])
  }

  func promote(_ h: CLIHarness, _ endpoint: URL, _ name: String) throws -> CLIHarness.Result {
    try h.run(
      ["promote", name, "--yes", "--endpoint-url", endpoint.absoluteString, "--region", "us-east-1"],
      extraEnvironment: MotoServer.stagehandEnvironment)
  }

  /// The partial-state message, checked line by line; returns the revert commands.
  func checkPartialReport(_ result: CLIHarness.Result, _ rotation: Rotation) throws -> [String] {
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("1 of 2 steps were applied before the failure."), "\(result.stderr)")
    let labelsLine = try #require(
      result.stderr.split(separator: "\n").first { $0.hasPrefix("Labels now: ") }, "\(result.stderr)")
    #expect(labelsLine.contains("\(shortID(rotation.pending)) [AWSCURRENT AWSPENDING]"), "\(labelsLine)")
    #expect(labelsLine.contains("\(shortID(rotation.current)) [AWSPREVIOUS]"), "\(labelsLine)")
    #expect(result.stderr.contains("To finish: run the same stagehand command again."), "\(result.stderr)")
    let revertLine = try #require(
      result.stderr.split(separator: "\n").first { $0.hasPrefix("To revert: ") }, "\(result.stderr)")
    let commands = revertLine.dropFirst("To revert: ".count).components(separatedBy: " && ")
    #expect(commands.allSatisfy { $0.hasPrefix("aws secretsmanager update-secret-version-stage ") }, "\(commands)")
    return commands
  }

  @Test func aFailedSecondStepIsReportedAndBothFinishAndRevertWork() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 3)
    defer { proxy.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }

    // Finish: the same command again completes the rotation.
    let finishing = try Self.rotation(moto, "promote/finish")
    try await Self.failSecondUpdate(proxy)
    _ = try checkPartialReport(try promote(h, proxy.endpoint, finishing.name), finishing)
    #expect(try await moto.labels(of: finishing.name) == finishing.partial)
    #expect(try await proxy.stats().faults["UpdateSecretVersionStage:fail_nth"] == 1)
    try await proxy.configure(["fail_nth": NSNull()])
    let finished = try promote(h, proxy.endpoint, finishing.name)
    #expect(finished.status == 0, "\(finished.stderr)")
    #expect(try await moto.labels(of: finishing.name) == finishing.finished)

    // Revert: the printed aws CLI commands, run as printed, restore the labels from before.
    let reverting = try Self.rotation(moto, "promote/revert")
    try await Self.failSecondUpdate(proxy)
    let commands = try checkPartialReport(try promote(h, proxy.endpoint, reverting.name), reverting)
    #expect(try await moto.labels(of: reverting.name) == reverting.partial)
    let shell = URL(fileURLWithPath: "/bin/sh")
    for command in commands {
      let pointed = command.replacingOccurrences(
        of: "aws secretsmanager ", with: "aws --endpoint-url \(moto.endpoint.absoluteString) secretsmanager ")
      let ran = try await ChildProcess.run(shell, ["-c", pointed], environment: MotoServer.clientEnvironment)
      #expect(ran.status == 0, "\(pointed): \(ran.stderr)")
    }
    #expect(try await moto.labels(of: reverting.name) == reverting.before)
  }

  /// A 500 on the second step, and again on the resend after the re-read showed it not
  /// applied: the outcome of that step is unknown, and the report still says what is in place.
  @Test func aSecondStepFailingWith500AfterTheBudgetIsReportedAsPartial() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 4)
    defer { proxy.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let rotation = try Self.rotation(moto, "promote/500")
    try await Self.failSecondUpdate(proxy, status: 500, type: "InternalServiceError")
    let result = try promote(h, proxy.endpoint, rotation.name)
    _ = try checkPartialReport(result, rotation)
    #expect(result.stderr.contains("InternalServiceError"), "\(result.stderr)")
    #expect(result.stderr.contains("the outcome is unknown"), "\(result.stderr)")
    #expect(result.stderr.contains("showed it not applied, and the one resend failed"), "\(result.stderr)")
    #expect(try await moto.labels(of: rotation.name) == rotation.partial)
    #expect(try await proxy.stats().faults["UpdateSecretVersionStage:fail_nth"] == 2)
  }

  /// The executor's own revert plan, run in this process, restores the labels too.
  @Test func theExecutorsRevertPlanRestoresTheLabels() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 5)
    defer { proxy.stop() }
    let rotation = try Self.rotation(moto, "promote/executor")
    try await Self.failSecondUpdate(proxy)
    let faulty = FaultMoveTests.backend(proxy.endpoint, log: nil, timeout: .seconds(10))
    let direct = FaultMoveTests.backend(moto.endpoint, log: nil, timeout: .seconds(10))
    let secret = try await direct.describeSecret(rotation.name, includeDeprecated: true)
    let plan = try Planner.plan(.promotePending(keepPending: false), for: secret).get()
    #expect(plan.steps.count == 2)
    let report = await PlanExecutor(backend: faulty).execute(plan)
    guard case .failed(_, let error, let appliedSteps, let current, let revert, let finish) = report else {
      Issue.record("expected a failure, got \(report)")
      return
    }
    #expect(error.code == "InvalidRequestException")
    #expect(appliedSteps == 1)
    #expect(current?.labelMap.labelledVersions.stages == rotation.partial)
    #expect(finish != nil)
    let revertPlan = try #require(revert)
    let reverted = await PlanExecutor(backend: direct).execute(revertPlan)
    guard case .applied = reverted else {
      Issue.record("the revert did not apply: \(reverted)")
      return
    }
    #expect(try await moto.labels(of: rotation.name) == rotation.before)
  }
}
