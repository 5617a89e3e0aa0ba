import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

/// The backend over a scripted transport: paging, decoding, ambiguous-update resolution.
@Suite(.ownThreads)
struct AWSSecretsBackendTests {
  static let step = StageStep(versionStage: "AWSCURRENT", removeFromVersionId: "v1", moveToVersionId: "v2")

  static func describe(_ stages: [String: [String]]) -> HTTPResponse {
    let data = try! JSONSerialization.data(withJSONObject: ["Name": "app", "VersionIdsToStages": stages])
    return HTTPResponse(status: 200, body: data)
  }

  static func body(_ request: HTTPRequest) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
  }

  // MARK: - Ambiguous update

  @Test func ambiguousFailureButLabelsShowTheStepApplied() async throws {
    let transport = MockTransport { request, index in
      switch index {
      case 1: throw TransportFailure(kind: .ambiguous, message: "timed out")
      default: return Self.describe(["v1": ["AWSPREVIOUS"], "v2": ["AWSCURRENT"]])
      }
    }
    let recorder = Recorder()
    let backend = AWSSecretsBackend(client: .testing(transport, recorder: recorder))
    let outcome = try await backend.updateSecretVersionStageReportingOutcome(secretId: "app", step: Self.step)
    #expect(outcome == .appliedAfterAmbiguousFailure)
    #expect(transport.operations == ["UpdateSecretVersionStage", "DescribeSecret"])
    #expect(recorder.entries.contains { $0.note == "applied after ambiguous failure" })
  }

  @Test func ambiguousFailureNotAppliedIsResentOnce() async throws {
    let transport = MockTransport { request, index in
      switch index {
      case 1: return MockTransport.error(500, "InternalServiceError")
      case 2: return Self.describe(["v1": ["AWSCURRENT"], "v2": ["AWSPENDING"]])
      default: return MockTransport.json(200, #"{"Name":"app"}"#)
      }
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    let outcome = try await backend.updateSecretVersionStageReportingOutcome(secretId: "app", step: Self.step)
    #expect(outcome == .retriedAfterAmbiguousFailure)
    #expect(transport.operations == ["UpdateSecretVersionStage", "DescribeSecret", "UpdateSecretVersionStage"])
    #expect(Self.body(transport.requests[2])["MoveToVersionId"] as? String == "v2")
  }

  @Test func ambiguousFailureWithNeitherStateIsUnknownAndShowsLabels() async throws {
    let transport = MockTransport { request, index in
      switch index {
      case 1: throw TransportFailure(kind: .ambiguous, message: "connection reset")
      default: return Self.describe(["v1": ["AWSCURRENT"], "v2": ["AWSCURRENT"], "v3": []])
      }
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    do {
      _ = try await backend.updateSecretVersionStageReportingOutcome(secretId: "app", step: Self.step)
      Issue.record("expected an unknown-outcome error")
    } catch let error as SecretsError {
      let text = error.userMessage
      #expect(text.contains("outcome is unknown"))
      #expect(text.contains("v1: AWSCURRENT"))
      #expect(text.contains("v2: AWSCURRENT"))
      #expect(text.contains("v3: (no labels)"))
    }
    #expect(transport.operations == ["UpdateSecretVersionStage", "DescribeSecret"])
  }

  @Test func secondAmbiguousFailureIsUnknownNotResentAgain() async throws {
    let transport = MockTransport { request, index in
      switch index {
      case 2: return Self.describe(["v1": ["AWSCURRENT"], "v2": []])
      default: throw TransportFailure(kind: .ambiguous, message: "timed out")
      }
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    await #expect(throws: SecretsError.self) {
      try await backend.updateSecretVersionStage(secretId: "app", step: Self.step)
    }
    #expect(transport.operations == ["UpdateSecretVersionStage", "DescribeSecret", "UpdateSecretVersionStage"])
  }

  // MARK: - Decoding

  @Test func describeToleratesNullsAndMissingFieldsAndMarksDeprecated() async throws {
    let transport = MockTransport { request, _ in
      if request.header("X-Amz-Target") == "secretsmanager.DescribeSecret" {
        return MockTransport.json(
          200,
          #"{"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:app-AbC","Name":"app","Description":null,"RotationEnabled":null,"RotationRules":{"AutomaticallyAfterDays":30,"ScheduleExpression":null},"LastChangedDate":1700000000.5,"Tags":[{"Key":"team","Value":"core"},{"Key":"empty","Value":null}],"VersionIdsToStages":{"v1":["AWSPREVIOUS"],"v2":["AWSCURRENT"]},"DeletedDate":null}"#
        )
      }
      #expect(Self.body(request)["IncludeDeprecated"] as? Bool == true)
      return MockTransport.json(
        200,
        #"{"Versions":[{"VersionId":"v1","VersionStages":["AWSPREVIOUS"],"CreatedDate":1600000000},{"VersionId":"v2","VersionStages":["AWSCURRENT"],"CreatedDate":1700000000.25,"LastAccessedDate":null},{"VersionId":"v0","CreatedDate":1500000000},{"VersionId":"vx","VersionStages":null}],"NextToken":null}"#
      )
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    let secret = try await backend.describeSecret("app", includeDeprecated: true)
    #expect(secret.name == "app")
    #expect(secret.description == nil)
    #expect(secret.rotationEnabled == false)
    #expect(secret.rotationRules == RotationRules(automaticallyAfterDays: 30))
    #expect(secret.lastChangedDate == Date(timeIntervalSince1970: 1_700_000_000.5))
    #expect(secret.tags == ["team": "core", "empty": ""])
    #expect(secret.versions.map(\.versionId) == ["v2", "v1", "v0", "vx"])
    #expect(secret.versions[0].createdDate == Date(timeIntervalSince1970: 1_700_000_000.25))
    #expect(secret.version("v0")?.isDeprecated == true)
    #expect(secret.version("vx")?.isDeprecated == true)
    #expect(secret.versionsComplete && secret.includesDeprecated)
  }

  @Test func describeWithoutDeprecatedDropsUnlabelledVersions() async throws {
    let transport = MockTransport { request, _ in
      if request.header("X-Amz-Target") == "secretsmanager.DescribeSecret" {
        return MockTransport.json(200, #"{"Name":"app"}"#)
      }
      return MockTransport.json(
        200, #"{"Versions":[{"VersionId":"v1","VersionStages":["AWSCURRENT"]},{"VersionId":"v0","VersionStages":[]}]}"#)
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    let secret = try await backend.describeSecret("app", includeDeprecated: false)
    #expect(secret.versions.map(\.versionId) == ["v1"])
    #expect(!secret.includesDeprecated)
  }

  @Test func listVersionIdsPagesUntilTokenAbsent() async throws {
    let transport = MockTransport { request, _ in
      if request.header("X-Amz-Target") == "secretsmanager.DescribeSecret" {
        return MockTransport.json(200, #"{"Name":"app"}"#)
      }
      switch Self.body(request)["NextToken"] as? String {
      case nil:
        return MockTransport.json(200, #"{"Versions":[{"VersionId":"a","VersionStages":["X"]}],"NextToken":"t1"}"#)
      case "t1": return MockTransport.json(200, #"{"Versions":[],"NextToken":"t2"}"#)
      default: return MockTransport.json(200, #"{"Versions":[{"VersionId":"b","VersionStages":["Y"]}]}"#)
      }
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    let secret = try await backend.describeSecret("app", includeDeprecated: false)
    #expect(Set(secret.versions.map(\.versionId)) == ["a", "b"])
    #expect(transport.operations.filter { $0 == "ListSecretVersionIds" }.count == 3)
  }

  @Test func listSecretsPagesThroughShortAndEmptyPagesWithFilters() async throws {
    let transport = MockTransport { request, _ in
      let body = Self.body(request)
      #expect(body["MaxResults"] as? Int == 100)
      #expect((body["Filters"] as? [[String: Any]])?.first?["Key"] as? String == "name")
      switch body["NextToken"] as? String {
      case nil:
        return MockTransport.json(
          200,
          #"{"SecretList":[{"Name":"a","SecretVersionsToStages":{"v1":["AWSCURRENT"],"v0":["AWSPREVIOUS"],"vd":[]}}],"NextToken":"p2"}"#
        )
      case "p2": return MockTransport.json(200, #"{"SecretList":[],"NextToken":"p3"}"#)
      default: return MockTransport.json(200, #"{"SecretList":[{"Name":"b","Tags":null}],"NextToken":null}"#)
      }
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    var pages: [[Secret]] = []
    for try await page in backend.listSecrets(filters: [ListFilter(key: "name", values: ["a"])]) {
      pages.append(page)
    }
    #expect(pages.map { $0.map(\.name) } == [["a"], [], ["b"]])
    #expect(pages[0][0].versions.map(\.versionId) == ["v0", "v1"])
    #expect(pages[0][0].version("v1")?.labels == ["AWSCURRENT"])
    #expect(!pages[0][0].versionsComplete)
  }

  @Test func listSecretsReportsErrors() async throws {
    let transport = MockTransport { _, _ in
      MockTransport.error(400, "AccessDeniedException", "not authorized to perform: secretsmanager:ListSecrets")
    }
    let backend = AWSSecretsBackend(client: .testing(transport))
    await #expect(throws: SecretsError.self) {
      for try await _ in backend.listSecrets(filters: []) {}
    }
  }

  @Test func secretValueAsksForAnExplicitVersion() async throws {
    let transport = MockTransport { _, _ in MockTransport.json(200, #"{"VersionId":"v9","SecretBinary":"AAEC"}"#) }
    let backend = AWSSecretsBackend(client: .testing(transport))
    let value = try await backend.secretValue(secretId: "app", versionId: "v9")
    #expect(Self.body(transport.requests[0])["VersionId"] as? String == "v9")
    #expect(value.binary == Data([0, 1, 2]))
    #expect(value.string == nil)
  }

  @Test func displayNameShowsRegionProfileAndEndpoint() {
    #expect(
      AWSSecretsBackend.displayName(
        region: "us-east-1", profile: "prod", endpoint: URL(string: "http://127.0.0.1:5000/"))
        == "AWS us-east-1 (profile prod) http://127.0.0.1:5000")
    #expect(AWSSecretsBackend.displayName(region: "eu-west-1", profile: nil, endpoint: nil) == "AWS eu-west-1")
  }

  @Test func readOnlyBackendRefusesUpdates() async throws {
    let transport = MockTransport { _, _ in MockTransport.json(200, "{}") }
    let backend = AWSSecretsBackend(client: .testing(transport, readOnly: true))
    #expect(backend.isReadOnly)
    await #expect(throws: SecretsError.readOnly(operation: "UpdateSecretVersionStage")) {
      try await backend.updateSecretVersionStage(secretId: "app", step: Self.step)
    }
    #expect(transport.requests.isEmpty)
  }
}

/// Stopping a listing early stops the paging behind it.
@Suite(.ownThreads)
struct AWSSecretsBackendCancellationTests {
  /// The server answers at once and without end, so a listing that kept paging after its
  /// reader stopped would pass any bound within moments. What may be sent is what the
  /// buffers allow: the pages read, the unread pages a stream holds (`BoundedPages`), one
  /// page waiting for room and the next one already asked for. Serial: one such stream.
  /// Concurrent (8 chains, on a server that answers every filter with the same pages, so the
  /// listing falls back to one serial chain): the first page and each chain's first, then the
  /// serial chain's stream feeding the listing's own. Requests on their way when the reader
  /// stopped may be sent late on a loaded machine, so the count is bounded after a while
  /// rather than compared between two instants.
  @Test(arguments: [1, 8]) func stoppingEarlyStopsPaging(concurrency: Int) async throws {
    let transport = MockTransport { request, index in
      MockTransport.json(200, #"{"SecretList":[{"Name":"s\#(index)"}],"NextToken":"t\#(index)"}"#)
    }
    var backend = AWSSecretsBackend(client: .testing(transport))
    backend.listConcurrency = concurrency
    var seen = 0
    for try await _ in backend.listSecrets(filters: []) {
      seen += 1
      if seen == 3 { break }
    }
    let stream = BoundedPages.defaultLimit + 2
    let bound = concurrency == 1 ? seen + stream : 1 + concurrency + seen + 2 * stream
    let deadline = ContinuousClock.now + .seconds(2)
    while transport.requests.count <= bound, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(20))
    }
    #expect(seen == 3)
    #expect(transport.requests.count <= bound)
  }
}
