import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The real transport: async-http-client (swift-nio, swift-nio-ssl), HTTP/1.1 only.
///
/// - Keep-alive: reads share pooled connections per endpoint and proxy. A read whose
///   connection closes or is reset before any answer goes once more, at once, on a new one
///   (reads are safe to repeat). A changing call gets a connection of its own and is never resent
///   here: on a reused connection a reset could not tell "never arrived" from "applied",
///   and the retry policy decides what an ambiguous failure means.
/// - TLS: 1.2 or later, the system's trust store or, when given, only the `caBundle`
///   (`AWS_CA_BUNDLE` or the profile's `ca_bundle`), and the host name checked.
/// - Proxies: `ProxySettings` picks one per request URL; async-http-client reaches every
///   target through a `CONNECT` tunnel, so TLS stays end to end. An `https://` proxy is
///   refused with a message: the library cannot speak TLS to a proxy.
/// - Limits: one deadline per attempt (DNS, connect, TLS, the whole answer); an answer is
///   at most `maxBodyBytes`. The parser (llhttp, strict) refuses malformed framing and any
///   control character in a header, so none can reach a log line or the terminal.
/// - No redirects are followed: a 3xx comes back as it is.
public final class AsyncHTTPTransport: HTTPTransport, Sendable {
  /// Far above any Secrets Manager answer (a ListSecrets page of 100 secrets is ~100 KB).
  public static let defaultMaxBodyBytes = 16 << 20

  private let proxySettings: ProxySettings
  private let caBundle: String?
  private let maxBodyBytes: Int
  private let clients = NIOLockedValueBox<[Route: HTTPClient]>([:])
  private let tls = NIOLockedValueBox<Result<TLSConfiguration, TransportFailure>?>(nil)

  /// `caBundle`: a PEM file of the only certificates to trust, instead of the system's.
  public init(
    proxy: ProxySettings = ProxySettings(), caBundle: String? = nil, maxBodyBytes: Int = defaultMaxBodyBytes
  ) {
    self.proxySettings = proxy
    self.caBundle = caBundle
    self.maxBodyBytes = maxBodyBytes
  }

  deinit {
    for client in clients.withLockedValue({ $0.values }) {
      client.shutdown { _ in }
    }
  }

  public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    let target = try Target(request.url)
    let route = Route(proxy: try proxy(for: request.url, target: target), fresh: !request.reusesConnection)
    let client = try self.client(for: route, https: target.https)
    let outgoing = try Self.outgoing(request)
    let deadline = Deadline(timeout)
    let attempts = request.reusesConnection ? 2 : 1
    for attempt in 1...attempts {
      do {
        return try await exchange(outgoing, client: client, deadline: deadline)
      } catch {
        // A kept-alive connection the server closed as the request went out: nothing was
        // answered, and a read may go again.
        if attempt < attempts, case .closedBeforeAnswer = error { continue }
        throw error.transportFailure(target: target, route: route, trust: caBundle ?? "the system's trust store")
      }
    }
    preconditionFailure("the loop returns or throws")
  }

  // MARK: - One exchange

  fileprivate enum Failure: Error {
    case notSent(any Error)
    case closedBeforeAnswer(any Error)
    case afterSending(any Error)
    case tooLarge(limit: Int)
    case timedOut
    case cancelled
  }

  /// One point in time for the library (which bounds the wait for the answer's head) and for
  /// us (the body, which the library's deadline does not cover).
  private struct Deadline {
    var nio: NIODeadline
    var instant: ContinuousClock.Instant

    init(_ timeout: Duration) {
      let (seconds, attoseconds) = timeout.components
      let nanoseconds = max(1_000_000, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
      nio = .now() + .nanoseconds(nanoseconds)
      instant = .now + .nanoseconds(nanoseconds)
    }
  }

  /// Runs in a task of its own so that a cancellation that comes after the answer started
  /// does not throw the answer away: for a change it is the only word on whether it applied.
  /// The deadline ends it wherever it is.
  private func exchange(
    _ request: HTTPClientRequest, client: HTTPClient, deadline: Deadline
  ) async throws(Failure) -> HTTPResponse {
    let answering = NIOLockedValueBox(false)
    let work = Task { () async throws(Failure) -> HTTPResponse in
      let response: HTTPClientResponse
      do {
        response = try await client.execute(request, deadline: deadline.nio)
      } catch {
        throw Self.classify(error)
      }
      answering.withLockedValue { $0 = true }
      let body: ByteBuffer
      do {
        body = try await response.body.collect(upTo: maxBodyBytes)
      } catch is NIOTooManyBytesError {
        throw .tooLarge(limit: maxBodyBytes)
      } catch {
        throw .afterSending(error)
      }
      var headers: [String: String] = [:]
      for (name, value) in response.headers {
        let key = name.lowercased()
        headers[key] = headers[key].map { "\($0),\(value)" } ?? value
      }
      return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }
    let expired = NIOLockedValueBox(false)
    let timer = Task {
      try? await Task.sleep(until: deadline.instant, clock: .continuous)
      guard !Task.isCancelled else { return }
      expired.withLockedValue { $0 = true }
      work.cancel()
    }
    defer { timer.cancel() }
    let result = await withTaskCancellationHandler {
      await work.result
    } onCancel: {
      if !answering.withLockedValue({ $0 }) { work.cancel() }
    }
    switch result {
    case .success(let response): return response
    case .failure where expired.withLockedValue({ $0 }): throw .timedOut
    case .failure(let failure as Failure): throw failure
    case .failure(let error): throw .afterSending(error)
    }
  }

  private static func classify(_ error: any Error) -> Failure {
    if error is CancellationError { return .cancelled }
    if let error = error as? HTTPClientError {
      switch error {
      case .cancelled: return .cancelled
      case .remoteConnectionClosed: return .closedBeforeAnswer(error)
      case .connectTimeout, .getConnectionFromPoolTimeout, .proxyAuthenticationRequired, .invalidProxyResponse,
        .httpProxyHandshakeTimeout, .tlsHandshakeTimeout, .invalidURL, .emptyHost, .emptyScheme:
        return .notSent(error)
      default: return .afterSending(error)
      }
    }
    if error is NIOConnectionError || error is NIOSSLError || error is NIOSSLExtraError { return .notSent(error) }
    if let error = error as? NIOCore.IOError {
      if error.errnoCode == ECONNREFUSED { return .notSent(error) }
      // Reset before any of the answer came: a kept-alive connection a server or a NAT dropped,
      // seen once the request was written. A read may go again at once, as after a close.
      if error.errnoCode == ECONNRESET || error.errnoCode == EPIPE { return .closedBeforeAnswer(error) }
    }
    return .afterSending(error)
  }

  // MARK: - Requests

  private static func outgoing(_ request: HTTPRequest) throws -> HTTPClientRequest {
    var outgoing = HTTPClientRequest(url: request.url.absoluteString)
    outgoing.method = HTTPMethod(rawValue: request.method)
    for (name, value) in request.headers {
      guard isToken(name), !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
        throw TransportFailure(kind: .notSent, message: "a request header holds a line break or a bad name")
      }
      outgoing.headers.add(name: name, value: value)
    }
    // The signer signed this Host; the library must not write another form of it.
    if !outgoing.headers.contains(name: "host") {
      outgoing.headers.add(name: "Host", value: SigV4Signer.canonicalHost(request.url))
    }
    if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
      outgoing.body = .bytes(ByteBuffer(bytes: request.body))
    }
    return outgoing
  }

  private static func isToken(_ name: String) -> Bool {
    !name.isEmpty
      && name.utf8.allSatisfy { byte in
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
          || "!#$%&'*+-.^_`|~".utf8.contains(byte)
      }
  }

  // MARK: - Clients

  /// What a pooled client is for: a proxy hop (or none), and fresh connections or shared ones.
  fileprivate struct Route: Hashable {
    var proxy: ProxyServer?
    var fresh: Bool
  }

  /// The proxy for `url`, if any, as long as it is one the library can use.
  private func proxy(for url: URL, target: Target) throws -> ProxyServer? {
    let server: ProxyServer? = proxySettings.proxy(for: url)
    guard let server else { return nil }
    guard server.scheme == .http else {
      throw TransportFailure(
        kind: .notSent,
        message:
          "the proxy for \(target.authority) is an https:// URL; Stagehand reaches proxies over plain http only (the "
          + "tunnel through it to AWS is still TLS end to end): set HTTPS_PROXY/HTTP_PROXY to the proxy's http:// address"
      )
    }
    return server
  }

  private func client(for route: Route, https: Bool) throws -> HTTPClient {
    let tls = https ? try tlsConfiguration() : nil
    return clients.withLockedValue { clients in
      if let client = clients[route] { return client }
      var configuration = HTTPClient.Configuration()
      configuration.httpVersion = .http1Only
      configuration.redirectConfiguration = .disallow
      configuration.decompression = .disabled
      // A failed connect fails the request with its cause; the retry policy paces retries.
      configuration.connectionPool.retryConnectionEstablishment = false
      // A large listing runs 16 ListSecrets chains at once (`AWSSecretsBackend.listConcurrency`)
      // and a few DescribeSecret calls beside them: more than the library's default of 8.
      configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 20
      if route.fresh { configuration.maximumUsesPerConnection = 1 }
      if let tls { configuration.tlsConfiguration = tls }
      if let server = route.proxy {
        configuration.proxy = .server(
          host: server.host, port: server.port,
          authorization: server.user.map { .basic(username: $0, password: server.password ?? "") })
      }
      let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
      clients[route] = client
      return client
    }
  }

  /// Made once, on the first https request, so a bad CA bundle is reported by the call that needs it.
  private func tlsConfiguration() throws -> TLSConfiguration {
    let result = tls.withLockedValue { cached in
      if let cached { return cached }
      var configuration = TLSConfiguration.makeClientConfiguration()
      configuration.minimumTLSVersion = .tlsv12
      configuration.certificateVerification = .fullVerification
      let made: Result<TLSConfiguration, TransportFailure>
      if let caBundle {
        do {
          configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caBundle))
          made = .success(configuration)
        } catch {
          made = .failure(
            TransportFailure(
              kind: .notSent,
              message: "TLS could not be set up: the CA bundle \(caBundle) could not be loaded (\(error))"))
        }
      } else {
        made = .success(configuration)
      }
      cached = made
      return made
    }
    return try result.get()
  }
}

// MARK: - Pieces

/// Scheme, host and port of a request URL, for routing and messages.
private struct Target {
  var https: Bool
  var host: String
  var port: Int

  var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

  init(_ url: URL) throws {
    let scheme = url.scheme?.lowercased()
    guard scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
      throw TransportFailure(kind: .notSent, message: "\(url.absoluteString) is not an http or https URL")
    }
    https = scheme == "https"
    self.host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    port = url.port ?? (https ? 443 : 80)
  }
}

extension AsyncHTTPTransport.Failure {
  /// `trust`: where trusted certificates come from, for a refused certificate's message.
  fileprivate func transportFailure(target: Target, route: AsyncHTTPTransport.Route, trust: String) -> any Error {
    let peer = route.proxy.map { "the proxy \($0.authorityHost):\($0.port)" } ?? target.authority
    switch self {
    case .cancelled:
      return CancellationError()
    case .timedOut:
      return TransportFailure(kind: .ambiguous, message: "\(target.authority) did not answer in time (timed out)")
    case .tooLarge(let limit):
      let size = limit >= 1 << 20 ? "\(limit >> 20) MiB" : "\(limit) bytes"
      return TransportFailure(
        kind: .ambiguous,
        message:
          "\(target.authority) sent an answer larger than \(size); "
          + "no Secrets Manager answer is that large: check the endpoint")
    case .closedBeforeAnswer:
      return TransportFailure(
        kind: .ambiguous,
        message: "the connection to \(target.authority) was reset before the answer arrived (closed without an answer)")
    case .notSent(let error):
      return TransportFailure(
        kind: .notSent, message: Self.notSentMessage(error, target: target, peer: peer, trust: trust))
    case .afterSending(let error):
      return TransportFailure(kind: .ambiguous, message: Self.afterSendingMessage(error, target: target))
    }
  }

  private static func notSentMessage(_ error: any Error, target: Target, peer: String, trust: String) -> String {
    if let error = error as? HTTPClientError {
      switch error {
      case .connectTimeout, .getConnectionFromPoolTimeout:
        return "could not connect to \(peer) in time (timed out)"
      case .tlsHandshakeTimeout:
        return "TLS handshake with \(target.authority) failed (timed out)"
      case .proxyAuthenticationRequired:
        return
          "\(peer) refused a tunnel to \(target.authority) (HTTP 407); check the user and password in the proxy URL"
      case .invalidProxyResponse, .httpProxyHandshakeTimeout:
        return "\(peer) did not open a tunnel to \(target.authority) (\(error))"
      default:
        return "could not send to \(target.authority) (\(error))"
      }
    }
    if let error = error as? NIOConnectionError {
      if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
        return "could not resolve \(target.host) (DNS lookup failed)"
      }
      let refused = error.connectionErrors.contains { ($0.error as? NIOCore.IOError)?.errnoCode == ECONNREFUSED }
      return "could not connect to \(peer) (\(refused ? "connection refused" : "\(error)"))"
    }
    if let error = error as? NIOCore.IOError, error.errnoCode == ECONNREFUSED {
      return "could not connect to \(peer) (connection refused)"
    }
    if error is NIOSSLExtraError {
      return
        "TLS handshake with \(target.authority) failed (hostname mismatch: the certificate is not for \(target.host))"
    }
    if let error = error as? NIOSSLError {
      return "TLS handshake with \(target.authority) failed (\(tlsWords(error, trust: trust)))"
    }
    return "could not connect to \(peer) (\(error))"
  }

  /// BoringSSL's reason in words; its error text carries source paths that mean nothing to a user.
  private static func tlsWords(_ error: NIOSSLError, trust: String) -> String {
    let text = "\(error)"
    if text.contains("CERTIFICATE_VERIFY_FAILED") {
      return "certificate verify failed: the certificate has expired, is self-signed, or is not signed by a CA in "
        + "\(trust); for an endpoint with a private CA, point AWS_CA_BUNDLE or the profile's ca_bundle at its PEM file"
    }
    if text.contains("PROTOCOL_VERSION") || text.contains("UNSUPPORTED_PROTOCOL") {
      return "the server offers no TLS version Stagehand accepts: 1.2 or later"
    }
    // Reason codes look like SSLV3_ALERT_HANDSHAKE_FAILURE.
    var reasons: [String] = []
    for token in text.split(whereSeparator: { !($0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_")) })
    where token.count > 4 && token.contains("_") && token.first!.isLetter {
      let reason = token.lowercased().replacingOccurrences(of: "_", with: " ")
      if !reasons.contains(reason) { reasons.append(reason) }
    }
    return reasons.isEmpty ? "the handshake was refused" : reasons.joined(separator: ", ")
  }

  private static func afterSendingMessage(_ error: any Error, target: Target) -> String {
    if let error = error as? HTTPClientError {
      switch error {
      case .deadlineExceeded, .readTimeout, .writeTimeout:
        return "\(target.authority) did not answer in time (timed out)"
      default: break
      }
    }
    if let error = error as? HTTPParserError {
      if error == .invalidEOFState {
        return "the connection to \(target.authority) was reset before the answer arrived (closed part way through it)"
      }
      return "\(target.authority) sent a broken HTTP answer (\(error))"
    }
    return "the connection to \(target.authority) was reset before the answer arrived (\(error))"
  }
}
