import Foundation
import StagehandApp
import StagehandTestSupport
import StagingModel
import Testing

/// `list` over several profiles and Regions (`EstateList`) spools each pair's pages as they
/// arrive, interleaved with the other pairs', and prints the spool pair by pair once every pair
/// is done (`SecretListJSON.Sections`, `SecretListText.Sections`). The bytes are those of the
/// whole-document printers over the same pages sorted by pair (in member order; within a pair,
/// in arrival order), as `EstateList` printed them when it kept every page: random estates of
/// several shapes and seeds, the pages arriving in random interleavings, cut into chunks and
/// read back in blocks of several sizes. `ListSpoolTests` holds the single-Region streaming to
/// the same printers.
@Suite(.ownThreads)
struct EstateListSpoolTests {
  /// One estate's listing: pages as they arrived, each with its pair's position among the
  /// members, and the filter given.
  struct Arrival {
    var pairs: Int
    var pages: [(pair: Int, page: [Secret])]
    var filter: String?

    /// What `EstateList` printed when it kept the pages: them sorted by pair, stably.
    var byPair: [[Secret]] {
      (0..<pairs).flatMap { pair in pages.filter { $0.pair == pair }.map(\.page) }
    }
  }

  static let origins: [SecretOrigin] = [
    SecretOrigin(profile: nil, region: "us-east-1"), SecretOrigin(profile: nil, region: "eu-west-1"),
    SecretOrigin(profile: "prod", region: "us-east-1"), SecretOrigin(profile: "prod", region: "eu-west-1"),
    SecretOrigin(profile: "staging-account-with-a-long-name", region: "ap-southeast-2"),
    SecretOrigin(profile: "名前\u{1B}", region: "me-central-1"),
  ]

  /// Estates of every shape the estate listing meets: no pair with a secret, one pair only,
  /// empty pairs and empty pages among full ones, pages of up to 100, pairs' pages interleaved
  /// in random arrival orders, secrets with their pair's origin (as listed), now and then one
  /// with another origin or none (the writers' columns either way), and a large estate of bench
  /// secrets in several chunks.
  static func estates(seed: UInt64) -> [Arrival] {
    var rng = SplitMix64(seed: seed)
    var estates: [Arrival] = [
      Arrival(pairs: 0, pages: [], filter: nil), Arrival(pairs: 3, pages: [], filter: "pr\u{1B}od"),
      Arrival(pairs: 2, pages: [(1, []), (0, [])], filter: nil),
    ]
    for _ in 0..<150 {
      let pairs = Int.random(in: 1...6, using: &rng)
      let members = Array(origins.shuffled(using: &rng).prefix(pairs))
      let stray = Int.random(in: 0...3, using: &rng) == 0
      // Each pair's pages, in the order the pair lists them.
      var queues: [[[Secret]]] = members.map { origin in
        guard Int.random(in: 0...3, using: &rng) > 0 else { return [] }  // an empty pair
        return (0..<Int.random(in: 1...5, using: &rng)).map { _ in
          let count =
            Int.random(in: 0...4, using: &rng) == 0 ? 0 : Int.random(in: 1...(pairs == 1 ? 100 : 12), using: &rng)
          return (0..<count).map { _ in
            var secret = ListOutputTests.secret(&rng)
            secret.origin = origin
            if stray && Bool.random(using: &rng) {
              secret.origin = [nil, origins.randomElement(using: &rng)!].randomElement(using: &rng)!
            }
            return secret
          }
        }
      }
      // The pairs answer in a random interleaving; each pair's pages stay in its own order.
      var pages: [(pair: Int, page: [Secret])] = []
      while let pair = queues.indices.filter({ !queues[$0].isEmpty }).randomElement(using: &rng) {
        pages.append((pair, queues[pair].removeFirst()))
      }
      let filter = Int.random(in: 0...4, using: &rng) == 0 ? "prod/\u{7}x" : nil
      estates.append(Arrival(pairs: pairs, pages: pages, filter: filter))
    }
    // 3,000 bench secrets over three pairs, arriving round-robin (several chunks).
    let bench = ListSpoolTests.benchPages(3_000, seed: seed)
    estates.append(
      Arrival(
        pairs: 3,
        pages: bench.enumerated().map { index, page in
          (
            2 - index % 3,
            page.map { secret in
              var secret = secret
              secret.origin = origins[2 - index % 3]
              return secret
            }
          )
        }, filter: nil))
    return estates
  }

  static func json(_ estate: Arrival, chunkSize: Int, blockSize: Int) throws -> [UInt8] {
    var sections = SecretListJSON.Sections(count: max(1, estate.pairs), spool: try ListSpool(), chunkSize: chunkSize)
    for (pair, page) in estate.pages {
      sections.append(page, to: pair)
      try sections.spool.check()
    }
    #expect(sections.count == estate.pages.reduce(0) { $0 + $1.page.count })
    var bytes: [UInt8] = []
    try sections.write(blockSize: blockSize) { bytes.append(contentsOf: $0) }
    return bytes
  }

  static func text(_ estate: Arrival, chunkSize: Int, blockSize: Int) throws -> [UInt8] {
    var sections = SecretListText.Sections(
      count: max(1, estate.pairs), filter: estate.filter, spool: try ListSpool(), chunkSize: chunkSize)
    for (pair, page) in estate.pages {
      sections.append(page, to: pair)
      try sections.spool.check()
    }
    #expect(sections.table.rows == estate.pages.reduce(0) { $0 + $1.page.count })
    var bytes: [UInt8] = []
    try sections.write(blockSize: blockSize) { bytes.append(contentsOf: $0) }
    return bytes
  }

  static let sizes = [(256 * 1_024, 256 * 1_024), (1, 7), (4_096, 1), (100, 3)]

  @Test(arguments: [UInt64(181), 182, 183])
  func theSpooledJSONIsTheDocumentByPair(seed: UInt64) throws {
    var shapes = (empty: 0, onePair: 0, interleaved: 0, stray: 0, chunked: 0)
    for estate in Self.estates(seed: seed) {
      let pages = estate.byPair
      var expected: [UInt8] = []
      SecretListJSON.write(pages: pages) { expected.append(contentsOf: $0) }
      #expect(expected == SecretListJSON.document(pages: pages))
      for (chunkSize, blockSize) in Self.sizes {
        if estate.pages.count > 10 && blockSize == 1 { continue }  // a byte a read: minutes at 3 MB
        let same = try Self.json(estate, chunkSize: chunkSize, blockSize: blockSize) == expected
        #expect(same, "\(estate.pages.map { ($0.pair, $0.page.count) }) chunk \(chunkSize) block \(blockSize)")
      }
      let secrets = pages.joined()
      if secrets.isEmpty { shapes.empty += 1 }
      if estate.pairs == 1 && !secrets.isEmpty { shapes.onePair += 1 }
      if zip(estate.pages, estate.pages.dropFirst()).contains(where: { $0.pair > $1.pair }) { shapes.interleaved += 1 }
      if secrets.contains(where: { $0.origin == nil }) { shapes.stray += 1 }
      if expected.count > 512 * 1_024 { shapes.chunked += 1 }
    }
    #expect(shapes.empty > 10 && shapes.onePair > 5 && shapes.interleaved > 50 && shapes.stray > 5)
    #expect(shapes.chunked == 1)
  }

  @Test(arguments: [UInt64(191), 192, 193])
  func theSpooledTableIsTheTableByPair(seed: UInt64) throws {
    var shapes = (empty: 0, filtered: 0, profiles: 0, interleaved: 0, cut: 0)
    for estate in Self.estates(seed: seed) {
      let expected = SecretListText.document(pages: estate.byPair, filter: estate.filter)
      for (chunkSize, blockSize) in Self.sizes {
        if estate.pages.count > 10 && blockSize == 1 { continue }
        let same = try Self.text(estate, chunkSize: chunkSize, blockSize: blockSize) == expected
        #expect(same, "\(estate.pages.map { ($0.pair, $0.page.count) }) chunk \(chunkSize) block \(blockSize)")
      }
      let secrets = estate.byPair.joined()
      if secrets.isEmpty { shapes.empty += 1 }
      if secrets.isEmpty && estate.filter != nil { shapes.filtered += 1 }
      if Set(secrets.map(\.origin?.profile)).count > 1 { shapes.profiles += 1 }
      if zip(estate.pages, estate.pages.dropFirst()).contains(where: { $0.pair > $1.pair }) { shapes.interleaved += 1 }
      if secrets.contains(where: { DisplayText.sanitized($0.name).count > SecretListText.maxNameWidth }) {
        shapes.cut += 1
      }
    }
    #expect(shapes.empty > 10 && shapes.filtered > 0 && shapes.profiles > 50 && shapes.interleaved > 50)
    #expect(shapes.cut > 20)
  }

  /// Pages noted under their pair come back pair by pair: runs of one pair's pages in a row
  /// are one range, and a pair with nothing noted reads as nothing.
  @Test func sectionsReadBackPairByPair() throws {
    let spool = try ListSpool()
    var sections = ListSpool.Sections(count: 3)
    for (pair, text) in [(2, "c1"), (0, "a1"), (0, "a2"), (2, "c2"), (0, ""), (0, "a3")] {
      let start = spool.count
      Array(text.utf8).withUnsafeBytes(spool.append)
      sections.note(start..<spool.count, in: pair)
    }
    #expect(Array(sections.ranges) == [2..<6, 8..<10, 0..<2, 6..<8])
    for blockSize in [1, 3, 64] {
      var read: [UInt8] = []
      try spool.read(sections.ranges, blockSize: blockSize) { read.append(contentsOf: $0) }
      #expect(String(decoding: read, as: UTF8.self) == "a1a2a3c1c2")
    }
    #expect(throws: ListSpool.Failure.self) { try spool.read([8..<11]) { _ in } }
  }
}
