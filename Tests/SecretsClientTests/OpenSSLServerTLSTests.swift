import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

/// TLS as `AsyncHTTPTransport` speaks it, against `openssl s_server`: a server that shares no
/// code with swift-nio-ssl, serving certificates from a test CA made for each test. A refused
/// certificate must stop the request before any byte of it leaves: the raw-mode server prints
/// everything it decrypts, and the marker the request carries must never show there.
@Suite(.serialized, .ownThreads) struct OpenSSLServerTLSTests {
  /// One way a server certificate must be refused: the host the client asks for, and what
  /// s_server prints about the connection the client then gives up.
  struct Refusal: CustomTestStringConvertible, Sendable {
    var leaf: String
    var host: String
    /// The PEM bundle the client trusts; nil for the system's trust store.
    var trusting: String?
    var serverSees: String
    /// What the message tells the user, beyond the handshake failing.
    var userReads: String
    var testDescription: String { "\(leaf) at \(host), trusting \(trusting ?? "the system store")" }
  }

  // swift-nio-ssl checks the name once BoringSSL is done, and then closes the connection
  // without an alert (or its Finished): the server sees its peer go mid-handshake.
  static let refusals = [
    Refusal(
      leaf: "wrong", host: "localhost", trusting: "ca.pem", serverSees: "unexpected eof",
      userReads: "the certificate is not for localhost"),
    Refusal(
      leaf: "ip-mismatch", host: "127.0.0.1", trusting: "ca.pem", serverSees: "unexpected eof",
      userReads: "the certificate is not for 127.0.0.1"),
    Refusal(
      leaf: "expired", host: "localhost", trusting: "ca.pem", serverSees: "alert certificate expired",
      userReads: "not signed by a CA in /"),
    Refusal(
      leaf: "self-signed", host: "localhost", trusting: "ca.pem", serverSees: "alert unknown ca",
      userReads: "not signed by a CA in /"),
    Refusal(
      leaf: "unknown-ca", host: "localhost", trusting: "ca.pem", serverSees: "alert unknown ca",
      userReads: "not signed by a CA in /"),
    Refusal(
      leaf: "good", host: "localhost", trusting: nil, serverSees: "alert unknown ca",
      userReads: "not signed by a CA in the system's trust store"),
  ]

  @Test func aGoodCertificateFromTheBundleIsAccepted() async throws {
    let certificates = try HTTPPeer.Certificates.makeEveryKind()
    defer { certificates.remove() }
    let server = try await OpenSSLServer.start(certificates, leaf: "good", mode: .www)
    defer { server.stop() }
    let transport = AsyncHTTPTransport(caBundle: certificates.path("ca.pem"))
    for host in ["localhost", "127.0.0.1"] {
      let response = try await transport.send(
        HTTPRequest(method: "GET", url: URL(string: "https://\(host):\(server.port)/")!), timeout: .seconds(120))
      #expect(response.status == 200, "\(host)")
      #expect(String(decoding: response.body, as: UTF8.self).contains("s_server"), "\(host): s_server's status page")
    }
  }

  /// The check the refusals rest on: a request the client does send shows up whole in what
  /// the raw-mode server prints, and the server's answer comes back.
  @Test func aTrustedRawServerPrintsTheMarkedRequest() async throws {
    let certificates = try HTTPPeer.Certificates.makeEveryKind()
    defer { certificates.remove() }
    let server = try await OpenSSLServer.start(certificates, leaf: "good", mode: .raw)
    defer { server.stop() }
    let marker = Self.marker()
    let transport = AsyncHTTPTransport(caBundle: certificates.path("ca.pem"))
    async let sent = transport.send(
      Self.markedPost("https://localhost:\(server.port)", marker: marker), timeout: .seconds(30))
    try await OpenSSLServer.answer(
      server, once: "body-\(marker)", with: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    let response = try await sent
    #expect(response.status == 200)
    #expect(response.body == Data("ok".utf8))
    let output = server.output
    #expect(output.contains("POST /\(marker) HTTP/1.1"))
    #expect(output.contains("X-Stagehand-Marker: \(marker)"))
  }

  @Test(arguments: refusals) func aBadCertificateIsRefusedBeforeAnyRequestByte(_ refusal: Refusal) async throws {
    let certificates = try HTTPPeer.Certificates.makeEveryKind()
    defer { certificates.remove() }
    let server = try await OpenSSLServer.start(certificates, leaf: refusal.leaf, mode: .raw)
    defer { server.stop() }
    let transport = AsyncHTTPTransport(caBundle: refusal.trusting.map { certificates.path($0) })
    let marker = Self.marker()
    let failure = try await Self.refused(
      transport, Self.markedPost("https://\(refusal.host):\(server.port)", marker: marker))
    #expect(failure.kind == .notSent)
    #expect(failure.message.contains("TLS handshake with \(refusal.host):\(server.port) failed"), "\(failure.message)")
    #expect(failure.message.contains(refusal.userReads), "\(failure.message)")
    #expect(
      !failure.message.contains(".swift") && !failure.message.contains(".cc"), "no source paths: \(failure.message)")
    let output = try await Self.expectNothingArrived(at: server, marker: marker, handshakes: 1)
    #expect(output.contains(refusal.serverSees), "\(output)")
  }

  @Test func tls12AndTls13OnlyServersAreBothAccepted() async throws {
    let certificates = try HTTPPeer.Certificates.makeEveryKind()
    defer { certificates.remove() }
    let transport = AsyncHTTPTransport(caBundle: certificates.path("ca.pem"))
    for version in ["1_2", "1_3"] {
      let server = try await OpenSSLServer.start(certificates, leaf: "good", mode: .www, options: ["-tls\(version)"])
      defer { server.stop() }
      let response = try await transport.send(
        HTTPRequest(method: "GET", url: URL(string: "https://localhost:\(server.port)/")!), timeout: .seconds(120))
      #expect(response.status == 200)
      // s_server's status page describes the session it answers on.
      let page = String(decoding: response.body, as: UTF8.self)
      #expect(page.contains("Protocol  : TLSv1.\(version.last!)\n"), "\(page)")
    }
  }

  /// A server that speaks only an older protocol: s_client, told to allow it, gets through
  /// (so this OpenSSL build really serves it), and the transport is refused: the server finds
  /// no protocol it speaks in the client's hello, so the client offered none below TLS 1.2.
  @Test(arguments: [("-tls1", "TLSv1"), ("-tls1_1", "TLSv1.1")])
  func olderProtocolsThanTls12AreRefused(_ option: String, _ protocolName: String) async throws {
    let certificates = try HTTPPeer.Certificates.makeEveryKind()
    defer { certificates.remove() }
    // OpenSSL 3 allows TLS 1.0 and 1.1 only at security level 0.
    let legacy = [option, "-cipher", "DEFAULT:@SECLEVEL=0"]
    let server = try await OpenSSLServer.start(certificates, leaf: "good", mode: .raw, options: legacy)
    defer { server.stop() }
    let control = try await OpenSSLServer.sendLine("control-\(Self.marker())", to: server, options: legacy)
    #expect(control.contains("Protocol  : \(protocolName)\n"), "\(control)")
    let marker = Self.marker()
    let failure = try await Self.refused(
      AsyncHTTPTransport(caBundle: certificates.path("ca.pem")),
      Self.markedPost("https://localhost:\(server.port)", marker: marker))
    #expect(failure.kind == .notSent)
    #expect(failure.message.contains("TLS handshake with localhost:\(server.port) failed"), "\(failure.message)")
    #expect(failure.message.contains("no TLS version Stagehand accepts: 1.2 or later"), "\(failure.message)")
    let output = try await Self.expectNothingArrived(at: server, marker: marker, options: legacy, handshakes: 2)
    #expect(output.contains("unsupported protocol"), "\(output)")
  }

  // MARK: - Helpers

  static func marker() -> String { "stagehand-\(UUID().uuidString)" }

  /// A write (sent once, on a connection of its own) that carries `marker` in its target, a
  /// header and its body.
  static func markedPost(_ base: String, marker: String) -> HTTPRequest {
    HTTPRequest(
      method: "POST", url: URL(string: "\(base)/\(marker)")!,
      headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Stagehand-Marker", marker)],
      body: Data("body-\(marker)".utf8), reusesConnection: false)
  }

  static func refused(_ transport: AsyncHTTPTransport, _ request: HTTPRequest) async throws -> TransportFailure {
    do {
      let response = try await transport.send(request, timeout: .seconds(120))
      throw ChildProcess.Failure(description: "expected a refusal, got HTTP \(response.status)")
    } catch let failure as TransportFailure {
      return failure
    }
  }

  /// Once a later connection's line has shown (s_server serves one at a time), nothing of the
  /// marked request is in what the server printed, and it completed only `handshakes`
  /// handshakes (s_client's); returns what it printed.
  @discardableResult
  static func expectNothingArrived(
    at server: ScriptServer, marker: String, options: [String] = [], handshakes: Int
  ) async throws -> String {
    try await OpenSSLServer.sendLine("after-\(marker)", to: server, options: options)
    let output = server.output.replacingOccurrences(of: "after-\(marker)", with: "")
    #expect(!output.contains(marker), "\(output)")
    #expect(!output.contains("POST "), "\(output)")
    #expect(!output.contains("X-Stagehand-Marker"), "\(output)")
    #expect(output.components(separatedBy: "CIPHER is").count - 1 == handshakes, "\(output)")
    return output
  }
}
