import Foundation
import NIOConcurrencyHelpers
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// The estate over fake pairs: concurrency bounded, a pair's failure its own, a refused token
/// read as "Region not enabled" only where the profile works elsewhere, and one target per
/// change.
@Suite(.ownThreads)
struct EstateBackendTests {
  /// How many pairs are listing at once, at most.
  final class Gauge: Sendable {
    private let state = NIOLockedValueBox((now: 0, most: 0))
    func enter() {
      state.withLockedValue {
        $0.now += 1; $0.most = max($0.most, $0.now)
      }
    }
    func leave() { state.withLockedValue { $0.now -= 1 } }
    var most: Int { state.withLockedValue { $0.most } }
  }

  /// A pair holding `secrets`, or failing every call with `failure`.
  struct FakePair: SecretsBackend {
    var secrets: [Secret] = []
    var failure: SecretsError?
    var gauge: Gauge?
    var displayName: String { "fake" }
    var isReadOnly: Bool { false }

    func listSecrets(filters: [ListFilter]) -> AsyncThrowingStream<[Secret], any Error> {
      AsyncThrowingStream { continuation in
        Task {
          gauge?.enter()
          try? await Task.sleep(for: .milliseconds(20))
          gauge?.leave()
          if let failure { return continuation.finish(throwing: failure) }
          continuation.yield(secrets)
          continuation.finish()
        }
      }
    }

    func describeSecret(_ secretId: String, includeDeprecated: Bool) async throws -> Secret {
      if let failure { throw failure }
      guard let found = secrets.first(where: { $0.name == secretId || $0.arn == secretId }) else {
        throw SecretsError.service(code: "ResourceNotFoundException", message: "not here")
      }
      return found
    }

    func updateSecretVersionStage(secretId: String, step: StageStep) async throws {
      _ = try await describeSecret(secretId, includeDeprecated: false)
    }
    func secretValue(secretId: String, versionId: VersionID) async throws -> SecretValue {
      SecretValue(versionId: versionId, string: nil, binary: nil)
    }
    func hasValue(secretId: String, versionId: VersionID) async throws -> Bool { false }
    func rotateSecret(secretId: String, request: RotationRequest) async throws {}
    func putPendingValue(secretId: String, token: VersionID, value: SecretPayload) async throws {}
    func cancelRotation(secretId: String) async throws {}
  }

  static func secret(_ name: String, region: String) -> Secret {
    Secret(name: name, arn: "arn:aws:secretsmanager:\(region):123456789012:secret:\(name)-AbCdEf")
  }

  static func member(_ profile: String?, _ region: String, _ backend: FakePair) -> EstateMember {
    EstateMember(origin: SecretOrigin(profile: profile, region: region), backend: .success(backend))
  }

  @Test(arguments: [1, 2, 3, 8]) func listingRunsAtMostParallelismPairsAtOnce(parallelism: Int) async {
    let gauge = Gauge()
    let regions = (1...10).map { "region-\($0)" }
    let estate = EstateBackend(
      members: regions.map { Self.member(nil, $0, FakePair(secrets: [Self.secret("s", region: $0)], gauge: gauge)) },
      isReadOnly: false, parallelism: parallelism)
    var listed: [String] = []
    for await event in estate.events(filters: []) {
      if case .page(let origin, let page) = event {
        #expect(page.allSatisfy { $0.origin == origin })
        listed.append(origin.region)
      }
    }
    #expect(Set(listed) == Set(regions))
    #expect(gauge.most <= parallelism)
    #expect(gauge.most >= min(parallelism, 2), "pairs did run side by side")
  }

  @Test func aRefusedTokenIsARegionNotEnabledOnlyWhereTheProfileWorksElsewhere() async {
    let refused = SecretsError.service(code: "UnrecognizedClientException", message: "The security token is invalid.")
    let estate = EstateBackend(
      members: [
        Self.member("prod", "us-east-1", FakePair(secrets: [Self.secret("a", region: "us-east-1")])),
        Self.member("prod", "me-south-1", FakePair(failure: refused)),
        Self.member("stale", "us-east-1", FakePair(failure: refused)),
        Self.member("denied", "us-east-1", FakePair(failure: .service(code: "AccessDeniedException", message: "no"))),
        EstateMember(
          origin: SecretOrigin(profile: "missing", region: "us-east-1"),
          backend: .failure(SecretsError.configuration("The profile \"missing\" was not found."))),
      ], isReadOnly: false)
    var skipped: [SecretOrigin] = []
    var failed: [String] = []
    var pages = 0
    for await event in estate.events(filters: []) {
      switch event {
      case .notEnabled(let origin): skipped.append(origin)
      case .failed(let origin, _): failed.append(origin.profile ?? "")
      case .page: pages += 1
      case .finished: break
      }
    }
    #expect(skipped == [SecretOrigin(profile: "prod", region: "me-south-1")])
    #expect(Set(failed) == ["stale", "denied", "missing"], "a token refused everywhere is bad credentials")
    // Denied and missing are reported as they fail; a refused token only once every pair is
    // done, when it is known whether the profile worked elsewhere.
    #expect(failed.last == "stale", "\(failed)")
    #expect(pages == 1)

    // As a plain backend: the pages that worked, then one error naming the failed pairs.
    var names: [String] = []
    do {
      for try await page in estate.listSecrets(filters: []) { names += page.map(\.name) }
      Issue.record("the failures were not reported")
    } catch let failure as EstateListingFailure {
      #expect(failure.failures.map { $0.0.profile } == ["stale", "denied", "missing"])
    } catch {
      Issue.record("\(error)")
    }
    #expect(names == ["a"])
  }

  @Test func aSecretIsAddressedInExactlyOnePair() async throws {
    let east = FakePair(secrets: [Self.secret("both", region: "us-east-1"), Self.secret("east", region: "us-east-1")])
    let west = FakePair(secrets: [Self.secret("both", region: "eu-west-1")])
    let estate = EstateBackend(
      members: [Self.member(nil, "us-east-1", east), Self.member(nil, "eu-west-1", west)], isReadOnly: false)

    let found = try await estate.describeSecret("east", includeDeprecated: false)
    #expect(found.origin == SecretOrigin(profile: nil, region: "us-east-1"))

    await #expect(throws: AmbiguousSecret.self) {
      _ = try await estate.describeSecret("both", includeDeprecated: false)
    }
    let arn = Self.secret("both", region: "eu-west-1").arn!
    #expect(try await estate.describeSecret(arn, includeDeprecated: false).origin?.region == "eu-west-1")

    do {
      _ = try await estate.describeSecret("nowhere", includeDeprecated: false)
      Issue.record("found a secret no pair has")
    } catch let error as SecretsError {
      #expect(error.code == "ResourceNotFoundException")
    }
  }

  @Test func theRegionOfAnARN() {
    #expect(EstateBackend.region(ofARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:a:b-x") == "eu-west-1")
    #expect(EstateBackend.region(ofARN: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:x") == "cn-north-1")
    #expect(EstateBackend.region(ofARN: "prod/db") == nil)
    #expect(EstateBackend.region(ofARN: "arn:aws:s3:::bucket") == nil)
    #expect(EstateBackend.region(ofARN: "arn:aws:secretsmanager::1:secret:x") == nil)
  }

  @Test func allMeansThePartitionOfTheProfilesRegion() {
    #expect(PartitionRegions.all(besides: "eu-west-1").contains("ap-southeast-2"))
    #expect(PartitionRegions.all(besides: "eu-west-1").count > 25)
    #expect(PartitionRegions.all(besides: "cn-north-1") == ["cn-north-1", "cn-northwest-1"])
    #expect(PartitionRegions.all(besides: "us-gov-west-1") == ["us-gov-east-1", "us-gov-west-1"])
    #expect(PartitionRegions.all(besides: "us-iso-east-1") == ["us-iso-east-1"])
  }
}
