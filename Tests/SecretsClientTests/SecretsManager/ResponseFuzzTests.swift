import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// Mutated AWS responses never crash the decoders: each call either succeeds or fails with
/// a SecretsError that says something (100,000 inputs in all).
@Suite(.ownThreads)
struct ResponseFuzzTests {
  static let listPage = Array(
    #"{"SecretList":[{"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:a-1","Name":"a","CreatedDate":1.7e9,"LastChangedDate":null,"Tags":[{"Key":"k","Value":"v"}],"RotationEnabled":true,"RotationRules":{"AutomaticallyAfterDays":30},"SecretVersionsToStages":{"v1":["AWSCURRENT"],"v2":null}}],"NextToken":null}"#
      .utf8)
  static let describe = Array(
    #"{"ARN":"arn:x","Name":"a","Description":"d","OwningService":null,"DeletedDate":1.8e9,"VersionIdsToStages":{"v1":["AWSCURRENT","AWSPENDING"]},"LastRotatedDate":1.7e9}"#
      .utf8)
  static let versions = Array(
    #"{"Versions":[{"VersionId":"v1","VersionStages":["AWSCURRENT"],"CreatedDate":1.7e9,"LastAccessedDate":null},{"VersionId":"v2"}],"ARN":"arn:x","Name":"a"}"#
      .utf8)
  static let error = Array(
    #"{"__type":"com.amazonaws#ResourceNotFoundException","message":"Secrets Manager can't find it."}"#.utf8)

  @Test(arguments: 0..<6)
  func mutatedResponsesNeverCrashTheBackend(block: Int) async throws {
    var rng = SplitMix64(seed: UInt64(1000 + block))
    var succeeded = 0
    var failed = 0
    for _ in 0..<5_000 {
      // One of the three responses is mutated at a time, so whole calls also succeed.
      let which = Int.random(in: 0..<3, using: &rng)
      let list = which == 0 ? StoreFuzzTests.mutate(Self.listPage, &rng) : Self.listPage
      let describe = which == 1 ? StoreFuzzTests.mutate(Self.describe, &rng) : Self.describe
      let versions = which == 2 ? StoreFuzzTests.mutate(Self.versions, &rng) : Self.versions
      let status = [200, 200, 200, 200, 400, 500].randomElement(using: &rng)!
      let transport = MockTransport { request, _ in
        let target = request.header("X-Amz-Target") ?? ""
        let body = target.hasSuffix("ListSecrets") ? list : target.hasSuffix("DescribeSecret") ? describe : versions
        return HTTPResponse(status: status, headers: ["Content-Type": "application/x-amz-json-1.1"], body: Data(body))
      }
      let backend = AWSSecretsBackend(client: .testing(transport, maxAttempts: 1))
      do {
        for try await _ in backend.listSecrets(filters: []) {}
        _ = try await backend.describeSecret("a", includeDeprecated: true)
        succeeded += 1
      } catch let error as SecretsError {
        #expect(!error.userMessage.isEmpty)
        failed += 1
      } catch {
        Issue.record("not a SecretsError: \(error)")
      }
    }
    #expect(succeeded + failed == 5_000)
    #expect(failed > 500 && succeeded > 50, "both outcomes exercised: \(succeeded) ok, \(failed) failed")
  }

  @Test func mutatedErrorResponsesAlwaysDecodeToAnError() {
    var rng = SplitMix64(seed: 99)
    for _ in 0..<70_000 {
      let body = StoreFuzzTests.mutate(Self.error, &rng)
      var headers: [String: String] = [:]
      if Bool.random(using: &rng) {
        headers["x-amzn-ErrorType"] = String(
          decoding: StoreFuzzTests.mutate(Array("ThrottlingException:http://x".utf8), &rng), as: UTF8.self)
      }
      let error = AWSErrorDecoder.decode(
        HTTPResponse(status: [400, 403, 500, 503].randomElement(using: &rng)!, headers: headers, body: Data(body)))
      #expect(!error.userMessage.isEmpty)
    }
  }
}
