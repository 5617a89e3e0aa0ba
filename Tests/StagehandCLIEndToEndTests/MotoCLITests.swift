import Foundation
import StagehandTestSupport
import Testing

/// Every planner intent executed through the CLI against moto, with the final labels read
/// back by the aws CLI as an independent client.
@Suite(.serialized, .ownThreads)
struct MotoCLITests {
  @Test func everyIntentEndToEndThroughTheCLI() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let secret = "e2e/db"
    let created =
      try await moto.aws(["secretsmanager", "create-secret", "--name", secret, "--secret-string", "one"])
      as? [String: Any]
    let v1 = try #require(created?["VersionId"] as? String)
    let v2 = try await moto.put(secret, "two", stages: ["AWSPENDING"])
    let v3 = try await moto.put(secret, "three", stages: ["canary"])
    func stagehand(_ arguments: [String]) throws -> CLIHarness.Result {
      try h.run(
        arguments + ["--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"],
        extraEnvironment: MotoServer.stagehandEnvironment)
    }

    let listed = try stagehand(["list", "--json"])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.stdout.contains(secret))

    #expect(try stagehand(["promote", secret, "--yes"]).status == 0)
    #expect(try await moto.labels(of: secret) == [v2: ["AWSCURRENT"], v1: ["AWSPREVIOUS"], v3: ["canary"]])

    #expect(try stagehand(["rollback", secret, "--yes"]).status == 0)
    #expect(try await moto.labels(of: secret) == [v1: ["AWSCURRENT"], v2: ["AWSPREVIOUS"], v3: ["canary"]])

    #expect(try stagehand(["move", secret, "AWSCURRENT", "--to", String(v3.prefix(8)), "--yes"]).status == 0)
    #expect(try await moto.labels(of: secret) == [v3: ["AWSCURRENT", "canary"], v1: ["AWSPREVIOUS"]])

    #expect(try stagehand(["move", secret, "release", "--to", ":AWSPREVIOUS", "--yes"]).status == 0)
    #expect(try await moto.labels(of: secret)[v1] == ["AWSPREVIOUS", "release"])

    #expect(try stagehand(["move", secret, "release", "--to", v2, "--from", v1, "--yes"]).status == 0)
    #expect(try await moto.labels(of: secret) == [v3: ["AWSCURRENT", "canary"], v1: ["AWSPREVIOUS"], v2: ["release"]])

    #expect(try stagehand(["remove", secret, "canary", "--yes"]).status == 0)
    #expect(try await moto.labels(of: secret)[v3] == ["AWSCURRENT"])

    let v4 = try await moto.put(secret, "four", stages: ["AWSPENDING"])
    #expect(try stagehand(["promote", secret, "--keep-pending", "--yes"]).status == 0)
    await #expect(
      try moto.labels(of: secret) == [v4: ["AWSCURRENT", "AWSPENDING"], v3: ["AWSPREVIOUS"], v2: ["release"]])

    // Refusals send nothing.
    let before = try await moto.labels(of: secret)
    let refused = try stagehand(["remove", secret, "AWSCURRENT", "--yes"])
    #expect(refused.status == 2)
    #expect(try await moto.labels(of: secret) == before)

    // Read-only refuses before anything is signed or sent.
    let readOnly = try stagehand(["rollback", secret, "--yes", "--read-only"])
    #expect(readOnly.status == 2, "\(readOnly.stderr)")
    #expect(readOnly.stderr.contains("--read-only"))
    #expect(try await moto.labels(of: secret) == before)
  }

  @Test func awsErrorsAndMissingConfigurationAreExplained() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let missing = try await h.run(
      ["versions", "no/such/secret", "--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"],
      extraEnvironment: MotoServer.stagehandEnvironment)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("No secret named \"no/such/secret\""))

    let noRegion = try await h.run(
      ["list", "--endpoint-url", moto.endpoint.absoluteString], extraEnvironment: MotoServer.stagehandEnvironment)
    #expect(noRegion.status == 1)
    #expect(noRegion.stderr.contains("AWS_REGION"), "\(noRegion.stderr)")

    var noCredentials = MotoServer.stagehandEnvironment
    noCredentials["AWS_ACCESS_KEY_ID"] = nil
    noCredentials["AWS_SECRET_ACCESS_KEY"] = nil
    let anonymous = try await h.run(
      ["list", "--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"],
      extraEnvironment: noCredentials)
    #expect(anonymous.status == 1)
    #expect(anonymous.stderr.contains("--demo"), "\(anonymous.stderr)")
  }
}
