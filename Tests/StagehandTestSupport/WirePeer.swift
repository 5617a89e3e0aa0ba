import Foundation

/// `Tests/Tools/wire_peer.py`: a ListSecrets stand-in whose request path picks how each
/// answer is framed or broken (see the script's header for the modes).
public enum WirePeer {
  public static func start(secrets: Int = 400) async throws -> ScriptServer {
    try await ScriptServer.start("wire_peer.py", ["--secrets", String(secrets)])
  }

  /// The endpoint that serves `mode` (e.g. "chunked/8000/4096/1"), over `count` secrets when given.
  public static func endpoint(_ server: ScriptServer, _ mode: String, count: Int? = nil) -> URL {
    URL(string: "http://127.0.0.1:\(server.port)/\(count.map { "n/\($0)/" } ?? "")\(mode)")!
  }

  /// Runs `aws secretsmanager list-secrets` against `endpoint` and returns the names it listed.
  public static func awsListNames(_ endpoint: URL) throws -> [String] {
    let executable = try ChildProcess.locate("aws", installHint: "The test script must install it: pip install awscli.")
    let output = try ChildProcess.run(
      executable,
      [
        "secretsmanager", "list-secrets", "--endpoint-url", endpoint.absoluteString, "--region", "us-east-1",
        "--output", "json",
      ],
      environment: MotoServer.clientEnvironment)
    guard output.status == 0 else {
      throw ChildProcess.Failure(description: "aws list-secrets at \(endpoint) failed: \(output.stderr)")
    }
    let object = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
    return (object?["SecretList"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
  }
}
