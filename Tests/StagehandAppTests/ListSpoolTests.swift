import Foundation
import StagehandApp
import StagehandTestSupport
import StagingModel
import Testing

/// `list` writes each page to a spool as it arrives (`ListSpool`) and prints the spool only
/// once the listing is complete. The bytes are those of the whole-document printers
/// (`SecretListJSON.document(pages:)`, `SecretListText.document(pages:filter:)`, themselves held
/// to the code they replaced in `ListOutputTests`) over random listings of several shapes and
/// seeds, cut into chunks and read back in blocks of every size; a listing that fails on a
/// later page ends with its error, and the command then prints nothing.
@Suite(.ownThreads)
struct ListSpoolTests {
  struct PageFailed: Error, Equatable {
    var page: Int
  }

  /// The pages as `listSecrets` hands them over; with `failingAt`, the stream throws instead
  /// of that page (or at the end, when it is past the last).
  static func stream(_ pages: [[Secret]], failingAt: Int? = nil) -> AsyncThrowingStream<[Secret], any Error> {
    AsyncThrowingStream { continuation in
      for (index, page) in pages.enumerated() {
        if index == failingAt { return continuation.finish(throwing: PageFailed(page: index)) }
        continuation.yield(page)
      }
      if let failingAt, failingAt >= pages.count {
        continuation.finish(throwing: PageFailed(page: failingAt))
      } else {
        continuation.finish()
      }
    }
  }

  static func json(_ pages: [[Secret]], chunkSize: Int, blockSize: Int) async throws -> [UInt8] {
    let spool = try ListSpool()
    try await SecretListJSON.spool(stream(pages), into: spool, chunkSize: chunkSize)
    var bytes: [UInt8] = []
    try spool.read(blockSize: blockSize) { bytes.append(contentsOf: $0) }
    #expect(spool.count == bytes.count)
    return bytes
  }

  static func text(_ pages: [[Secret]], filter: String?, chunkSize: Int, blockSize: Int) async throws -> [UInt8] {
    let spool = try ListSpool()
    let table = try await SecretListText.spool(stream(pages), filter: filter, into: spool, chunkSize: chunkSize)
    #expect(table.rows == pages.reduce(0) { $0 + $1.count })
    var bytes: [UInt8] = []
    try table.write(from: spool, blockSize: blockSize, chunkSize: chunkSize) { bytes.append(contentsOf: $0) }
    return bytes
  }

  /// `count` secrets shaped like the bench's (ASCII names, 2-3 labelled versions, tags), in
  /// pages of 100 as ListSecrets gives them.
  static func benchPages(_ count: Int, seed: UInt64) -> [[Secret]] {
    var rng = SplitMix64(seed: seed)
    let secrets = (0..<count).map { index in
      Secret(
        name: "prod/payments/db-password/bench-secret-\(index)",
        arn: "arn:aws:secretsmanager:us-east-1:1:secret:x-\(index)", description: "Bench secret \(index)",
        createdDate: ListOutputTests.date(&rng), rotationEnabled: index % 3 == 0,
        tags: ["team": "payments", "env": "prod", "index": "\(index)"],
        versions: [
          SecretVersion(versionId: ListOutputTests.uuid(&rng), labels: ["AWSCURRENT"]),
          SecretVersion(versionId: ListOutputTests.uuid(&rng), labels: ["AWSPREVIOUS", "release-\(index % 7)"]),
        ])
    }
    return stride(from: 0, to: count, by: 100).map { Array(secrets[$0..<min($0 + 100, count)]) }
  }

  /// Listings of every shape `list` meets: none at all, one empty page, one page, hundreds of
  /// random ones cut into random pages (some empty), some read from several profiles and
  /// Regions (the origin columns), and 3,000 bench secrets in 30 pages (several chunks).
  static func listings(seed: UInt64) -> [(pages: [[Secret]], filter: String?)] {
    var rng = SplitMix64(seed: seed)
    var listings: [(pages: [[Secret]], filter: String?)] = [([], nil), ([[]], "pr\u{1B}od"), ([[]], nil)]
    listings.append(([(0..<Int.random(in: 1...100, using: &rng)).map { _ in ListOutputTests.secret(&rng) }], nil))
    for (_, pages, filter) in ListOutputTests.lists(seed: seed).prefix(150) {
      listings.append((pages, filter))
    }
    let origins = [
      nil, SecretOrigin(profile: nil, region: "us-east-1"), SecretOrigin(profile: "prod", region: "eu-west-1"),
      SecretOrigin(profile: "名前\u{1B}", region: "ap-southeast-2"),
    ]
    for (_, pages, filter) in ListOutputTests.lists(seed: seed + 1_000).prefix(50) {
      let placed = pages.map { page in
        page.map { secret in
          var secret = secret
          secret.origin = origins.randomElement(using: &rng)!
          return secret
        }
      }
      listings.append((placed, filter))
    }
    listings.append((benchPages(3_000, seed: seed), nil))
    return listings
  }

  @Test(arguments: [UInt64(81), 82, 83])
  func theSpooledJSONIsTheDocument(seed: UInt64) async throws {
    var shapes = (empty: 0, onePage: 0, chunked: 0)
    for (pages, _) in Self.listings(seed: seed) {
      let expected = SecretListJSON.document(pages: pages)
      // (The reference predates the origin members.)
      if !pages.joined().contains(where: { $0.origin != nil }) {
        let same = expected == ListOutputReference.json(Array(pages.joined()))
        #expect(same, "\(pages.map(\.count))")
      }
      for (chunkSize, blockSize) in [(256 * 1_024, 256 * 1_024), (1, 7), (4_096, 1)] {
        if pages.count > 10 && blockSize == 1 { continue }  // a byte a read: minutes at 3 MB
        let same = try await Self.json(pages, chunkSize: chunkSize, blockSize: blockSize) == expected
        #expect(same, "\(pages.map(\.count)) chunk \(chunkSize) block \(blockSize)")
      }
      if pages.joined().isEmpty { shapes.empty += 1 }
      if pages.count == 1 && !pages[0].isEmpty { shapes.onePage += 1 }
      if expected.count > 512 * 1_024 { shapes.chunked += 1 }
    }
    #expect(shapes.empty > 20 && shapes.onePage > 5 && shapes.chunked == 1)
  }

  @Test(arguments: [UInt64(91), 92, 93])
  func theSpooledTableIsTheTable(seed: UInt64) async throws {
    var shapes = (empty: 0, origins: 0, cut: 0)
    for (pages, filter) in Self.listings(seed: seed) {
      let expected = SecretListText.document(pages: pages, filter: filter)
      for (chunkSize, blockSize) in [(256 * 1_024, 256 * 1_024), (1, 5), (4_096, 1)] {
        if pages.count > 10 && blockSize == 1 { continue }
        let spooled = try await Self.text(pages, filter: filter, chunkSize: chunkSize, blockSize: blockSize)
        let same = spooled == expected
        #expect(same, "\(pages.map(\.count)) chunk \(chunkSize) block \(blockSize)")
      }
      let secrets = pages.joined()
      if secrets.isEmpty { shapes.empty += 1 }
      if secrets.contains(where: { $0.origin?.profile != nil }) { shapes.origins += 1 }
      if secrets.contains(where: { DisplayText.sanitized($0.name).count > SecretListText.maxNameWidth }) {
        shapes.cut += 1
      }
    }
    #expect(shapes.empty > 20 && shapes.origins > 20 && shapes.cut > 20)
  }

  /// The listing's error comes out of the spooling, whichever page it fails on (the first, a
  /// middle one, or after the last): `list` then prints nothing and exits 1 with it.
  @Test func aFailureOnALaterPageIsTheListingsError() async throws {
    let pages = Self.benchPages(500, seed: 7)
    for failingAt in [0, 1, 3, 5] {
      await #expect(throws: PageFailed(page: failingAt)) {
        try await SecretListJSON.spool(Self.stream(pages, failingAt: failingAt), into: try ListSpool())
      }
      await #expect(throws: PageFailed(page: failingAt)) {
        _ = try await SecretListText.spool(Self.stream(pages, failingAt: failingAt), filter: nil, into: try ListSpool())
      }
    }
  }

  /// The spool leaves no file behind, named or not, and reads back what was written.
  @Test(arguments: [true, false]) func theSpoolHasNoName(unnamed: Bool) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    let spool = try ListSpool(environment: ["TMPDIR": directory.path], unnamed: unnamed)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    let written = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    for piece in stride(from: 0, to: written.count, by: 70_001) {
      written[piece..<min(piece + 70_001, written.count)].withUnsafeBytes(spool.append)
    }
    try spool.check()
    #expect(spool.count == written.count)
    for blockSize in [1_000, 256 * 1_024, 1_000_000] {
      var read: [UInt8] = []
      var blocks = 0
      try spool.read(blockSize: blockSize) {
        read.append(contentsOf: $0)
        blocks += 1
      }
      #expect(read == written)
      #expect(blocks == (written.count + blockSize - 1) / blockSize)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  /// Where no spool can be made, `list` says so, exits 1 and prints nothing.
  @Test func noTemporaryFileNoOutput() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    #expect(try await h.run(["--demo", "list"]).status == 0)  // the demo store is made
    let missing = h.directory.appendingPathComponent("no-such-directory").path
    for json in [true, false] {
      let result = try await h.run(
        ["--demo", "list"] + (json ? ["--json"] : []), extraEnvironment: ["TMPDIR": missing])
      #expect(result.status == 1, "\(result.stderr)")
      #expect(result.stdout.isEmpty, "\(result.stdout.prefix(200))")
      #expect(result.stderr.contains("Can't make a temporary file in \(missing)"), "\(result.stderr)")
    }
  }
}
