import Foundation
import StagehandTestSupport
import Testing

/// Change sets through the CLI against moto, the aws CLI judging every label afterwards: a
/// bulk promote over a filter (skipping what the planner refuses, and never a secret a fuzzy
/// match would pick), a plan written with `--out`, reviewed with `show` without credentials
/// and carried out with `apply`; drift in one secret refusing the whole plan; and a bulk
/// promote through throttling and faults, every secret ending as its report says.
@Suite(.serialized, .ownThreads)
struct ChangeSetCLITests {
  typealias Labels = [String: Set<String>]

  struct Fixture {
    let moto: MotoServer
    let h: CLIHarness

    func stagehand(_ arguments: [String], endpoint: URL? = nil) throws -> CLIHarness.Result {
      try h.run(
        arguments + ["--endpoint-url", (endpoint ?? moto.endpoint).absoluteString, "--region", "us-east-1"],
        extraEnvironment: MotoServer.stagehandEnvironment)
    }

    /// A secret with AWSCURRENT on its first version and AWSPENDING on a second.
    func pending(_ name: String) throws -> (current: String, pending: String) {
      let created =
        try moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "v1"]) as? [String: Any]
      let current = try #require(created?["VersionId"] as? String)
      return (current, try moto.put(name, "v2", stages: ["AWSPENDING"]))
    }

    /// Every secret's labelled versions, by name, from one `aws secretsmanager list-secrets`.
    func allLabels() throws -> [String: Labels] {
      let listed = try moto.aws(["secretsmanager", "list-secrets"]) as? [String: Any]
      var result: [String: Labels] = [:]
      for secret in listed?["SecretList"] as? [[String: Any]] ?? [] {
        let stages = secret["SecretVersionsToStages"] as? [String: [String]] ?? [:]
        result[secret["Name"] as! String] = stages.filter { !$0.value.isEmpty }.mapValues(Set.init)
      }
      return result
    }
  }

  func withMoto(_ body: (Fixture) async throws -> Void) async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try await body(Fixture(moto: moto, h: h))
  }

  @Test func aBulkPromoteFinishesEveryMatchListsTheSkippedAndTouchesNothingElse() async throws {
    try await withMoto { f in
      let a = try f.pending("team/app/a")
      let b = try f.pending("team/app/b")
      // Nothing pending: the planner refuses it, so it is listed as skipped.
      _ = try f.moto.aws(["secretsmanager", "create-secret", "--name", "team/app/done", "--secret-string", "x"])
      // Its letters spell "team/app" in order: a fuzzy match would pick it; --filter must not.
      let fuzzy = try f.pending("tXeXaXm/aXpXp/c")
      let other = try f.pending("other/app/d")
      let before = try f.allLabels()

      let preview = try f.stagehand(["promote", "--filter", "TEAM/APP", "--dry-run"])
      #expect(preview.status == 0, "\(preview.stderr)")
      #expect(
        preview.stdout.contains("promote --filter TEAM/APP (dry run: nothing sent): 2 secrets, 4 calls; 1 skipped"))
      #expect(preview.stdout.contains("team/app/done: team/app/done has no AWSPENDING version"), "\(preview.stdout)")
      #expect(!preview.stdout.contains("tXeXaXm"))
      #expect(try f.allLabels() == before, "a dry run sends nothing")

      let result = try f.stagehand(["promote", "--filter", "TEAM/APP", "--yes"])
      // The skipped secret is not applied, so the command says so with exit 1.
      #expect(result.status == 1, "\(result.stderr)")
      #expect(result.stdout.contains("applied   team/app/a"))
      #expect(result.stdout.contains("applied   team/app/b"))
      #expect(result.stdout.contains("skipped   team/app/done"))
      #expect(result.stdout.contains("2 applied, 1 skipped, 0 conflicts, 0 failed, 0 unknown"))
      let after = try f.allLabels()
      #expect(after["team/app/a"] == [a.pending: ["AWSCURRENT"], a.current: ["AWSPREVIOUS"]])
      #expect(after["team/app/b"] == [b.pending: ["AWSCURRENT"], b.current: ["AWSPREVIOUS"]])
      #expect(after["team/app/done"] == before["team/app/done"])
      #expect(after["tXeXaXm/aXpXp/c"] == [fuzzy.current: ["AWSCURRENT"], fuzzy.pending: ["AWSPENDING"]])
      #expect(after["other/app/d"] == [other.current: ["AWSCURRENT"], other.pending: ["AWSPENDING"]])

      // Only skipped secrets: refused, and no plan file that apply could not use.
      let unusable = f.h.directory.appendingPathComponent("unusable.json").path
      let skippedOnly = try f.stagehand(["promote", "--filter", "team/app/done", "--out", unusable])
      #expect(skippedOnly.status == 2)
      #expect(skippedOnly.stderr.contains("no plan written"), "\(skippedOnly.stderr)")
      #expect(!FileManager.default.fileExists(atPath: unusable))

      let none = try f.stagehand(["promote", "--filter", "no-such-prefix", "--yes"])
      #expect(none.status == 2)
      #expect(none.stderr.contains("No secret"), "\(none.stderr)")
    }
  }

  @Test func aPlanWrittenWithOutIsShownWithoutCredentialsThenAppliedAsPlanned() async throws {
    try await withMoto { f in
      let a = try f.pending("four-eyes/a")
      let b = try f.pending("four-eyes/b")
      let plan = f.h.directory.appendingPathComponent("plan.json").path
      let before = try f.allLabels()

      let written = try f.stagehand(["promote", "--filter", "four-eyes/", "--out", plan])
      #expect(written.status == 0, "\(written.stderr)")
      #expect(written.stdout.contains("Plan written to"))
      #expect(try f.allLabels() == before, "--out sends nothing")
      let mode = try FileManager.default.attributesOfItem(atPath: plan)[.posixPermissions] as? Int
      #expect(mode == 0o600)
      let document = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])
      #expect(document["FormatVersion"] as? Int == 1)
      let entries = try #require(document["Plans"] as? [[String: Any]])
      #expect(entries.count == 2)
      for entry in entries {
        #expect(entry["Region"] as? String == "us-east-1")
        #expect(entry["Account"] as? String != nil)
        #expect(entry["Endpoint"] as? String == f.moto.endpoint.absoluteString)
        #expect(entry["ReadAt"] as? String != nil)
        #expect((entry["ARN"] as? String)?.hasPrefix("arn:aws:secretsmanager:us-east-1:") == true)
      }
      let text = try String(contentsOfFile: plan, encoding: .utf8)
      #expect(!text.contains("v1") && !text.contains("v2"), "never a value")

      // A reviewer with no credentials and no AWS configuration at all.
      let shown = try f.h.run(["show", plan], extraEnvironment: ["AWS_CONFIG_FILE": "/dev/null"])
      #expect(shown.status == 0, "\(shown.stderr)")
      #expect(shown.stdout.contains("four-eyes/a: promote pending"))
      #expect(shown.stdout.contains("AWS CLI commands, in order:"))
      #expect(shown.stdout.contains("2 secrets, 4 calls"))

      // apply takes the plan's own Region and endpoint.
      let applied = try f.h.run(["apply", plan, "--yes"], extraEnvironment: MotoServer.stagehandEnvironment)
      #expect(applied.status == 0, "\(applied.stderr)")
      #expect(applied.stdout.contains("2 applied, 0 skipped"))
      let after = try f.allLabels()
      #expect(after["four-eyes/a"] == [a.pending: ["AWSCURRENT"], a.current: ["AWSPREVIOUS"]])
      #expect(after["four-eyes/b"] == [b.pending: ["AWSCURRENT"], b.current: ["AWSPREVIOUS"]])

      // The same plan again: every secret moved since, so nothing is sent.
      let again = try f.h.run(["apply", plan, "--yes"], extraEnvironment: MotoServer.stagehandEnvironment)
      #expect(again.status == 1)
      #expect(try f.allLabels() == after)

      // Another Region than the plan's is refused before anything is read.
      let elsewhere = try f.h.run(
        ["apply", plan, "--yes", "--region", "eu-west-1"], extraEnvironment: MotoServer.stagehandEnvironment)
      #expect(elsewhere.status == 2)
      #expect(elsewhere.stderr.contains("us-east-1"), "\(elsewhere.stderr)")
    }
  }

  @Test func driftInOneSecretRefusesTheWholePlanAndSendsNothing() async throws {
    try await withMoto { f in
      _ = try f.pending("drift/a")
      let moved = try f.pending("drift/b")
      _ = try f.pending("drift/c")
      let plan = f.h.directory.appendingPathComponent("drift.json").path
      let written = try f.stagehand(["promote", "--filter", "drift/", "--out", plan])
      #expect(written.status == 0, "\(written.stderr)")

      // Someone else finishes drift/b's rotation by hand in between.
      _ = try f.moto.aws([
        "secretsmanager", "update-secret-version-stage", "--secret-id", "drift/b", "--version-stage", "AWSCURRENT",
        "--move-to-version-id", moved.pending, "--remove-from-version-id", moved.current,
      ])
      let before = try f.allLabels()
      let applied = try f.h.run(["apply", plan, "--yes"], extraEnvironment: MotoServer.stagehandEnvironment)
      #expect(applied.status == 1)
      #expect(applied.stderr.contains("1 of 3 secrets"), "\(applied.stderr)")
      #expect(applied.stderr.contains("drift/b: AWSCURRENT was on"), "\(applied.stderr)")
      #expect(applied.stderr.contains("nothing was sent for any secret"), "\(applied.stderr)")
      #expect(try f.allLabels() == before, "not even the secrets that did not move")

      let json = try f.h.run(["apply", plan, "--yes", "--json"], extraEnvironment: MotoServer.stagehandEnvironment)
      #expect(json.status == 1)
      let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
      let drift = document?["Drift"] as? [[String: Any]]
      #expect(drift?.map { $0["Name"] as? String } == ["drift/b"])
      #expect(try f.allLabels() == before)
    }
  }

  /// 30 secrets promoted at once through a proxy that throttles and fails calls at random:
  /// each ends as its line in the report says (applied: finished; anything else: as before,
  /// or half-way with the report naming it), and no change is made twice.
  @Test func aBulkPromoteThroughThrottlingAndFaultsEndsAsReported() async throws {
    try await withMoto { f in
      try await f.moto.seed(["pending", "30", "bulk/faults"])
      let before = try f.allLabels().filter { $0.key.hasPrefix("bulk/faults") }
      #expect(before.count == 30)
      let proxy = try await FaultProxy.start(target: f.moto, seed: 17)
      defer { proxy.stop() }
      try await proxy.configure([
        "rate": 0.25, "faults": ["throttle", "throttle", "throttle", "500", "503", "reset_before"],
        "operations": ["UpdateSecretVersionStage", "DescribeSecret"], "seed": 17,
      ])
      let result = try f.stagehand(["promote", "--filter", "bulk/faults", "--yes"], endpoint: proxy.endpoint)
      #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
      #expect(try await proxy.stats().faults.keys.contains { $0.hasSuffix(":throttle") }, "throttling was injected")
      let after = try f.allLabels()
      var outcomes: [String: Int] = [:]
      for (name, labels) in before {
        let current = try #require(labels.first { $0.value.contains("AWSCURRENT") }?.key)
        let pending = try #require(labels.first { $0.value.contains("AWSPENDING") }?.key)
        let finished: Labels = [pending: ["AWSCURRENT"], current: ["AWSPREVIOUS"]]
        let halfway: Labels = [pending: ["AWSCURRENT", "AWSPENDING"], current: ["AWSPREVIOUS"]]
        let line = try #require(
          result.stdout.split(separator: "\n").first { $0.contains("  \(name):") || $0.hasSuffix(" \(name)") },
          "\(name) is reported")
        let word = String(line.split(separator: " ")[1])
        outcomes[word, default: 0] += 1
        switch word {
        case "applied": #expect(after[name] == finished, "\(line)")
        case "conflict": #expect(after[name] == labels, "\(line)")
        case "failed", "unknown":
          #expect(after[name] == labels || after[name] == halfway || after[name] == finished, "\(line)")
        default: Issue.record("unexpected report: \(line)")
        }
      }
      print("ChangeSetCLITests: 30 secrets through faults: \(outcomes)")
      #expect(outcomes.values.reduce(0, +) == 30, "\(outcomes)")
      #expect(result.stdout.contains("\(outcomes["applied"] ?? 0) applied"), "\(result.stdout)")
      #expect((outcomes["applied"] ?? 0) > 0, "\(outcomes)")
      #expect(result.status == (outcomes["applied"] == 30 ? 0 : 1))
    }
  }
}
