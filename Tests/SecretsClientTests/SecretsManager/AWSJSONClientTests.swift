import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads)
struct AWSJSONClientTests {
  struct Empty: Codable {}

  // MARK: - Wire shape

  @Test func sendsSignedJSON11Post() async throws {
    let transport = MockTransport { _, _ in MockTransport.json(200, #"{"Name":"a"}"#) }
    let client = AWSJSONClient.testing(transport, sessionToken: "TOKEN")
    _ = try await client.call(operation: "DescribeSecret", input: SecretsManagerShapes.SecretIdInput(SecretId: "a"))
    let request = try #require(transport.requests.first)
    #expect(request.method == "POST")
    #expect(request.url.absoluteString == "https://secretsmanager.us-east-1.amazonaws.com/")
    #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
    #expect(request.header("X-Amz-Target") == "secretsmanager.DescribeSecret")
    #expect(request.header("X-Amz-Date") == "20270115T080000Z")
    #expect(request.header("X-Amz-Security-Token") == "TOKEN")
    #expect(
      request.header("Authorization")?.hasPrefix(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20270115/us-east-1/secretsmanager/aws4_request") == true)
    #expect(String(decoding: request.body, as: UTF8.self) == #"{"SecretId":"a"}"#)
  }

  // MARK: - Error decoding

  @Test(arguments: [
    (
      #"{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}"#,
      [String: String]()
    ),
    (
      #"{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}"#,
      [:]
    ),
    (
      #"{"message":"Secrets Manager can't find the specified secret."}"#,
      ["x-amzn-errortype": "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.secretsmanager/"]
    ),
  ])
  func decodesErrorFromTypeOrHeader(_ body: String, _ headers: [String: String]) async throws {
    let response = MockTransport.json(400, body, headers: headers.merging(["x-amzn-requestid": "rid-1"]) { a, _ in a })
    let error = AWSErrorDecoder.decode(response)
    #expect(
      error
        == .service(
          code: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret.",
          httpStatus: 400,
          requestId: "rid-1"))
  }

  @Test func accessDeniedKeepsAWSWordsNamingThePermission() async throws {
    let message =
      "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: secretsmanager:UpdateSecretVersionStage on resource: prod/db because no identity-based policy allows the secretsmanager:UpdateSecretVersionStage action"
    let transport = MockTransport { _, _ in
      MockTransport.json(400, #"{"__type":"AccessDeniedException","Message":"\#(message)"}"#)
    }
    let client = AWSJSONClient.testing(transport)
    await #expect(
      throws: SecretsError.service(
        code: "AccessDeniedException", message: message, httpStatus: 400, requestId: "req-400")
    ) {
      try await client.call(operation: "UpdateSecretVersionStage", input: Empty())
    }
    #expect(transport.requests.count == 1)
  }

  @Test func errorWithoutTypeIsMalformed() {
    let error = AWSErrorDecoder.decode(HTTPResponse(status: 502, body: Data("<html>bad gateway</html>".utf8)))
    guard case .malformedResponse(let text) = error else {
      Issue.record("expected malformedResponse, got \(error)")
      return
    }
    #expect(text.contains("HTTP 502"))
  }

  // MARK: - Retries

  @Test(arguments: ["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"])
  func readsRetryThrottlingUpToMaxAttempts(_ code: String) async throws {
    let transport = MockTransport { _, _ in MockTransport.error(400, code) }
    let recorder = Recorder()
    let client = AWSJSONClient.testing(transport, recorder: recorder, maxAttempts: 4)
    await #expect(throws: SecretsError.self) {
      try await client.call(operation: "ListSecrets", input: Empty())
    }
    #expect(transport.requests.count == 4)
    #expect(recorder.sleeps.count == 3)
    #expect(recorder.entries.map(\.attempt) == [1, 2, 3, 4])
  }

  @Test func readsRetry5xxAndConnectionFailuresThenSucceed() async throws {
    let transport = MockTransport(responses: [
      .success(MockTransport.error(503, "ServiceUnavailable")),
      .failure(TransportFailure(kind: .ambiguous, message: "reset")),
      .success(MockTransport.json(200, "{}")),
    ])
    let client = AWSJSONClient.testing(transport)
    _ = try await client.call(operation: "GetSecretValue", input: Empty())
    #expect(transport.requests.count == 3)
  }

  @Test(arguments: [#"{"SecretList":[{"Name":"a"},{"Na"#, "!x\u{1}garbled{\"SecretList\":[]}"])
  func readsRetryATruncatedOrGarbledSuccessThenSucceed(_ damaged: String) async throws {
    let transport = MockTransport(responses: [
      .success(MockTransport.json(200, damaged)), .success(MockTransport.json(200, #"{"SecretList":[]}"#)),
    ])
    let recorder = Recorder()
    let client = AWSJSONClient.testing(transport, recorder: recorder)
    let data = try await client.call(operation: "ListSecrets", input: Empty())
    #expect(String(decoding: data, as: UTF8.self) == #"{"SecretList":[]}"#)
    #expect(transport.requests.count == 2)
    #expect(recorder.entries.map(\.outcome) == ["malformed", "ok"])
  }

  @Test func aDamagedReadFailsClearlyOnceTheBudgetIsSpent() async throws {
    let transport = MockTransport { _, _ in MockTransport.json(200, #"{"SecretList":[{"Name":"a"#) }
    let client = AWSJSONClient.testing(transport, maxAttempts: 2)
    await #expect(throws: SecretsError.self) { try await client.call(operation: "ListSecrets", input: Empty()) }
    #expect(transport.requests.count == 2)
    do {
      _ = try await client.call(operation: "DescribeSecret", input: Empty())
      Issue.record("a damaged read was accepted")
    } catch let error as SecretsError {
      #expect(error.userMessage.contains("not complete JSON"), "\(error.userMessage)")
    }
  }

  @Test func aChangingCallsSuccessStandsWhateverItsBody() async throws {
    let transport = MockTransport { _, _ in MockTransport.json(200, #"{"ARN":"arn:a","Na"#) }
    let client = AWSJSONClient.testing(transport)
    _ = try await client.call(operation: "UpdateSecretVersionStage", input: Empty())
    #expect(transport.requests.count == 1)
  }

  @Test func changingCallsGoOutOnAFreshConnectionReadsMayReuseOne() async throws {
    let transport = MockTransport { _, _ in MockTransport.json(200, "{}") }
    let client = AWSJSONClient.testing(transport)
    _ = try await client.call(operation: "UpdateSecretVersionStage", input: Empty())
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    #expect(transport.requests.map(\.reusesConnection) == [false, true])
  }

  @Test func limitExceededIsNeverRetried() async throws {
    for operation in ["UpdateSecretVersionStage", "ListSecrets"] {
      let transport = MockTransport { _, _ in MockTransport.error(400, "LimitExceededException", "too many labels") }
      let client = AWSJSONClient.testing(transport, maxAttempts: 5)
      await #expect(
        throws: SecretsError.service(
          code: "LimitExceededException", message: "too many labels", httpStatus: 400, requestId: "req-400")
      ) {
        try await client.call(operation: operation, input: Empty())
      }
      #expect(transport.requests.count == 1)
    }
  }

  @Test func otherClientErrorsAreNotRetried() async throws {
    let transport = MockTransport { _, _ in MockTransport.error(400, "ResourceNotFoundException") }
    let client = AWSJSONClient.testing(transport)
    await #expect(throws: SecretsError.self) { try await client.call(operation: "DescribeSecret", input: Empty()) }
    #expect(transport.requests.count == 1)
  }

  @Test func updateRetriesWhenSurelyNotApplied() async throws {
    let transport = MockTransport(responses: [
      .success(MockTransport.error(400, "ThrottlingException", "Rate exceeded")),
      .failure(TransportFailure(kind: .notSent, message: "connection refused")),
      .success(MockTransport.json(200, "{}")),
    ])
    let client = AWSJSONClient.testing(transport)
    _ = try await client.call(operation: "UpdateSecretVersionStage", input: Empty())
    #expect(transport.requests.count == 3)
  }

  @Test(arguments: [
    Result<HTTPResponse, TransportFailure>.success(MockTransport.error(500, "InternalServiceError")),
    .failure(TransportFailure(kind: .ambiguous, message: "timed out")),
    .failure(TransportFailure(kind: .ambiguous, message: "connection reset")),
  ])
  func updateIsNotResentAfterAmbiguousFailure(_ first: Result<HTTPResponse, TransportFailure>) async throws {
    let transport = MockTransport(responses: [first, .success(MockTransport.json(200, "{}"))])
    let client = AWSJSONClient.testing(transport)
    await #expect(throws: AmbiguousWriteFailure.self) {
      try await client.call(operation: "UpdateSecretVersionStage", input: Empty())
    }
    #expect(transport.requests.count == 1)
  }

  @Test func eachAttemptIsSignedAfresh() async throws {
    let transport = MockTransport(responses: [
      .success(MockTransport.error(400, "ThrottlingException")), .success(MockTransport.json(200, "{}")),
    ])
    let counter = Counter()
    var client = AWSJSONClient.testing(transport)
    client.clock = { Date(timeIntervalSince1970: 1_800_000_000 + Double(counter.next())) }
    _ = try await client.call(operation: "ListSecrets", input: Empty())
    let dates = transport.requests.map { $0.header("X-Amz-Date") }
    #expect(dates.count == 2 && dates[0] != dates[1])
    #expect(transport.requests[0].headers.filter { $0.name == "Authorization" }.count == 1)
    #expect(transport.requests[1].headers.filter { $0.name == "Authorization" }.count == 1)
  }

  @Test func backoffIsFullJitterUnderACappedExponential() async throws {
    let policy = RetryPolicy()
    #expect(policy.ceiling(beforeRetry: 1) == .milliseconds(100))
    #expect(policy.ceiling(beforeRetry: 2) == .milliseconds(200))
    #expect(policy.ceiling(beforeRetry: 3) == .milliseconds(400))
    #expect(policy.ceiling(beforeRetry: 7) == .seconds(5))
    #expect(policy.ceiling(beforeRetry: 60) == .seconds(5))
    #expect(policy.delay(beforeRetry: 3, unit: 0) == .zero)
    #expect(policy.delay(beforeRetry: 3, unit: 0.5) == .milliseconds(200))

    let transport = MockTransport { _, _ in MockTransport.error(400, "ThrottlingException") }
    let recorder = Recorder()
    let client = AWSJSONClient.testing(
      transport, recorder: recorder, maxAttempts: 10, random: { Double.random(in: 0..<1) })
    await #expect(throws: SecretsError.self) { try await client.call(operation: "ListSecrets", input: Empty()) }
    #expect(recorder.sleeps.count == 9)
    for (index, sleep) in recorder.sleeps.enumerated() {
      #expect(sleep >= .zero)
      #expect(sleep <= policy.ceiling(beforeRetry: index + 1))
      #expect(sleep <= .seconds(5))
    }
  }

  @Test func maxAttemptsComesFromTheEnvironment() {
    #expect(RetryPolicy(environment: [:]).maxAttempts == 3)
    #expect(RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "7"]).maxAttempts == 7)
    #expect(RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "1"]).maxAttempts == 1)
    #expect(RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "zero"]).maxAttempts == 3)
    #expect(RetryPolicy(environment: ["AWS_MAX_ATTEMPTS": "0"]).maxAttempts == 3)
  }

  @Test func oneAttemptMeansNoRetry() async throws {
    let transport = MockTransport { _, _ in MockTransport.error(400, "ThrottlingException") }
    let client = AWSJSONClient.testing(transport, maxAttempts: 1)
    await #expect(throws: SecretsError.self) { try await client.call(operation: "ListSecrets", input: Empty()) }
    #expect(transport.requests.count == 1)
  }

  // MARK: - Read-only

  @Test func readOnlyRefusesChangesBeforeSigning() async throws {
    let transport = MockTransport { _, _ in MockTransport.json(200, "{}") }
    let credentials = CountingCredentialProvider()
    var client = AWSJSONClient.testing(transport, readOnly: true)
    client.credentials = credentials
    await #expect(throws: SecretsError.readOnly(operation: "UpdateSecretVersionStage")) {
      try await client.call(operation: "UpdateSecretVersionStage", input: Empty())
    }
    #expect(transport.requests.isEmpty)
    #expect(credentials.calls == 0)
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    #expect(transport.requests.count == 1)
  }

  // MARK: - Log

  @Test func logRecordsEachAttemptWithoutSecrets() async throws {
    let secretString = "hunter2-super-secret-value"
    let token = "IQoJb3JpZ2luX2VjSESSIONTOKENVALUE"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-log-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let log = try FileRequestLog(path: path)
    let transport = MockTransport(responses: [
      .success(MockTransport.error(400, "ThrottlingException", "Rate exceeded")),
      .success(
        MockTransport.json(
          200,
          #"{"VersionId":"v1","SecretString":"\#(secretString)","SecretBinary":"aHVudGVyMg=="}"#,
          headers: ["x-amzn-requestid": "rid-42"])),
    ])
    let client = AWSJSONClient.testing(transport, sessionToken: token, log: log)
    let backend = AWSSecretsBackend(client: client)
    let value = try await backend.secretValue(secretId: "prod/db", versionId: "v1")
    #expect(value.string == secretString)
    #expect(!"\(value)".contains(secretString))

    let text = try String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines[0].contains("GetSecretValue status=400"))
    #expect(lines[0].contains("attempt=1 ThrottlingException"))
    #expect(lines[1].contains("GetSecretValue status=200"))
    #expect(lines[1].contains("request-id=rid-42 attempt=2 ok"))
    #expect(lines[1].contains("latency="))
    let signature = try #require(
      transport.requests.last?.header("Authorization")?.components(separatedBy: "Signature=").last)
    for forbidden in [
      secretString, "aHVudGVyMg==", "hunter2", token, signature, "wJalrXUtnFEMI", "Authorization", "Credential=",
    ] {
      #expect(!text.contains(forbidden), "the log contains \(forbidden)")
    }
  }
}
