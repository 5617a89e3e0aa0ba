import Foundation
import StagehandTestSupport
import Testing

/// A secret replicated from us-east-1 to eu-west-1 in moto (which, unlike AWS, accepts label
/// moves on the replica and applies them to the primary): Stagehand refuses every change on
/// the replica before sending anything, and a preview on the primary names the replicas.
@Suite(.serialized, .ownThreads)
struct ReplicaCLITests {
  @Test func changesOnAReplicaAreRefusedUnsentAndThePrimaryPreviewNamesTheReplicas() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let secret = "replicated/db"
    _ = try await moto.aws([
      "secretsmanager", "create-secret", "--name", secret, "--secret-string", "one",
      "--add-replica-regions", "Region=eu-west-1",
    ])
    let pending = try await moto.put(secret, "two", stages: ["AWSPENDING"])
    let before = try await moto.labels(of: secret)
    let log = h.directory.appendingPathComponent("requests.log").path
    func stagehand(_ arguments: [String], region: String) throws -> CLIHarness.Result {
      try h.run(
        arguments + ["--endpoint-url", moto.endpoint.absoluteString, "--region", region, "--log-file", log],
        extraEnvironment: MotoServer.stagehandEnvironment)
    }

    for command in [
      ["move", secret, "AWSCURRENT", "--to", pending, "--yes"], ["promote", secret, "--yes"],
      ["rollback", secret, "--yes"], ["remove", secret, "AWSPENDING", "--yes"],
    ] {
      try? FileManager.default.removeItem(atPath: log)
      let refused = try stagehand(command, region: "eu-west-1")
      #expect(refused.status == 2, "\(command): \(refused.stderr)")
      #expect(refused.stderr.contains("replica of the secret in us-east-1"), "\(command): \(refused.stderr)")
      #expect(refused.stderr.contains("--region us-east-1"), "\(command): \(refused.stderr)")
      #expect(refused.stdout.isEmpty, "\(command)")
      let sent = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      #expect(!sent.contains("UpdateSecretVersionStage"), "\(command) sent a change: \(sent)")
      #expect(try await moto.labels(of: secret) == before, "\(command)")
    }

    let preview = try stagehand(["promote", secret, "--dry-run"], region: "us-east-1")
    #expect(preview.status == 0, "\(preview.stderr)")
    #expect(preview.stdout.contains("replicates asynchronously to eu-west-1 (InSync"), "\(preview.stdout)")
    let json = try stagehand(["promote", secret, "--dry-run", "--json"], region: "us-east-1")
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let notes = object?["Notes"] as? [String] ?? []
    #expect(notes.contains { $0.hasPrefix("replicates asynchronously to eu-west-1") }, "\(notes)")
    #expect(try await moto.labels(of: secret) == before, "a dry run sends nothing")

    // The replication table on the primary, the primary named on the replica.
    let table = try stagehand(["versions", secret], region: "us-east-1")
    #expect(table.stdout.contains("REPLICA REGION"), "\(table.stdout)")
    #expect(table.stdout.contains("eu-west-1         InSync"), "\(table.stdout)")
    let replica = try stagehand(["versions", secret], region: "eu-west-1")
    #expect(replica.stdout.contains("replica of the secret in us-east-1: read-only here"), "\(replica.stdout)")

    // The change on the primary, then each replica read until its labels match.
    let promoted = try stagehand(
      ["promote", secret, "--yes", "--wait-replication", "--timeout", "20"], region: "us-east-1")
    #expect(promoted.status == 0, "\(promoted.stderr)")
    #expect(promoted.stdout.contains("Replication: eu-west-1 matches"), "\(promoted.stdout)")
    let replicaLabels =
      try await moto.aws([
        "--region", "eu-west-1", "secretsmanager", "describe-secret", "--secret-id", secret,
      ]) as? [String: Any]
    #expect((replicaLabels?["VersionIdsToStages"] as? [String: [String]])?[pending] == ["AWSCURRENT"])
  }
}
