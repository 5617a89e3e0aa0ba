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
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
  // URLSession is thread-safe; it is only read after init.
  private let session: URLSession

  public init() {
    session = Self.makeSession()
  }

  private static func makeSession() -> URLSession {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieAcceptPolicy = .never
    configuration.httpShouldSetCookies = false
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    return URLSession(configuration: configuration)
  }

  deinit { session.finishTasksAndInvalidate() }

  public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = request.method
    urlRequest.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    // The whole body in one Data, so it is written at once rather than streamed. An empty
    // body is left unset: FoundationNetworking would otherwise wait for upload data on a GET.
    if !request.body.isEmpty { urlRequest.httpBody = request.body }
    for header in request.headers {
      urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
    }
    let (data, response): (Data, URLResponse)
    do {
      if request.reusesConnection {
        (data, response) = try await dataTask(urlRequest, in: session)
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

  private func dataTask(_ request: URLRequest, in session: URLSession) async throws -> (Data, URLResponse) {
    let box = TaskBox()
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
