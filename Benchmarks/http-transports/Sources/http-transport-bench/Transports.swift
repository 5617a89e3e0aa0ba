import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// What each contender does per call: send one request, read the whole body, and hand back
/// the status, the headers (names lower-cased) and the body as `Data`, which is what the
/// project's `HTTPTransport.send` returns. Both adapters do the same amount of conversion.
struct BenchResponse: Sendable {
  var status: Int
  var headers: [String: String]
  var body: Data
}

struct BenchRequest: Sendable {
  var url: URL
  var headers: [(name: String, value: String)]
  var body: Data
}

protocol BenchTransport: Sendable {
  var name: String { get }
  func send(_ request: BenchRequest, timeout: Duration) async throws -> BenchResponse
  func shutdown() async throws
}

/// (a) URLSession, configured as Sources/SecretsClient/AWS/URLSessionTransport.swift does
/// (ephemeral configuration, no cookies, no cache, per-request timeout, the whole body as
/// one `Data` in `httpBody`, a completion-handler data task bridged by a continuation).
final class URLSessionBenchTransport: BenchTransport, @unchecked Sendable {
  let name = "URLSession"
  private let session: URLSession

  init() {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieAcceptPolicy = .never
    configuration.httpShouldSetCookies = false
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    session = URLSession(configuration: configuration)
  }

  func send(_ request: BenchRequest, timeout: Duration) async throws -> BenchResponse {
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = "POST"
    urlRequest.timeoutInterval =
      Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    if !request.body.isEmpty { urlRequest.httpBody = request.body }
    for header in request.headers {
      urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
    }
    let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { continuation in
      let task = session.dataTask(with: urlRequest) { data, response, error in
        if let error {
          continuation.resume(throwing: error)
        } else if let response {
          continuation.resume(returning: (data ?? Data(), response))
        } else {
          continuation.resume(throwing: URLError(.badServerResponse))
        }
      }
      task.resume()
    }
    guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
    var headers: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
      headers[String(describing: name).lowercased()] = String(describing: value)
    }
    return BenchResponse(status: http.statusCode, headers: headers, body: data)
  }

  func shutdown() async throws { session.finishTasksAndInvalidate() }
}

#if canImport(AsyncHTTPClient)
  import AsyncHTTPClient
  import NIOCore
  import NIOFoundationCompat

  /// (b) AsyncHTTPClient on the shared (singleton) event loop group, `execute(_:timeout:)`
  /// with an `HTTPClientRequest`, the body collected into one buffer and copied into `Data`.
  final class AHCBenchTransport: BenchTransport, @unchecked Sendable {
    let name = "AsyncHTTPClient"
    private let client: HTTPClient

    init() {
      var configuration = HTTPClient.Configuration()
      configuration.decompression = .disabled
      configuration.timeout = .init(connect: .seconds(30), read: .seconds(30))
      client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func send(_ request: BenchRequest, timeout: Duration) async throws -> BenchResponse {
      var ahcRequest = HTTPClientRequest(url: request.url.absoluteString)
      ahcRequest.method = .POST
      for header in request.headers {
        ahcRequest.headers.add(name: header.name, value: header.value)
      }
      if !request.body.isEmpty {
        ahcRequest.body = .bytes(ByteBuffer(data: request.body))
      }
      let seconds = Int64(timeout.components.seconds)
      let response = try await client.execute(ahcRequest, timeout: .seconds(seconds))
      var buffer = try await response.body.collect(upTo: 64 << 20)
      let data = buffer.readData(length: buffer.readableBytes) ?? Data()
      var headers: [String: String] = [:]
      for header in response.headers {
        headers[header.name.lowercased()] = header.value
      }
      return BenchResponse(status: Int(response.status.code), headers: headers, body: data)
    }

    func shutdown() async throws { try await client.shutdown() }
  }
#endif
