import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

@testable import StagehandApp

/// "Commit and wait for replicas" in the UI, in process against moto: a secret in us-east-1
/// replicated to eu-west-1 and ap-south-1. The preview offers W; W commits, then each replica
/// Region is read (through the backend the command line would build for it) until its labels
/// match. eu-west-1 is read from moto, which copies labels at once; ap-south-1 stands for a
/// Region the profile can't read (its backend refuses with access denied), so it fails with
/// AWS's words when the UI's timeout runs out. The aws CLI checks the replica.
@Suite(.serialized, .ownThreads)
struct ReplicaUITests {
  @Test func wCommitsAndFollowsEachReplicaRegion() async throws {
    let moto = try await MotoServer.start()
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-replica-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    defer {
      moto.stop()
      try? FileManager.default.removeItem(at: home)
    }
    let secret = "tui/replicated"
    let (first, second) = try await onOwnThread {
      let created =
        try moto.aws([
          "secretsmanager", "create-secret", "--name", secret, "--secret-string", "one",
          "--add-replica-regions", "Region=eu-west-1", "Region=ap-south-1",
        ]) as? [String: Any]
      let first = try #require(created?["VersionId"] as? String)
      return (first, try moto.put(secret, "two", stages: ["AWSCURRENT"]))
    }
    let environment = AWSEnvironment(variables: MotoServer.stagehandEnvironment, homeDirectory: home.path) {
      try? String(contentsOfFile: $0, encoding: .utf8)
    }
    let endpoint = moto.endpoint.absoluteString
    let backend = try await BackendFactory.make(
      GlobalSettings(region: "us-east-1", endpointURL: endpoint), environment: environment)
    var settings = TUISettings(rotationTimeoutSeconds: 4, followInterval: .milliseconds(200))
    settings.replicaBackend = { _, region in
      if region == "ap-south-1" {
        throw SecretsError.service(
          code: "AccessDeniedException", message: "not authorized to perform DescribeSecret in ap-south-1")
      }
      return try await BackendFactory.make(
        GlobalSettings(region: region, endpointURL: endpoint), environment: environment)
    }

    try await withUI(backend, settings: settings) { ui in
      try await ui.waitForVersions(of: secret)
      ui.press(.enter, .char("b"))
      let preview = try await ui.waitFor("W: commit and wait for replicas")
      #expect(preview.contains("replicates asynchronously to eu-west-1"), "\(preview)")
      #expect(try await onOwnThread { try moto.labels(of: secret) }[second] == ["AWSCURRENT"], "nothing sent yet")

      ui.press(.char("W"))
      let matched = try await ui.waitFor("matches (seen after")
      #expect(matched.contains("Replicas of \(secret)"), "\(matched)")
      let ended = try await ui.waitFor("1 of 2 replica Regions match")
      let failed = ended.split(separator: "\n").first { $0.contains("ap-south-1") }.map(String.init) ?? ""
      #expect(failed.contains("could not be read: AccessDeniedException: not authorized"), "\(ended)")
      let west = ended.split(separator: "\n").first { $0.contains("eu-west-1") }.map(String.init) ?? ""
      #expect(west.contains("matches (seen after"), "\(ended)")
      ui.press(.escape)
      let status = try await ui.waitUntil("the popup closed") { !$0.contains("Replicas of") }
      #expect(status.contains("replicas of \(secret): eu-west-1 matches"), "\(status)")
      try await ui.quit()
    }

    // The rollback is on the primary, and the aws CLI reads it on the replica too.
    let stages = try await onOwnThread {
      let replica =
        try moto.aws(["--region", "eu-west-1", "secretsmanager", "describe-secret", "--secret-id", secret])
        as? [String: Any]
      return replica?["VersionIdsToStages"] as? [String: [String]]
    }
    #expect(stages?[first] == ["AWSCURRENT"], "\(String(describing: stages))")
    #expect(try await onOwnThread { try moto.labels(of: secret) }[first] == ["AWSCURRENT"])
  }
}
