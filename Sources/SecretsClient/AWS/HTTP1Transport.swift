import CNetIO
import Foundation

/// The real transport: HTTP/1.1 over our own sockets, with TLS from the system's OpenSSL.
///
/// Why not URLSession: on Linux it is libcurl behind FoundationNetworking, which costs about
/// 0.7-1.2 ms of CPU per request in queue hops, writes every request in two system calls
/// (head, then body), and makes every process load libcurl's 30-odd libraries at start-up
/// (see `Benchmarks/RESULTS.md`). Here a request is one buffer and one write, the I/O runs
/// on one worker thread per request, and only libssl and libcrypto are loaded.
///
/// - Keep-alive: idle connections are pooled per endpoint (and proxy) and checked before
///   reuse. A read (`reusesConnection`) whose reused connection turns out dead before any
///   byte of the answer arrives is sent once more on a new connection, with its whole body,
///   as libcurl did. A changing call always gets a new connection of its own and is never
///   resent here: the retry policy decides what to do with an ambiguous failure.
/// - TLS: TLS 1.2 or later, the certificate checked against the system's trust store (or
///   the `caBundle` given, `AWSConfiguration.caBundle`: `AWS_CA_BUNDLE` or the profile's
///   `ca_bundle`) and the host name, SNI sent for names.
/// - Proxies (`ProxySettings`, the variables the aws CLI reads): https goes through a
///   `CONNECT` tunnel, http as an absolute-form request; `user:password@` in the proxy URL
///   becomes Basic proxy authorization. Proxy credentials never appear in messages.
/// - Time: one deadline covers connect, TLS, the write and the whole answer.
public final class HTTP1Transport: HTTPTransport, @unchecked Sendable {
  private let proxySettings: ProxySettings
  private let caBundle: String?
  private let lock = NSLock()
  /// Idle connections by endpoint key, most recent last. Guarded by `lock`.
  private var idle: [String: [Connection]] = [:]
  private var tls: OpaquePointer?
  private static let maxIdlePerEndpoint = 4

  /// `caBundle`: a PEM file of trusted certificates to use instead of the system's.
  public init(proxy: ProxySettings = ProxySettings(), caBundle: String? = nil) {
    self.proxySettings = proxy
    self.caBundle = caBundle
  }

  deinit {
    for connection in idle.values.joined() { connection.close() }
    if let tls { cnet_tls_free(tls) }
  }

  public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
    let deadline = cnet_now_ms() + max(1, milliseconds)
    let cancel = Cancellation()
    let result: Result<HTTPResponse, any Error> = await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
          continuation.resume(returning: Result { try self.exchange(request, deadline: deadline, cancel: cancel) })
        }
      }
    } onCancel: {
      cancel.cancel()
    }
    switch result {
    case .success(let response):
      // An answer that arrived is returned even if the task was cancelled meanwhile: for a
      // change, it is the only word on whether it was applied.
      return response
    case .failure(let error):
      if cancel.isCancelled { throw CancellationError() }
      throw error
    }
  }

  // MARK: - One exchange (blocking, on a worker thread)

  private func exchange(_ request: HTTPRequest, deadline: Int64, cancel: Cancellation) throws -> HTTPResponse {
    guard let target = HTTP1Wire.Target(request.url) else {
      throw TransportFailure(kind: .notSent, message: "\(request.url.absoluteString) is not an http or https URL")
    }
    let proxy = try Proxy(proxySettings.proxy(for: request.url), target: target)
    let key = "\(target.scheme)://\(target.authority) via \(proxy?.authority ?? "-")"
    let viaPlainProxy = proxy != nil && target.scheme == "http"
    guard
      let bytes = HTTP1Wire.requestBytes(
        request, target: target, absoluteForm: viaPlainProxy,
        extraHeaders: viaPlainProxy ? proxy!.authorization : [])
    else {
      throw TransportFailure(kind: .notSent, message: "a request header holds a line break or a bad name")
    }
    var mayRetryStale = true
    while true {
      let reused = request.reusesConnection ? takeIdle(key) : nil
      let connection = try reused ?? open(target, proxy: proxy, deadline: deadline, cancel: cancel)
      var received = 0
      do {
        let response = try cancel.run(on: connection) {
          try connection.write(bytes, deadline: deadline)
          return try HTTP1Wire.readResponse(bodyless: request.method == "HEAD") { buffer in
            let count = try connection.read(into: buffer, deadline: deadline)
            received += count
            return count
          }
        }
        if response.keepAlive && request.reusesConnection {
          putIdle(connection, key)
        } else {
          connection.close()
        }
        return HTTPResponse(status: response.status, headers: response.headers, body: response.body)
      } catch {
        connection.close()
        if cancel.isCancelled { throw CancellationError() }
        // A kept-alive connection the server closed meanwhile fails at once, before any
        // answer: the request never reached anyone, so a read goes again, once, afresh.
        if reused != nil, received == 0, mayRetryStale, Self.isConnectionLoss(error) {
          mayRetryStale = false
          continue
        }
        throw Self.failure(error, target: target)
      }
    }
  }

  private static func isConnectionLoss(_ error: any Error) -> Bool {
    if case HTTP1Wire.Failure.endOfStream = error { return true }
    if let error = error as? IOError { return error.code == CNET_ERR_IO }
    return false
  }

  /// A new connection to the endpoint, through the proxy when there is one, TLS started.
  private func open(_ target: HTTP1Wire.Target, proxy: Proxy?, deadline: Int64, cancel: Cancellation) throws
    -> Connection
  {
    let tls = target.scheme == "https" ? try tlsContext() : nil
    let hop = proxy.map { ($0.host, $0.port) } ?? (target.host, target.port)
    let connection: Connection
    do {
      connection = try Connection.connect(host: hop.0, port: hop.1, deadline: deadline)
    } catch let error as IOError {
      if let proxy {
        throw TransportFailure(
          kind: .notSent,
          message: "could not reach the proxy \(proxy.authority) for \(target.authority) (\(error.message))")
      }
      throw Self.connectFailure(error, target: target)
    }
    do {
      try cancel.run(on: connection) {
        if let proxy, target.scheme == "https" {
          try tunnel(connection, to: target, through: proxy, deadline: deadline)
        }
        if let tls {
          try connection.startTLS(tls, host: target.host, deadline: deadline)
        }
      }
      return connection
    } catch {
      connection.close()
      if cancel.isCancelled { throw CancellationError() }
      if let failure = error as? TransportFailure { throw failure }
      if let error = error as? IOError, error.code == CNET_ERR_TLS {
        throw TransportFailure(
          kind: .notSent, message: "TLS handshake with \(target.authority) failed (\(error.message))")
      }
      if let error = error as? IOError, error.code == CNET_ERR_TIMEOUT {
        throw TransportFailure(kind: .notSent, message: "\(target.authority) did not answer in time (timed out)")
      }
      throw TransportFailure(kind: .notSent, message: "could not connect to \(target.authority) (\(error))")
    }
  }

  /// `CONNECT` through the proxy; anything but 2xx ends here, the request unsent.
  private func tunnel(_ connection: Connection, to target: HTTP1Wire.Target, through proxy: Proxy, deadline: Int64)
    throws
  {
    let response: HTTP1Wire.Response
    do {
      try connection.write(HTTP1Wire.connectBytes(target, extraHeaders: proxy.authorization), deadline: deadline)
      response = try HTTP1Wire.readResponse(bodyless: true) { try connection.read(into: $0, deadline: deadline) }
    } catch {
      throw TransportFailure(
        kind: .notSent,
        message: "the proxy \(proxy.authority) did not open a tunnel to \(target.authority) (\(Self.describe(error)))")
    }
    guard (200..<300).contains(response.status) else {
      let hint = response.status == 407 ? "; check the user and password in the proxy URL" : ""
      throw TransportFailure(
        kind: .notSent,
        message:
          "the proxy \(proxy.authority) refused a tunnel to \(target.authority) (HTTP \(response.status) \(response.reason))\(hint)"
      )
    }
  }

  private func tlsContext() throws -> OpaquePointer {
    try lock.withLock {
      if let tls { return tls }
      var message = [CChar](repeating: 0, count: 1200)
      guard let made = cnet_tls_new(caBundle, &message, message.count) else {
        throw TransportFailure(kind: .notSent, message: "TLS could not be set up: \(cText(message))")
      }
      tls = made
      return made
    }
  }

  // MARK: - Pool

  private func takeIdle(_ key: String) -> Connection? {
    while let connection = lock.withLock({ idle[key]?.popLast() }) {
      if connection.isReusable { return connection }
      connection.close()
    }
    return nil
  }

  private func putIdle(_ connection: Connection, _ key: String) {
    let evicted: Connection? = lock.withLock {
      idle[key, default: []].append(connection)
      return idle[key]!.count > Self.maxIdlePerEndpoint ? idle[key]!.removeFirst() : nil
    }
    evicted?.close()
  }

  // MARK: - Messages

  private static func connectFailure(_ error: IOError, target: HTTP1Wire.Target) -> TransportFailure {
    switch error.code {
    case CNET_ERR_REFUSED:
      return TransportFailure(kind: .notSent, message: "could not connect to \(target.authority) (connection refused)")
    case CNET_ERR_DNS:
      return TransportFailure(
        kind: .notSent, message: "could not resolve \(target.host) (DNS lookup failed: \(error.message))")
    case CNET_ERR_TIMEOUT:
      return TransportFailure(kind: .notSent, message: "could not connect to \(target.authority) in time (timed out)")
    default:
      return TransportFailure(kind: .notSent, message: "could not connect to \(target.authority) (\(error.message))")
    }
  }

  /// A failure after the request may have gone out: always ambiguous.
  private static func failure(_ error: any Error, target: HTTP1Wire.Target) -> TransportFailure {
    if let failure = error as? TransportFailure { return failure }
    if let error = error as? IOError, error.code == CNET_ERR_TIMEOUT {
      return TransportFailure(kind: .ambiguous, message: "\(target.authority) did not answer in time (timed out)")
    }
    if case HTTP1Wire.Failure.malformed(let why) = error {
      return TransportFailure(kind: .ambiguous, message: "\(target.authority) sent a broken HTTP answer (\(why))")
    }
    return TransportFailure(
      kind: .ambiguous,
      message: "the connection to \(target.authority) was reset before the answer arrived (\(describe(error)))")
  }

  private static func describe(_ error: any Error) -> String {
    if let error = error as? IOError { return error.message }
    if case HTTP1Wire.Failure.malformed(let why) = error { return why }
    if case HTTP1Wire.Failure.endOfStream(let count) = error {
      return count == 0 ? "closed without an answer" : "closed after \(count) bytes of the answer"
    }
    return "\(error)"
  }
}

// MARK: - Pieces

/// A proxy hop: where it is and the header that authorizes us, if any.
private struct Proxy {
  var host: String
  var port: Int
  var authorization: [(String, String)]

  var authority: String { "\(host):\(port)" }

  init?(_ url: URL?, target: HTTP1Wire.Target) throws {
    guard let url else { return nil }
    guard url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else {
      throw TransportFailure(
        kind: .notSent,
        message:
          "the proxy for \(target.authority) must be an http:// URL with a host (HTTPS_PROXY/HTTP_PROXY); https:// proxies are not supported"
      )
    }
    self.host = host
    port = url.port ?? 80
    if let user = url.user(percentEncoded: false) {
      let password = url.password(percentEncoded: false) ?? ""
      authorization = [("Proxy-Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())]
    } else {
      authorization = []
    }
  }
}

/// A failure from CNetIO: its code and words.
struct IOError: Error, CustomStringConvertible {
  var code: Int32
  var message: String

  var description: String { message }
}

/// One socket, maybe with TLS. Used by one exchange at a time.
private final class Connection: @unchecked Sendable {
  let handle: OpaquePointer

  private init(_ handle: OpaquePointer) { self.handle = handle }

  static func connect(host: String, port: Int, deadline: Int64) throws -> Connection {
    var message = [CChar](repeating: 0, count: 256)
    var handle: OpaquePointer?
    let code = cnet_connect(host, Int32(port), deadline, &handle, &message, message.count)
    guard code == 0, let handle else { throw IOError(code: code, message: cText(message)) }
    return Connection(handle)
  }

  func startTLS(_ context: OpaquePointer, host: String, deadline: Int64) throws {
    var message = [CChar](repeating: 0, count: 512)
    let code = cnet_start_tls(handle, context, host, deadline, &message, message.count)
    guard code == 0 else { throw IOError(code: code, message: cText(message)) }
  }

  func write(_ bytes: [UInt8], deadline: Int64) throws {
    let written = bytes.withUnsafeBytes { cnet_write_all(handle, $0.baseAddress, $0.count, deadline) }
    guard written >= 0 else { throw IOError(code: Int32(written), message: Self.words(Int32(written))) }
  }

  func read(into buffer: UnsafeMutableRawBufferPointer, deadline: Int64) throws -> Int {
    let count = cnet_read(handle, buffer.baseAddress, buffer.count, deadline)
    guard count >= 0 else { throw IOError(code: Int32(count), message: Self.words(Int32(count))) }
    return Int(count)
  }

  var isReusable: Bool { cnet_is_reusable(handle) == 1 }

  func cancel() { cnet_cancel(handle) }

  func close() { cnet_close(handle) }

  static func words(_ code: Int32) -> String {
    switch code {
    case CNET_ERR_TIMEOUT: return "timed out"
    case CNET_ERR_CANCELLED: return "cancelled"
    default: return "connection reset"
    }
  }
}

/// Lets Swift task cancellation reach the connection a worker thread is blocked on.
private final class Cancellation: @unchecked Sendable {
  private let lock = NSLock()
  private var cancelled = false
  private var current: Connection?

  var isCancelled: Bool { lock.withLock { cancelled } }

  func cancel() {
    lock.withLock {
      cancelled = true
      current?.cancel()
    }
  }

  /// Runs `body` with `connection` reachable by `cancel()`; it stays open meanwhile, as
  /// only the exchange closes it, after this returns.
  func run<T>(on connection: Connection, _ body: () throws -> T) throws -> T {
    try lock.withLock {
      if cancelled { throw CancellationError() }
      current = connection
    }
    defer { lock.withLock { current = nil } }
    return try body()
  }
}

/// The text of a NUL-terminated message buffer CNetIO filled.
private func cText(_ buffer: [CChar]) -> String {
  String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
