import Foundation
import SecretsClient

/// `Tests/Tools/http_peer.py`: an HTTP(S) server and a proxy on loopback.
public enum HTTPPeer {
  public static func server(tls: Certificates? = nil) async throws -> ScriptServer {
    try await ScriptServer.start(
      "http_peer.py", ["server"] + (tls.map { ["--cert", $0.path("good.pem"), "--key", $0.path("good.key")] } ?? []))
  }

  public static func serverWithWrongName(_ tls: Certificates) async throws -> ScriptServer {
    try await ScriptServer.start(
      "http_peer.py", ["server", "--cert", tls.path("wrong.pem"), "--key", tls.path("wrong.key")])
  }

  public static func proxy(user: String? = nil, password: String = "") async throws -> ScriptServer {
    try await ScriptServer.start(
      "http_peer.py", ["proxy"] + (user.map { ["--user", $0, "--password", password] } ?? []))
  }

  /// Test certificates for one test, made by `http_peer.py` (its header names the files).
  public struct Certificates: Sendable {
    public let directory: URL

    /// A CA and two server certificates (`certs`, the openssl CLI).
    public static func make() throws -> Certificates {
      try make("certs", needs: "is openssl installed?")
    }

    /// A CA, a second CA and a server certificate for every way TLS can refuse one
    /// (`tls-certs`, the cryptography package).
    public static func makeEveryKind() throws -> Certificates {
      try make("tls-certs", needs: "is the cryptography package installed?")
    }

    private static func make(_ command: String, needs: String) throws -> Certificates {
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-certs-\(UUID())")
      let python = try ChildProcess.locate("python3", installHint: "The test script must install python3.")
      let made = try ChildProcess.run(
        python, [ScriptServer.tools.appendingPathComponent("http_peer.py").path, command, directory.path],
        environment: ChildProcess.environment([:]))
      guard made.status == 0 else {
        throw ChildProcess.Failure(description: "making test certificates failed (\(needs)): \(made.stderr)")
      }
      return Certificates(directory: directory)
    }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
  }

  /// GET /__stats of a server or proxy, on a connection of its own (over TLS, trusting the
  /// test CA, for a server started with `tls`).
  public static func stats(_ server: ScriptServer, tls: Certificates? = nil) async throws -> [String: Any] {
    let transport = AsyncHTTPTransport(caBundle: tls?.path("ca.pem"))
    let url = URL(string: "\(tls == nil ? "http" : "https")://127.0.0.1:\(server.port)/__stats")!
    let response = try await transport.send(
      HTTPRequest(method: "GET", url: url, reusesConnection: false), timeout: .seconds(120))
    return try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
  }

  /// The /echo JSON of a response.
  public static func echo(_ response: HTTPResponse) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
  }
}
