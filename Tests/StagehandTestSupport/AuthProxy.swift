import Foundation
import SecretsClient

/// Tests/Tools/auth_proxy.py on a free loopback port in front of one moto server: the fault
/// proxy, and AWS's front door as far as time and session tokens go (a clock `skewSeconds` off
/// the real one, a container credentials endpoint whose tokens expire after a number of uses).
public final class AuthProxy: @unchecked Sendable {
  private let server: ScriptServer
  public var endpoint: URL { URL(string: "http://127.0.0.1:\(server.port)")! }
  /// For AWS_CONTAINER_CREDENTIALS_FULL_URI.
  public var credentialsURL: String { "http://127.0.0.1:\(server.port)/creds" }

  private init(server: ScriptServer) { self.server = server }

  public static func start(target: MotoServer, skewSeconds: Int = 0) async throws -> AuthProxy {
    AuthProxy(
      server: try await ScriptServer.start(
        "auth_proxy.py", ["--target-port", String(target.port), "--skew-seconds", String(skewSeconds)]))
  }

  public func stop() { server.stop() }

  /// POST /__auth/config: only the keys given change.
  public func configure(_ settings: [String: Any]) async throws {
    _ = try await control("POST", "/__auth/config", try JSONSerialization.data(withJSONObject: settings))
  }

  /// The auth proxy's counts (GET /__auth/stats), with the fault proxy's "forwarded".
  public func stats() async throws -> [String: Any] {
    var stats =
      try JSONSerialization.jsonObject(with: try await control("GET", "/__auth/stats", Data())) as? [String: Any] ?? [:]
    let proxy =
      try JSONSerialization.jsonObject(with: try await control("GET", "/__proxy/stats", Data())) as? [String: Any]
    stats["forwarded"] = proxy?["forwarded"]
    return stats
  }

  private func control(_ method: String, _ path: String, _ body: Data) async throws -> Data {
    let request = HTTPRequest(
      method: method, url: endpoint.appendingPathComponent(path), headers: [("Content-Type", "application/json")],
      body: body, reusesConnection: false)
    let response = try await AsyncHTTPTransport().send(request, timeout: .seconds(120))
    guard response.status == 200 else {
      throw ChildProcess.Failure(description: "auth proxy \(path) answered HTTP \(response.status)")
    }
    return response.body
  }
}
