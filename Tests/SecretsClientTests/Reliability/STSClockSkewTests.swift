import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// AssumeRole on a machine whose clock is off: STS refuses the signature for its time, the
/// answer's `Date` gives the offset, the call is signed again with it once, and the process
/// keeps it (the Secrets Manager client signs with the same offset). Without a `Date`, or when
/// the corrected call is refused too, the error names this machine's clock.
@Suite(.ownThreads)
struct STSClockSkewTests {
  static let local = Date(timeIntervalSince1970: 1_800_000_000)
  static let source = AWSCredentials(accessKeyId: "AKIDSOURCE", secretAccessKey: "source-secret")

  static let granted = """
    <AssumeRoleResponse><AssumeRoleResult><Credentials>
      <AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey>
      <SessionToken>role-token</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>
    </Credentials></AssumeRoleResult></AssumeRoleResponse>
    """

  static func refused(date: Date?) -> HTTPResponse {
    let xml = """
      <ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>
      <Message>Signature expired: 20270115T080000Z is now earlier than 20270115T081500Z (20270115T082000Z - 5 min.)</Message>
      </Error><RequestId>r</RequestId></ErrorResponse>
      """
    var headers: [String: String] = [:]
    if let date { headers["Date"] = Self.httpDate(date) }
    return HTTPResponse(status: 403, headers: headers, body: Data(xml.utf8))
  }

  static func formatted(_ date: Date, _ format: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = format
    return formatter.string(from: date)
  }
  static func amzDate(_ date: Date) -> String { formatted(date, "yyyyMMdd'T'HHmmss'Z'") }
  static func httpDate(_ date: Date) -> String { formatted(date, "EEE, dd MMM yyyy HH:mm:ss 'GMT'") }

  /// The X-Amz-Date each request was signed at.
  static func signedAt(_ request: HTTPRequest) -> String? { request.header("X-Amz-Date") }

  func client(_ transport: ScriptedTransport, _ correction: ClockCorrection, log: Recorder? = nil) -> STSClient {
    STSClient(
      endpoint: URL(string: "https://sts.us-east-1.amazonaws.com")!, region: "us-east-1", transport: transport,
      now: { Self.local }, clockCorrection: correction, log: log)
  }

  @Test(arguments: [1_200.0, -1_200.0])
  func aRefusedTimeIsCorrectedFromTheDateHeaderAndKept(skew: TimeInterval) async throws {
    let server = Self.local.addingTimeInterval(skew)
    let transport = ScriptedTransport { request in
      let signed = Self.signedAt(request) ?? ""
      return signed == Self.amzDate(server)
        ? HTTPResponse(status: 200, body: Data(Self.granted.utf8))
        : Self.refused(date: server)
    }
    let correction = ClockCorrection()
    let log = Recorder()
    let credentials = try await client(transport, correction, log: log).assumeRole(
      roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "s", externalId: nil, durationSeconds: nil,
      using: Self.source)
    #expect(credentials.accessKeyId == "ASIAROLE")
    #expect(transport.requests.map(Self.signedAt) == [Self.amzDate(Self.local), Self.amzDate(server)])
    #expect(correction.offset == skew, "kept for the rest of the process")
    // The next call signs with the offset at once.
    _ = try await client(transport, correction, log: log).assumeRole(
      roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "s", externalId: nil, durationSeconds: nil,
      using: Self.source)
    #expect(transport.requests.count == 3)
    #expect(transport.requests.last.flatMap(Self.signedAt) == Self.amzDate(server))
    // --log-file: every attempt, and the correction said once, on the attempt it was learnt for.
    #expect(log.entries.map(\.operation) == Array(repeating: "sts:AssumeRole", count: 3))
    #expect(log.entries.map(\.outcome) == ["SignatureDoesNotMatch", "ok", "ok"])
    #expect(log.entries.map(\.attempt) == [1, 2, 1])
    let notes = log.entries.compactMap(\.note)
    #expect(notes == [ClockSkew.note(skew)], "\(notes)")
    #expect(notes.first?.contains("\(Int(abs(skew))) s \(skew > 0 ? "behind" : "ahead of") AWS") == true)
  }

  @Test func withoutADateTheErrorNamesTheClockAndNothingIsResent() async throws {
    let transport = ScriptedTransport { _ in Self.refused(date: nil) }
    let correction = ClockCorrection()
    await #expect {
      _ = try await client(transport, correction).assumeRole(
        roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "s", externalId: nil, durationSeconds: nil,
        using: Self.source)
    } throws: { error in
      let text = (error as? SecretsError)?.userMessage ?? ""
      return text.contains("SignatureDoesNotMatch") && text.contains("This computer's clock reads")
        && text.contains("no Date header")
    }
    #expect(transport.requests.count == 1)
    #expect(correction.offset == 0)
  }

  @Test func aCorrectedCallRefusedAgainSaysSoOnce() async throws {
    let server = Self.local.addingTimeInterval(1_200)
    let transport = ScriptedTransport { _ in Self.refused(date: server) }
    await #expect {
      _ = try await client(transport, ClockCorrection()).assumeRole(
        roleArn: "arn:aws:iam::123456789012:role/deploy", sessionName: "s", externalId: nil, durationSeconds: nil,
        using: Self.source)
    } throws: { error in
      ((error as? SecretsError)?.userMessage ?? "").contains("corrected by 1200 s")
    }
    #expect(transport.requests.count == 2, "signed again once, not more")
  }
}
