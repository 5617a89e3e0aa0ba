import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// Connections that die under a kept-alive client, against `Tests/Tools/conn_peer.py` through
/// the real transport: a read is asked again at once, inside its first attempt (no timeout,
/// no backoff: the client's log shows no failed attempt), a change is never resent unseen.
/// How long that takes is for the bench; these check what was sent and recorded.
@Suite(.serialized, .ownThreads)
struct DeadConnectionTests {
  struct Empty: Codable {}

  final class Peer: Sendable {
    let server: ScriptServer
    var endpoint: URL { URL(string: "http://127.0.0.1:\(server.port)")! }

    init() async throws { server = try await ScriptServer.start("conn_peer.py", []) }

    func configure(_ settings: [String: Any]) async throws {
      _ = try await control("POST", "/__peer/config", try JSONSerialization.data(withJSONObject: settings))
    }

    func stats() async throws -> [String: Any] {
      try JSONSerialization.jsonObject(with: try await control("GET", "/__peer/stats", Data())) as? [String: Any] ?? [:]
    }

    private func control(_ method: String, _ path: String, _ body: Data) async throws -> Data {
      let request = HTTPRequest(
        method: method, url: endpoint.appendingPathComponent(path), body: body, reusesConnection: false)
      return try await AsyncHTTPTransport().send(request, timeout: .seconds(120)).body
    }
  }

  /// A client of the real transport with its 30 s timeout, and real (short) backoff.
  static func client(_ peer: Peer, recorder: Recorder) -> AWSJSONClient {
    AWSJSONClient(
      endpoint: peer.endpoint, region: "us-east-1",
      credentials: FixedCredentialProvider(value: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")),
      log: recorder)
  }

  /// The server (or a NAT) dropped the kept-alive connection; the read finds out once it has
  /// written its request, by a reset. It goes again on a new connection at once.
  @Test func aReadResetAfterItWasWrittenIsAskedAgainAtOnce() async throws {
    let peer = try await Peer()
    defer { peer.server.stop() }
    let recorder = Recorder()
    let client = Self.client(peer, recorder: recorder)
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    try await peer.configure(["reset_reused": 1])
    let body = try await client.call(operation: "DescribeSecret", input: Empty())
    let answer = try JSONSerialization.jsonObject(with: body) as? [String: Any]
    #expect(answer?["nth"] as? Int == 1, "answered on a new connection")
    let stats = try await peer.stats()
    #expect(stats["resets"] as? Int == 1)
    #expect(stats["requests"] as? Int == 3)
    #expect(stats["connections"] as? Int == 2)
    #expect(recorder.entries.map(\.outcome) == ["ok", "ok"])
  }

  /// A change is written on a connection of its own; reset after it was written, it may have
  /// been applied, so it is reported ambiguous at once and never sent again.
  @Test func aChangeResetAfterItWasWrittenIsAmbiguousAtOnceAndNotResent() async throws {
    let peer = try await Peer()
    defer { peer.server.stop() }
    let recorder = Recorder()
    let client = Self.client(peer, recorder: recorder)
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    try await peer.configure(["reset_operation": "UpdateSecretVersionStage", "reset_times": 1])
    await #expect(throws: AmbiguousWriteFailure.self) {
      try await client.call(operation: "UpdateSecretVersionStage", input: Empty())
    }
    let stats = try await peer.stats()
    #expect((stats["by_operation"] as? [String: Int])?["UpdateSecretVersionStage"] == 1)
    #expect(recorder.entries.last?.outcome == "transport")
  }

  /// A load balancer closes connections idle for a while (2 s here, minutes in the field): the
  /// next read, sent once the close has happened, succeeds on its first attempt. (Sent at the
  /// moment of the close, it races it, and a loaded machine delays the close by seconds: the
  /// test waits for the peer to say it closed rather than for a fixed time.)
  @Test func aReadAfterTheServerClosedAnIdleConnectionSucceedsOnItsFirstTry() async throws {
    let peer = try await Peer()
    defer { peer.server.stop() }
    try await peer.configure(["idle_close_seconds": 2])
    let recorder = Recorder()
    let client = Self.client(peer, recorder: recorder)
    _ = try await client.call(operation: "DescribeSecret", input: Empty())
    let deadline = ContinuousClock.now + .seconds(120)
    while try await peer.stats()["idle_closes"] as? Int ?? 0 < 1, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(200))
    }
    _ = try await client.call(operation: "ListSecrets", input: Empty())
    let last = try #require(recorder.entries.last)
    #expect(last.operation == "ListSecrets")
    #expect(last.attempt == 1)
    #expect(last.outcome == "ok")
    let stats = try await peer.stats()
    #expect(stats["idle_closes"] as? Int ?? 0 >= 1)
    #expect(stats["requests"] as? Int == 2)
  }
}
