import Foundation

/// The two STS calls credential sources need, over the Query protocol (form-encoded POST,
/// XML answer). AssumeRole is signed with the source credentials; AssumeRoleWithWebIdentity is
/// unsigned because the web identity token is the proof.
///
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
/// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
public struct STSClient: Sendable {
  /// Signs a request as SigV4 for (credentials, region, service) at a time.
  public typealias Signing =
    @Sendable (HTTPRequest, AWSCredentials, _ region: String, _ service: String, Date) ->
    HTTPRequest

  /// The real signer.
  public static let sigV4: Signing = { request, credentials, region, service, date in
    SigV4Signer(credentials: credentials, region: region, service: service).signed(request, at: date)
  }

  public var endpoint: URL
  /// The signing region; `us-east-1` for the global endpoint.
  public var region: String
  public var transport: any HTTPTransport
  public var sign: Signing
  public var now: @Sendable () -> Date
  public var timeout: Duration
  /// The process's learnt clock offset, which AssumeRole signs with and learns from, as the
  /// Secrets Manager client does: a skewed laptop clock would otherwise break every profile
  /// that assumes a role.
  public var clockCorrection: ClockCorrection
  /// `--log-file`: each attempt, and a clock correction when one is learnt here.
  public var log: (any RequestLog)?

  public init(
    endpoint: URL, region: String, transport: any HTTPTransport, sign: @escaping Signing = STSClient.sigV4,
    now: @escaping @Sendable () -> Date = { Date() }, timeout: Duration = .seconds(30),
    clockCorrection: ClockCorrection = .shared, log: (any RequestLog)? = nil
  ) {
    self.endpoint = endpoint
    self.region = region
    self.transport = transport
    self.clockCorrection = clockCorrection
    self.sign = sign
    self.now = now
    self.log = log
    self.timeout = timeout
  }

  public func assumeRole(
    roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?, using credentials: AWSCredentials
  ) async throws -> AWSCredentials {
    var parameters = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleArn)]
    parameters.append(("RoleSessionName", sessionName))
    if let externalId { parameters.append(("ExternalId", externalId)) }
    if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
    let form = formRequest(parameters)
    return try await send(operation: "AssumeRole", roleArn: roleArn, resigned: true) {
      sign(form, credentials, region, "sts", now().addingTimeInterval(clockCorrection.offset))
    }
  }

  public func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws
    -> AWSCredentials
  {
    let request = formRequest([
      ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
      ("RoleSessionName", sessionName), ("WebIdentityToken", token),
    ])
    return try await send(operation: "AssumeRoleWithWebIdentity", roleArn: roleArn, resigned: false) { request }
  }

  private func formRequest(_ parameters: [(String, String)]) -> HTTPRequest {
    let body = parameters.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
    var url = endpoint
    if url.path.isEmpty { url = url.appendingPathComponent("/") }
    return HTTPRequest(
      method: "POST", url: url,
      headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: Data(body.utf8))
  }

  /// Sends `request()`; a signed request refused for its time is signed again once with the
  /// offset the answer's `Date` header gives, which the process keeps.
  private func send(
    operation: String, roleArn: String, resigned: Bool, _ request: () -> HTTPRequest
  ) async throws -> AWSCredentials {
    var response = try await transmit(request(), operation: operation, roleArn: roleArn, attempt: 1)
    var fields = try Self.fields(response, operation: operation, roleArn: roleArn)
    var uncorrected: ClockSkew.Uncorrected?
    if response.status != 200, resigned,
      ClockSkew.isSkewError(code: fields["Code"] ?? "", message: fields["Message"] ?? "")
    {
      let used = clockCorrection.offset
      switch ClockSkew.offset(dateHeader: response.headers["date"], receivedAt: now()) {
      case nil:
        uncorrected = .noDate
      case let offset? where abs(offset - used) <= ClockSkew.threshold:
        uncorrected =
          abs(used) > 0 ? .stillRefused(offset: used) : .noSkew(serverTime: now().addingTimeInterval(offset))
      case let offset?:
        let note = clockCorrection.learn(offset) ? ClockSkew.note(offset) : nil
        response = try await transmit(request(), operation: operation, roleArn: roleArn, attempt: 2, note: note)
        fields = try Self.fields(response, operation: operation, roleArn: roleArn)
        if response.status != 200 { uncorrected = .stillRefused(offset: offset) }
      }
    }
    guard response.status == 200 else {
      let code = fields["Code"] ?? "HTTP \(response.status)"
      var message = fields["Message"] ?? ""
      if let uncorrected,
        case .service(_, let advised, _, _) = ClockSkew.error(
          .service(code: code, message: message), localTime: now(), uncorrected)
      {
        message = advised
      }
      throw SecretsError.configuration(
        "STS \(operation) for \(roleArn) failed: \(code)\(message.isEmpty ? "" : ": \(message)")")
    }
    guard let accessKey = fields["AccessKeyId"], let secretKey = fields["SecretAccessKey"] else {
      throw SecretsError.configuration("STS \(operation) for \(roleArn) answered without credentials.")
    }
    return AWSCredentials(
      accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: fields["SessionToken"],
      expiration: fields["Expiration"].flatMap(ISO8601Timestamp.parse))
  }

  /// One attempt, logged as "sts:<operation>": the outcome is "ok", the error's code,
  /// "malformed" (a refusal without a readable code) or "transport", as the Secrets Manager
  /// client logs them. `note` goes on this attempt's line (a
  /// retry says why it was sent).
  private func transmit(
    _ request: HTTPRequest, operation: String, roleArn: String, attempt: Int, note: String? = nil
  ) async throws -> HTTPResponse {
    let started = ContinuousClock.now
    func record(_ status: Int?, _ requestId: String?, _ outcome: String) {
      log?.record(
        RequestLogEntry(
          time: now(), operation: "sts:\(operation)", httpStatus: status, latency: ContinuousClock.now - started,
          requestId: requestId, attempt: attempt, outcome: outcome, note: note))
    }
    do {
      let response = try await transport.send(request, timeout: timeout)
      let code = response.status == 200 ? "ok" : (try? XMLLeafReader.leaves(of: response.body))?["Code"]
      record(response.status, response.headers["x-amzn-requestid"], code ?? "malformed")
      return response
    } catch {
      record(nil, nil, "transport")
      let detail = (error as? SecretsError)?.userMessage ?? "\(error)"
      throw SecretsError.configuration("STS \(operation) for \(roleArn) at \(endpoint.absoluteString): \(detail)")
    }
  }

  /// The XML answer's leaf fields (`Code`, `Message`, the credentials).
  private static func fields(_ response: HTTPResponse, operation: String, roleArn: String) throws -> [String: String] {
    do {
      return try XMLLeafReader.leaves(of: response.body)
    } catch {
      guard response.status == 200 else {
        throw SecretsError.configuration("STS \(operation) for \(roleArn) failed: HTTP \(response.status)")
      }
      throw SecretsError.configuration("STS \(operation) for \(roleArn) answered with \(error)")
    }
  }

  /// `application/x-www-form-urlencoded` with only RFC 3986 unreserved characters left as is,
  /// which is also what SigV4 expects of the body it hashes.
  static func formEncode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics.intersection(
      CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}
