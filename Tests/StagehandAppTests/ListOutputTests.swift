import Foundation
import SecretsClient
import StagehandApp
import StagehandTestSupport
import StagingModel
import Testing

/// `list` and `list --json` byte for byte against the code they replaced
/// (`ListOutputReference`), over random secrets built to hit every branch: wide, combining and
/// emoji characters, C0/C1 controls, bidi and zero-width characters, names around and past
/// the 60-column cut, version ids short, long and odd, many and custom labels, and the
/// managed/deleted/rotation flags; and end to end through the built binary.
@Suite(.ownThreads)
struct ListOutputTests {
  static let namePieces = [
    "prod", "/", "payments", "-", "db", "_", "a", "Z", "9", " ", ".", "名前", "🔑", "🇯🇵", "👩‍👩‍👧", "ｗｉｄｅ", "e\u{301}",
    "é", "\u{300}", "…", "\u{1B}[31m", "\u{7}", "\r\n", "\n", "\r", "\t", "\u{0}", "\u{7F}", "\u{85}", "\u{9B}",
    "\u{202E}", "\u{2066}", "\u{200B}", "\u{200D}", "\u{FEFF}", "\u{61C}", "\u{180E}", "\u{FFF9}", "\u{2028}", "\"",
    "\\",
  ]
  static let labelPool = [
    "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS", "release-1", "release-10", "release-2", "Release", "a", "b", "zeta",
    "awscurrent", "AWSCURRENT ", "é", "e\u{301}x", "lab\u{1B}el", "名前", "\u{202E}rtl", "tab\tbed", "z\u{200B}w",
  ]
  static let services = ["rds", "appflow", "app\u{1B}runner", "名前-service", "\u{202E}x"]

  static func text(_ rng: inout SplitMix64, pieces: Int) -> String {
    (0..<pieces).map { _ in namePieces.randomElement(using: &rng)! }.joined()
  }

  static func name(_ rng: inout SplitMix64) -> String {
    switch Int.random(in: 0..<10, using: &rng) {
    case 0: return text(&rng, pieces: Int.random(in: 20...45, using: &rng))  // often past 60 columns
    case 1:  // printable ASCII around the cut: 58 to 62 characters
      return String(
        (0..<Int.random(in: 58...62, using: &rng)).map { _ in "abcxyz/-_0123 ".randomElement(using: &rng)! })
    case 2, 3: return "prod/team-\(Int.random(in: 0..<1000, using: &rng))/db-password"
    default: return text(&rng, pieces: Int.random(in: 0...8, using: &rng))
    }
  }

  static func versionID(_ rng: inout SplitMix64) -> String {
    switch Int.random(in: 0..<8, using: &rng) {
    case 0:
      return String(
        (0..<Int.random(in: 0...10, using: &rng)).map { _ in "0123456789abcdef".randomElement(using: &rng)! })
    case 1: return text(&rng, pieces: Int.random(in: 1...6, using: &rng))
    default: return uuid(&rng)
    }
  }

  static func uuid(_ rng: inout SplitMix64) -> String {
    let hex = (0..<32).map { _ in "0123456789abcdef".randomElement(using: &rng)! }
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
  }

  static func date(_ rng: inout SplitMix64) -> Date? {
    Bool.random(using: &rng)
      ? Date(
        timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &rng)) / 1000)
      : nil
  }

  static func secret(_ rng: inout SplitMix64) -> Secret {
    var versions: [SecretVersion] = []
    for _ in 0..<Int.random(in: 0...4, using: &rng) {
      let labels = Set((0..<Int.random(in: 0...5, using: &rng)).map { _ in labelPool.randomElement(using: &rng)! })
      versions.append(SecretVersion(versionId: versionID(&rng), labels: labels))
    }
    var tags: [String: String] = [:]
    for _ in 0..<Int.random(in: 0...3, using: &rng) {
      tags[text(&rng, pieces: Int.random(in: 0...3, using: &rng))] = text(
        &rng, pieces: Int.random(in: 0...3, using: &rng))
    }
    return Secret(
      name: name(&rng),
      arn: Bool.random(using: &rng) ? "arn:aws:secretsmanager:us-east-1:1:secret:\(uuid(&rng))" : nil,
      description: Bool.random(using: &rng) ? text(&rng, pieces: Int.random(in: 0...6, using: &rng)) : nil,
      createdDate: date(&rng), lastChangedDate: date(&rng), rotationEnabled: Int.random(in: 0..<4, using: &rng) == 0,
      lastRotatedDate: date(&rng), nextRotationDate: date(&rng),
      owningService: Int.random(in: 0..<5, using: &rng) == 0 ? services.randomElement(using: &rng) : nil,
      deletedDate: Int.random(in: 0..<5, using: &rng) == 0 ? Date(timeIntervalSince1970: 1_800_000_000) : nil,
      primaryRegion: Int.random(in: 0..<6, using: &rng) == 0 ? text(&rng, pieces: 1) : nil,
      tags: tags, versions: versions)
  }

  /// 600 lists of 0 to 30 random secrets (the name column's width is per list), with and
  /// without a filter for the empty-list line, and the same secrets cut into random pages
  /// (some empty) as `list` gets them.
  static func lists(seed: UInt64) -> [(secrets: [Secret], pages: [[Secret]], filter: String?)] {
    var rng = SplitMix64(seed: seed)
    return (0..<600).map { _ in
      let count = Int.random(in: 0...3, using: &rng) == 0 ? 0 : Int.random(in: 1...30, using: &rng)
      let secrets = (0..<count).map { _ in secret(&rng) }
      var pages: [[Secret]] = []
      var start = 0
      while start < count || Int.random(in: 0..<3, using: &rng) == 0 {
        let end = min(count, start + Int.random(in: 0...12, using: &rng))
        pages.append(Array(secrets[start..<end]))
        start = end
      }
      return (secrets, pages, Bool.random(using: &rng) ? text(&rng, pieces: Int.random(in: 0...4, using: &rng)) : nil)
    }
  }

  @Test func tableIsTheOldTableByteForByte() {
    var seen = (cut: 0, nonASCII: 0, sorted: 0, flags: 0, empty: 0, secrets: 0)
    for (secrets, pages, filter) in Self.lists(seed: 71) {
      let expected = ListOutputReference.text(secrets, filter: filter)
      #expect(
        SecretListText.document(secrets, filter: filter) == expected, "\(String(decoding: expected, as: UTF8.self))")
      #expect(SecretListText.document(pages: pages, filter: filter) == expected, "\(pages.map(\.count))")
      seen.secrets += secrets.count
      if secrets.isEmpty { seen.empty += 1 }
      for secret in secrets {
        if DisplayText.sanitized(secret.name).count > 60 { seen.cut += 1 }
        if !secret.name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { seen.nonASCII += 1 }
        if secret.versions.contains(where: { $0.labels.count > 1 }) { seen.sorted += 1 }
        if secret.owningService != nil && secret.deletedDate != nil && secret.rotationEnabled { seen.flags += 1 }
      }
    }
    // The generator reaches what it is for.
    #expect(seen.secrets > 5_000 && seen.empty > 100)
    #expect(seen.cut > 500 && seen.nonASCII > 2_000 && seen.sorted > 3_000 && seen.flags > 20)
  }

  @Test func jsonIsTheOldJSONByteForByte() {
    var tagged = 0
    for (secrets, pages, _) in Self.lists(seed: 72) {
      let expected = ListOutputReference.json(secrets)
      #expect(SecretListJSON.document(secrets) == expected)
      #expect(SecretListJSON.document(pages: pages) == expected, "\(pages.map(\.count))")
      tagged += secrets.filter { $0.tags.count > 1 }.count
    }
    #expect(tagged > 1_000)
  }

  /// One list of 10,000 bench-shaped secrets (ASCII names, 2-3 labelled versions, tags), as
  /// `list` at 10,000 sees them.
  @Test func tenThousandSecretsAsTheOldCodeWroteThem() {
    var rng = SplitMix64(seed: 73)
    let secrets = (0..<10_000).map { index in
      Secret(
        name: "prod/payments/db-password/bench-secret-\(index)",
        arn: "arn:aws:secretsmanager:us-east-1:1:secret:x-\(index)",
        description: "Bench secret \(index)", createdDate: Self.date(&rng), rotationEnabled: index % 3 == 0,
        owningService: index % 50 == 0 ? "rds" : nil, tags: ["team": "payments", "env": "prod", "index": "\(index)"],
        versions: [
          SecretVersion(versionId: Self.uuid(&rng), labels: ["AWSCURRENT"]),
          SecretVersion(versionId: Self.uuid(&rng), labels: ["AWSPREVIOUS", "release-\(index % 7)"]),
          SecretVersion(versionId: Self.uuid(&rng), labels: index % 2 == 0 ? ["AWSPENDING"] : []),
        ])
    }
    #expect(SecretListText.document(secrets, filter: nil) == ListOutputReference.text(secrets, filter: nil))
    #expect(SecretListJSON.document(secrets) == ListOutputReference.json(secrets))
    var chunks: [[UInt8]] = []
    SecretListJSON.write(pages: [secrets]) { chunks.append(Array($0)) }
    #expect(Array(chunks.joined()) == ListOutputReference.json(secrets))
    #expect(chunks.count > 20)
  }

  /// `list --json` writes the document in chunks: together they are the document, each but
  /// the last at least the chunk size, none empty.
  @Test func jsonInChunksIsTheSameDocument() {
    var chunked = 0
    for (_, pages, _) in Self.lists(seed: 75).prefix(200) {
      let whole = SecretListJSON.document(pages: pages)
      for chunkSize in [1, 700, 4_096, 256 * 1_024] {
        var chunks: [[UInt8]] = []
        SecretListJSON.write(pages: pages, chunkSize: chunkSize) { chunks.append(Array($0)) }
        #expect(Array(chunks.joined()) == whole, "\(chunkSize)")
        #expect(chunks.dropLast().allSatisfy { $0.count >= chunkSize }, "\(chunkSize)")
        #expect(!chunks.contains { $0.isEmpty })
        if chunks.count > 2 { chunked += 1 }
      }
    }
    #expect(chunked > 200)
  }

  @Test func emptyListsSaySo() {
    #expect(String(decoding: SecretListText.document([], filter: nil), as: UTF8.self) == "No secrets.\n")
    #expect(
      String(decoding: SecretListText.document([], filter: "pr\u{1B}od"), as: UTF8.self)
        == "No secrets match \"pr␛od\".\n")
  }

  /// The binary prints what the reference makes of the same store, read back in process.
  @Test func theCommandPrintsTheseBytes() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    var rng = SplitMix64(seed: 74)
    try h.writeStore(
      (0..<40).map { index in
        // A label is on one version at most.
        var labels = Self.labelPool.shuffled(using: &rng)
        let versions = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
          (id: Self.uuid(&rng), labels: (0..<Int.random(in: 0...3, using: &rng)).compactMap { _ in labels.popLast() })
        }
        return (name: "s\(index)/" + Self.name(&rng), versions: versions)
      })
    try await expectSameOutput(h, ["--store", h.storePath], storePath: h.storePath)
    // Enough secrets for `list --json` to go out in several chunks.
    try h.writeStore(
      (0..<1_500).map { index in (name: "bulk/\(index)", versions: [(id: Self.uuid(&rng), labels: ["AWSCURRENT"])]) })
    try await expectSameOutput(h, ["--store", h.storePath], storePath: h.storePath)
    // The demo store has managed, deleted and rotating secrets, descriptions and tags.
    #expect(try await h.run(["--demo", "list"]).status == 0)
    let demo = h.directory.appendingPathComponent("data/stagehand/demo.json").path
    try await expectSameOutput(h, ["--demo"], storePath: demo)
  }

  private func expectSameOutput(_ h: CLIHarness, _ backend: [String], storePath: String) async throws {
    var secrets: [Secret] = []
    for try await page in LocalStoreBackend(path: storePath, readOnly: true).listSecrets(filters: []) {
      secrets += page
    }
    #expect(secrets.count > 5)
    let table = try await h.run(backend + ["list"])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(Array(table.stdout.utf8) == ListOutputReference.text(secrets, filter: nil))
    let json = try await h.run(backend + ["list", "--json"])
    #expect(json.status == 0, "\(json.stderr)")
    #expect(Array(json.stdout.utf8) == ListOutputReference.json(secrets))
  }
}
