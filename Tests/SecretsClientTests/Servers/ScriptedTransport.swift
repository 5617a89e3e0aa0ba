import Foundation
import SecretsClient

/// A transport that answers from a closure and records every request, for sources tested
/// without a network.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
  private let lock = NSLock()
  private var sent: [HTTPRequest] = []
  private let answer: @Sendable (HTTPRequest) throws -> HTTPResponse

  init(_ answer: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
    self.answer = answer
  }

  var requests: [HTTPRequest] { lock.withLock { sent } }

  func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    lock.withLock { sent.append(request) }
    return try answer(request)
  }
}

/// A transport for configurations that must not make any call.
struct UnreachableTransport: HTTPTransport {
  func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    throw SecretsError.transport("no network in this test (\(request.method) \(request.url.absoluteString))")
  }
}
