import Foundation

/// `openssl s_server` on a loopback port the kernel picks: a TLS server that shares no code
/// with the client under test. Its stdout and stderr both go to the `ScriptServer`'s
/// `output`, so a check for request bytes covers everything it printed.
public enum OpenSSLServer {
  public enum Mode: Sendable {
    /// `-www`: answers a GET with "HTTP/1.0 200 ok" and a status page.
    case www
    /// s_server's default: prints every byte a client sends, decrypted, and sends back only
    /// what `answer` gives it.
    case raw
  }

  /// Serves `leaf`.pem and `leaf`.key from `certificates`; `options` go to s_server as they are.
  public static func start(
    _ certificates: HTTPPeer.Certificates, leaf: String, mode: Mode, options: [String] = []
  ) async throws -> ScriptServer {
    // Port 0: s_server prints "ACCEPT 127.0.0.1:<port>" once it listens.
    try await ScriptServer.launch(
      try openssl(),
      [
        "s_server", "-accept", "127.0.0.1:0", "-cert", certificates.path("\(leaf).pem"), "-key",
        certificates.path("\(leaf).key"),
      ] + (mode == .www ? ["-www"] : []) + options,
      name: "openssl s_server", readyPrefix: "ACCEPT ", recordsErrors: true, stopsAtEndOfInput: false)
  }

  /// Sends `line` to a `.raw` server with `openssl s_client` (which refuses no certificate
  /// unless told) and waits for the server to print it; returns what s_client printed.
  /// s_server serves one connection at a time, so once the line shows, whatever an earlier
  /// connection delivered is in the output too.
  @discardableResult
  public static func sendLine(_ line: String, to server: ScriptServer, options: [String] = []) async throws -> String {
    let openssl = try openssl()
    let client = try await onOwnThread {
      try ChildProcess.run(
        openssl, ["s_client", "-connect", "127.0.0.1:\(server.port)"] + options, stdin: Data("\(line)\n".utf8),
        environment: ChildProcess.environment([:]))
    }
    let printed = String(decoding: client.stdout, as: UTF8.self)
    try await waitFor(line, in: server, note: "s_client status \(client.status): \(printed)\(client.stderr)")
    return printed
  }

  /// Once a `.raw` server has printed `marker` (a request arrived), has it send `answer` on
  /// that connection: s_server sends what it reads on stdin.
  public static func answer(_ server: ScriptServer, once marker: String, with answer: String) async throws {
    try await waitFor(marker, in: server, note: "no request arrived")
    try server.writeInput(answer)
  }

  /// Waits up to 10 s for `text` in the server's output.
  private static func waitFor(_ text: String, in server: ScriptServer, note: String) async throws {
    for _ in 0..<200 {
      if server.output.contains(text) { return }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw ChildProcess.Failure(description: "s_server did not print \(text) (\(note)); it printed: \(server.output)")
  }

  private static func openssl() throws -> URL {
    try ChildProcess.locate("openssl", installHint: "The test script must install it: apt-get install openssl.")
  }
}
