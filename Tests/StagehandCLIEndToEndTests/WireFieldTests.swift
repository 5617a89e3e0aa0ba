import Foundation
import StagehandTestSupport
import Testing

/// The binary against servers that are not moto: chunked answers split anywhere (judged
/// against the aws CLI), broken answers (a clear failure, nothing on stdout), and proxies.
@Suite(.serialized, .ownThreads) struct WireFieldTests {
  static let environment = MotoServer.stagehandEnvironment.merging(["AWS_MAX_ATTEMPTS": "1"]) { _, new in new }

  private func list(_ h: CLIHarness, _ endpoint: URL, _ extra: [String: String] = [:]) throws -> CLIHarness.Result {
    try h.run(
      ["list", "--json", "--endpoint-url", endpoint.absoluteString, "--region", "us-east-1"],
      extraEnvironment: Self.environment.merging(extra) { _, new in new })
  }

  /// The field report: 400 secrets in 8,000-byte chunks. Then other chunk and write sizes.
  @Test func chunkedListingsEqualTheAwsCLIs() async throws {
    let peer = try await WirePeer.start(secrets: 400)
    defer { peer.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let expected = (0..<400).map { String(format: "wire/%05d", $0) }
    for (chunk, write, seed) in [(8000, 65536, 1), (8000, 1500, 2), (1, 4096, 3), (65536, 9, 4), (333, 64, 5)] {
      let endpoint = WirePeer.endpoint(peer, "chunked/\(chunk)/\(write)/\(seed)", count: write < 64 ? 150 : 400)
      let result = try list(h, endpoint)
      #expect(result.status == 0, "\(endpoint): \(result.stderr)")
      let mine = try FaultListTests.names(result.stdout)
      let theirs = try WirePeer.awsListNames(endpoint)
      #expect(mine == theirs, "\(endpoint)")
      #expect(mine == Array(expected.prefix(mine.count)) && mine.count == (write < 64 ? 150 : 400), "\(endpoint)")
    }
  }

  @Test(arguments: [
    ("huge-length", "larger than 16 MiB"),
    ("negative-length", "broken HTTP answer"),
    ("huge-chunk", "reset before the answer arrived"),
    ("plus-chunk", "broken HTTP answer"),
    ("endless", "larger than 16 MiB"),
    ("length-and-chunked", "broken HTTP answer"),
    ("escape-header", "broken HTTP answer"),
    ("lf-header", "broken HTTP answer"),
    ("reset-mid-body", "reset before the answer arrived"),
  ])
  func brokenAnswersEndTheCommandClearly(mode: String, words: String) async throws {
    let peer = try await WirePeer.start()
    defer { peer.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let log = h.directory.appendingPathComponent("requests.log")
    let result = try await h.run(
      [
        "list", "--json", "--endpoint-url", WirePeer.endpoint(peer, mode).absoluteString, "--region", "us-east-1",
        "--log-file", log.path,
      ],
      extraEnvironment: Self.environment)
    #expect(result.status == 1, "\(mode): \(result.stderr)")
    #expect(result.stdout.isEmpty, "\(mode)")
    #expect(result.stderr.contains("127.0.0.1:\(peer.port)"), "\(mode): \(result.stderr)")
    #expect(result.stderr.contains(words), "\(mode): \(result.stderr)")
    #expect(!result.stderr.contains("\u{1B}"), "\(mode): no escape sequence reaches the terminal")
    // One attempt, one line: nothing the server sent can forge another or hide in one.
    let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 2 && lines[1].isEmpty, "\(mode): \(lines)")
    #expect(lines.first?.contains("ListSecrets status=- ") == true, "\(mode): \(lines)")
    #expect(!lines.joined().unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(mode)")
  }

  /// A 1xx before the answer, and a body ended by closing the connection, are fine.
  @Test func informationalAnswersAndCloseDelimitedBodiesList() async throws {
    let peer = try await WirePeer.start(secrets: 250)
    defer { peer.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    for mode in ["continue", "until-close"] {
      let result = try list(h, WirePeer.endpoint(peer, mode))
      #expect(result.status == 0, "\(mode): \(result.stderr)")
      #expect(try FaultListTests.names(result.stdout).count == 250, "\(mode)")
    }
  }

  /// The container-credentials request carries a token: botocore never proxies it, nor do
  /// we, while Secrets Manager calls go through the proxy unless NO_PROXY names the host.
  @Test func containerCredentialsNeverGoThroughTheProxy() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let credentials = try await HTTPPeer.server()
    defer { credentials.stop() }
    let proxy = try await HTTPPeer.proxy()
    defer { proxy.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    var environment = [
      "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(credentials.port)/creds",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-authorization-token",
      "HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "AWS_CONFIG_FILE": "/dev/null",
      "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
    ]
    let arguments = ["list", "--json", "--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"]
    let proxied = try await h.run(arguments, extraEnvironment: environment)
    #expect(proxied.status == 0, "\(proxied.stderr)")
    #expect(try await HTTPPeer.stats(credentials)["requests"] as? Int == 1, "the credentials came from the peer")
    let connects = try await HTTPPeer.stats(proxy)["connects"] as? [String]
    #expect(connects == ["\(moto.endpoint.host!):\(moto.endpoint.port!)"], "only Secrets Manager went through it")

    environment["NO_PROXY"] = "example.com, 127.0.0.0/8"
    let direct = try await h.run(arguments, extraEnvironment: environment)
    #expect(direct.status == 0, "\(direct.stderr)")
    #expect(try await HTTPPeer.stats(proxy)["connects"] as? [String] == connects, "NO_PROXY's range bypasses it")
  }

  @Test func proxySettingsTheClientCannotUseAreExplained() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let arguments = ["list", "--endpoint-url", "https://127.0.0.1:9", "--region", "us-east-1"]
    let https = try await h.run(
      arguments,
      extraEnvironment: Self.environment.merging(["HTTPS_PROXY": "https://u:hunter2@127.0.0.1:9"]) { _, new in new })
    #expect(https.status == 1)
    #expect(https.stderr.contains("https:// URL"), "\(https.stderr)")
    #expect(!https.stderr.contains("hunter2"))
    let port = try await h.run(
      arguments, extraEnvironment: Self.environment.merging(["HTTPS_PROXY": "http://127.0.0.1:85537"]) { _, new in new }
    )
    #expect(port.status == 1)
    #expect(port.stderr.contains("HTTPS_PROXY") && port.stderr.contains("85537"), "\(port.stderr)")
    #expect(https.stdout.isEmpty && port.stdout.isEmpty)
  }
}
