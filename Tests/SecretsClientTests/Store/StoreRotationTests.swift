import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// The embedded store's rotation calls and its simulated rotation function, on an injected
/// clock: AWS's label states, error names and idempotency, and a file left alone when a call
/// is refused or the backend is read-only.
@Suite(.ownThreads)
struct StoreRotationTests {
  static let c = "c0000000-0000-4000-8000-00000000000c"
  static let p = "d0000000-0000-4000-8000-00000000000d"
  static let n = "e0000000-0000-4000-8000-00000000000e"
  static let t = "70000000-0000-4000-8000-000000000007"
  static let t2 = "72000000-0000-4000-8000-000000000072"
  static let start = Date(timeIntervalSince1970: 1_800_000_000)

  static func simulation(_ outcome: String = "succeed", failAt: String? = nil, step: Double = 10) -> [String: Any] {
    var object: [String: Any] = ["Outcome": outcome, "StepSeconds": step]
    if let failAt { object["FailAt"] = failAt }
    return object
  }

  /// prod/db: c current, p previous, rotating every 30 days with `simulation`.
  static func store(
    simulation: [String: Any]? = simulation(), versions: [(String, [String])]? = nil, extra: [String: Any] = [:]
  ) throws -> TemporaryStore {
    var fields: [String: Any] = ["RotationRules": ["AutomaticallyAfterDays": 30], "Unknown": ["kept": [1, 2]]]
    if let simulation { fields["RotationSimulation"] = simulation }
    for (key, value) in extra { fields[key] = value }
    return try TemporaryStore([
      TemporaryStore.secret("prod/db", versions ?? [(p, ["AWSPREVIOUS"]), (c, ["AWSCURRENT"])], extra: fields),
      TemporaryStore.secret("other", [(c, ["AWSCURRENT"])]),
    ])
  }

  /// `store(…)` with a backend on a test clock set to `start`.
  static func clocked(
    simulation: [String: Any]? = simulation(), versions: [(String, [String])]? = nil, extra: [String: Any] = [:]
  ) throws -> (TemporaryStore, TestClock, LocalStoreBackend) {
    let store = try Self.store(simulation: simulation, versions: versions, extra: extra)
    let clock = TestClock(start)
    return (store, clock, LocalStoreBackend(path: store.path, now: { clock.now }))
  }

  static func bytes(_ store: TemporaryStore) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: store.path)) }

  static func rawSecret(_ store: TemporaryStore, _ name: String = "prod/db") throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: try bytes(store)) as? [String: Any]
    let secrets = object?["secrets"] as? [[String: Any]] ?? []
    return try #require(secrets.first { $0["Name"] as? String == name })
  }

  static func labels(_ backend: LocalStoreBackend) async throws -> LabelMap {
    try await backend.describeSecret("prod/db", includeDeprecated: true).labelMap.labelledVersions
  }

  static func stage(_ backend: LocalStoreBackend, _ token: VersionID = t) async throws -> RotationStage {
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: false)
    let value = try await backend.hasValue(secretId: "prod/db", versionId: token)
    return RotationStage.observed(labels: secret.labelMap, token: token, hasValue: value)
  }

  static func expectError(
    _ code: String, _ words: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
  ) async {
    do {
      try await body()
      Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as SecretsError {
      #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
      #expect(error.userMessage.contains(words), "\(error.userMessage)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("expected a SecretsError, got \(error)", sourceLocation: sourceLocation)
    }
  }

  // MARK: - RotateSecret over time

  @Test func aSucceedingRotationWalksAWSsLabelStatesOnTheClock() async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked()
    defer { store.remove() }
    let before = try await backend.secretValue(secretId: "prod/db", versionId: Self.c)

    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    // Recorded at once: the token version with AWSPENDING and no value; rotation on.
    #expect(
      try await Self.labels(backend)
        == LabelMap([Self.c: ["AWSCURRENT"], Self.p: ["AWSPREVIOUS"], Self.t: ["AWSPENDING"]]))
    #expect(try await Self.stage(backend) == .pendingPlaceholder)
    let started = try await backend.describeSecret("prod/db", includeDeprecated: false)
    #expect(started.rotationEnabled)
    #expect(started.rotationLambdaARN == StoreDocument.simulatedFunctionARN)
    #expect(started.isRotationStuck, "AWSPENDING off AWSCURRENT while it runs: AWS refuses another rotation")
    #expect(started.version(Self.t)?.createdDate == Self.start)
    var record = try #require(try Self.rawSecret(store)["LastRotation"] as? [String: Any])
    #expect(record["ClientRequestToken"] as? String == Self.t)
    #expect(record["Status"] as? String == "InProgress")
    #expect(record["StartedDate"] as? String == "2027-01-15T08:00:00Z")

    clock.advance(9.9)
    #expect(try await Self.stage(backend) == .pendingPlaceholder)
    clock.advance(0.1)  // createSecret completes 1 x StepSeconds after the start
    #expect(try await Self.stage(backend) == .valuePresent)
    let created = try await backend.secretValue(secretId: "prod/db", versionId: Self.t)
    #expect(created.string != nil && created.string != before.string)
    #expect((created.string?.count ?? 0) >= 16)
    clock.advance(20)  // setSecret, testSecret: nothing a reader sees
    #expect(try await Self.stage(backend) == .valuePresent)
    clock.advance(9)
    #expect(try await Self.stage(backend) == .valuePresent)
    clock.advance(1)  // finishSecret: AWSCURRENT moves (AWSPREVIOUS shifts), then AWSPENDING goes
    #expect(try await Self.stage(backend) == .pendingCleanedUp)
    #expect(
      try await Self.labels(backend) == LabelMap([Self.c: ["AWSPREVIOUS"], Self.t: ["AWSCURRENT"]]),
      "p, AWSPREVIOUS before, keeps no label")
    let finished = try await backend.describeSecret("prod/db", includeDeprecated: true)
    #expect(finished.lastRotatedDate == Self.start.addingTimeInterval(40))
    #expect(finished.nextRotationDate == Self.start.addingTimeInterval(40 + 30 * 86_400))
    #expect(finished.version(Self.p)?.isDeprecated == true)
    #expect(!finished.isRotationStuck)
    // The value is the one createSecret made, and it is nowhere else.
    #expect(try await backend.secretValue(secretId: "prod/db", versionId: Self.t).string == created.string)
    #expect(!"\(finished)".contains(created.string!))
    record = try #require(try Self.rawSecret(store)["LastRotation"] as? [String: Any])
    #expect(record["Status"] as? String == "Succeeded")
    #expect(record["StepsCompleted"] as? Int == 4)
    // Fields the store does not know are kept.
    #expect(try Self.rawSecret(store)["Unknown"] as? [String: [Int]] == ["kept": [1, 2]])
  }

  @Test func aReaderLateBySeveralStepsSeesThemAllWithTheirOwnDates() async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked()
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    clock.advance(3_600)
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: false)
    #expect(secret.labelMap == LabelMap([Self.c: ["AWSPREVIOUS"], Self.t: ["AWSCURRENT"]]))
    #expect(secret.lastRotatedDate == Self.start.addingTimeInterval(40))
    #expect(secret.lastChangedDate == Self.start.addingTimeInterval(40))
  }

  @Test(arguments: RotationStepName.allCases)
  func aFunctionThatFailsStopsBeforeThatStepLeavingAWSPENDING(step: RotationStepName) async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked(
      simulation: Self.simulation("failAt", failAt: step.rawValue))
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    clock.advance(Double(step.number) * 10 - 1)
    let running = try await Self.stage(backend)
    clock.advance(1)
    let stopped = try await Self.stage(backend)
    #expect(running == stopped, "the failing step changes nothing")
    #expect(stopped == (step == .createSecret ? .pendingPlaceholder : .valuePresent))
    clock.advance(3_600)
    #expect(try await Self.stage(backend) == stopped, "stuck: it never moves on")
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: false)
    #expect(secret.stuckPendingVersion == Self.t)
    #expect(secret.labelMap.holder(of: "AWSCURRENT") == Self.c)
    #expect(secret.lastRotatedDate == nil)
    let record = try #require(try Self.rawSecret(store)["LastRotation"] as? [String: Any])
    #expect(record["Status"] as? String == "Failed")
    #expect(record["FailedStep"] as? String == step.rawValue)
    #expect(record["StepsCompleted"] as? Int == step.number - 1)

    // The stuck state refuses the next rotation, AWS's way, and the file stays as it was.
    let file = try Self.bytes(store)
    await Self.expectError("InvalidRequestException", "A previous rotation isn't complete") {
      try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t2))
    }
    #expect(try Self.bytes(store) == file)
    // Abandoning it (AWSPENDING removed) lets a new rotation start.
    try await backend.updateSecretVersionStage(
      secretId: "prod/db", step: StageStep(versionStage: "AWSPENDING", removeFromVersionId: Self.t))
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t2))
    #expect(try await Self.stage(backend, Self.t2) == .pendingPlaceholder)
  }

  @Test func theSameTokenSentAgainIsANoOpAtEveryStage() async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked()
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    for _ in 0..<6 {
      _ = try await backend.describeSecret("prod/db", includeDeprecated: true)  // brings the file up to now
      let file = try Self.bytes(store)
      try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
      #expect(try Self.bytes(store) == file, "a resend changes nothing at \(clock.now)")
      clock.advance(10)
    }
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: true)
    #expect(secret.versions.count == 3, "one version was created")
    #expect(secret.labelMap.labels(on: Self.t) == ["AWSCURRENT"])
    // A token that names another version is refused.
    await Self.expectError("ResourceExistsException", "already in use for a version") {
      try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.p))
    }
  }

  @Test func aStaleAWSPENDINGIsRefusedAndAWSPENDINGOnCurrentIsNot() async throws {
    let stale = try Self.store(versions: [
      (Self.p, ["AWSPREVIOUS"]), (Self.c, ["AWSCURRENT"]), (Self.n, ["AWSPENDING"]),
    ])
    defer { stale.remove() }
    let file = try Self.bytes(stale)
    let backend = LocalStoreBackend(path: stale.path, now: { Self.start })
    await Self.expectError("InvalidRequestException", "A previous rotation isn't complete") {
      try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    }
    #expect(try Self.bytes(stale) == file, "a refused call leaves the file as it was")

    // moto refuses this one and strips a stale AWSPENDING instead; AWS rotates, and the new
    // version takes AWSPENDING from the current one.
    let onCurrent = try Self.store(versions: [(Self.p, ["AWSPREVIOUS"]), (Self.c, ["AWSCURRENT", "AWSPENDING"])])
    defer { onCurrent.remove() }
    let clock = TestClock(Self.start)
    let current = LocalStoreBackend(path: onCurrent.path, now: { clock.now })
    try await current.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    #expect(
      try await Self.labels(current)
        == LabelMap([Self.c: ["AWSCURRENT"], Self.p: ["AWSPREVIOUS"], Self.t: ["AWSPENDING"]]))
    clock.advance(40)
    #expect(try await Self.labels(current) == LabelMap([Self.c: ["AWSPREVIOUS"], Self.t: ["AWSCURRENT"]]))
  }

  @Test func withoutARotationFunctionRotateSecretFailsAsOnAWS() async throws {
    let store = try Self.store(simulation: nil)
    defer { store.remove() }
    let file = try Self.bytes(store)
    let clock = TestClock(Self.start)
    let backend = LocalStoreBackend(path: store.path, now: { clock.now })
    await Self.expectError("InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
    {
      try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    }
    #expect(try Self.bytes(store) == file)
    // Naming a function configures it; without a simulation it succeeds in 2 s steps.
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-db"
    try await backend.rotateSecret(
      secretId: "prod/db", request: RotationRequest(token: Self.t, lambdaARN: arn, scheduleDays: 7))
    let configured = try await backend.describeSecret("prod/db", includeDeprecated: false)
    #expect(configured.rotationLambdaARN == arn)
    #expect(configured.rotationRules?.automaticallyAfterDays == 7)
    #expect(configured.rotationEnabled)
    clock.advance(RotationSimulation.defaultStepSeconds * 4)
    #expect(try await Self.stage(backend) == .pendingCleanedUp)
    #expect(
      try await backend.describeSecret("prod/db", includeDeprecated: false).nextRotationDate
        == Self.start.addingTimeInterval(8 + 7 * 86_400))
  }

  @Test func managedRotationCountsAsAFunctionButItsValuesAreTheServices() async throws {
    let store = try Self.store(simulation: nil, extra: ["OwningService": "rds", "RotationEnabled": true])
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path, now: { Self.start })
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    #expect(try await Self.labels(backend).labels(on: Self.t) == ["AWSPENDING"])
    await Self.expectError("InvalidRequestException", "managed by rds") {
      try await backend.putPendingValue(secretId: "prod/db", token: Self.t2, value: SecretPayload(.string("x")))
    }
  }

  @Test func notRotatingImmediatelyOnlyConfiguresRotation() async throws {
    let store = try Self.store(extra: ["RotationEnabled": false])
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path, now: { Self.start })
    try await backend.rotateSecret(
      secretId: "prod/db", request: RotationRequest(token: Self.t, scheduleDays: 14, rotateImmediately: false))
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: true)
    #expect(secret.rotationEnabled)
    #expect(secret.rotationRules?.automaticallyAfterDays == 14)
    #expect(secret.labelMap == LabelMap([Self.c: ["AWSCURRENT"], Self.p: ["AWSPREVIOUS"]]))
    #expect(try Self.rawSecret(store)["LastRotation"] == nil)
  }

  @Test func aRotationWhoseVersionLostAWSPENDINGIsAbandoned() async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked()
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    clock.advance(15)
    try await backend.updateSecretVersionStage(
      secretId: "prod/db", step: StageStep(versionStage: "AWSPENDING", removeFromVersionId: Self.t))
    clock.advance(100)
    #expect(try await Self.labels(backend) == LabelMap([Self.c: ["AWSCURRENT"], Self.p: ["AWSPREVIOUS"]]))
    let record = try #require(try Self.rawSecret(store)["LastRotation"] as? [String: Any])
    #expect(record["Status"] as? String == "Failed")
    #expect(record["FailedStep"] as? String == "setSecret")
    #expect((record["FailureReason"] as? String)?.contains("abandoned") == true)
  }

  @Test func aReadOnlyBackendSeesTheRotationButNeverWrites() async throws {
    let store = try Self.store()
    defer { store.remove() }
    try await LocalStoreBackend(path: store.path, now: { Self.start }).rotateSecret(
      secretId: "prod/db", request: RotationRequest(token: Self.t))
    let file = try Self.bytes(store)
    let lock = store.path + ".lock"
    try? FileManager.default.removeItem(atPath: lock)
    let clock = TestClock(Self.start)
    let reader = LocalStoreBackend(path: store.path, readOnly: true, now: { clock.now })
    for _ in 0..<5 {
      clock.advance(10)
      _ = try await Self.stage(reader)
      var pages = 0
      for try await _ in reader.listSecrets(filters: []) { pages += 1 }
      #expect(pages == 1)
    }
    #expect(try await Self.stage(reader) == .pendingCleanedUp)
    #expect(try await reader.secretValue(secretId: "prod/db", versionId: Self.t).string != nil)
    for operation in ["RotateSecret", "PutSecretValue", "CancelRotateSecret"] {
      await #expect(throws: SecretsError.readOnly(operation: operation)) {
        switch operation {
        case "RotateSecret":
          try await reader.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t2))
        case "PutSecretValue":
          try await reader.putPendingValue(secretId: "prod/db", token: Self.t2, value: SecretPayload(.string("v")))
        default: try await reader.cancelRotation(secretId: "prod/db")
        }
      }
    }
    #expect(try Self.bytes(store) == file, "a read-only backend never writes")
    #expect(!FileManager.default.fileExists(atPath: lock), "nor takes the lock")
    // A writable reader at the same time saves what it derived.
    _ = try await LocalStoreBackend(path: store.path, now: { clock.now }).describeSecret(
      "prod/db", includeDeprecated: false)
    let record = try #require(try Self.rawSecret(store)["LastRotation"] as? [String: Any])
    #expect(record["Status"] as? String == "Succeeded")
  }

  @Test func refusalsOnDeletedReplicaAndUnknownSecretsUseAWSsErrors() async throws {
    let store = try TemporaryStore([
      TemporaryStore.secret(
        "deleted", [(Self.c, ["AWSCURRENT"])],
        extra: ["DeletedDate": "2027-02-01T00:00:00Z", "RotationSimulation": Self.simulation()]),
      TemporaryStore.secret(
        "replica", [(Self.c, ["AWSCURRENT"])],
        extra: ["PrimaryRegion": "eu-west-1", "RotationSimulation": Self.simulation(), "RotationEnabled": true]),
    ])
    defer { store.remove() }
    let file = try Self.bytes(store)
    let backend = LocalStoreBackend(path: store.path, now: { Self.start })
    let payload = SecretPayload(.string("v"))
    for secret in ["deleted", "replica"] {
      let (code, words) =
        secret == "deleted"
        ? ("InvalidRequestException", "marked for deletion") : ("InvalidParameterException", "replica secret")
      await Self.expectError(code, words) {
        try await backend.rotateSecret(secretId: secret, request: RotationRequest(token: Self.t))
      }
      await Self.expectError(code, words) {
        try await backend.putPendingValue(secretId: secret, token: Self.t, value: payload)
      }
      await Self.expectError(code, words) { try await backend.cancelRotation(secretId: secret) }
      await Self.expectError(code, words) {
        try await backend.updateSecretVersionStage(
          secretId: secret, step: StageStep(versionStage: "blue", moveToVersionId: Self.c))
      }
    }
    await Self.expectError("ResourceNotFoundException", "can't find the specified secret") {
      try await backend.rotateSecret(secretId: "nope", request: RotationRequest(token: Self.t))
    }
    await Self.expectError("ResourceNotFoundException", "can't find the specified secret") {
      _ = try await backend.hasValue(secretId: "nope", versionId: Self.c)
    }
    #expect(try Self.bytes(store) == file)
    let replica = try await backend.describeSecret("replica", includeDeprecated: false)
    #expect(replica.primaryRegion == "eu-west-1")
    var listed: [String] = []
    for try await page in backend.listSecrets(filters: [ListFilter(key: "primary-region", values: ["eu-"])]) {
      listed += page.map(\.name)
    }
    #expect(listed == ["replica"])
  }

  // MARK: - PutSecretValue with AWSPENDING

  @Test func putPendingStagesAValueThatReadsBack() async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked(versions: [
      (Self.c, ["AWSCURRENT"]), (Self.n, ["AWSPENDING"]),
    ])
    defer { store.remove() }
    let value = "{\"password\":\"staged-by-hand\"}"
    try await backend.putPendingValue(secretId: "prod/db", token: Self.t, value: SecretPayload(.string(value)))
    #expect(try await Self.labels(backend) == LabelMap([Self.c: ["AWSCURRENT"], Self.t: ["AWSPENDING"]]))
    let read = try await backend.secretValue(secretId: "prod/db", versionId: Self.t)
    #expect(read.string == value && read.binary == nil)
    #expect(try await backend.hasValue(secretId: "prod/db", versionId: Self.t))
    #expect(try await backend.hasValue(secretId: "prod/db", versionId: "no-such-version") == false)
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: true)
    #expect(secret.version(Self.t)?.createdDate == Self.start)
    #expect(secret.version(Self.n)?.isDeprecated == true)

    // The same token and value again: nothing changes. Another value: refused.
    clock.advance(60)
    let file = try Self.bytes(store)
    try await backend.putPendingValue(secretId: "prod/db", token: Self.t, value: SecretPayload(.string(value)))
    #expect(try Self.bytes(store) == file)
    await Self.expectError("ResourceExistsException", "You can't use ClientRequestToken \(Self.t)") {
      try await backend.putPendingValue(secretId: "prod/db", token: Self.t, value: SecretPayload(.string("other")))
    }
    await Self.expectError("ResourceExistsException", "already in use") {
      try await backend.putPendingValue(secretId: "prod/db", token: Self.c, value: SecretPayload(.string(value)))
    }
    #expect(try Self.bytes(store) == file)

    // Binary values go in as base64 and come back as the bytes.
    let bytes = Data([0, 1, 2, 0xFE, 0xFF] + Array(repeating: 0x41, count: 100))
    try await backend.putPendingValue(secretId: "prod/db", token: Self.t2, value: SecretPayload(.binary(bytes)))
    let binary = try await backend.secretValue(secretId: "prod/db", versionId: Self.t2)
    #expect(binary.binary == bytes && binary.string == nil)
    #expect(try await Self.labels(backend) == LabelMap([Self.c: ["AWSCURRENT"], Self.t2: ["AWSPENDING"]]))
    try await backend.putPendingValue(secretId: "prod/db", token: Self.t2, value: SecretPayload(.binary(bytes)))
    await Self.expectError("ResourceExistsException", "already in use") {
      try await backend.putPendingValue(
        secretId: "prod/db", token: Self.t2, value: SecretPayload(.binary(Data(bytes.reversed()))))
    }
  }

  @Test func aStagedValueNeverShowsInErrorsOrDescriptions() async throws {
    let store = try TemporaryStore([
      TemporaryStore.secret("prod/db", [(Self.c, ["AWSCURRENT"])]),
      TemporaryStore.secret("gone", [(Self.c, ["AWSCURRENT"])], extra: ["DeletedDate": 1_800_000_000]),
      TemporaryStore.secret("copy", [(Self.c, ["AWSCURRENT"])], extra: ["PrimaryRegion": "eu-west-1"]),
    ])
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path, now: { Self.start })
    let planted = PlantedSecrets.pendingValue
    try await backend.putPendingValue(secretId: "prod/db", token: Self.t, value: SecretPayload(.string(planted)))
    var texts: [String] = ["\(SecretPayload(.string(planted)))", "\(SecretPayload(.binary(Data(planted.utf8))))"]
    let attempts: [(String, VersionID, String)] = [
      ("prod/db", Self.t, planted + "-other"), ("gone", Self.t2, planted), ("copy", Self.t2, planted),
      ("missing", Self.t2, planted), ("prod/db", Self.t2, planted + String(repeating: "x", count: 70_000)),
    ]
    for (secret, token, value) in attempts {
      do {
        try await backend.putPendingValue(secretId: secret, token: token, value: SecretPayload(.string(value)))
        Issue.record("\(secret) took the value")
      } catch {
        texts += ["\(error)", error.localizedDescription, String(reflecting: error)]
      }
    }
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: true)
    texts += ["\(secret)", String(reflecting: secret)]
    for try await page in backend.listSecrets(filters: []) { texts.append("\(page)") }
    for text in texts { #expect(PlantedSecrets.leaks(in: text).isEmpty, "\(text)") }
    // It is in the file (mode 0600 when the store writes it), and only there.
    #expect(try String(contentsOfFile: store.path, encoding: .utf8).contains(planted))
    let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? NSNumber
    #expect(mode?.intValue == 0o600)
  }

  @Test(arguments: [0, 65_537])
  func emptyAndOversizeValuesAreRefused(size: Int) async throws {
    let store = try Self.store()
    defer { store.remove() }
    let file = try Self.bytes(store)
    let backend = LocalStoreBackend(path: store.path, now: { Self.start })
    await Self.expectError("InvalidParameterException", size == 0 ? "SecretString or SecretBinary" : "65536") {
      try await backend.putPendingValue(
        secretId: "prod/db", token: Self.t, value: SecretPayload(.string(String(repeating: "x", count: size))))
    }
    #expect(try Self.bytes(store) == file)
    try await backend.putPendingValue(
      secretId: "prod/db", token: Self.t, value: SecretPayload(.binary(Data(repeating: 7, count: 65_536))))
  }

  @Test func aValuePutOnARotationsPlaceholderFillsIt() async throws {
    // The rotation stops in createSecret; a person stages the value by hand with its token.
    let (store, clock, backend) = try StoreRotationTests.clocked(
      simulation: Self.simulation("failAt", failAt: "createSecret"))
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    clock.advance(100)
    #expect(try await Self.stage(backend) == .pendingPlaceholder)
    try await backend.putPendingValue(secretId: "prod/db", token: Self.t, value: SecretPayload(.string("by hand")))
    #expect(try await Self.stage(backend) == .valuePresent)
    #expect(try await backend.secretValue(secretId: "prod/db", versionId: Self.t).string == "by hand")
    #expect(try await backend.describeSecret("prod/db", includeDeprecated: true).versions.count == 3)
  }

  @Test func theLabelQuotaHoldsForANewAWSPENDING() async throws {
    let labels = (0..<20).map { "L\($0)" }
    let store = try Self.store(versions: [(Self.c, ["AWSCURRENT"] + labels.dropLast())])
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path, now: { Self.start })
    await Self.expectError("LimitExceededException", "maximum number of staging labels") {
      try await backend.putPendingValue(secretId: "prod/db", token: Self.t, value: SecretPayload(.string("v")))
    }
    await Self.expectError("LimitExceededException", "maximum number of staging labels") {
      try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    }
  }

  // MARK: - CancelRotateSecret

  @Test func cancellingStopsTheRotationWhereItIs() async throws {
    let (store, clock, backend) = try StoreRotationTests.clocked(extra: ["RotationEnabled": true])
    defer { store.remove() }
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    clock.advance(15)
    try await backend.cancelRotation(secretId: "prod/db")
    clock.advance(1_000)
    #expect(try await Self.stage(backend) == .valuePresent, "stopped after createSecret, AWSPENDING left behind")
    let secret = try await backend.describeSecret("prod/db", includeDeprecated: false)
    #expect(!secret.rotationEnabled)
    #expect(secret.nextRotationDate == nil)
    #expect(secret.stuckPendingVersion == Self.t)
    #expect(secret.rotationLambdaARN != nil, "the function stays configured")
    let record = try #require(try Self.rawSecret(store)["LastRotation"] as? [String: Any])
    #expect(record["Status"] as? String == "Cancelled")
    // Cancelling again changes nothing but the change date; a rotation turns it on again
    // once AWSPENDING is dealt with (here, promoted by hand).
    try await backend.cancelRotation(secretId: "prod/db")
    try await backend.updateSecretVersionStage(
      secretId: "prod/db",
      step: StageStep(versionStage: "AWSCURRENT", removeFromVersionId: Self.c, moveToVersionId: Self.t))
    try await backend.updateSecretVersionStage(
      secretId: "prod/db", step: StageStep(versionStage: "AWSPENDING", removeFromVersionId: Self.t))
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t2))
    #expect(try await backend.describeSecret("prod/db", includeDeprecated: false).rotationEnabled)
  }

  // MARK: - The file format

  @Test(arguments: [
    (#"{"Outcome": "explode"}"#, "Outcome must be \"succeed\" or \"failAt\", not \"explode\""),
    (#"{"Outcome": "failAt"}"#, "needs FailAt"),
    (#"{"Outcome": "failAt", "FailAt": "deploySecret"}"#, "FailAt must be one of createSecret"),
    (#"{"Outcome": "succeed", "FailAt": "testSecret"}"#, "takes no FailAt"),
    (#"{"Outcome": "succeed", "StepSeconds": -1}"#, "StepSeconds must be"),
    (#"{"StepSeconds": 2}"#, "Outcome must be"),
  ])
  func badSimulationsAreExplained(simulation: String, words: String) async throws {
    let store = try TemporaryStore([])
    defer { store.remove() }
    let content =
      #"{"formatVersion": 1, "secrets": [{"Name": "s", "Versions": [], "RotationSimulation": "#
      + simulation + "}]}"
    try Data(content.utf8).write(to: URL(fileURLWithPath: store.path))
    do {
      _ = try await LocalStoreBackend(path: store.path).describeSecret("s", includeDeprecated: false)
      Issue.record("expected an error")
    } catch let error as SecretsError {
      #expect(error.userMessage.contains(words), "\(error.userMessage)")
      #expect(error.userMessage.contains("RotationSimulation"), "\(error.userMessage)")
    }
  }

  @Test func theIssuesShortFormAndDefaultsAreAccepted() throws {
    let decode = { (text: String) throws -> RotationSimulation in
      try JSONDecoder().decode(RotationSimulation.self, from: Data(text.utf8))
    }
    #expect(try decode(#"{"FailAt": "setSecret"}"#) == RotationSimulation(outcome: .failAt(.setSecret), stepSeconds: 2))
    #expect(try decode(#"{"Outcome": "succeed"}"#) == .default)
    #expect(try decode(#"{"Outcome": "succeed", "StepSeconds": 0.5}"#).stepSeconds == 0.5)
    for simulation in [
      RotationSimulation(outcome: .succeed, stepSeconds: 3),
      RotationSimulation(outcome: .failAt(.finishSecret), stepSeconds: 0.25),
    ] {
      let json = try JSONSerialization.data(withJSONObject: simulation.json)
      #expect(try JSONDecoder().decode(RotationSimulation.self, from: json) == simulation)
    }
  }

  @Test func zeroSecondStepsRotateAtOnce() async throws {
    let store = try Self.store(simulation: Self.simulation(step: 0))
    defer { store.remove() }
    let backend = LocalStoreBackend(path: store.path, now: { Self.start })
    try await backend.rotateSecret(secretId: "prod/db", request: RotationRequest(token: Self.t))
    #expect(try await Self.labels(backend) == LabelMap([Self.c: ["AWSPREVIOUS"], Self.t: ["AWSCURRENT"]]))
  }

  // MARK: - The demo

  @Test func theDemoHasARotationThatSucceedsAndOneThatGetsStuck() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-demo-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("demo.json").path
    try DemoAccount.write(to: path, now: Self.start)
    let clock = TestClock(Self.start)
    let backend = LocalStoreBackend(path: path, now: { clock.now })
    let good = "staging/orders/redis-auth-token"
    let stuck = "staging/reports/warehouse-password"
    for name in [good, stuck] {
      let secret = try await backend.describeSecret(name, includeDeprecated: true)
      let preview = try RotationPlanner.rotate(RotationRequest(token: Self.t), for: secret).get()
      try await backend.rotateSecret(secretId: name, request: RotationRequest(token: Self.t))
      #expect(
        try await backend.describeSecret(name, includeDeprecated: false).labelMap.labels(on: Self.t) == ["AWSPENDING"])
      if name == good {
        clock.advance(8)
        let after = try await backend.describeSecret(name, includeDeprecated: false)
        #expect(after.labelMap.labelledVersions == preview.after, "the store ends where the planner said")
      } else {
        clock.advance(60)
        let after = try await backend.describeSecret(name, includeDeprecated: false)
        #expect(after.stuckPendingVersion == Self.t)
        #expect(try await backend.hasValue(secretId: name, versionId: Self.t), "it stopped in testSecret")
        let refused = RotationPlanner.rotate(RotationRequest(token: Self.t2), for: after)
        #expect((try? refused.get()) == nil)
      }
    }
    let replica = try await backend.describeSecret("prod/shared/datadog-api-key", includeDeprecated: false)
    #expect(replica.isReplica)
  }
}
