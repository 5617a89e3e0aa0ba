import Foundation
import SecretsClient

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The real network transport the loopback and moto tests use.
enum RealTransport {
  static func make() -> any HTTPTransport { FoundationTestTransport() }
}

/// A plain URLSession transport, used until the product's own transport is merged.
struct FoundationTestTransport: HTTPTransport {
  func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    var urlRequest = URLRequest(url: request.url)
    urlRequest.httpMethod = request.method
    urlRequest.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
    if !request.body.isEmpty { urlRequest.httpBody = request.body }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.connectionProxyDictionary = [:]
    let session = URLSession(configuration: configuration)
    defer { session.finishTasksAndInvalidate() }
    do {
      let (data, response) = try await session.data(for: urlRequest)
      let http = response as! HTTPURLResponse
      var headers: [String: String] = [:]
      for (name, value) in http.allHeaderFields {
        if let name = name as? String, let value = value as? String { headers[name] = value }
      }
      return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    } catch {
      throw SecretsError.transport("\(request.method) \(request.url.absoluteString): \(error.localizedDescription)")
    }
  }
}
