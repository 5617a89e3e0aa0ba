import Foundation

/// Calls an AWS JSON 1.1 service (`POST /`, `X-Amz-Target: <prefix>.<Operation>`), signing
/// every attempt afresh with current credentials and the injected clock.
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

  public init(
    endpoint: URL, region: String, credentials: any CredentialProvider,
    transport: any HTTPTransport = AsyncHTTPTransport(), signingName: String = "secretsmanager",
    targetPrefix: String = "secretsmanager", clock: @escaping @Sendable () -> Date = { Date() },
    retryPolicy: RetryPolicy = RetryPolicy(),
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, log: (any RequestLog)? = nil,
    isReadOnly: Bool = false, timeout: Duration = .seconds(30)
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
    while true {
      attempt += 1
      try Task.checkCancellation()
      let creds: AWSCredentials
      do {
        creds = try await credentials.credentials()
      } catch let error as SecretsError {
        throw error
      } catch {
        throw SecretsError.configuration("Credentials from \(credentials.sourceName) failed: \(Self.describe(error))")
      }
      let signer = SigV4Signer(credentials: creds, region: region, service: signingName)
      let signed = signer.signed(request, at: clock())
      let started = ContinuousClock.now
      let verdict: RetryPolicy.Verdict
      let failure: SecretsError
      do {
        let response = try await transport.send(signed, timeout: timeout)
        let latency = ContinuousClock.now - started
        let requestId = response.headers["x-amzn-requestid"]
        let succeeded = (200..<300).contains(response.status)
        if succeeded && (!isRead || accepts(response.body)) {
          record(operation, response.status, latency, requestId, attempt, "ok")
          return response.body
        }
        if succeeded {
          // A read answered with a cut-off or corrupted body was damaged on the way, like a
          // reset connection: asking again is safe, and decoding it could lose part of a list.
          failure = .malformedResponse(
            "\(operation): HTTP \(response.status) with a body that is not complete JSON (\(response.body.count) bytes)"
          )
          record(operation, response.status, latency, requestId, attempt, "malformed")
          verdict = .retry
        } else {
          failure = AWSErrorDecoder.decode(response)
          record(operation, response.status, latency, requestId, attempt, failure.code ?? "malformed")
          verdict = retryPolicy.verdict(
            operation: operation, errorCode: failure.code ?? "", httpStatus: response.status)
        }
      } catch let error as TransportFailure {
        record(operation, nil, ContinuousClock.now - started, nil, attempt, "transport")
        failure = error.secretsError
        verdict = retryPolicy.verdict(operation: operation, transport: error)
      } catch is CancellationError {
        throw CancellationError()
      } catch {
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
        guard attempt < retryPolicy.maxAttempts else { throw failure }
        try await sleep(retryPolicy.delay(beforeRetry: attempt, unit: random()))
      }
    }
  }

  private func record(
    _ operation: String, _ status: Int?, _ latency: Duration, _ requestId: String?, _ attempt: Int, _ outcome: String
  ) {
    log?.record(
      RequestLogEntry(
        time: clock(), operation: operation, httpStatus: status, latency: latency, requestId: requestId,
        attempt: attempt, outcome: outcome))
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
