import Foundation
import SecretsClient
import StagehandTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Tests/Tools/fault_proxy.py on a free loopback port in front of one moto server: what
/// Stagehand talks to when a test wants the network to misbehave. Seeded, so a run injects
/// the same faults each time it sends the same requests.
final class FaultProxy: @unchecked Sendable {
  private let server: ScriptServer
  var port: Int { server.port }
  var process: Process { server.process }
  var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

  private init(server: ScriptServer) { self.server = server }

  static func start(target: MotoServer, seed: Int = 0) async throws -> FaultProxy {
    FaultProxy(
      server: try await ScriptServer.start(
        "fault_proxy.py", ["--target-port", String(target.port), "--seed", String(seed)]))
  }

  func stop() { server.stop() }

  /// POST /__proxy/config: only the keys given change.
  func configure(_ settings: [String: Any]) async throws {
    _ = try await control("POST", "/__proxy/config", try JSONSerialization.data(withJSONObject: settings))
  }

  /// POST /__proxy/release: forwards the requests "hold" is holding; returns once the server
  /// has answered them.
  func releaseHeld() async throws { _ = try await control("POST", "/__proxy/release", Data("{}".utf8)) }

  /// POST /__proxy/reset: clears the counts.
  func resetStats() async throws { _ = try await control("POST", "/__proxy/reset", Data("{}".utf8)) }

  struct Stats {
    var requests: Int
    var forwarded: Int
    /// Requests that arrived with less body than their Content-Length announced.
    var incompleteBodies: Int
    /// Requests with a Transfer-Encoding or Expect header (Stagehand sends neither).
    var chunkedOrExpect: Int
    /// Faults injected on a keep-alive connection that had carried earlier requests.
    var faultsOnReusedConnections: Int
    /// "delay" and "hold" requests forwarded late that the server has answered.
    var lateForwards: Int
    /// Requests "hold" is holding now.
    var held: Int
    /// Operation -> requests that reached the proxy.
    var byOperation: [String: Int]
    /// "Operation:fault" -> how many times it was injected.
    var faults: [String: Int]
    var injected: Int { faults.values.reduce(0, +) }

    func injected(_ operation: String) -> Int {
      faults.filter { $0.key.hasPrefix(operation + ":") }.values.reduce(0, +)
    }
  }

  func stats() async throws -> Stats {
    let data = try await control("GET", "/__proxy/stats", Data())
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    return Stats(
      requests: object["requests"] as? Int ?? -1, forwarded: object["forwarded"] as? Int ?? -1,
      incompleteBodies: object["incomplete_bodies"] as? Int ?? -1,
      chunkedOrExpect: object["chunked_or_expect"] as? Int ?? -1,
      faultsOnReusedConnections: object["faults_on_reused_connections"] as? Int ?? -1,
      lateForwards: object["late_forwards"] as? Int ?? -1, held: object["held"] as? Int ?? -1,
      byOperation: object["by_operation"] as? [String: Int] ?? [:], faults: object["faults"] as? [String: Int] ?? [:])
  }

  private func control(_ method: String, _ path: String, _ body: Data) async throws -> Data {
    let request = HTTPRequest(
      method: method, url: endpoint.appendingPathComponent(path), headers: [("Content-Type", "application/json")],
      body: body)
    let response = try await AsyncHTTPTransport().send(request, timeout: .seconds(120))
    guard response.status == 200 else {
      throw ChildProcess.Failure(description: "fault proxy \(path) answered HTTP \(response.status)")
    }
    return response.body
  }
}
