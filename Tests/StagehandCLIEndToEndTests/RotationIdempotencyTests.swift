import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

/// A PutSecretValue or RotateSecret whose answer is lost (the server applied it, the client
/// saw a reset or a 5xx) is sent again with the same ClientRequestToken, so the change is made
/// once: one new version, whose id is the token. The fault proxy sits in front of moto; the
/// aws CLI judges.
@Suite(.serialized)
struct RotationIdempotencyTests {
  struct TestCredentials: CredentialProvider {
    var sourceName: String { "test" }
    func credentials() async throws -> AWSCredentials {
      AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")
    }
  }

  final class Entries: RequestLog, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [RequestLogEntry] = []
    var all: [RequestLogEntry] {
      lock.lock()
      defer { lock.unlock() }
      return stored
    }
    func record(_ entry: RequestLogEntry) {
      lock.lock()
      stored.append(entry)
      lock.unlock()
    }
  }

  static func backend(_ endpoint: URL, log: any RequestLog) -> AWSSecretsBackend {
    AWSSecretsBackend(
      client: AWSJSONClient(
        endpoint: endpoint, region: "us-east-1", credentials: TestCredentials(), log: log, timeout: .seconds(10)))
  }

  static func versionIds(_ moto: MotoServer, _ name: String) throws -> [String] {
    let listed = try moto.aws(["secretsmanager", "list-secret-version-ids", "--secret-id", name]) as? [String: Any]
    return (listed?["Versions"] as? [[String: Any]] ?? []).compactMap { $0["VersionId"] as? String }
  }

  @Test(arguments: [["reset_after"], ["500"], ["reset_after", "503"]])
  func aPutSecretValueWhoseAnswerIsLostIsResentWithTheSameTokenAndAppliedOnce(faults: [String]) async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 15)
    defer { proxy.stop() }
    let name = "idempotent/put"
    _ = try moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "one"])
    let before = try Self.versionIds(moto, name)
    try await proxy.configure(["rate": 0.0, "fail_nth": ["operation": "PutSecretValue", "n": 1, "faults": faults]])
    let log = Entries()
    let token = UUID().uuidString.lowercased()
    let value = PlantedSecrets.pendingValue

    try await Self.backend(proxy.endpoint, log: log).putPendingValue(
      secretId: name, token: token, value: SecretPayload(.string(value)))

    let stats = try await proxy.stats()
    #expect(stats.byOperation["PutSecretValue"] == faults.count + 1, "\(stats.byOperation)")
    #expect(stats.injected("PutSecretValue") == faults.count)
    let after = try Self.versionIds(moto, name)
    #expect(after.count == before.count + 1, "one version was created: \(after)")
    #expect(Set(after).subtracting(before) == [token])
    let pending =
      try moto.aws(["secretsmanager", "get-secret-value", "--secret-id", name, "--version-stage", "AWSPENDING"])
      as? [String: Any]
    #expect(pending?["VersionId"] as? String == token)
    #expect(pending?["SecretString"] as? String == value)
    let notes = log.all.compactMap(\.note)
    #expect(notes.contains { $0.contains("resent with the same token") }, "\(notes)")
    #expect(log.all.allSatisfy { PlantedSecrets.leaks(in: $0.line).isEmpty })
  }

  @Test func aPutSecretValueThatNeverGetsAnAnswerSaysItIsSafeToSendAgain() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 16)
    defer { proxy.stop() }
    let name = "idempotent/lost"
    _ = try moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "one"])
    let before = try Self.versionIds(moto, name)
    try await proxy.configure([
      "rate": 0.0,
      "fail_nth": ["operation": "PutSecretValue", "n": 1, "faults": ["reset_after", "reset_after", "500"]],
    ])
    let token = UUID().uuidString.lowercased()
    do {
      try await Self.backend(proxy.endpoint, log: Entries()).putPendingValue(
        secretId: name, token: token, value: SecretPayload(.string(PlantedSecrets.pendingValue)))
      Issue.record("three lost answers were reported as a success")
    } catch let error as SecretsError {
      #expect(error.userMessage.contains("outcome is unknown"), "\(error.userMessage)")
      #expect(error.userMessage.contains("applied once"), "\(error.userMessage)")
      #expect(PlantedSecrets.leaks(in: error.userMessage).isEmpty)
    }
    // Two of the three reached moto; still one version.
    #expect(Set(try Self.versionIds(moto, name)).subtracting(before) == [token])
  }

  /// moto completes a RotateSecret without a rotation function at once, and (unlike AWS) does
  /// not deduplicate a resent token: the second application re-labels the same version, so
  /// only the version count and id are checked, not AWSPREVIOUS.
  @Test func aRotateSecretWhoseAnswerIsLostIsResentWithTheSameToken() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 17)
    defer { proxy.stop() }
    let name = "idempotent/rotate"
    _ = try moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "one"])
    _ = try moto.aws([
      "secretsmanager", "rotate-secret", "--secret-id", name, "--rotation-rules", "AutomaticallyAfterDays=30",
    ])
    let before = try Self.versionIds(moto, name)
    try await proxy.configure([
      "rate": 0.0, "fail_nth": ["operation": "RotateSecret", "n": 1, "faults": ["reset_after"]],
    ])
    let log = Entries()
    let token = UUID().uuidString.lowercased()
    try await Self.backend(proxy.endpoint, log: log).rotateSecret(
      secretId: name, request: RotationRequest(token: token))
    let stats = try await proxy.stats()
    #expect(stats.byOperation["RotateSecret"] == 2)
    let after = try Self.versionIds(moto, name)
    #expect(after.count == before.count + 1, "one version was created: \(after)")
    #expect(Set(after).subtracting(before) == [token])
    #expect(try moto.labels(of: name)[token] == ["AWSCURRENT"])
    #expect(log.all.compactMap(\.note).contains { $0.contains("resent with the same token") })
  }

  /// On AWS a resent RotateSecret may meet the rotation the first one started ("A previous
  /// rotation isn't complete"). The proxy plays that answer to the resend: the token's version
  /// exists, so the rotation counts as started. When it does not exist, the refusal stands.
  @Test(arguments: [true, false])
  func aResendRefusedBecauseTheFirstWasAppliedCountsAsApplied(firstApplied: Bool) async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let proxy = try await FaultProxy.start(target: moto, seed: 18)
    defer { proxy.stop() }
    let name = "idempotent/refused"
    _ = try moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "one"])
    _ = try moto.aws([
      "secretsmanager", "rotate-secret", "--secret-id", name, "--rotation-rules", "AutomaticallyAfterDays=30",
    ])
    let before = try Self.versionIds(moto, name)
    try await proxy.configure([
      "rate": 0.0,
      "fail_nth": [
        "operation": "RotateSecret", "n": 1, "faults": [firstApplied ? "reset_after" : "reset_before", "fail_nth"],
        "status": 400, "type": "InvalidRequestException",
      ],
    ])
    let log = Entries()
    let token = UUID().uuidString.lowercased()
    let backend = Self.backend(proxy.endpoint, log: log)
    do {
      try await backend.rotateSecret(secretId: name, request: RotationRequest(token: token))
      #expect(firstApplied, "a refusal with no version of the token was taken for success")
      #expect(log.all.compactMap(\.note).contains { $0.contains("because the first took effect") })
    } catch let error as SecretsError {
      #expect(!firstApplied, "\(error)")
      #expect(error.code == "InvalidRequestException")
    }
    #expect(try await proxy.stats().byOperation["RotateSecret"] == 2)
    #expect(Set(try Self.versionIds(moto, name)).subtracting(before) == (firstApplied ? [token] : []))
  }
}
