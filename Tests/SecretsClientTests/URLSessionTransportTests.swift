import Foundation
import StagehandTestSupport
import StagingModel
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

/// Timeouts against a server that never answers, through the real transport.
struct URLSessionTransportTimeoutTests {
  @Test func silentServerTimesOutAmbiguously() async throws {
    let listener = try SilentListener()
    let request = HTTPRequest(method: "POST", url: listener.endpoint.appendingPathComponent("/"), body: Data("{}".utf8))
    do {
      _ = try await URLSessionTransport().send(request, timeout: .seconds(1))
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
