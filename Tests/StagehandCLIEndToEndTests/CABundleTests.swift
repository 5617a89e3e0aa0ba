import Foundation
import StagehandTestSupport
import Testing

/// The binary trusts the PEM bundle that `AWS_CA_BUNDLE` or the profile's `ca_bundle` names
/// (the aws CLI's order), and the system's trust store otherwise: through the whole program,
/// against an HTTPS peer whose certificate only the test CA signed.
@Suite(.serialized) struct CABundleTests {
  @Test func theBundleComesFromTheEnvironmentElseTheProfile() async throws {
    let certificates = try HTTPPeer.Certificates.make()
    defer { certificates.remove() }
    let server = try await HTTPPeer.server(tls: certificates)
    defer { server.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let config = h.directory.appendingPathComponent("aws-config")
    try """
    [default]
    region = us-east-1
    [profile corp]
    region = us-east-1
    ca_bundle = \(certificates.path("ca.pem"))
    """.write(to: config, atomically: true, encoding: .utf8)
    // --profile sets environment credentials aside (as the aws CLI does): the profile has its own.
    let credentials = h.directory.appendingPathComponent("aws-credentials")
    try "[corp]\naws_access_key_id = AKIDCABUNDLE\naws_secret_access_key = not-a-real-secret\n".write(
      to: credentials, atomically: true, encoding: .utf8)
    let environment = [
      "AWS_ACCESS_KEY_ID": "AKIDCABUNDLE", "AWS_SECRET_ACCESS_KEY": "not-a-real-secret", "AWS_CONFIG_FILE": config.path,
      "AWS_SHARED_CREDENTIALS_FILE": credentials.path, "AWS_MAX_ATTEMPTS": "1",
    ]
    /// `stagehand list` against the peer; the result and how many requests reached it.
    func list(profile: String? = nil, _ extra: [String: String] = [:]) async throws -> (CLIHarness.Result, Int) {
      let before = try await HTTPPeer.stats(server, tls: certificates)["requests"] as? Int ?? 0
      let result = try h.run(
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
}
