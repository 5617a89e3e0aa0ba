import Foundation
import SecretsClient
import StagehandTestSupport

/// Tests/Tools/auth_proxy.py on a free loopback port in front of one moto server: AWS's front
/// door as far as time and session tokens go (a clock `skewSeconds` off the real one, a
/// container credentials endpoint whose tokens expire after a number of uses).
final class AuthProxy: @unchecked Sendable {
  private let server: ScriptServer
  var endpoint: URL { URL(string: "http://127.0.0.1:\(server.port)")! }
  /// For AWS_CONTAINER_CREDENTIALS_FULL_URI.
  var credentialsURL: String { "http://127.0.0.1:\(server.port)/creds" }

  private init(server: ScriptServer) { self.server = server }

  static func start(target: MotoServer, skewSeconds: Int = 0) async throws -> AuthProxy {
    AuthProxy(
      server: try await ScriptServer.start(
        "auth_proxy.py", ["--target-port", String(target.port), "--skew-seconds", String(skewSeconds)]))
  }

  func stop() { server.stop() }

  /// POST /__proxy/config: only the keys given change.
  func configure(_ settings: [String: Any]) async throws {
    _ = try await control("POST", "/__proxy/config", try JSONSerialization.data(withJSONObject: settings))
  }

  func stats() async throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: try await control("GET", "/__proxy/stats", Data())) as? [String: Any] ?? [:]
  }

  private func control(_ method: String, _ path: String, _ body: Data) async throws -> Data {
    let request = HTTPRequest(
      method: method, url: endpoint.appendingPathComponent(path), headers: [("Content-Type", "application/json")],
      body: body, reusesConnection: false)
    let response = try await AsyncHTTPTransport().send(request, timeout: .seconds(10))
    guard response.status == 200 else {
      throw ChildProcess.Failure(description: "auth proxy \(path) answered HTTP \(response.status)")
    }
    return response.body
  }
}
