import Foundation

/// Calls an AWS JSON 1.1 service (`POST /`, `X-Amz-Target: <prefix>.<Operation>`), signing
/// every attempt afresh with current credentials and the injected clock.
///
/// Beyond the retry policy, each call mends, once, a request AWS refused for its time (a skewed
/// clock: re-signed with the offset AWS's `Date` shows) or for its credentials (expired: asked
/// for new ones); with a `rateLimiter`, every request waits for its token once AWS throttles.
/// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
public struct AWSJSONClient: Sendable {
  public var endpoint: URL
  public var region: String
  public var signingName: String
  public var targetPrefix: String
  public var credentials: any CredentialProvider
  public var transport: any HTTPTransport
  public var clock: @Sendable () -> Date
  public var retryPolicy: RetryPolicy
  /// Waits between attempts; tests pass one that records instead of sleeping.
  public var sleep: @Sendable (Duration) async throws -> Void
  /// A uniform random number in [0, 1) for backoff jitter.
  public var random: @Sendable () -> Double
  public var log: (any RequestLog)?
  /// When true, calls outside `RetryPolicy.readOperations` are refused before signing.
  public var isReadOnly: Bool
  public var timeout: Duration
  /// The offset to AWS's clock learnt from a refusal, shared with the process's other clients.
  public var clockCorrection: ClockCorrection
  /// Paces the client's requests once AWS throttles them, shared by the client's copies; nil
  /// for none. Its waits go through `sleep`.
  public var rateLimiter: AdaptiveRateLimiter?

  public init(
    endpoint: URL, region: String, credentials: any CredentialProvider,
    transport: any HTTPTransport = AsyncHTTPTransport(), signingName: String = "secretsmanager",
    targetPrefix: String = "secretsmanager", clock: @escaping @Sendable () -> Date = { Date() },
    retryPolicy: RetryPolicy = RetryPolicy(),
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, log: (any RequestLog)? = nil,
    isReadOnly: Bool = false, timeout: Duration = .seconds(30), clockCorrection: ClockCorrection = .shared,
    rateLimiter: AdaptiveRateLimiter? = nil
  ) {
    self.endpoint = endpoint
    self.region = region
    self.credentials = credentials
    self.transport = transport
    self.signingName = signingName
    self.targetPrefix = targetPrefix
    self.clock = clock
    self.retryPolicy = retryPolicy
    self.sleep = sleep
    self.random = random
    self.log = log
    self.isReadOnly = isReadOnly
    self.timeout = timeout
    self.clockCorrection = clockCorrection
    self.rateLimiter = rateLimiter
  }

  /// Calls `operation` and decodes its output.
  public func call<Output: Decodable>(_ operation: String, _ input: some Encodable, as output: Output.Type)
    async throws -> Output
  {
    let data = try await call(operation: operation, input: input)
    do {
      return try Self.decoder.decode(Output.self, from: data.isEmpty ? Data("{}".utf8) : data)
    } catch {
      throw SecretsError.malformedResponse("\(operation): \(Self.describe(error))")
    }
  }

  /// Calls `operation` and returns the raw JSON. Retries per `retryPolicy`; throws
  /// `SecretsError`, or `AmbiguousWriteFailure` when a changing call may have taken effect.
  public func call(operation: String, input: some Encodable) async throws -> Data {
    try await call(operation: operation, input: input, acceptingRead: Self.isCompleteJSON)
  }

  /// As `call(operation:input:)`, with the check a read's 2xx body must pass (else it is
  /// asked again, like a reset): a decoder that checks the body as it reads it saves a pass.
  public func call(
    operation: String, input: some Encodable, acceptingRead accepts: (Data) -> Bool
  ) async throws -> Data {
    let isRead = RetryPolicy.readOperations.contains(operation)
    if isReadOnly && !isRead { throw SecretsError.readOnly(operation: operation) }
    let body: Data
    do {
      body = try Self.encoder.encode(input)
    } catch {
      throw SecretsError.malformedResponse("\(operation): the request could not be encoded (\(error))")
    }
    var request = HTTPRequest(
      method: "POST", url: endpoint,
      headers: [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("X-Amz-Target", "\(targetPrefix).\(operation)"),
      ], body: body, reusesConnection: isRead)
    if endpoint.path.isEmpty { request.url = endpoint.appendingPathComponent("/") }

    var attempt = 0
    // Attempts after a refused time or refused credentials, each at most once per call: they
    // mend the request rather than repeat it, so they do not count against the retry policy.
    var corrective = 0
    var correctedClock = false
    var refreshedCredentials = false
    while true {
      attempt += 1
      try Task.checkCancellation()
      if let limiter = rateLimiter, let ticket = limiter.acquire() {
        while let wait = limiter.wait(for: ticket) { try await sleep(wait) }
      }
      let creds = try await currentCredentials()
      let offset = clockCorrection.offset
      let signer = SigV4Signer(credentials: creds, region: region, service: signingName)
      let signed = signer.signed(request, at: clock().addingTimeInterval(offset))
      let started = ContinuousClock.now
      let verdict: RetryPolicy.Verdict
      let failure: SecretsError
      do {
        let response = try await transport.send(signed, timeout: timeout)
        let latency = ContinuousClock.now - started
        let requestId = response.headers["x-amzn-requestid"]
        let succeeded = (200..<300).contains(response.status)
        if succeeded && (!isRead || accepts(response.body)) {
          rateLimiter?.record(throttled: false)
          record(operation, response.status, latency, requestId, attempt, "ok")
          return response.body
        }
        if succeeded {
          // A read answered with a cut-off or corrupted body was damaged on the way, like a
          // reset connection: asking again is safe, and decoding it could lose part of a list.
          rateLimiter?.record(throttled: false)
          failure = .malformedResponse(
            "\(operation): HTTP \(response.status) with a body that is not complete JSON (\(response.body.count) bytes)"
          )
          record(operation, response.status, latency, requestId, attempt, "malformed")
          verdict = .retry
        } else {
          let refusal = AWSErrorDecoder.decode(response)
          let outcome = refusal.code ?? "malformed"
          let throttled = RetryPolicy.throttlingCodes.contains(refusal.code ?? "")
          let limit = rateLimiter?.record(throttled: throttled)
          let correction = await self.correction(
            refusal, response: response, credentials: creds, signedWithOffset: offset,
            correctedClock: &correctedClock, refreshedCredentials: &refreshedCredentials)
          switch correction {
          case .retry(let note):
            record(operation, response.status, latency, requestId, attempt, outcome, note: note)
            corrective += 1
            continue
          case .fail(let error):
            record(operation, response.status, latency, requestId, attempt, outcome)
            failure = error
            verdict = .fail
          case .none:
            let note = limit.flatMap {
              throttled ? "client-side rate limit now \(Self.rate($0.sendRate)) requests/s" : nil
            }
            record(operation, response.status, latency, requestId, attempt, outcome, note: note)
            failure = refusal
            verdict = retryPolicy.verdict(
              operation: operation, errorCode: refusal.code ?? "", httpStatus: response.status)
          }
        }
      } catch let error as TransportFailure {
        rateLimiter?.record(throttled: false)
        record(operation, nil, ContinuousClock.now - started, nil, attempt, "transport")
        failure = error.secretsError
        verdict = retryPolicy.verdict(operation: operation, transport: error)
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        rateLimiter?.record(throttled: false)
        record(operation, nil, ContinuousClock.now - started, nil, attempt, "transport")
        let transportFailure = TransportFailure(kind: .ambiguous, message: Self.describe(error))
        failure = transportFailure.secretsError
        verdict = retryPolicy.verdict(operation: operation, transport: transportFailure)
      }
      switch verdict {
      case .fail:
        throw failure
      case .ambiguous:
        throw AmbiguousWriteFailure(operation: operation, underlying: failure)
      case .retry:
        guard attempt - corrective < retryPolicy.maxAttempts else { throw failure }
        try await sleep(retryPolicy.delay(beforeRetry: attempt - corrective, unit: random()))
      }
    }
  }

  private func currentCredentials() async throws -> AWSCredentials {
    do {
      return try await credentials.credentials()
    } catch let error as SecretsError {
      throw error
    } catch {
      throw SecretsError.configuration("Credentials from \(credentials.sourceName) failed: \(Self.describe(error))")
    }
  }

  /// What a refusal that a mended request may get past leads to.
  private enum Correction {
    /// Send again at once; `note` for the log.
    case retry(note: String?)
    /// Report this instead of AWS's bare refusal.
    case fail(SecretsError)
    /// Not such a refusal: the retry policy decides.
    case none
  }

  /// A refused time is corrected by the offset the answer's `Date` shows, a refused
  /// credential by refreshing it, each once per call. Either way AWS did not perform the
  /// request, so a change may go again too. `signedWithOffset`: the correction the refused
  /// attempt was signed with.
  private func correction(
    _ refusal: SecretsError, response: HTTPResponse, credentials used: AWSCredentials,
    signedWithOffset signed: TimeInterval, correctedClock: inout Bool, refreshedCredentials: inout Bool
  ) async -> Correction {
    guard case .service(let code, let message, _, _) = refusal else { return .none }
    if ClockSkew.isSkewError(code: code, message: message) {
      let local = clock()
      guard let offset = ClockSkew.offset(dateHeader: response.headers["date"], receivedAt: local) else {
        return .fail(ClockSkew.error(refusal, localTime: local, .noDate))
      }
      guard !correctedClock, abs(offset - signed) > ClockSkew.threshold else {
        let reason: ClockSkew.Uncorrected =
          abs(offset) <= ClockSkew.threshold
          ? .noSkew(serverTime: local.addingTimeInterval(offset)) : .stillRefused(offset: signed)
        return .fail(ClockSkew.error(refusal, localTime: local, reason))
      }
      correctedClock = true
      return .retry(note: clockCorrection.learn(offset) ? ClockSkew.note(offset) : nil)
    }
    // Refused again after a refresh: AWS's words stand, and the retry policy refuses a 4xx.
    guard RejectedCredentials.isRejection(code: code, of: used), !refreshedCredentials else { return .none }
    let source = credentials.sourceName
    guard let refreshable = credentials as? any RefreshableCredentialProvider else {
      return .fail(RejectedCredentials.notRenewed(refusal, source: source))
    }
    refreshedCredentials = true
    await refreshable.invalidate(used)
    let fresh: AWSCredentials
    do {
      fresh = try await currentCredentials()
    } catch {
      let reason = error as? SecretsError ?? .configuration(Self.describe(error))
      return .fail(RejectedCredentials.refreshFailed(refusal, source: source, reason))
    }
    guard fresh != used else { return .fail(RejectedCredentials.notRenewed(refusal, source: source)) }
    return .retry(note: "credentials refused (\(code)); refreshed and sent again")
  }

  /// `1.4`: a rate for the log.
  static func rate(_ value: Double) -> String { String(format: "%.1f", value) }

  private func record(
    _ operation: String, _ status: Int?, _ latency: Duration, _ requestId: String?, _ attempt: Int, _ outcome: String,
    note: String? = nil
  ) {
    log?.record(
      RequestLogEntry(
        time: clock(), operation: operation, httpStatus: status, latency: latency, requestId: requestId,
        attempt: attempt, outcome: outcome, note: note))
  }

  /// An empty body counts: some operations answer 200 with nothing.
  static func isCompleteJSON(_ body: Data) -> Bool {
    body.isEmpty || JSONScanner.isCompleteJSON(body)
  }

  static func describe(_ error: any Error) -> String {
    if let error = error as? SecretsError { return error.userMessage }
    if let error = error as? DecodingError {
      switch error {
      case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
        .dataCorrupted(let context):
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return "\(context.debugDescription)\(path.isEmpty ? "" : " at \(path)")"
      @unknown default:
        return String(describing: error)
      }
    }
    return (error as? LocalizedError)?.errorDescription ?? String(describing: error)
  }

  /// Dates in the API are epoch seconds, possibly fractional.
  static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .secondsSince1970
    return decoder
  }

  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .secondsSince1970
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }
}
