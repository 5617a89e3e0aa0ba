import Foundation
import Testing

@testable import SecretsClient

struct URLSessionTransportTests {
  @Test func refusedConnectionIsNotSentAndSaysSo() async throws {
    let port = try MotoServer.freePort()
    let transport = URLSessionTransport()
    let request = HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1:\(port)/")!, body: Data("{}".utf8))
    do {
      _ = try await transport.send(request, timeout: .seconds(5))
      Issue.record("expected a transport failure")
    } catch let failure as TransportFailure {
      #expect(failure.kind == .notSent)
      #expect(failure.message.contains("127.0.0.1:\(port)"))
      #expect(failure.message.contains("connection refused"))
      #expect(failure.secretsError == .transport(failure.message))
    }
  }

  @Test func urlErrorsMapToClearMessages() {
    let url = URL(string: "https://secretsmanager.eu-west-1.amazonaws.com/")!
    let timedOut = URLSessionTransport.failure(for: URLError(.timedOut), url: url)
    #expect(timedOut.kind == .ambiguous)
    #expect(timedOut.message.contains("timed out"))
    #expect(timedOut.message.contains("secretsmanager.eu-west-1.amazonaws.com"))
    #expect(URLSessionTransport.failure(for: URLError(.networkConnectionLost), url: url).kind == .ambiguous)
    let dns = URLSessionTransport.failure(for: URLError(.cannotFindHost), url: url)
    #expect(dns.kind == .notSent)
    #expect(dns.message.contains("DNS"))
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
    let response = try await URLSessionTransport().send(signer.signed(request, at: Date()), timeout: .seconds(10))
    #expect(response.status == 200)
    let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
    #expect(json?["SecretList"] is [Any])
  }
}
