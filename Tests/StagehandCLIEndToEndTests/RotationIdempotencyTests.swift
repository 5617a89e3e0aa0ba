import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

/// A PutSecretValue or RotateSecret whose answer is lost (the server applied it, the client
/// saw a reset or a 5xx) is sent again with the same ClientRequestToken, so the change is made
/// once: one new version, whose id is the token. The fault proxy sits in front of moto; the
/// aws CLI judges.
@Suite(.serialized, .ownThreads)
struct RotationIdempotencyTests {
  struct TestCredentials: CredentialProvider {
    var sourceName: String { "test" }
    func credentials() async throws -> AWSCredentials {
      AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")
    }
  }

  /// moto, the fault proxy in front of it with `failNth` set, one secret (with rotation
  /// configured the way moto allows: its own RotateSecret with RotationRules), and a backend
  /// through the proxy writing a `--log-file` request log.
  final class Rig: Sendable {
    let moto: MotoServer
    let proxy: FaultProxy
    let name: String
    /// The secret's versions before the call under test.
    let before: [String]
    let log: FileRequestLog
    let backend: AWSSecretsBackend
    let token = UUID().uuidString.lowercased()

    init(_ name: String, seed: Int, rotation: Bool, failNth: [String: Any]) async throws {
      moto = try await MotoServer.start()
      proxy = try await FaultProxy.start(target: moto, seed: seed)
      self.name = name
      _ = try await moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "one"])
      if rotation {
        _ = try await moto.aws([
          "secretsmanager", "rotate-secret", "--secret-id", name, "--rotation-rules", "AutomaticallyAfterDays=30",
        ])
      }
      before = try Self.versionIds(moto, name)
      try await proxy.configure(["rate": 0.0, "fail_nth": failNth])
      log = try FileRequestLog(
        path: FileManager.default.temporaryDirectory.appendingPathComponent("rotation-\(UUID()).log").path)
      backend = AWSSecretsBackend(
        client: AWSJSONClient(
          endpoint: proxy.endpoint, region: "us-east-1", credentials: TestCredentials(), log: log,
          timeout: .seconds(10)))
    }

    func stop() {
      proxy.stop()
      moto.stop()
      try? FileManager.default.removeItem(atPath: log.path)
    }

    static func versionIds(_ moto: MotoServer, _ name: String) throws -> [String] {
      let listed = try moto.aws(["secretsmanager", "list-secret-version-ids", "--secret-id", name]) as? [String: Any]
      return (listed?["Versions"] as? [[String: Any]] ?? []).compactMap { $0["VersionId"] as? String }
    }

    /// The versions the call created.
    func created() throws -> Set<String> { Set(try Self.versionIds(moto, name)).subtracting(before) }

    func logText() throws -> String { try String(contentsOfFile: log.path, encoding: .utf8) }
  }

  @Test(arguments: [["reset_after"], ["500"], ["reset_after", "503"]])
  func aPutSecretValueWhoseAnswerIsLostIsResentWithTheSameTokenAndAppliedOnce(faults: [String]) async throws {
    let rig = try await Rig(
      "idempotent/put", seed: 15, rotation: false,
      failNth: ["operation": "PutSecretValue", "n": 1, "faults": faults])
    defer { rig.stop() }
    let value = PlantedSecrets.pendingValue
    try await rig.backend.putPendingValue(secretId: rig.name, token: rig.token, value: SecretPayload(.string(value)))

    let stats = try await rig.proxy.stats()
    #expect(stats.byOperation["PutSecretValue"] == faults.count + 1, "\(stats.byOperation)")
    #expect(stats.injected("PutSecretValue") == faults.count)
    #expect(try rig.created() == [rig.token], "one version was created")
    let pending =
      try await rig.moto.aws([
        "secretsmanager", "get-secret-value", "--secret-id", rig.name, "--version-stage", "AWSPENDING",
      ])
      as? [String: Any]
    #expect(pending?["VersionId"] as? String == rig.token)
    #expect(pending?["SecretString"] as? String == value)
    let log = try rig.logText()
    #expect(log.contains("resent with the same token"), "\(log)")
    #expect(PlantedSecrets.leaks(in: log).isEmpty, "\(log)")
  }

  @Test func aPutSecretValueThatNeverGetsAnAnswerSaysItIsSafeToSendAgain() async throws {
    let rig = try await Rig(
      "idempotent/lost", seed: 16, rotation: false,
      failNth: ["operation": "PutSecretValue", "n": 1, "faults": ["reset_after", "reset_after", "500"]])
    defer { rig.stop() }
    do {
      try await rig.backend.putPendingValue(
        secretId: rig.name, token: rig.token, value: SecretPayload(.string(PlantedSecrets.pendingValue)))
      Issue.record("three lost answers were reported as a success")
    } catch let error as SecretsError {
      #expect(error.userMessage.contains("outcome is unknown"), "\(error.userMessage)")
      #expect(error.userMessage.contains("applied once"), "\(error.userMessage)")
      #expect(PlantedSecrets.leaks(in: error.userMessage).isEmpty)
    }
    // Two of the three reached moto; still one version.
    #expect(try rig.created() == [rig.token])
  }

  /// moto completes a RotateSecret without a rotation function at once, and (unlike AWS) does
  /// not deduplicate a resent token: the second application re-labels the same version, so
  /// only the versions created are checked, not AWSPREVIOUS.
  @Test func aRotateSecretWhoseAnswerIsLostIsResentWithTheSameToken() async throws {
    let rig = try await Rig(
      "idempotent/rotate", seed: 17, rotation: true,
      failNth: ["operation": "RotateSecret", "n": 1, "faults": ["reset_after"]])
    defer { rig.stop() }
    try await rig.backend.rotateSecret(secretId: rig.name, request: RotationRequest(token: rig.token))
    #expect(try await rig.proxy.stats().byOperation["RotateSecret"] == 2)
    #expect(try rig.created() == [rig.token], "one version was created")
    #expect(try await rig.moto.labels(of: rig.name)[rig.token] == ["AWSCURRENT"])
    #expect(try rig.logText().contains("resent with the same token"))
  }

  /// On AWS a resent RotateSecret may meet the rotation the first one started ("A previous
  /// rotation isn't complete"). The proxy plays that answer to the resend: the token's version
  /// exists, so the rotation counts as started. When it does not exist, the refusal stands.
  @Test(arguments: [true, false])
  func aResendRefusedBecauseTheFirstWasAppliedCountsAsApplied(firstApplied: Bool) async throws {
    let rig = try await Rig(
      "idempotent/refused", seed: 18, rotation: true,
      failNth: [
        "operation": "RotateSecret", "n": 1, "faults": [firstApplied ? "reset_after" : "reset_before", "fail_nth"],
        "status": 400, "type": "InvalidRequestException",
      ])
    defer { rig.stop() }
    do {
      try await rig.backend.rotateSecret(secretId: rig.name, request: RotationRequest(token: rig.token))
      #expect(firstApplied, "a refusal with no version of the token was taken for success")
      #expect(try rig.logText().contains("because the first took effect"))
    } catch let error as SecretsError {
      #expect(!firstApplied, "\(error)")
      #expect(error.code == "InvalidRequestException")
    }
    #expect(try await rig.proxy.stats().byOperation["RotateSecret"] == 2)
    #expect(try rig.created() == (firstApplied ? [rig.token] : []))
  }
}
