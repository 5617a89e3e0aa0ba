import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The real transport. URLSession was chosen by measurement against moto (see the README's
/// notes): its per-call cost is below boto3's, and it brings no extra dependency.
///
/// Proxies: on Linux, FoundationNetworking hands requests to libcurl without setting a
/// proxy, and libcurl reads the environment itself. Checked against a loopback listener:
/// `HTTPS_PROXY` (and `https_proxy`) is used for https endpoints (a CONNECT arrives),
/// `NO_PROXY` bypasses it, `http_proxy` is used for http endpoints, but upper-case
/// `HTTP_PROXY` is ignored by libcurl on purpose (it is attacker-settable in CGI). On macOS
/// URLSession follows the system proxy settings instead.
///
/// Keep-alive and resends (Linux): libcurl resends a request on its own, on a fresh
/// connection, when a reused keep-alive connection dies before any answer. It rewinds the
/// body through FoundationNetworking, which can only do that for a body stream whose session
/// delegate hands out a new one; for a `httpBody` it does nothing, so the resend went out
/// with its Content-Length but no body and stalled until the timeout (30 s). Requests that
/// reuse connections (reads) therefore send their body as a stream that `BodyRewinder` can
/// restart, with the length stated; changing calls use a session of their own (a new
/// connection, which libcurl never resends).
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
  // URLSession is thread-safe; both are only read after init.
  private let session: URLSession
  private let rewinder = BodyRewinder()

  public init() {
    session = Self.makeSession(delegate: rewinder)
  }

  private static func makeSession(delegate: BodyRewinder? = nil) -> URLSession {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieAcceptPolicy = .never
    configuration.httpShouldSetCookies = false
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    return URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
  }

  deinit { session.finishTasksAndInvalidate() }

  public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = request.method
    urlRequest.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    for header in request.headers {
      urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
    }
    // An empty body is left unset: FoundationNetworking would otherwise wait for upload data
    // on a GET.
    let rewindable = request.reusesConnection && !request.body.isEmpty && BodyRewinder.isNeeded
    if rewindable {
      BodyRewinder.setStream(of: request.body, on: &urlRequest)
    } else if !request.body.isEmpty {
      // The whole body in one Data. libcurl still writes the headers and the body in two
      // sendto calls (TCP_NODELAY is on, so no delayed-ACK stall; Benchmarks/http-transports).
      urlRequest.httpBody = request.body
    }
    let (data, response): (Data, URLResponse)
    do {
      if request.reusesConnection {
        (data, response) = try await dataTask(urlRequest, in: session, body: rewindable ? request.body : nil)
      } else {
        // A session of its own has an empty connection pool: the request goes out on a new
        // connection, which libcurl never resends on its own.
        let fresh = Self.makeSession()
        defer { fresh.finishTasksAndInvalidate() }
        (data, response) = try await dataTask(urlRequest, in: fresh)
      }
    } catch let error as URLError {
      throw Self.failure(for: error, url: request.url)
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      throw TransportFailure(
        kind: .ambiguous, message: "\(request.url.host ?? "endpoint"): \(error.localizedDescription)")
    }
    guard let http = response as? HTTPURLResponse else {
      throw TransportFailure(kind: .ambiguous, message: "\(request.url.absoluteString) answered without HTTP")
    }
    var headers: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
      headers[String(describing: name).lowercased()] = String(describing: value)
    }
    return HTTPResponse(status: http.statusCode, headers: headers, body: data)
  }

  /// Runs one data task; `body`, when given, is what `rewinder` restarts the stream with.
  private func dataTask(_ request: URLRequest, in session: URLSession, body: Data? = nil) async throws -> (
    Data, URLResponse
  ) {
    let box = TaskBox()
    defer { if body != nil, let identifier = box.identifier { rewinder.forget(identifier) } }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let task = session.dataTask(with: request) { data, response, error in
          if let error {
            continuation.resume(throwing: error)
          } else if let response {
            continuation.resume(returning: (data ?? Data(), response))
          } else {
            continuation.resume(throwing: URLError(.badServerResponse))
          }
        }
        if let body { rewinder.register(body, for: task.taskIdentifier) }
        box.set(task)
        task.resume()
      }
    } onCancel: {
      box.cancel()
    }
  }

  /// Says what went wrong in words a person can act on, and whether the request was sent.
  static func failure(for error: URLError, url: URL) -> TransportFailure {
    let target = url.port.map { "\(url.host ?? "?"):\($0)" } ?? (url.host ?? url.absoluteString)
    switch error.code {
    case .cannotConnectToHost:
      return TransportFailure(kind: .notSent, message: "could not connect to \(target) (connection refused)")
    case .cannotFindHost, .dnsLookupFailed:
      return TransportFailure(kind: .notSent, message: "could not resolve \(target) (DNS lookup failed)")
    case .notConnectedToInternet:
      return TransportFailure(kind: .notSent, message: "no network connection to reach \(target)")
    case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
      .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
      return TransportFailure(
        kind: .notSent, message: "TLS handshake with \(target) failed (\(error.localizedDescription))")
    case .timedOut:
      return TransportFailure(kind: .ambiguous, message: "\(target) did not answer in time (timed out)")
    case .networkConnectionLost:
      return TransportFailure(
        kind: .ambiguous, message: "the connection to \(target) was reset before the answer arrived")
    case .cancelled:
      return TransportFailure(kind: .ambiguous, message: "the request to \(target) was cancelled")
    default:
      return TransportFailure(kind: .ambiguous, message: "request to \(target) failed: \(error.localizedDescription)")
    }
  }
}

/// Holds the running task so cancellation from Swift concurrency can reach it.
private final class TaskBox: @unchecked Sendable {
  private let lock = NSLock()
  private var task: URLSessionDataTask?
  private var cancelled = false

  var identifier: Int? { lock.withLock { task?.taskIdentifier } }

  func set(_ task: URLSessionDataTask) {
    lock.lock()
    self.task = task
    let cancelNow = cancelled
    lock.unlock()
    if cancelNow { task.cancel() }
  }

  func cancel() {
    lock.lock()
    cancelled = true
    let task = self.task
    lock.unlock()
    task?.cancel()
  }
}

/// The session delegate of the keep-alive session: hands libcurl a new stream of a request's
/// body when it resends the request on a fresh connection (see `URLSessionTransport`).
private final class BodyRewinder: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
  private let lock = NSLock()
  private var bodies: [Int: Data] = [:]

  /// Only FoundationNetworking (libcurl) resends on its own; Apple's URLSession rewinds an
  /// `httpBody` itself.
  static var isNeeded: Bool {
    #if canImport(FoundationNetworking)
      return true
    #else
      return false
    #endif
  }

  /// Puts `body` on `request` as a stream with its length stated. A body stream of unknown
  /// length would go out chunked; libcurl leaves chunking off when the request has a
  /// Transfer-Encoding header without "chunked", and never sends a header whose value is
  /// blank. Likewise a blank Expect keeps libcurl from waiting for "100 Continue".
  static func setStream(of body: Data, on request: inout URLRequest) {
    request.httpBodyStream = InputStream(data: body)
    request.setValue(String(body.count), forHTTPHeaderField: "Content-Length")
    request.setValue(" ", forHTTPHeaderField: "Transfer-Encoding")
    request.setValue(" ", forHTTPHeaderField: "Expect")
  }

  func register(_ body: Data, for task: Int) { lock.withLock { bodies[task] = body } }

  func forget(_ task: Int) { _ = lock.withLock { bodies.removeValue(forKey: task) } }

  func urlSession(
    _ session: URLSession, task: URLSessionTask,
    needNewBodyStream completionHandler: @escaping @Sendable (InputStream?) -> Void
  ) {
    let body = lock.withLock { bodies[task.taskIdentifier] }
    completionHandler(body.map { InputStream(data: $0) })
  }
}
