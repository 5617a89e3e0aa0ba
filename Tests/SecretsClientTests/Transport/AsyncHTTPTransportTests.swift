import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

private func post(_ url: String, body: String = #"{"a":1}"#, reuses: Bool = true) -> HTTPRequest {
  HTTPRequest(
    method: "POST", url: URL(string: url)!, headers: [("Content-Type", "application/x-amz-json-1.1")],
    body: Data(body.utf8), reusesConnection: reuses)
}

@Suite(.serialized, .ownThreads) struct AsyncHTTPTransportTests {
  // The deadlines here only bound a test that should end at once: under a loaded test run the
  // cooperative pool can be busy for seconds, and a tight deadline would time out first.
  @Test func refusedConnectionIsNotSentAndSaysSo() async throws {
    try await LoopbackSocket.withRefusingPort { port in
      do {
        _ = try await AsyncHTTPTransport().send(post("http://127.0.0.1:\(port)/"), timeout: .seconds(300))
        Issue.record("expected a transport failure")
      } catch let failure as TransportFailure {
        #expect(failure.kind == .notSent)
        #expect(failure.message.contains("127.0.0.1:\(port)"))
        #expect(failure.message.contains("connection refused"))
        #expect(failure.secretsError == .transport(failure.message))
      }
    }
  }

  @Test func unknownHostIsNotSentAndNamesDNS() async throws {
    do {
      _ = try await AsyncHTTPTransport().send(post("http://stagehand-test.invalid/"), timeout: .seconds(60))
      Issue.record("expected a transport failure")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .notSent)
      #expect(failure.message.contains("stagehand-test.invalid"))
      #expect(failure.message.contains("DNS"))
    }
  }

  @Test func roundTripAgainstMotoSendsBodyAndReadsHeaders() async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    let signer = SigV4Signer(
      credentials: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing"), region: "us-east-1",
      service: "secretsmanager")
    let request = HTTPRequest(
      method: "POST", url: server.endpoint.appendingPathComponent("/"),
      headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.ListSecrets")],
      body: Data(#"{"MaxResults":100}"#.utf8))
    let response = try await AsyncHTTPTransport().send(signer.signed(request, at: Date()), timeout: .seconds(120))
    #expect(response.status == 200)
    #expect(response.headers["content-type"] != nil)
    let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
    #expect(json?["SecretList"] is [Any])
  }

  @Test func readsShareOneKeptAliveConnectionAndWritesGetFreshOnes() async throws {
    let server = try await HTTPPeer.server()
    defer { server.stop() }
    let transport = AsyncHTTPTransport()
    let base = "http://127.0.0.1:\(server.port)"
    for index in 1...20 {
      let response = try await transport.send(
        post("\(base)/echo", body: String(repeating: "b", count: index)), timeout: .seconds(120))
      let echo = try HTTPPeer.echo(response)
      #expect(response.status == 200)
      #expect(echo["nth"] as? Int == index)
      #expect(echo["body_length"] as? Int == index)
      #expect((echo["headers"] as? [String: String])?["host"] == "127.0.0.1:\(server.port)")
      #expect((echo["headers"] as? [String: String])?["content-length"] == String(index))
    }
    for _ in 1...3 {
      let response = try await transport.send(post("\(base)/echo", reuses: false), timeout: .seconds(120))
      #expect(try HTTPPeer.echo(response)["nth"] as? Int == 1)
    }
    let stats = try await HTTPPeer.stats(server)
    // One connection for the 20 reads, one each for the 3 writes, one for the stats call.
    #expect(stats["connections"] as? Int == 5)
    #expect(stats["requests"] as? Int == 23)
  }

  @Test func framingVariantsAllReadWhole() async throws {
    let server = try await HTTPPeer.server()
    defer { server.stop() }
    let transport = AsyncHTTPTransport()
    let base = "http://127.0.0.1:\(server.port)"
    for path in ["/chunked", "/continue", "/close", "/until-close", "/echo"] {
      let response = try await transport.send(post(base + path), timeout: .seconds(120))
      #expect(response.status == 200, "\(path)")
      #expect(try HTTPPeer.echo(response)["target"] as? String == path, "\(path)")
    }
    let big = try await transport.send(
      HTTPRequest(method: "GET", url: URL(string: "\(base)/big?n=5000000")!), timeout: .seconds(120))
    #expect(big.body.count == 5_000_000)
    #expect(big.body.allSatisfy { $0 == UInt8(ascii: "x") })
  }

  @Test func aCutAnswerIsAmbiguousAndSaysTheConnectionWasReset() async throws {
    let server = try await HTTPPeer.server()
    defer { server.stop() }
    do {
      _ = try await AsyncHTTPTransport().send(post("http://127.0.0.1:\(server.port)/cut"), timeout: .seconds(120))
      Issue.record("expected a transport failure")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .ambiguous)
      #expect(failure.message.contains("was reset before the answer arrived"))
    }
  }

  /// A kept-alive connection that dies before answering is replaced once, for reads; the
  /// server sees the request twice (once unanswered) and no error reaches the caller.
  @Test func aStaleKeptAliveConnectionIsReplacedForReads() async throws {
    let server = try await HTTPPeer.server()
    defer { server.stop() }
    let transport = AsyncHTTPTransport()
    let base = "http://127.0.0.1:\(server.port)"
    _ = try await transport.send(post("\(base)/drop-next"), timeout: .seconds(120))
    let response = try await transport.send(post("\(base)/echo"), timeout: .seconds(120))
    #expect(try HTTPPeer.echo(response)["nth"] as? Int == 1)
    // A connection the server closed while idle is noticed before use.
    _ = try await transport.send(post("\(base)/idle-close"), timeout: .seconds(120))
    try await Task.sleep(for: .milliseconds(200))
    let after = try await transport.send(post("\(base)/echo"), timeout: .seconds(120))
    #expect(try HTTPPeer.echo(after)["nth"] as? Int == 1)
    let stats = try await HTTPPeer.stats(server)
    #expect(stats["requests"] as? Int == 5)
    #expect(stats["connections"] as? Int == 4)
  }

  @Test func headersThatWouldBreakTheFramingAreRefusedUnsent() async throws {
    let server = try await HTTPPeer.server()
    defer { server.stop() }
    var request = post("http://127.0.0.1:\(server.port)/echo")
    request.headers.append(("X-Injected", "a\r\nX-Evil: 1"))
    await #expect(
      throws: TransportFailure(kind: .notSent, message: "a request header holds a line break or a bad name")
    ) {
      _ = try await AsyncHTTPTransport().send(request, timeout: .seconds(5))
    }
    #expect(try await HTTPPeer.stats(server)["requests"] as? Int == 0)
  }

  @Test func cancellingTheTaskEndsAWaitingRequest() async throws {
    let server = try await HTTPPeer.server()
    defer { server.stop() }
    let transport = AsyncHTTPTransport()
    let task = Task {
      try await transport.send(post("http://127.0.0.1:\(server.port)/silent"), timeout: .seconds(60))
    }
    try await Task.sleep(for: .milliseconds(300))
    task.cancel()
    await #expect(throws: CancellationError.self) { try await task.value }
  }

  // MARK: - TLS

  @Test func tlsChecksTheCertificateAndTheName() async throws {
    let certificates = try HTTPPeer.Certificates.make()
    defer { certificates.remove() }
    let server = try await HTTPPeer.server(tls: certificates)
    defer { server.stop() }
    let trusting = AsyncHTTPTransport(caBundle: certificates.path("ca.pem"))
    for host in ["localhost", "127.0.0.1"] {
      for index in 1...3 {
        let response = try await trusting.send(post("https://\(host):\(server.port)/echo"), timeout: .seconds(120))
        #expect(response.status == 200)
        #expect(try HTTPPeer.echo(response)["nth"] as? Int == index, "TLS connections are kept alive too")
      }
    }
    // The system's trust store does not know the test CA.
    do {
      _ = try await AsyncHTTPTransport().send(post("https://localhost:\(server.port)/echo"), timeout: .seconds(120))
      Issue.record("expected an untrusted certificate to fail")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .notSent)
      #expect(failure.message.contains("TLS handshake with localhost:\(server.port) failed"))
      #expect(failure.message.contains("certificate verify failed"))
    }
    let wrong = try await HTTPPeer.serverWithWrongName(certificates)
    defer { wrong.stop() }
    do {
      _ = try await trusting.send(post("https://localhost:\(wrong.port)/echo"), timeout: .seconds(120))
      Issue.record("expected a certificate for another name to fail")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .notSent)
      #expect(failure.message.contains("hostname mismatch"))
    }
  }

  @Test func aMissingCABundleSaysWhichFile() async throws {
    do {
      _ = try await AsyncHTTPTransport(caBundle: "/nonexistent/ca.pem").send(
        post("https://localhost:9/"), timeout: .seconds(5))
      Issue.record("expected a failure")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .notSent)
      #expect(failure.message.contains("/nonexistent/ca.pem"))
    }
  }

  // MARK: - Proxies

  @Test func httpsGoesThroughAConnectTunnelWithProxyCredentials() async throws {
    let certificates = try HTTPPeer.Certificates.make()
    defer { certificates.remove() }
    let server = try await HTTPPeer.server(tls: certificates)
    defer { server.stop() }
    let proxy = try await HTTPPeer.proxy(user: "ops", password: "p@ss word")
    defer { proxy.stop() }
    let settings = ProxySettings(
      httpsProxy: ProxyServer(host: "127.0.0.1", port: proxy.port, user: "ops", password: "p@ss word"))
    let transport = AsyncHTTPTransport(proxy: settings, caBundle: certificates.path("ca.pem"))
    for index in 1...3 {
      let response = try await transport.send(post("https://localhost:\(server.port)/echo"), timeout: .seconds(120))
      let echo = try HTTPPeer.echo(response)
      #expect(echo["nth"] as? Int == index)
      #expect((echo["headers"] as? [String: String])?["proxy-authorization"] == nil, "the origin never sees it")
    }
    let stats = try await HTTPPeer.stats(proxy)
    #expect(stats["connects"] as? [String] == ["localhost:\(server.port)"])
    #expect(stats["auth_failures"] as? Int == 0)

    let wrongPassword = AsyncHTTPTransport(
      proxy: ProxySettings(httpsProxy: ProxyServer(host: "127.0.0.1", port: proxy.port, user: "ops", password: "nope")),
      caBundle: certificates.path("ca.pem"))
    do {
      _ = try await wrongPassword.send(post("https://localhost:\(server.port)/echo"), timeout: .seconds(120))
      Issue.record("expected the proxy to refuse")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .notSent)
      #expect(failure.message.contains("HTTP 407"))
      #expect(failure.message.contains("127.0.0.1:\(proxy.port)"))
      #expect(!failure.message.contains("nope"), "proxy credentials never appear in messages")
    }
  }

  /// async-http-client tunnels plain http through the proxy too (`CONNECT`), never absolute form.
  @Test func httpGoesThroughTheProxyUnlessNoProxySaysSo() async throws {
    let server = try await HTTPPeer.server()
    defer { server.stop() }
    let proxy = try await HTTPPeer.proxy()
    defer { proxy.stop() }
    let proxied = AsyncHTTPTransport(proxy: ProxySettings(httpProxy: ProxyServer(host: "127.0.0.1", port: proxy.port)))
    let response = try await proxied.send(post("http://localhost:\(server.port)/echo?x=1"), timeout: .seconds(120))
    #expect(try HTTPPeer.echo(response)["target"] as? String == "/echo?x=1")
    let direct = AsyncHTTPTransport(
      proxy: ProxySettings(httpProxy: ProxyServer(host: "127.0.0.1", port: proxy.port), noProxy: ["localhost"]))
    _ = try await direct.send(post("http://localhost:\(server.port)/echo"), timeout: .seconds(120))
    let stats = try await HTTPPeer.stats(proxy)
    #expect(stats["connects"] as? [String] == ["localhost:\(server.port)"], "one tunnel, for the proxied request")
    #expect((stats["forwards"] as? [Any])?.isEmpty == true)
    #expect(try await HTTPPeer.stats(server)["requests"] as? Int == 2)
  }
}

/// Timeouts against a server that never answers, through the real transport.
@Suite(.ownThreads)
struct AsyncHTTPTransportTimeoutTests {
  @Test func silentServerTimesOutAmbiguously() async throws {
    let listener = try SilentListener()
    let request = HTTPRequest(method: "POST", url: listener.endpoint.appendingPathComponent("/"), body: Data("{}".utf8))
    do {
      _ = try await AsyncHTTPTransport().send(request, timeout: .seconds(1))
      Issue.record("expected a timeout")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .ambiguous)
      #expect(failure.message.contains("timed out"))
    }
  }

  @Test func updateAfterTimeoutIsNotResentButReadsAreRetried() async throws {
    let listener = try SilentListener()
    let recorder = Recorder()
    let client = AWSJSONClient(
      endpoint: listener.endpoint, region: "us-east-1",
      credentials: FixedCredentialProvider(value: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")),
      sleep: { recorder.sleep($0) }, log: recorder, timeout: .seconds(1))
    await #expect(throws: AmbiguousWriteFailure.self) {
      try await client.call(
        operation: "UpdateSecretVersionStage",
        input: SecretsManagerShapes.UpdateSecretVersionStageInput(
          secretId: "app", step: StageStep(versionStage: "AWSCURRENT", moveToVersionId: "v2")))
    }
    #expect(recorder.entries.count == 1)
    do {
      _ = try await client.call(operation: "DescribeSecret", input: SecretsManagerShapes.SecretIdInput(SecretId: "app"))
      Issue.record("expected a transport error")
    } catch let error as SecretsError {
      guard case .transport(let message) = error else {
        Issue.record("expected .transport, got \(error)")
        return
      }
      #expect(message.contains("timed out"))
    }
    #expect(recorder.entries.count == 4)
    #expect(recorder.entries.last?.attempt == 3)
    #expect(recorder.entries.last?.outcome == "transport")
  }
}
