import Foundation
import StagehandTestSupport
import StagingModel
import Testing

@testable import SecretsClient

/// How `AWSSecretsBackend.listSecrets` pipelines its pages: one scan per page that is also
/// the completeness check, and the next request started from the token at the end of a body
/// before that body is decoded, checked against the decoded token.
@Suite(.ownThreads)
struct ListSecretsPipelineTests {
  static func token(_ request: HTTPRequest) -> String? {
    let body = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
    return body?["NextToken"] as? String
  }

  static func names(_ backend: AWSSecretsBackend) async throws -> [[String]] {
    var pages: [[String]] = []
    for try await page in backend.listSecrets(filters: []) { pages.append(page.map(\.name)) }
    return pages
  }

  /// The first answer to page one is damaged in the middle but ends in a readable token; the
  /// client waits before asking page one again until the request for page two has arrived.
  /// So page two is requested while page one is not decoded yet (it cannot be until asked
  /// again), and that early request serves: page two is requested once. Without the early
  /// request the test would wait forever; the limit only turns that into a failure, and is
  /// as generous as the others because on two cores tests that block wait for a thread.
  @Test(.timeLimit(.minutes(10)))
  func theNextRequestStartsBeforeThePageIsDecoded() async throws {
    let (pageTwoAsked, signal) = AsyncStream.makeStream(of: Void.self)
    let transport = MockTransport { request, index in
      switch Self.token(request) {
      case nil where index == 1:
        return MockTransport.json(200, #"{"SecretList":[{"Name":"a"}{"Name":"b"}],"NextToken":"t2"}"#)
      case nil:
        return MockTransport.json(200, #"{"SecretList":[{"Name":"a"},{"Name":"b"}],"NextToken":"t2"}"#)
      default:
        signal.yield()
        return MockTransport.json(200, #"{"SecretList":[{"Name":"c"}]}"#)
      }
    }
    let testing = AWSJSONClient.testing(transport)
    let client = AWSJSONClient(
      endpoint: testing.endpoint, region: testing.region, credentials: testing.credentials, transport: transport,
      clock: testing.clock, retryPolicy: testing.retryPolicy,
      sleep: { _ in _ = await pageTwoAsked.first { _ in true } }, random: testing.random)
    #expect(try await Self.names(AWSSecretsBackend.serial(client: client)) == [["a", "b"], ["c"]])
    #expect(transport.requests.map(Self.token) == [nil, "t2", nil])
  }

  /// A damaged first answer whose last bytes name another token: the early request it
  /// started is dropped, and the listing follows the token of the page as decoded.
  @Test func aWrongEarlyTokenGivesWayToTheDecodedOne() async throws {
    let transport = MockTransport { request, index in
      switch Self.token(request) {
      case nil where index == 1:
        return MockTransport.json(200, #"{"SecretList":[{"Name":"a"}}],"NextToken":"evil"}"#)
      case nil:
        return MockTransport.json(200, #"{"SecretList":[{"Name":"a"}],"NextToken":"t2"}"#)
      case "evil":
        return MockTransport.json(200, #"{"SecretList":[{"Name":"WRONG"}]}"#)
      default:
        return MockTransport.json(200, #"{"SecretList":[{"Name":"c"}]}"#)
      }
    }
    let recorder = Recorder()
    let backend = AWSSecretsBackend.serial(client: .testing(transport, recorder: recorder))
    #expect(try await Self.names(backend) == [["a"], ["c"]])
    #expect(transport.requests.filter { Self.token($0) == nil }.count == 2)
    #expect(transport.requests.filter { Self.token($0) == "t2" }.count == 1)
    #expect(recorder.entries.filter { $0.outcome == "malformed" }.count == 1)
  }

  /// A cut-off page is asked again, never decoded in part.
  @Test func aTruncatedPageIsAskedAgain() async throws {
    let transport = MockTransport { request, index in
      switch (Self.token(request), index) {
      case (nil, 1): return MockTransport.json(200, #"{"SecretList":[{"Name":"a"},{"Na"#)
      case (nil, _): return MockTransport.json(200, #"{"SecretList":[{"Name":"a"},{"Name":"b"}],"NextToken":"t2"}"#)
      default: return MockTransport.json(200, #"{"SecretList":[{"Name":"c"}],"NextToken":null}"#)
      }
    }
    let recorder = Recorder()
    let backend = AWSSecretsBackend.serial(client: .testing(transport, recorder: recorder))
    #expect(try await Self.names(backend) == [["a", "b"], ["c"]])
    // Page two may be logged before page one: it is asked while page one is decoded.
    #expect(recorder.entries.map(\.outcome).sorted() == ["malformed", "ok", "ok"])
    #expect(recorder.entries.first?.outcome == "malformed")
  }

  /// Complete JSON of the wrong shape is an answer, not damage: it fails at once with what
  /// is wrong, without being asked again.
  @Test func aCompletePageOfTheWrongShapeFailsWithoutRetrying() async throws {
    let transport = MockTransport { request, _ in
      Self.token(request) == nil
        ? MockTransport.json(200, #"{"SecretList":[null],"NextToken":"t2"}"#)
        : MockTransport.json(200, #"{"SecretList":[]}"#)
    }
    let backend = AWSSecretsBackend.serial(client: .testing(transport))
    do {
      _ = try await Self.names(backend)
      Issue.record("a page of the wrong shape was accepted")
    } catch let error as SecretsError {
      #expect(error.userMessage.hasPrefix("Unexpected response: ListSecrets: expected an object"), "\(error)")
    }
    #expect(transport.requests.filter { Self.token($0) == nil }.count == 1)
  }
}

extension AWSSecretsBackend {
  /// A backend that lists with one chain of NextTokens: the pipeline these tests hold to.
  static func serial(client: AWSJSONClient) -> AWSSecretsBackend {
    var backend = AWSSecretsBackend(client: client)
    backend.listConcurrency = 1
    return backend
  }
}
