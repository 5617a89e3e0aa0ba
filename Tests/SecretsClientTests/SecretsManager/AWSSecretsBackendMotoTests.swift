import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

/// The backend against a real moto server, with the aws CLI and boto3 as independent clients.
@Suite(.serialized, .ownThreads)
struct AWSSecretsBackendMotoTests {
  @Test func listsAllOf1050Secrets() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    try await server.seed(["bulk", "1050", "bulk"])

    let backend = server.backend()
    var names: [String] = []
    var pages = 0
    for try await page in backend.listSecrets(filters: []) {
      pages += 1
      names += page.map(\.name)
      #expect(page.allSatisfy { $0.currentVersion != nil })
    }
    #expect(names.count == 1050)
    #expect(Set(names) == Set((0..<1050).map { String(format: "bulk-%04d", $0) }))
    #expect(pages >= 11)

    var filtered: [String] = []
    for try await page in backend.listSecrets(filters: [ListFilter(key: "name", values: ["bulk-104"])]) {
      filtered += page.map(\.name)
    }
    #expect(Set(filtered) == Set((1040..<1050).map { String(format: "bulk-%04d", $0) }))
  }

  @Test func describesVersionsMovesCurrentAndRevealsByVersion() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    let created = try await server.aws([
      "secretsmanager", "create-secret", "--name", "app/db", "--secret-string", "one", "--description", "the db",
    ])
    let v1 = try #require((created as? [String: Any])?["VersionId"] as? String)
    let put2 = try await server.aws([
      "secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", "two",
    ])
    let v2 = try #require((put2 as? [String: Any])?["VersionId"] as? String)
    let put3 = try await server.aws([
      "secretsmanager", "put-secret-value", "--secret-id", "app/db", "--secret-string", "three",
    ])
    let v3 = try #require((put3 as? [String: Any])?["VersionId"] as? String)

    let recorder = Recorder()
    let backend = server.backend(log: recorder)
    #expect(backend.displayName == "AWS us-east-1 \(server.endpoint.absoluteString)")
    let secret = try await backend.describeSecret("app/db", includeDeprecated: true)
    #expect(secret.name == "app/db")
    #expect(secret.description == "the db")
    #expect(secret.arn?.hasPrefix("arn:aws:secretsmanager:us-east-1:") == true)
    #expect(secret.version(v3)?.labels == ["AWSCURRENT"])
    #expect(secret.version(v2)?.labels == ["AWSPREVIOUS"])
    #expect(secret.version(v1)?.isDeprecated ?? true)
    #expect(secret.versions.filter { !$0.isDeprecated }.allSatisfy { $0.createdDate != nil })
    #expect(secret.versionsComplete)

    // Roll back: AWSCURRENT onto the AWSPREVIOUS version; AWS moves AWSPREVIOUS by itself.
    let outcome = try await backend.updateSecretVersionStageReportingOutcome(
      secretId: "app/db",
      step: StageStep(versionStage: StandardLabel.current, removeFromVersionId: v3, moveToVersionId: v2))
    #expect(outcome == .applied)
    let listed = try await server.aws(["secretsmanager", "list-secret-version-ids", "--secret-id", "app/db"])
    let versions = try #require((listed as? [String: Any])?["Versions"] as? [[String: Any]])
    var labels: [String: Set<String>] = [:]
    for version in versions {
      labels[version["VersionId"] as? String ?? ""] = Set(version["VersionStages"] as? [String] ?? [])
    }
    #expect(labels[v2] == ["AWSCURRENT"])
    #expect(labels[v3] == ["AWSPREVIOUS"])

    let value = try await backend.secretValue(secretId: "app/db", versionId: v2)
    #expect(value.versionId == v2)
    #expect(value.string == "two")
    #expect(recorder.entries.contains { $0.operation == "UpdateSecretVersionStage" && $0.httpStatus == 200 })
  }

  @Test func missingSecretIsResourceNotFound() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    let backend = server.backend()
    do {
      _ = try await backend.describeSecret("no/such/secret", includeDeprecated: false)
      Issue.record("expected ResourceNotFoundException")
    } catch let error as SecretsError {
      guard case .service(let code, let message, let status, _) = error else {
        Issue.record("expected a service error, got \(error)")
        return
      }
      #expect(code == "ResourceNotFoundException")
      #expect(!message.isEmpty)
      // AWS answers 400; moto answers 404. Either way a client error, never retried.
      #expect(status.map { (400..<500).contains($0) } == true)
    }
  }
}
