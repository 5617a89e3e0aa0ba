import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct ClockSkewTests {
  typealias Fixtures = ReliabilityFixtures
  struct Empty: Codable {}

  /// The testing client (clock at `Fixtures.now`) with a correction of its own.
  static func client(
    _ transport: MockTransport, recorder: Recorder, correction: ClockCorrection = ClockCorrection()
  ) -> AWSJSONClient {
    var client = AWSJSONClient.testing(transport, recorder: recorder)
    client.clockCorrection = correction
    return client
  }

  // MARK: - Reading the refusal

  @Test(arguments: [
    ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777.0),
    ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),
    ("Sun Nov  6 08:49:37 1994", 784_111_777),
    ("Fri, 15 Jan 2027 08:20:03 GMT", 1_800_001_203),
    ("Thu, 29 Feb 2024 23:59:59 GMT", 1_709_251_199),
  ])
  func readsTheThreeHTTPDateForms(_ text: String, _ epoch: Double) {
    #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: epoch))
  }

  @Test(arguments: ["", "yesterday", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "2026-01-01"])
  func refusesWhatIsNotAnHTTPDate(_ text: String) {
    #expect(HTTPDate.parse(text) == nil)
  }

  @Test func tellsATimeRefusalFromOtherSignatureErrors() {
    #expect(ClockSkew.isSkewError(code: "RequestTimeTooSkewed", message: ""))
    #expect(ClockSkew.isSkewError(code: "RequestExpired", message: "Request has expired."))
    #expect(ClockSkew.isSkewError(code: "InvalidSignatureException", message: "Signature expired: 20270115T080000Z"))
    #expect(
      ClockSkew.isSkewError(
        code: "InvalidSignatureException", message: "Signature not yet current: 20270115T090000Z is still later"))
    #expect(ClockSkew.isSkewError(code: "SignatureDoesNotMatch", message: "Signature expired: 20270115T080000Z"))
    #expect(
      !ClockSkew.isSkewError(
        code: "InvalidSignatureException", message: "The request signature we calculated does not match"))
    #expect(!ClockSkew.isSkewError(code: "ExpiredTokenException", message: "The security token is expired"))
  }

  // MARK: - Correcting it

  @Test func learnsTheOffsetFromDateAndResignsOnceAtOnce() async throws {
    let transport = MockTransport { _, index in
      index == 1
        ? Fixtures.signatureExpired(serverTime: Fixtures.now.addingTimeInterval(1203))
        : MockTransport.json(200, #"{"Name":"a"}"#)
    }
    let recorder = Recorder()
    let correction = ClockCorrection()
    let client = Self.client(transport, recorder: recorder, correction: correction)
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    #expect(transport.requests.map { $0.header("X-Amz-Date") } == ["20270115T080000Z", "20270115T082003Z"])
    #expect(
      transport.requests[1].header("Authorization")?.contains("Credential=AKIDEXAMPLE/20270115/us-east-1/") == true)
    #expect(recorder.sleeps.isEmpty)
    #expect(correction.offset == 1203)
    #expect(recorder.entries.map(\.outcome) == ["InvalidSignatureException", "ok"])
    #expect(
      recorder.entries[0].note == "clock skew: this machine's clock is 1203 s behind AWS; corrected for this run")
    // The offset stays: the next call is signed with it from the start, and says nothing.
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    #expect(transport.requests.count == 3)
    #expect(transport.requests[2].header("X-Amz-Date") == "20270115T082003Z")
    #expect(recorder.entries.compactMap(\.note).count == 1)
  }

  @Test func aClockAheadIsCorrectedToo() async throws {
    let transport = MockTransport { _, index in
      index == 1
        ? Fixtures.signatureExpired(serverTime: Fixtures.now.addingTimeInterval(-900))
        : MockTransport.json(200, "{}")
    }
    let recorder = Recorder()
    _ = try await Self.client(transport, recorder: recorder).call(operation: "ListSecrets", input: Empty())
    #expect(transport.requests.last?.header("X-Amz-Date") == "20270115T074500Z")
    #expect(recorder.entries.first?.note?.contains("900 s ahead of AWS") == true)
  }

  /// A refused signature means nothing was applied: a change goes again, once.
  @Test func aRefusedChangeIsResignedAndSentAgain() async throws {
    let transport = MockTransport { _, index in
      index == 1
        ? Fixtures.signatureExpired(serverTime: Fixtures.now.addingTimeInterval(1203))
        : MockTransport.json(200, "{}")
    }
    _ = try await Self.client(transport, recorder: Recorder())
      .call(operation: "UpdateSecretVersionStage", input: Empty())
    #expect(transport.operations == ["UpdateSecretVersionStage", "UpdateSecretVersionStage"])
  }

  /// The correction is once per call: a second refusal after it ends the call with words for
  /// the clock, however many attempts the policy allows.
  @Test func stillRefusedAfterTheCorrectionNamesTheClock() async throws {
    let transport = MockTransport { _, _ in Fixtures.signatureExpired(serverTime: Fixtures.now.addingTimeInterval(1203))
    }
    let error = await #expect(throws: SecretsError.self) {
      try await Self.client(transport, recorder: Recorder()).call(operation: "DescribeSecret", input: Empty())
    }
    #expect(transport.requests.count == 2)
    #expect(error?.code == "InvalidSignatureException")
    let text = error?.userMessage ?? ""
    #expect(text.contains("Signature expired"))
    #expect(text.contains("This computer's clock reads 2027-01-15 08:00:00 UTC"))
    #expect(text.contains("corrected by 1203 s"))
    #expect(text.contains("timedatectl set-ntp true"))
  }

  @Test func withoutADateHeaderTheMessageNamesTheClockAndNothingIsResent() async throws {
    let transport = MockTransport { _, _ in Fixtures.signatureExpired(serverTime: nil) }
    let error = await #expect(throws: SecretsError.self) {
      try await Self.client(transport, recorder: Recorder()).call(operation: "DescribeSecret", input: Empty())
    }
    #expect(transport.requests.count == 1)
    let text = error?.userMessage ?? ""
    #expect(text.contains("This computer's clock reads 2027-01-15 08:00:00 UTC"))
    #expect(text.contains("no Date header"))
    #expect(text.contains("more than 5 minutes off"))
  }

  @Test func aDateThatAgreesWithThisClockIsNotACorrection() async throws {
    let transport = MockTransport { _, _ in Fixtures.signatureExpired(serverTime: Fixtures.now.addingTimeInterval(20)) }
    let correction = ClockCorrection()
    let error = await #expect(throws: SecretsError.self) {
      try await Self.client(transport, recorder: Recorder(), correction: correction)
        .call(operation: "DescribeSecret", input: Empty())
    }
    #expect(transport.requests.count == 1)
    #expect(correction.offset == 0)
    #expect(error?.userMessage.contains("agrees with it") == true)
  }

  /// Other clients of the process share the learnt offset, and of calls refused at once only
  /// one reports it.
  @Test func concurrentRefusalsLogTheSkewOnceAndEveryClientUsesIt() async throws {
    let correction = ClockCorrection()
    let transport = MockTransport { request, _ in
      request.header("X-Amz-Date") == "20270115T080000Z"
        ? Fixtures.signatureExpired(serverTime: Fixtures.now.addingTimeInterval(1203)) : MockTransport.json(200, "{}")
    }
    let recorder = Recorder()
    let calls = 8
    // Every call is signed before any answer arrives, so all are refused once.
    var configured = Self.client(transport, recorder: recorder, correction: correction)
    configured.transport = GatedTransport(inner: transport, gate: Gate(count: calls))
    let gated = configured
    try await withThrowingTaskGroup(of: Void.self) { group in
      for _ in 0..<calls {
        group.addTask { _ = try await gated.call(operation: "DescribeSecret", input: Empty()) }
      }
      try await group.waitForAll()
    }
    #expect(transport.requests.count == 2 * calls)
    #expect(recorder.entries.compactMap(\.note).count == 1)
    let other = Self.client(transport, recorder: Recorder(), correction: correction)
    _ = try await other.call(operation: "DescribeSecret", input: Empty())
    #expect(transport.requests.count == 2 * calls + 1)
  }
}

/// Holds the first `count` requests until all of them have arrived.
final class Gate: @unchecked Sendable {
  private let lock = NSLock()
  private var waiting = 0
  private let count: Int
  private var continuations: [CheckedContinuation<Void, Never>] = []

  init(count: Int) { self.count = count }

  func arrive() async {
    await withCheckedContinuation { continuation in
      let release: [CheckedContinuation<Void, Never>] = lock.withLock {
        waiting += 1
        guard waiting <= count else { return [continuation] }
        continuations.append(continuation)
        if waiting == count {
          defer { continuations = [] }
          return continuations
        }
        return []
      }
      for waiter in release { waiter.resume() }
    }
  }
}

struct GatedTransport: HTTPTransport {
  var inner: any HTTPTransport
  var gate: Gate
  func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    await gate.arrive()
    return try await inner.send(request, timeout: timeout)
  }
}
