import Foundation

@testable import SecretsClient

/// A transport that answers from a script and records every request it was given.
final class MockTransport: HTTPTransport, @unchecked Sendable {
  typealias Handler = @Sendable (HTTPRequest, Int) throws -> HTTPResponse

  private let lock = NSLock()
  private var handler: Handler
  private var recorded: [HTTPRequest] = []

  /// `handler` gets the request and its 1-based index among all requests sent.
  init(_ handler: @escaping Handler) { self.handler = handler }

  /// Answers in order; the last answer repeats.
  convenience init(responses: [Result<HTTPResponse, TransportFailure>]) {
    self.init { _, index in
      try responses[min(index, responses.count) - 1].get()
    }
  }

  var requests: [HTTPRequest] {
    lock.lock()
    defer { lock.unlock() }
    return recorded
  }

  var operations: [String] {
    requests.map { ($0.header("X-Amz-Target") ?? "").replacingOccurrences(of: "secretsmanager.", with: "") }
  }

  func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    let (index, handler) = lock.withLock {
      recorded.append(request)
      return (recorded.count, self.handler)
    }
    return try handler(request, index)
  }

  static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(
      status: status, headers: headers.merging(["x-amzn-requestid": "req-\(status)"]) { a, _ in a },
      body: Data(body.utf8))
  }

  static func error(_ status: Int, _ type: String, _ message: String = "m") -> HTTPResponse {
    json(status, #"{"__type":"\#(type)","message":"\#(message)"}"#)
  }
}
