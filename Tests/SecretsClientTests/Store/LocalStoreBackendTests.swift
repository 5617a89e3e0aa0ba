import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// A temporary store file for one test.
struct TemporaryStore {
  let directory: URL
  var path: String { directory.appendingPathComponent("store.json").path }

  init(_ secrets: [[String: Any]]) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let data = try JSONSerialization.data(
      withJSONObject: ["formatVersion": 1, "secrets": secrets], options: [.sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }

  static func secret(_ name: String, _ versions: [(String, [String])], extra: [String: Any] = [:]) -> [String: Any] {
    var secret: [String: Any] = [
      "Name": name, "CreatedDate": "2026-01-01T00:00:00Z",
      "Versions": versions.enumerated().map { index, version in
        [
          "VersionId": version.0, "VersionStages": version.1, "CreatedDate": 1_767_225_600 + index * 86_400,
          "SecretString": "s3cr3t-\(version.0)",
        ] as [String: Any]
      },
    ]
    for (key, value) in extra { secret[key] = value }
    return secret
  }
}

@Suite(.ownThreads)
struct LocalStoreBackendTests {
  let a = "aaaaaaaa-0000-0000-0000-000000000001"
  let b = "bbbbbbbb-0000-0000-0000-000000000002"

  @Test func enforcesAWSRulesWithAWSErrorNames() async throws {
    let store = try TemporaryStore([TemporaryStore.secret("s", [(a, ["AWSCURRENT"]), (b, ["AWSPREVIOUS"])])])
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path)
    await #expect(
      throws: SecretsError.service(
        code: "InvalidParameterException",
        message:
          "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.")
    ) {
      try await backend.updateSecretVersionStage(
        secretId: "s", step: StageStep(versionStage: "AWSCURRENT", removeFromVersionId: a))
    }
    await #expect(
      throws: SecretsError.service(
        code: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret.")
    ) {
      try await backend.updateSecretVersionStage(
        secretId: "nope", step: StageStep(versionStage: "X", moveToVersionId: a))
    }
    try await backend.updateSecretVersionStage(
      secretId: "s", step: StageStep(versionStage: "AWSCURRENT", removeFromVersionId: a, moveToVersionId: b))
    let secret = try await backend.describeSecret("s", includeDeprecated: true)
    #expect(secret.labelMap == LabelMap([a: ["AWSPREVIOUS"], b: ["AWSCURRENT"]]))
    #expect(secret.versionsComplete)
    #expect(secret.versions.first?.versionId == b, "newest first")
  }

  @Test func aSaveRemovesTemporaryFilesOfKilledSavesOnly() async throws {
    let store = try TemporaryStore([TemporaryStore.secret("s", [(a, ["AWSCURRENT"]), (b, ["AWSPREVIOUS"])])])
    defer { store.remove() }
    let stale = store.directory.appendingPathComponent("store.json.tmp-4242-17")
    let unrelated = store.directory.appendingPathComponent("other.json.tmp-4242-17")
    try Data("{\"half\":".utf8).write(to: stale)
    try Data("keep".utf8).write(to: unrelated)
    try await LocalStoreBackend(path: store.path).updateSecretVersionStage(
      secretId: "s", step: StageStep(versionStage: "blue", moveToVersionId: b))
    #expect(!FileManager.default.fileExists(atPath: stale.path), "a dead save's temporary file is removed")
    #expect(FileManager.default.fileExists(atPath: unrelated.path), "another file's temporary file is left alone")
    let names = try FileManager.default.contentsOfDirectory(atPath: store.directory.path)
    #expect(!names.contains { $0.hasPrefix("store.json.tmp-") }, "\(names)")
  }

  @Test func deprecatedVersionsOnlyOnRequest() async throws {
    let store = try TemporaryStore([TemporaryStore.secret("s", [(a, ["AWSCURRENT"]), (b, [])])])
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path)
    #expect(try await backend.describeSecret("s", includeDeprecated: false).versions.map(\.versionId) == [a])
    #expect(try await backend.describeSecret("s", includeDeprecated: true).versions.count == 2)
  }

  @Test func readOnlyRefusesBeforeTouchingTheFile() async throws {
    let store = try TemporaryStore([TemporaryStore.secret("s", [(a, ["AWSCURRENT"]), (b, [])])])
    defer { store.remove() }
    let before = try Data(contentsOf: URL(fileURLWithPath: store.path))
    let backend = LocalStoreBackend(path: store.path, readOnly: true)
    await #expect(throws: SecretsError.readOnly(operation: "UpdateSecretVersionStage")) {
      try await backend.updateSecretVersionStage(
        secretId: "s", step: StageStep(versionStage: "AWSCURRENT", removeFromVersionId: a, moveToVersionId: b))
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: store.path)) == before)
  }

  @Test func listsInPagesOfAHundredWithFilters() async throws {
    let secrets =
      (0..<250).map { TemporaryStore.secret(String(format: "app-%03d", $0), [(a, ["AWSCURRENT"])]) }
      + [TemporaryStore.secret("other", [(a, ["AWSCURRENT"])], extra: ["DeletedDate": "2026-12-01T00:00:00Z"])]
    let store = try TemporaryStore(secrets)
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path)
    var pages: [[Secret]] = []
    for try await page in backend.listSecrets(filters: []) { pages.append(page) }
    #expect(pages.map(\.count) == [100, 100, 51])
    #expect(pages.joined().contains { $0.name == "other" && $0.isScheduledForDeletion })
    var filtered: [Secret] = []
    for try await page in backend.listSecrets(filters: [ListFilter(key: "name", values: ["APP-01"])]) {
      filtered += page
    }
    #expect(filtered.map(\.name) == (10..<20).map { String(format: "app-%03d", $0) })
    var negated: [Secret] = []
    for try await page in backend.listSecrets(filters: [ListFilter(key: "name", values: ["!app"])]) { negated += page }
    #expect(negated.map(\.name) == ["other"])
  }

  @Test func revealsOnlyTheAskedVersionAndNeverInDescriptions() async throws {
    let store = try TemporaryStore([TemporaryStore.secret("s", [(a, ["AWSCURRENT"]), (b, [])])])
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path)
    let value = try await backend.secretValue(secretId: "s", versionId: b)
    #expect(value.string == "s3cr3t-\(b)")
    #expect(!"\(value)".contains("s3cr3t"))
    let secret = try await backend.describeSecret("s", includeDeprecated: true)
    #expect(!"\(secret)".contains("s3cr3t"))
  }

  @Test(arguments: [
    ("{", "is not valid JSON"),
    ("[]", "must hold a JSON object"),
    ("{\"formatVersion\": 2, \"secrets\": []}", "newer than this Stagehand understands"),
    ("{\"formatVersion\": 1}", "is missing \"secrets\""),
    (
      "{\"formatVersion\": 1, \"secrets\": [{\"Name\": \"s\", \"Versions\": [{\"VersionId\": \"a\", \"VersionStages\": [\"X\"]}, {\"VersionId\": \"b\", \"VersionStages\": [\"X\"]}]}]}",
      "has label X on two versions"
    ),
    (
      "{\"formatVersion\": 1, \"secrets\": [{\"Name\": \"s\", \"CreatedDate\": \"yesterday\", \"Versions\": []}]}",
      "ISO 8601"
    ),
  ])
  func badFilesAreExplainedAndLeftAlone(content: String, words: String) async throws {
    let store = try TemporaryStore([])
    defer { store.remove() }
    try Data(content.utf8).write(to: URL(fileURLWithPath: store.path))
    let backend = LocalStoreBackend(path: store.path)
    do {
      _ = try await backend.describeSecret("s", includeDeprecated: false)
      Issue.record("expected an error")
    } catch let error as SecretsError {
      #expect(error.userMessage.contains(words), "\(error.userMessage)")
    }
    await #expect(throws: SecretsError.self) {
      try await backend.updateSecretVersionStage(
        secretId: "s", step: StageStep(versionStage: "X", moveToVersionId: "b"))
    }
    #expect(try String(contentsOfFile: store.path, encoding: .utf8) == content)
  }

  @Test func demoStoreIsCreatedPrivateAndValid() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-demo-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("stagehand/demo.json").path
    try DemoAccount.write(to: path, now: Date(timeIntervalSince1970: 1_800_000_000))
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
    #expect(mode?.intValue == 0o600)
    let backend = LocalStoreBackend(path: path)
    try backend.validate()
    let rds = try await backend.describeSecret("prod/rds/orders-db-master", includeDeprecated: true)
    #expect(rds.owningService == "rds")
    #expect(DemoAccount.defaultPath(environment: ["XDG_DATA_HOME": "/x"], home: "/h") == "/x/stagehand/demo.json")
    #expect(DemoAccount.defaultPath(environment: [:], home: "/h") == "/h/.local/share/stagehand/demo.json")
  }
}
