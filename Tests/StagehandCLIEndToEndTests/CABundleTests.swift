import Foundation
import StagehandTestSupport
import Testing

/// The binary trusts the PEM bundle that `AWS_CA_BUNDLE` or the profile's `ca_bundle` names
/// (the aws CLI's order), and the system's trust store otherwise: through the whole program,
/// against an HTTPS peer whose certificate only the test CA signed.
@Suite(.serialized, .ownThreads) struct CABundleTests {
  @Test func theBundleComesFromTheEnvironmentElseTheProfile() async throws {
    let certificates = try HTTPPeer.Certificates.make()
    defer { certificates.remove() }
    let server = try await HTTPPeer.server(tls: certificates)
    defer { server.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let environment = try Self.awsFiles(h, profiles: ["corp": certificates.path("ca.pem")], keyID: "AKIDCABUNDLE")
    /// `stagehand list` against the peer; the result and how many requests reached it.
    func list(profile: String? = nil, _ extra: [String: String] = [:]) async throws -> (CLIHarness.Result, Int) {
      let before = try await HTTPPeer.stats(server, tls: certificates)["requests"] as? Int ?? 0
      let result = try await h.run(
        (profile.map { ["--profile", $0] } ?? []) + ["--endpoint-url", "https://localhost:\(server.port)", "list"],
        extraEnvironment: environment.merging(extra) { _, new in new })
      let after = try await HTTPPeer.stats(server, tls: certificates)["requests"] as? Int ?? 0
      return (result, after - before)
    }

    // The system's trust store does not know the test CA: refused before anything is sent.
    let untrusted = try await list()
    #expect(untrusted.0.status == 1)
    #expect(untrusted.0.stderr.contains("certificate verify failed"), "\(untrusted.0.stderr)")
    #expect(untrusted.1 == 0)

    // The peer answers every request with its echo, not a ListSecrets page: whatever the
    // listing makes of it, the request went through TLS to the peer.
    for (name, run) in [
      ("AWS_CA_BUNDLE", try await list(["AWS_CA_BUNDLE": certificates.path("ca.pem")])),
      ("the profile's ca_bundle", try await list(profile: "corp")),
    ] {
      #expect(run.1 >= 1, "\(name): no request reached the peer: \(run.0.stderr)")
      #expect(!run.0.stderr.contains("TLS"), "\(name): \(run.0.stderr)")
    }

    // AWS_CA_BUNDLE comes first: a missing file there is named, even with a good profile one.
    let missing = h.directory.appendingPathComponent("missing-ca.pem").path
    let first = try await list(profile: "corp", ["AWS_CA_BUNDLE": missing])
    #expect(first.0.status == 1)
    #expect(first.0.stderr.contains(missing), "\(first.0.stderr)")
    #expect(first.1 == 0)
  }

  /// The same choice against `openssl s_server`, which shares no code with Stagehand's TLS and
  /// prints every byte it decrypts: a bundle without the test CA (from either place) stops
  /// the request before any byte of it arrives; the bundle with it lets the request through,
  /// and the listing the server then sends (written by the test) is printed.
  @Test func onlyTheBundleHoldingTheCALetsARequestReachAnOpenSSLServer() async throws {
    let certificates = try HTTPPeer.Certificates.makeEveryKind()
    defer { certificates.remove() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    // A key ID of this test's own: the request carries it in its Authorization header.
    let keyID = "AKID" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)
    let environment = try Self.awsFiles(
      h, profiles: ["corp": certificates.path("ca.pem"), "stranger": certificates.path("other-ca.pem")], keyID: keyID)
    /// `stagehand list --json` against a fresh raw-mode s_server, which `answers` with an empty
    /// listing once the request arrived.
    func list(profile: String? = nil, _ extra: [String: String] = [:], answers: Bool) async throws -> (
      CLIHarness.Result, output: String
    ) {
      let server = try await OpenSSLServer.start(certificates, leaf: "good", mode: .raw)
      defer { server.stop() }
      let arguments =
        (profile.map { ["--profile", $0] } ?? []) + [
          "--endpoint-url", "https://localhost:\(server.port)", "list", "--json",
        ]
      let env = environment.merging(extra) { _, new in new }
      async let run = onOwnThread { try h.run(arguments, extraEnvironment: env) }
      if answers {
        let body = #"{"SecretList":[]}"#
        try await OpenSSLServer.answer(
          server, once: keyID,
          with:
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            + body)
      }
      let result = try await run
      // s_server serves one connection at a time: once this line shows, the run's connection is over.
      try await OpenSSLServer.sendLine("after-\(keyID)", to: server)
      return (result, server.output.replacingOccurrences(of: "after-\(keyID)", with: ""))
    }

    for (name, run) in [
      ("AWS_CA_BUNDLE", try await list(["AWS_CA_BUNDLE": certificates.path("other-ca.pem")], answers: false)),
      ("the profile's ca_bundle", try await list(profile: "stranger", answers: false)),
    ] {
      #expect(run.0.status == 1, "\(name)")
      #expect(run.0.stderr.contains("TLS handshake with localhost:"), "\(name): \(run.0.stderr)")
      #expect(run.0.stdout.isEmpty, "\(name): \(run.0.stdout)")
      #expect(!run.output.contains(keyID), "\(name): \(run.output)")
      #expect(!run.output.contains("POST "), "\(name): \(run.output)")
      #expect(!run.output.contains("ListSecrets"), "\(name): \(run.output)")
      // Only the check's own connection finished a handshake at the server.
      #expect(run.output.components(separatedBy: "CIPHER is").count == 2, "\(name): \(run.output)")
    }
    for (name, run) in [
      ("AWS_CA_BUNDLE", try await list(["AWS_CA_BUNDLE": certificates.path("ca.pem")], answers: true)),
      ("the profile's ca_bundle", try await list(profile: "corp", answers: true)),
    ] {
      #expect(run.0.status == 0, "\(name): \(run.0.stderr)")
      #expect(!run.0.stderr.contains("TLS"), "\(name): \(run.0.stderr)")
      let listing = try? JSONSerialization.jsonObject(with: Data(run.0.stdout.utf8)) as? [String: Any]
      #expect((listing?["SecretList"] as? [Any])?.isEmpty == true, "\(name): \(run.0.stdout)")
      #expect(run.output.contains("POST / HTTP/1.1"), "\(name): \(run.output)")
      #expect(run.output.lowercased().contains("x-amz-target: secretsmanager.listsecrets"), "\(name): \(run.output)")
      #expect(run.output.contains("Credential=\(keyID)/"), "\(name): \(run.output)")
    }
  }

  /// An AWS config with a profile for each name, whose ca_bundle is the path it maps to,
  /// credentials for each under `keyID`, and the environment that reads them.
  private static func awsFiles(_ h: CLIHarness, profiles: [String: String], keyID: String) throws -> [String: String] {
    let config = h.directory.appendingPathComponent("aws-config")
    let sections = profiles.map { "[profile \($0.key)]\nregion = us-east-1\nca_bundle = \($0.value)" }
    try (["[default]\nregion = us-east-1"] + sections).joined(separator: "\n").write(
      to: config, atomically: true, encoding: .utf8)
    // --profile sets environment credentials aside (as the aws CLI does): the profile has its own.
    let credentials = h.directory.appendingPathComponent("aws-credentials")
    try profiles.keys.map { "[\($0)]\naws_access_key_id = \(keyID)\naws_secret_access_key = not-a-real-secret" }
      .joined(separator: "\n").write(to: credentials, atomically: true, encoding: .utf8)
    return [
      "AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": "not-a-real-secret", "AWS_CONFIG_FILE": config.path,
      "AWS_SHARED_CREDENTIALS_FILE": credentials.path, "AWS_MAX_ATTEMPTS": "1",
    ]
  }
}
