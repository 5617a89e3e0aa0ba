import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient
@testable import StagingModel

/// The concurrent listing by name prefix against the names the account holds: the same
/// secrets, each once, on accounts built to make it split (crowded stems, a deep stem,
/// names that are exactly a split prefix, every legal first character, case pairs, long
/// names), in any creation order; on servers that filter as AWS documents, that ignore
/// filters or match them without case, that answer short pages, that refuse DescribeSecret.
/// The plans themselves are checked to cover every name, not only the sampled ones.
@Suite(.serialized, .ownThreads)
struct PartitionedListingTests {
  /// Splits as deep as the names allow, whatever the account's size.
  static let eager = PartitionedListing.Tuning(heavyShare: 0.02, splitCost: 0, minimumPages: 1)

  enum Order: String, CaseIterable, Sendable {
    /// Shapes mixed over the creation order, as in a grown account.
    case shuffled
    /// Created in name order: the first page sees only the first few characters.
    case sorted
  }

  /// `count` names for `seed` (a few more when `count` is small): a crowd under `prod/`,
  /// `staging/` and `dev/` over team/kind segments (on odd seeds most of it under one deep
  /// stem), names that are exactly a prefix a split may take, every legal first character,
  /// case pairs and long names.
  static func names(seed: UInt64, count: Int, order: Order = .shuffled) -> [String] {
    var generator = SplitMix64(seed: seed)
    var names = Set<String>()
    let exact = [
      "p", "pr", "pro", "prod", "prod/", "prod/p", "prod/payments", "prod/payments/", "prod/payments/db-password",
      "prod/payments/db-password/", "P", "PROD", "Prod", "PROD/", "s", "staging", "staging/", "d", "dev/", "dev/d",
    ]
    for name in exact where Int.random(in: 0..<4, using: &generator) > 0 { names.insert(name) }
    for first in PartitionedListing.alphabet {
      names.insert(first + "x\(Int.random(in: 0..<1000, using: &generator))")
      if Bool.random(using: &generator) { names.insert(first) }
    }
    for index in 0..<6 {
      let tail = String(repeating: "Kk/_+=.@-9", count: 24).prefix(200 + index * 8)
      names.insert("prod/" + tail + "\(index)")
    }
    let teams = ["payments", "search", "identity", "infra", "billing", "data", "Payments"]
    let kinds = ["db-password", "api-key", "oauth", "o", "webhook"]
    let deep = seed % 2 == 1
    while names.count < count {
      let index = names.count
      let roll = Int.random(in: 0..<100, using: &generator)
      let team = teams.randomElement(using: &generator)!
      let kind = kinds.randomElement(using: &generator)!
      switch roll {
      case ..<(deep ? 70 : 0): names.insert("prod/payments/db-password/\(index)")
      case ..<45: names.insert("prod/\(team)/\(kind)/\(index)")
      case ..<70: names.insert("staging/\(team)/\(kind)/\(index)")
      case ..<85: names.insert("dev/\(team)/\(kind)-\(index)")
      case ..<90: names.insert("Prod/\(team)/\(index)")
      case ..<93: names.insert("PROD/\(team)/\(index)")
      default: names.insert(PartitionedListing.alphabet.randomElement(using: &generator)! + "\(team).\(index)")
      }
    }
    switch order {
    case .shuffled: return names.sorted().shuffled(using: &generator)
    case .sorted: return names.sorted()
    }
  }

  static func backend(_ server: FilteringSecretsManager, tuning: PartitionedListing.Tuning = .init())
    -> AWSSecretsBackend
  {
    let client = AWSJSONClient(
      endpoint: URL(string: "https://secretsmanager.us-east-1.amazonaws.com")!, region: "us-east-1",
      credentials: FixedCredentialProvider(value: AWSCredentials(accessKeyId: "testing", secretAccessKey: "testing")),
      transport: server, sleep: { _ in })
    var backend = AWSSecretsBackend(client: client)
    backend.listRequestsPerSecond = 100_000
    backend.listTuning = tuning
    return backend
  }

  static func list(_ backend: AWSSecretsBackend) async throws -> [String] {
    var names: [String] = []
    for try await page in backend.listSecrets(filters: []) { names += page.map(\.name) }
    return names
  }

  static func pages(_ count: Int) -> Int { (count + 99) / 100 }

  // MARK: - Plans cover every name

  /// For a prefix and the names a chain read under it, every name under that prefix in the
  /// whole account (read or not) is under exactly one prefix of the plan or is one of the
  /// names it describes; a chain has 1 to 10 prefixes, all longer than the one split.
  @Test(arguments: 1...16) func aPlanCoversEveryNameUnderItsPrefix(seed: UInt64) throws {
    let order: Order = seed % 3 == 0 ? .sorted : .shuffled
    let all = Self.names(seed: seed, count: 3_000, order: order)
    var generator = SplitMix64(seed: seed)
    let someName = all.randomElement(using: &generator)!
    let prefixes = ["p", "prod/", "P", "prod/payments/db-password/", String(someName.prefix(2))]
    for prefix in prefixes {
      let under = all.filter { $0.hasPrefix(prefix) }
      guard !under.isEmpty else { continue }
      let read = Array(under.prefix([100, 700, 2_000].randomElement(using: &generator)!))
      let plan = PartitionedListing.plan(splitting: prefix, sample: read, share: 1, tuning: Self.eager)
      Self.checkCovers(plan, prefix: prefix, names: under, context: "seed \(seed) prefix \(prefix)")
    }
    let plan = try #require(PartitionedListing.firstCharacters(sample: Array(all.prefix(100)), tuning: .init()))
    #expect(plan.exactNames.isEmpty)
    #expect(Set(plan.partitions.flatMap(\.prefixes)) == Set(PartitionedListing.alphabet))
    Self.checkCovers(plan, prefix: "", names: all, context: "seed \(seed) first characters")
  }

  static func checkCovers(_ plan: PartitionedListing.Plan, prefix: String, names: [String], context: String) {
    let prefixes = plan.partitions.flatMap(\.prefixes)
    let chained = Set(prefixes)
    let described = Set(plan.exactNames)
    #expect(plan.partitions.allSatisfy { (1...10).contains($0.prefixes.count) }, "\(context)")
    #expect(chained.count == prefixes.count, "\(context): a prefix twice")
    var uncovered: [String] = []
    for name in names {
      // Every prefix of the name that a chain asks for, and the name itself if described.
      let homes =
        (1...name.count).count { chained.contains(String(name.prefix($0))) } + (described.contains(name) ? 1 : 0)
      if homes != 1 { uncovered.append("\(name) (\(homes))") }
    }
    #expect(uncovered.isEmpty, "\(context): covered other than once: \(uncovered.prefix(5))")
    if !plan.exactNames.isEmpty {
      #expect(prefixes.allSatisfy { $0.hasPrefix(prefix) && $0.count > prefix.count }, "\(context)")
      #expect(plan.exactNames.first == prefix, "\(context): the split prefix itself is described")
    }
  }

  /// A crowd under one stem is followed down the stem to where its names branch, the
  /// characters off the stem ten to a request, each node on the way described.
  @Test func aStemIsFollowedToWhereItsNamesBranch() {
    let sample = (0..<300).map { "prod/\(["a", "b", "c"][$0 % 3])\($0)" }
    let plan = PartitionedListing.plan(splitting: "p", sample: sample, share: 0.2, tuning: .init())
    #expect(plan.exactNames == ["p", "pr", "pro", "prod", "prod/"])
    let alone = plan.partitions.filter { $0.share > 0 }.map(\.prefixes)
    #expect(alone == [["prod/a"], ["prod/b"], ["prod/c"]])
    // 5 nodes of 69 children, less the 3 seen and the 4 followed: 338 near-empty prefixes.
    #expect(plan.partitions.filter { $0.share == 0 }.count == 34)
    #expect(plan.partitions.allSatisfy { $0.prefixes.count <= 10 })
    // Light, or too few names to learn from: no split.
    #expect(PartitionedListing.plan(splitting: "p", sample: sample, share: 0.05, tuning: .init()).exactNames == [])
    #expect(PartitionedListing.plan(splitting: "p", sample: ["pa", "pb"], share: 1, tuning: .init()).exactNames == [])
    // A name with a character AWS does not allow would be under no child: no split.
    #expect(
      PartitionedListing.plan(splitting: "p", sample: sample + ["p ü"], share: 1, tuning: .init()).exactNames == [])
    #expect(PartitionedListing.firstCharacters(sample: ["a", " b"], tuning: .init()) == nil)
  }

  @Test func aBundleSeparatesThePrefixesItsFirstPageSaw() throws {
    let bundle = PartitionedListing.Partition(prefixes: ["a", "b", "c", "d"], share: 0.2)
    let plan = try #require(PartitionedListing.separate(bundle, sample: ["b1", "b2", "b3", "d1"]))
    #expect(plan.exactNames.isEmpty)
    #expect(plan.partitions.map(\.prefixes) == [["b"], ["d"], ["a", "c"]])
    #expect(plan.partitions.map { ($0.share * 100).rounded() } == [15, 5, 0])
    // Nothing seen (an empty page with a token): nothing to learn, no split.
    #expect(PartitionedListing.separate(bundle, sample: []) == nil)
  }

  @Test func packingKeepsChainsLightAndRequestsFull() {
    let leaves =
      [0.5, 0.03, 0.03, 0.03, 0, 0, 0].enumerated().map {
        PartitionedListing.Partition(prefixes: ["\($0.offset)"], share: $0.element)
      } + (0..<25).map { PartitionedListing.Partition(prefixes: ["z\($0)"], share: 0) }
    let bins = PartitionedListing.pack(leaves, heavyShare: 0.08)
    #expect(bins.first == .init(prefixes: ["0"], share: 0.5))
    #expect(bins.contains { $0.prefixes == ["1", "2"] })
    #expect(bins.allSatisfy { $0.prefixes.count <= 10 && ($0.share <= 0.08 || $0.prefixes.count == 1) })
    #expect(bins.filter { $0.share == 0 }.count == 3)
    #expect(Set(bins.flatMap(\.prefixes)) == Set(leaves.flatMap(\.prefixes)))
  }

  // MARK: - Whole listings

  /// The partitioned listing lists every name once, on accounts small and large, mixed or
  /// created in name order, split as deep as the names allow or as the defaults choose.
  @Test(arguments: [(UInt64(1), 60), (2, 700), (3, 2_500), (4, 2_500), (5, 12_000), (6, 12_000), (8, 400)])
  func theListingHoldsEveryNameOnce(seed: UInt64, count: Int) async throws {
    for order in Order.allCases {
      for tuning in [Self.eager, PartitionedListing.Tuning()] {
        let expected = Self.names(seed: seed, count: count, order: order)
        let server = FilteringSecretsManager(names: expected)
        let listed = try await Self.list(Self.backend(server, tuning: tuning))
        let context = "seed \(seed), \(expected.count) names, \(order), heavy at \(tuning.heavyShare)"
        #expect(listed.count == Set(listed).count, "\(context): a secret listed twice")
        #expect(
          Set(listed) == Set(expected), "\(context): missing \(Set(expected).subtracting(listed).sorted().prefix(5))")
        #expect(server.filtersSent.allSatisfy { $0.count <= 10 }, "\(context)")
        if tuning == Self.eager, expected.count > 1_000, order == .shuffled {
          // It did split below the first characters, and described the nodes it split.
          #expect(server.count("DescribeSecret") > 0, "\(context)")
          #expect(server.filtersSent.contains { $0.contains { $0.hasPrefix("prod/") } }, "\(context)")
        }
      }
    }
  }

  /// The defaults on a small account split by first character only: no DescribeSecret and a
  /// few requests beyond the pages. On a large one, the crowded stems are split below it.
  @Test func theDefaultsSplitDeepOnlyWhenTheAccountIsLarge() async throws {
    let small = FilteringSecretsManager(names: Self.names(seed: 10, count: 2_000))
    #expect(try await Self.list(Self.backend(small)).count == small.names.count)
    #expect(small.count("DescribeSecret") == 0)
    #expect(small.count("ListSecrets") <= Self.pages(2_000) + 30, "\(small.count("ListSecrets"))")

    let large = FilteringSecretsManager(names: Self.names(seed: 12, count: 40_000))
    #expect(Set(try await Self.list(Self.backend(large))) == Set(large.names))
    #expect(large.count("DescribeSecret") > 0)
    #expect(large.filtersSent.contains { $0.contains { $0.hasPrefix("prod/") } })
    // Splits cost requests, but fewer than the pages.
    #expect(large.count("ListSecrets") < Self.pages(40_000) * 2, "\(large.count("ListSecrets"))")
  }

  /// Pages that come back short with a token (AWS's filtered pages may), DescribeSecret
  /// refused on every node a split would describe, a node's name scheduled for deletion.
  @Test(arguments: [UInt64(21), 22]) func quirksStillGiveEveryNameOnce(seed: UInt64) async throws {
    let expected = Self.names(seed: seed, count: 4_000)
    let nodes = Set(expected.flatMap { name in (1...min(name.count, 27)).map { String(name.prefix($0)) } })
    var deniedOptions = FilteringSecretsManager.Options()
    deniedOptions.describeDenied = nodes
    var deletedOptions = FilteringSecretsManager.Options()
    deletedOptions.deleted = ["prod/payments/", "prod/", "pr", "st", "staging/"]
    var shortOptions = FilteringSecretsManager.Options()
    shortOptions.shortPages = true
    let accounts = [
      ("denied", expected, deniedOptions),
      ("deleted", expected.filter { !deletedOptions.deleted.contains($0) }, deletedOptions),
      ("short pages", expected, shortOptions),
    ]
    for (quirk, names, options) in accounts {
      let server = FilteringSecretsManager(names: names, options: options)
      let listed = try await Self.list(Self.backend(server, tuning: Self.eager))
      #expect(listed.count == Set(listed).count, "seed \(seed), \(quirk): a secret listed twice")
      #expect(
        Set(listed) == Set(names),
        "seed \(seed), \(quirk): \(Set(names).symmetricDifference(listed).sorted().prefix(5))")
      #expect(server.count("DescribeSecret") > 0, "seed \(seed), \(quirk)")
    }
  }

  /// A server that ignores filters, or matches them without case, shows a name outside a
  /// chain's prefixes: the rest comes from the serial chain, still each secret once.
  @Test(arguments: [false, true]) func aServerThatDoesNotFilterAsAWSGetsTheSerialChain(ignores: Bool) async throws {
    var options = FilteringSecretsManager.Options()
    if ignores { options.ignoresFilters = true } else { options.caseInsensitive = true }
    let expected = Self.names(seed: 31, count: 3_000)
    let server = FilteringSecretsManager(names: expected, options: options)
    let listed = try await Self.list(Self.backend(server, tuning: Self.eager))
    #expect(listed.count == expected.count)
    #expect(Set(listed) == Set(expected))
    // The serial chain's pages, the first page and what the chains sent before it gave up.
    #expect(server.count("ListSecrets") <= Self.pages(3_000) + 1 + 16 * 2, "\(server.count("ListSecrets"))")
  }

  /// moto (a real emulator's filters, DescribeSecret and wire) against its own serial chain.
  @Test(arguments: [UInt64(1), 2]) func theConcurrentListingEqualsTheSerialOneOnMoto(seed: UInt64) async throws {
    let server = try await MotoServer.start()
    defer { server.stop() }
    let expected = Self.names(seed: seed, count: 450)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
    try expected.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    try await server.seed(["names", file.path])

    let log = RequestCounter()
    var concurrent = server.backend(log: log)
    concurrent.listRequestsPerSecond = 1_000
    concurrent.listTuning = Self.eager
    var serial = server.backend()
    serial.listConcurrency = 1
    let listed = try await Self.list(concurrent)
    let chained = try await Self.list(serial)
    #expect(listed.count == Set(listed).count, "seed \(seed): a secret listed twice")
    #expect(Set(listed) == Set(expected), "seed \(seed): \(Set(expected).subtracting(listed).sorted().prefix(10))")
    #expect(Set(chained) == Set(expected))
    // It did split below the first characters.
    #expect(log.count("ListSecrets") > Self.pages(expected.count) + 7, "seed \(seed)")
    #expect(log.count("DescribeSecret") > 0, "seed \(seed)")
  }

  @Test func aServerThatIgnoresFiltersOnTheWireGetsTheSerialChain() async throws {
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
