import Foundation
import StagehandTestSupport
import Testing

/// The rotation commands on the embedded store: the demo's secrets whose simulated rotation
/// succeeds (staging/orders/redis-auth-token) and gets stuck in testSecret
/// (staging/reports/warehouse-password), 2 s a step, copied to a store file that the test
/// reads back as the judge.
@Suite(.serialized, .ownThreads)
struct RotationStoreCLITests {
  static let succeeding = "staging/orders/redis-auth-token"
  static let stuck = "staging/reports/warehouse-password"

  /// A harness whose store file is a fresh demo store.
  static func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    let made = try h.run(["--demo-reset", "list"])
    guard made.status == 0 else { throw ChildProcess.Failure(description: "--demo-reset: \(made.stderr)") }
    try FileManager.default.copyItem(
      atPath: h.directory.appendingPathComponent("data/stagehand/demo.json").path, toPath: h.storePath)
    return h
  }

  /// Reads the store (as any command does, which brings its simulated rotations up to date)
  /// until `name`'s last rotation is no longer in progress; a broken simulation fails the test
  /// rather than hanging it.
  static func waitUntilSettled(_ name: String, _ h: CLIHarness) async throws {
    for _ in 0..<240 {
      _ = try await h.run(["versions", name, "--store", h.storePath])
      let object = try JSONSerialization.jsonObject(with: h.storeData()) as? [String: Any]
      let secret = (object?["secrets"] as? [[String: Any]])?.first { $0["Name"] as? String == name }
      let status = (secret?["LastRotation"] as? [String: Any])?["Status"] as? String
      if status != "InProgress" { return }
      try await Task.sleep(for: .milliseconds(250))
    }
    throw ChildProcess.Failure(description: "the rotation of \(name) never settled")
  }

  static func current(_ labels: [String: Set<String>]) -> String? {
    labels.first { $0.value.contains("AWSCURRENT") }?.key
  }

  @Test func theSucceedingRotationIsFollowedToTheEnd() async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let before = try h.labels(of: Self.succeeding)
    let current = try #require(Self.current(before))
    let result = try await h.run(["rotate", Self.succeeding, "--yes", "--timeout", "30", "--store", h.storePath])
    #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    let token = try #require(RotationCLITests.token(in: result.stdout))
    #expect(result.stdout.contains("AWSPENDING cleaned up"))
    #expect(result.stdout.contains("Done: AWSCURRENT is on the new version \(token.prefix(8))…"))
    let after = try h.labels(of: Self.succeeding)
    #expect(after[token] == ["AWSCURRENT"])
    #expect(after[current] == ["AWSPREVIOUS"])
    // The new value is there, and only an explicit reveal shows it.
    let revealed = try await h.run(["reveal", Self.succeeding, ":AWSCURRENT", "--store", h.storePath])
    #expect(revealed.status == 0 && !revealed.stdout.isEmpty)
    #expect(!result.stdout.contains(revealed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  @Test func theStuckRotationEndsInADiagnosisAndBlocksTheNext() async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let current = try #require(Self.current(try h.labels(of: Self.stuck)))
    let result = try await h.run(["rotate", Self.stuck, "--yes", "--timeout", "5", "--store", h.storePath])
    #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
    let token = try #require(RotationCLITests.token(in: result.stdout))
    for part in [
      "The rotation did not finish within 5 s", "Reached: a value is present on the new version.",
      "aws logs tail /aws/lambda/rotate-warehouse-password",
      "stagehand promote staging/reports/warehouse-password",
      "stagehand remove staging/reports/warehouse-password AWSPENDING",
    ] {
      #expect(result.stderr.contains(part), "\(part) in \(result.stderr)")
    }
    #expect(try h.labels(of: Self.stuck)[token] == ["AWSPENDING"])
    #expect(try h.labels(of: Self.stuck)[current] == ["AWSCURRENT"])

    // The stuck rotation blocks the next one, before anything is written. (Its simulated
    // function fails at testSecret a little after following gave up; every read of the store
    // brings it up to date, so wait for that first.)
    try await Self.waitUntilSettled(Self.stuck, h)
    let original = try h.storeData()
    let refused = try await h.run(["rotate", Self.stuck, "--yes", "--json", "--store", h.storePath])
    #expect(refused.status == 2)
    #expect(try RotationCLITests.json(refused.stdout)["Applied"] as? Bool == false)
    #expect(try h.storeData() == original)
    let versions = try await h.run(["versions", Self.stuck, "--store", h.storePath])
    #expect(versions.stdout.contains("rotation stuck: AWSPENDING on \(token.prefix(8))…"))

    // Abandoning it as the diagnosis says makes the next rotation possible again (it gets
    // stuck the same way: --no-wait only starts it).
    #expect(try await h.run(["remove", Self.stuck, "AWSPENDING", "--yes", "--store", h.storePath]).status == 0)
    let again = try await h.run(["rotate", Self.stuck, "--yes", "--no-wait", "--store", h.storePath])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("Started: RotateSecret was accepted; the new version is "))
  }

  @Test func putPendingAndCancelRotationOnTheStore() async throws {
    let h = try Self.harness()
    defer { h.cleanUp() }
    let staged = try await h.run(
      ["put-pending", Self.succeeding, "--value-stdin", "--yes", "--store", h.storePath], stdin: "from-stdin")
    #expect(staged.status == 0, "\(staged.stderr)")
    let token = try #require(RotationCLITests.token(in: staged.stdout))
    #expect(try h.labels(of: Self.succeeding)[token] == ["AWSPENDING"])
    #expect(try await h.run(["promote", Self.succeeding, "--yes", "--store", h.storePath]).status == 0)
    #expect(try h.labels(of: Self.succeeding)[token] == ["AWSCURRENT"])
    #expect(
      try await h.run(["reveal", Self.succeeding, ":AWSCURRENT", "--store", h.storePath]).stdout == "from-stdin\n")

    let cancelled = try await h.run(["cancel-rotation", Self.succeeding, "--yes", "--json", "--store", h.storePath])
    #expect(cancelled.status == 0, "\(cancelled.stderr)")
    #expect(try RotationCLITests.json(cancelled.stdout)["RotationEnabled"] as? Bool == false)
    let versions = try await RotationCLITests.json(
      try h.run(["versions", Self.succeeding, "--json", "--store", h.storePath]).stdout)
    #expect(versions["RotationEnabled"] as? Bool == false)
    let list = try await h.run(["list", "--store", h.storePath])
    #expect(
      list.stdout.split(separator: "\n").first { $0.hasPrefix(Self.succeeding) }?.contains("[rotation on]") == false)
  }
}
