import Foundation
import StagehandTestSupport
import Testing

/// Every planner intent executed through the CLI against moto, with the final labels read
/// back by the aws CLI as an independent client.
@Suite(.serialized)
struct MotoCLITests {
  static let credentials = [
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
  ]

  /// versionId -> labels, as `aws secretsmanager list-secret-version-ids` reports them
  /// (moto lists unlabelled versions with an empty list; those are left out).
  static func labels(_ moto: MotoServer, _ secret: String) throws -> [String: Set<String>] {
    let object = try moto.aws(["secretsmanager", "list-secret-version-ids", "--secret-id", secret]) as? [String: Any]
    var result: [String: Set<String>] = [:]
    for version in object?["Versions"] as? [[String: Any]] ?? [] {
      let stages = Set(version["VersionStages"] as? [String] ?? [])
      if !stages.isEmpty { result[version["VersionId"] as! String] = stages }
    }
    return result
  }

  static func put(_ moto: MotoServer, _ secret: String, _ value: String, stages: [String]) throws -> String {
    let object =
      try moto.aws(
        ["secretsmanager", "put-secret-value", "--secret-id", secret, "--secret-string", value, "--version-stages"]
          + stages) as? [String: Any]
    return try #require(object?["VersionId"] as? String)
  }

  @Test func everyIntentEndToEndThroughTheCLI() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let secret = "e2e/db"
    let created =
      try moto.aws(["secretsmanager", "create-secret", "--name", secret, "--secret-string", "one"]) as? [String: Any]
    let v1 = try #require(created?["VersionId"] as? String)
    let v2 = try Self.put(moto, secret, "two", stages: ["AWSPENDING"])
    let v3 = try Self.put(moto, secret, "three", stages: ["canary"])
    func stagehand(_ arguments: [String]) throws -> CLIHarness.Result {
      try h.run(
        arguments + ["--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"],
        extraEnvironment: Self.credentials)
    }

    let listed = try stagehand(["list", "--json"])
    #expect(listed.status == 0, "\(listed.stderr)")
    #expect(listed.stdout.contains(secret))

    #expect(try stagehand(["promote", secret, "--yes"]).status == 0)
    #expect(try Self.labels(moto, secret) == [v2: ["AWSCURRENT"], v1: ["AWSPREVIOUS"], v3: ["canary"]])

    #expect(try stagehand(["rollback", secret, "--yes"]).status == 0)
    #expect(try Self.labels(moto, secret) == [v1: ["AWSCURRENT"], v2: ["AWSPREVIOUS"], v3: ["canary"]])

    #expect(try stagehand(["move", secret, "AWSCURRENT", "--to", String(v3.prefix(8)), "--yes"]).status == 0)
    #expect(try Self.labels(moto, secret) == [v3: ["AWSCURRENT", "canary"], v1: ["AWSPREVIOUS"]])

    #expect(try stagehand(["move", secret, "release", "--to", ":AWSPREVIOUS", "--yes"]).status == 0)
    #expect(try Self.labels(moto, secret)[v1] == ["AWSPREVIOUS", "release"])

    #expect(try stagehand(["move", secret, "release", "--to", v2, "--from", v1, "--yes"]).status == 0)
    #expect(try Self.labels(moto, secret) == [v3: ["AWSCURRENT", "canary"], v1: ["AWSPREVIOUS"], v2: ["release"]])

    #expect(try stagehand(["remove", secret, "canary", "--yes"]).status == 0)
    #expect(try Self.labels(moto, secret)[v3] == ["AWSCURRENT"])

    let v4 = try Self.put(moto, secret, "four", stages: ["AWSPENDING"])
    #expect(try stagehand(["promote", secret, "--keep-pending", "--yes"]).status == 0)
    #expect(
      try Self.labels(moto, secret) == [v4: ["AWSCURRENT", "AWSPENDING"], v3: ["AWSPREVIOUS"], v2: ["release"]])

    // Refusals send nothing.
    let before = try Self.labels(moto, secret)
    let refused = try stagehand(["remove", secret, "AWSCURRENT", "--yes"])
    #expect(refused.status == 2)
    #expect(try Self.labels(moto, secret) == before)

    // Read-only refuses before anything is signed or sent.
    let readOnly = try stagehand(["rollback", secret, "--yes", "--read-only"])
    #expect(readOnly.status == 2, "\(readOnly.stderr)")
    #expect(readOnly.stderr.contains("--read-only"))
    #expect(try Self.labels(moto, secret) == before)
  }

  @Test func awsErrorsAndMissingConfigurationAreExplained() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let missing = try h.run(
      ["versions", "no/such/secret", "--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"],
      extraEnvironment: Self.credentials)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("No secret named \"no/such/secret\""))

    let noRegion = try h.run(
      ["list", "--endpoint-url", moto.endpoint.absoluteString], extraEnvironment: Self.credentials)
    #expect(noRegion.status == 1)
    #expect(noRegion.stderr.contains("AWS_REGION"), "\(noRegion.stderr)")

    var noCredentials = Self.credentials
    noCredentials["AWS_ACCESS_KEY_ID"] = nil
    noCredentials["AWS_SECRET_ACCESS_KEY"] = nil
    let anonymous = try h.run(
      ["list", "--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"],
      extraEnvironment: noCredentials)
    #expect(anonymous.status == 1)
    #expect(anonymous.stderr.contains("--demo"), "\(anonymous.stderr)")
  }
}
