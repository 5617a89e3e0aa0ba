import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

/// The backend's rotation calls against moto, with the aws CLI as the judge. moto's rotation
/// itself differs from AWS (staging-semantics.md): these tests check what is sent and what
/// it leaves, never moto's RotateSecret label quirks.
@Suite(.serialized, .ownThreads)
struct AWSRotationMotoTests {
  static func token() -> VersionID { UUID().uuidString.lowercased() }

  static func create(_ server: MotoServer, _ name: String, _ value: String = "one") throws -> VersionID {
    let created = try server.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", value])
    return try #require((created as? [String: Any])?["VersionId"] as? String)
  }

  static func pending(_ server: MotoServer, _ name: String) throws -> [String: Any] {
    try #require(
      try server.aws(["secretsmanager", "get-secret-value", "--secret-id", name, "--version-stage", "AWSPENDING"])
        as? [String: Any])
  }

  static func versionCount(_ server: MotoServer, _ name: String) throws -> Int {
    let listed = try server.aws(["secretsmanager", "list-secret-version-ids", "--secret-id", name]) as? [String: Any]
    return (listed?["Versions"] as? [Any])?.count ?? -1
  }

  @Test func putPendingStagesAValueTheAWSCLIReadsBackAndNothingLeaks() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    let logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-log-\(UUID())")
    try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: logDirectory) }
    let logPath = logDirectory.appendingPathComponent("requests.log").path
    let backend = server.backend(log: try FileRequestLog(path: logPath))
    let current = try Self.create(server, "app/db")
    let staged = PlantedSecrets.pendingValue
    let first = Self.token()

    try await backend.putPendingValue(secretId: "app/db", token: first, value: SecretPayload(.string(staged)))
    var read = try Self.pending(server, "app/db")
    #expect(read["SecretString"] as? String == staged)
    #expect(read["VersionId"] as? String == first)
    #expect(try await server.labels(of: "app/db") == [current: ["AWSCURRENT"], first: ["AWSPENDING"]])
    #expect(try await backend.hasValue(secretId: "app/db", versionId: first))
    #expect(try await backend.hasValue(secretId: "app/db", versionId: Self.token()) == false)

    // The same token and value again: applied once.
    let versions = try Self.versionCount(server, "app/db")
    try await backend.putPendingValue(secretId: "app/db", token: first, value: SecretPayload(.string(staged)))
    #expect(try Self.versionCount(server, "app/db") == versions)
    #expect(try await server.labels(of: "app/db") == [current: ["AWSCURRENT"], first: ["AWSPENDING"]])

    // A second staged value takes AWSPENDING; the first token cannot be reused for another value.
    let second = Self.token()
    try await backend.putPendingValue(secretId: "app/db", token: second, value: SecretPayload(.string(staged + "-2")))
    read = try Self.pending(server, "app/db")
    #expect(read["VersionId"] as? String == second)
    #expect(try await server.labels(of: "app/db") == [current: ["AWSCURRENT"], second: ["AWSPENDING"]])
    var messages: [String] = []
    do {
      try await backend.putPendingValue(secretId: "app/db", token: first, value: SecretPayload(.string(staged + "-3")))
      Issue.record("a token in use was accepted with another value")
    } catch let error as SecretsError {
      #expect(error.code == "ResourceExistsException", "\(error)")
      messages += [error.userMessage, "\(error)", error.localizedDescription]
    }
    // A refused value (a replica or a missing secret) says nothing of it either.
    do {
      try await backend.putPendingValue(
        secretId: "app/missing", token: Self.token(), value: SecretPayload(.string(staged)))
      Issue.record("a missing secret took a value")
    } catch {
      messages += ["\(error)", error.localizedDescription]
    }
    messages.append("\(SecretPayload(.string(staged)))")
    let log = try String(contentsOfFile: logPath, encoding: .utf8)
    #expect(log.contains("PutSecretValue"), "\(log)")
    for text in messages + [log] {
      #expect(PlantedSecrets.leaks(in: text).isEmpty, "\(text)")
      #expect(!text.contains(String(staged.dropFirst(6).prefix(12))), "part of the value: \(text)")
    }
  }

  @Test func binaryValuesAreStagedAsTheirBytes() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    _ = try Self.create(server, "app/key")
    let backend = server.backend()
    var rng = SplitMix64(seed: 15)
    for size in [1, 3, 64, 1_000, 65_536] {
      let bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) })
      let token = Self.token()
      try await backend.putPendingValue(secretId: "app/key", token: token, value: SecretPayload(.binary(bytes)))
      let read = try Self.pending(server, "app/key")
      #expect(read["VersionId"] as? String == token)
      #expect((read["SecretBinary"] as? String).flatMap { Data(base64Encoded: $0) } == bytes, "size \(size)")
      #expect(read["SecretString"] == nil)
      let value = try await backend.secretValue(secretId: "app/key", versionId: token)
      #expect(value.binary == bytes)
    }
  }

  @Test func cancelRotationTurnsAutomaticRotationOffAndLeavesAWSPENDING() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    let current = try Self.create(server, "app/rotating")
    // moto has no Lambda to run: RotateSecret naming a missing function records the rotation
    // (RotationEnabled, the ARN, an AWSPENDING placeholder without a value) and then fails,
    // which is the state a failed rotation leaves on AWS.
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-app"
    let failed = try await ChildProcess.run(
      try ChildProcess.locate("aws", installHint: "pip install awscli"),
      [
        "--endpoint-url", server.endpoint.absoluteString, "secretsmanager", "rotate-secret", "--secret-id",
        "app/rotating", "--rotation-lambda-arn", arn, "--rotation-rules", "AutomaticallyAfterDays=30",
      ], environment: MotoServer.clientEnvironment)
    #expect(failed.status != 0)
    let backend = server.backend()
    let before = try await backend.describeSecret("app/rotating", includeDeprecated: false)
    #expect(before.rotationEnabled)
    #expect(before.rotationFunction == .lambda(arn: arn))
    let placeholder = try #require(before.stuckPendingVersion)
    #expect(try await backend.hasValue(secretId: "app/rotating", versionId: placeholder) == false)
    #expect(try await backend.hasValue(secretId: "app/rotating", versionId: current))
    let preview = try RotationPlanner.cancel(for: before).get()
    #expect(preview.notes.contains(.pendingMayStay(on: placeholder)))

    try await backend.cancelRotation(secretId: "app/rotating")
    let described =
      try await server.aws(["secretsmanager", "describe-secret", "--secret-id", "app/rotating"]) as? [String: Any]
    #expect(described?["RotationEnabled"] as? Bool == false)
    #expect(described?["RotationLambdaARN"] as? String == arn, "the function stays configured")
    #expect(try await server.labels(of: "app/rotating") == [current: ["AWSCURRENT"], placeholder: ["AWSPENDING"]])
    #expect(try await backend.describeSecret("app/rotating", includeDeprecated: false).rotationEnabled == false)
  }

  @Test func rotateSecretSendsTheTokenAndTheSchedule() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    _ = try Self.create(server, "app/scheduled")
    // Rotation configured the way moto allows: its own RotateSecret with RotationRules.
    _ = try await server.aws([
      "secretsmanager", "rotate-secret", "--secret-id", "app/scheduled", "--rotation-rules",
      "AutomaticallyAfterDays=30",
    ])
    let backend = server.backend()
    let token = Self.token()
    let versions = try Self.versionCount(server, "app/scheduled")
    try await backend.rotateSecret(secretId: "app/scheduled", request: RotationRequest(token: token, scheduleDays: 7))
    // moto finishes at once (AWS would run the function); the new version's id is the token.
    let listed =
      try await server.aws(["secretsmanager", "list-secret-version-ids", "--secret-id", "app/scheduled"])
      as? [String: Any]
    let ids = (listed?["Versions"] as? [[String: Any]] ?? []).compactMap { $0["VersionId"] as? String }
    #expect(ids.contains(token))
    #expect(ids.count == versions + 1)
    let described =
      try await server.aws(["secretsmanager", "describe-secret", "--secret-id", "app/scheduled"]) as? [String: Any]
    #expect((described?["RotationRules"] as? [String: Any])?["AutomaticallyAfterDays"] as? Int == 7)
    #expect(described?["RotationEnabled"] as? Bool == true)
  }
}
