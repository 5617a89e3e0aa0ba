import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// The concurrent listing by name prefix against a serial chain of NextTokens: the same
/// secrets, each once, on accounts built to make it split (a crowded `prod/` prefix, names
/// that are exactly a prefix, every legal first character, case pairs), and on a server
/// that ignores filters (it falls back to the serial chain).
@Suite(.serialized, .ownThreads)
struct PartitionedListingTests {
  /// About 400 names for `seed`: every legal first character, some single-character names,
  /// case pairs, long names, and a crowd under `prod/` (one chain of several pages).
  static func names(seed: UInt64) -> [String] {
    var generator = SplitMix64(seed: seed)
    var names = Set<String>()
    for first in PartitionedListing.alphabet {
      names.insert(first + "x\(Int.random(in: 0..<1000, using: &generator))")
      if Bool.random(using: &generator) { names.insert(first) }
    }
    for exact in ["p", "pr", "pro", "prod", "PROD", "Prod/a"] { names.insert(exact) }
    for index in 0..<(220 + Int.random(in: 0..<60, using: &generator)) {
      names.insert("prod/service-\(index)/" + String(repeating: "k", count: Int.random(in: 1...40, using: &generator)))
    }
    for index in 0..<40 { names.insert("staging/\(index)") }
    return names.sorted()
  }

  static func list(_ backend: AWSSecretsBackend) async throws -> [String] {
    var names: [String] = []
    for try await page in backend.listSecrets(filters: []) { names += page.map(\.name) }
    return names
  }

  @Test(arguments: [UInt64(1), 2]) func theConcurrentListingEqualsTheSerialOne(seed: UInt64) async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    let expected = Self.names(seed: seed)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
    try expected.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    try await server.seed(["names", file.path])

    let log = RequestCounter()
    var concurrent = server.backend(log: log)
    concurrent.listConcurrency = 8
    concurrent.listRequestsPerSecond = 1_000
    var serial = server.backend()
    serial.listConcurrency = 1
    let listed = try await Self.list(concurrent)
    let chained = try await Self.list(serial)
    #expect(listed.count == Set(listed).count, "seed \(seed): a secret listed twice")
    #expect(Set(listed) == Set(expected), "seed \(seed): \(Set(expected).subtracting(listed).sorted().prefix(10))")
    #expect(Set(chained) == Set(expected))
    // It did split: more ListSecrets than the serial chain's pages.
    #expect(log.count("ListSecrets") > (expected.count + 99) / 100, "seed \(seed)")
  }

  @Test func aServerThatIgnoresFiltersGetsTheSerialChain() async throws {
    let peer = try await WirePeer.start(secrets: 450)
    defer { peer.stop() }
    let endpoint = WirePeer.endpoint(peer, "plain")
    let client = AWSJSONClient(
      endpoint: endpoint, region: "us-east-1",
      credentials: FixedCredentialProvider(value: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")))
    var backend = AWSSecretsBackend(client: client, customEndpoint: endpoint)
    backend.listRequestsPerSecond = 1_000
    let listed = try await Self.list(backend)
    #expect(listed.count == 450)
    #expect(Set(listed).count == 450)
  }

  /// Secrets already passed on are remembered by 128 bits of their ARN: equal ARNs (as
  /// Strings compare, canonical equivalents included) give equal keys, and 200,000 ARNs that
  /// differ by a character give 200,000 keys.
  @Test func seenKeysTellARNsApart() {
    #expect(
      SeenKey("arn:aws:secretsmanager:us-east-1:1:secret:a") == SeenKey("arn:aws:secretsmanager:us-east-1:1:secret:a"))
    #expect(SeenKey("caf\u{E9}") == SeenKey("cafe\u{301}"))
    #expect(SeenKey("a") != SeenKey("b"))
    var keys = Set<SeenKey>()
    for index in 0..<200_000 {
      keys.insert(SeenKey("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-\(index)-AbCdEf"))
    }
    #expect(keys.count == 200_000)
    #expect(Set(keys.map(\.high)).count == 200_000 && Set(keys.map(\.low)).count == 200_000)
  }

  @Test func aGroupSplitsIntoOneChainACharacterAndNoFurther() {
    #expect(PartitionedListing.split(["a", "b", "c"]) == .split([["a"], ["b"], ["c"]]))
    #expect(PartitionedListing.split(["p"]) == nil)
    // Every legal first character is in some chain, once, at most 10 to a request.
    let initial = PartitionedListing.chunks(PartitionedListing.alphabet)
    #expect(initial.flatMap { $0 }.count == 69)
    #expect(Set(initial.flatMap { $0 }).count == 69)
    #expect(initial.allSatisfy { $0.count <= PartitionedListing.valuesPerRequest })
  }
}

/// Counts requests per operation.
final class RequestCounter: RequestLog, @unchecked Sendable {
  private let lock = NSLock()
  private var counts: [String: Int] = [:]
  func record(_ entry: RequestLogEntry) {
    guard entry.attempt > 0 else { return }
    lock.withLock { counts[entry.operation, default: 0] += 1 }
  }
  func count(_ operation: String) -> Int { lock.withLock { counts[operation] ?? 0 } }
}
