import Foundation
import StagehandTestSupport
import StagehandUI
import StagingModel
import Testing

/// The rows kept step by step (a keystroke typed on reads only the rows shown, a page adds
/// its own secrets, a describe updates one row) equal the filter run afresh over every
/// secret, over many random lists and random edits of the query.
@Suite(.ownThreads) struct IncrementalFilterTests {
  /// Characters the queries and names are made of: letters of both cases, digits, the
  /// separators AWS allows, a space (a new term), a colon (term prefixes) and non-ASCII ones.
  static let alphabet = Array("abpayAWSPENDINGcurent019/-_.:  é日")
  static let words = ["label:", "service:", "rotation:", "rotation:st", "deleted:", "region:", "region:=", "replica:"]
  static let labels = ["AWSCURRENT", "AWSPREVIOUS", "AWSPENDING", "blue", "canary", "Payé"]

  static func secret(_ number: Int, rng: inout SplitMix64) -> Secret {
    let length = Int.random(in: 0...14, using: &rng)
    let stem = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! }.filter { $0 != " " })
    let name = "\(stem)-\(number)"
    let versions = (0..<Int.random(in: 0...3, using: &rng)).map { version in
      SecretVersion(
        versionId: "v\(number)-\(version)",
        labels: Set((0..<Int.random(in: 0...2, using: &rng)).map { _ in labels.randomElement(using: &rng)! }))
    }
    var secret = Secret(
      name: name, arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:\(name)-AbCdEf",
      rotationEnabled: Bool.random(using: &rng), owningService: Bool.random(using: &rng) ? "rds" : nil,
      deletedDate: Int.random(in: 0..<5, using: &rng) == 0 ? Date(timeIntervalSince1970: 0) : nil,
      primaryRegion: Int.random(in: 0..<5, using: &rng) == 0 ? "eu-west-1" : nil, versions: versions)
    if Int.random(in: 0..<4, using: &rng) == 0 { secret.versions.removeAll() }
    return secret
  }

  /// One random edit of the filter, as keys: mostly characters typed on, sometimes a whole
  /// term prefix, a backspace or a clear.
  static func edit(rng: inout SplitMix64) -> [Key] {
    switch Int.random(in: 0..<20, using: &rng) {
    case 0..<13: return [.char(alphabet.randomElement(using: &rng)!)]
    case 13..<16: return words.randomElement(using: &rng)!.map { .char($0) }
    case 16..<19: return [.backspace]
    default: return [.escape, .char("/")]
    }
  }

  @Test(arguments: 0..<50) func keptRowsEqualTheFilterAfresh(seed: Int) {
    var rng = SplitMix64(seed: UInt64(seed) &* 7_919 &+ 11)
    var (state, loadID) = startedUI()
    let all = (0..<Int.random(in: 20...120, using: &rng)).map { Self.secret($0, rng: &rng) }
    var loaded = 0
    var describes: [Effect] = update(&state, .terminal(.key(.char("/"))))
    for _ in 0..<60 {
      for key in Self.edit(rng: &rng) { describes += update(&state, .terminal(.key(key))) }
      if !state.filterEditing { describes += update(&state, .terminal(.key(.char("/")))) }
      // While loading, a page arrives now and then (sometimes listing a secret again) and
      // a listed secret is read again with other labels.
      if loaded < all.count, Bool.random(using: &rng) {
        let count = min(all.count - loaded, Int.random(in: 1...25, using: &rng))
        var page = Array(all[loaded..<(loaded + count)])
        if loaded > 0, Bool.random(using: &rng) { page.append(all[Int.random(in: 0..<loaded, using: &rng)]) }
        loaded += count
        describes += update(
          &state, .secretsPageLoaded(requestID: loadID, secrets: page, isLastPage: loaded == all.count))
      }
      // Answer the describes asked for so far with the secret relabelled.
      for effect in describes.shuffled(using: &rng) {
        guard case .describe(let name, _, let requestID) = effect, Bool.random(using: &rng) else { continue }
        var again = Self.secret(0, rng: &rng)
        again.name = name
        again.arn = state.secrets.first { $0.name == name }?.arn
        _ = update(&state, .secretDescribed(requestID: requestID, secret: again))
      }
      describes.removeAll()
      let afresh = SecretFilter(state.filterText).apply(to: state.secrets)
      #expect(state.rows == afresh, "seed \(seed), query \"\(state.filterText)\"")
      if state.rows != afresh { return }
    }
  }

  @Test(arguments: 0..<50) func narrowingEqualsTheFilterAfresh(seed: Int) {
    var rng = SplitMix64(seed: UInt64(seed) &+ 1_000)
    let secrets = SecretList((0..<Int.random(in: 0...150, using: &rng)).map { Self.secret($0, rng: &rng) })
    let index = SecretIndex(secrets)
    var query = ""
    var rows = SecretFilter(query).rows(of: secrets, index: index)
    for _ in 0..<40 {
      let previous = SecretFilter(query)
      if Int.random(in: 0..<6, using: &rng) == 0, !query.isEmpty {
        query.removeLast()
      } else if Int.random(in: 0..<6, using: &rng) == 0 {
        query += Self.words.randomElement(using: &rng)!
      } else {
        query.append(Self.alphabet.randomElement(using: &rng)!)
      }
      let filter = SecretFilter(query)
      let afresh = filter.rows(of: secrets, index: index)
      if filter.narrows(previous) {
        rows = filter.rows(of: secrets, index: index, narrowing: rows)
        #expect(rows == afresh, "seed \(seed): \"\(query)\" narrowing")
      }
      rows = afresh
      #expect(rows.positions == filter.apply(to: secrets))
      if let expected = Self.reference(query, secrets) {
        #expect(rows.positions == expected, "seed \(seed): \"\(query)\" against plain String matching")
      }
    }
  }

  /// A query of words only, matched the plain way (`reference(words:names:)`). Nil for
  /// other terms.
  static func reference(_ query: String, _ secrets: SecretList) -> [Int]? {
    var words: [String] = []
    for term in SecretFilter(query).terms {
      guard case .text(let word) = term else { return nil }
      words.append(word)
    }
    return reference(words: words, names: secrets.map { $0.name.lowercased() })
  }

  /// Lower-cased words matched against lower-cased names the plain way, with `String`s: a
  /// substring, else the word's characters in order; substring matches first, each part in
  /// the names' order.
  static func reference(words: [String], names: [String]) -> [Int] {
    func isSubsequence(_ word: String, of name: String) -> Bool {
      var rest = Substring(name)
      for character in word {
        guard let found = rest.firstIndex(of: character) else { return false }
        rest = rest[rest.index(after: found)...]
      }
      return true
    }
    var exact: [Int] = []
    var fuzzy: [Int] = []
    for (position, name) in names.enumerated() {
      guard words.allSatisfy({ name.contains($0) || isSubsequence($0, of: name) }) else { continue }
      if words.allSatisfy({ name.contains($0) }) { exact.append(position) } else { fuzzy.append(position) }
    }
    return exact + fuzzy
  }

  @Test func secretListKeepsItsOrderAcrossChunks() {
    let names = (0..<10_000).map { "secret-\($0)" }
    var list = SecretList(names.map { Secret(name: $0) })
    #expect(list.count == 10_000)
    #expect(list.map(\.name) == names)
    list[4_096].description = "changed"
    list.append(Secret(name: "last"))
    #expect(list[4_096].description == "changed" && list[4_095].description == nil)
    #expect(list.last?.name == "last" && list.count == 10_001)
    var same = SecretList(names.map { Secret(name: $0) })
    #expect(same != list)
    same[4_096].description = "changed"
    same.append(Secret(name: "last"))
    #expect(same == list)
  }

  @Test func aTermOnlyNarrowsWhenItsMatchesCanOnlyShrink() {
    #expect(SecretFilter("pay").narrows(SecretFilter("pa")))
    #expect(SecretFilter("pa x").narrows(SecretFilter("pa")))
    #expect(SecretFilter("label:aws").narrows(SecretFilter("label:a")))
    #expect(!SecretFilter("label:").narrows(SecretFilter("label")), "a word becoming a term")
    #expect(!SecretFilter("deleted:ye").narrows(SecretFilter("deleted:y")), "yes and ye differ")
    #expect(!SecretFilter("region:=us").narrows(SecretFilter("region:")))
    #expect(!SecretFilter("pa").narrows(SecretFilter("pay")), "a backspace widens")
    #expect(!SecretFilter("cafe\u{301}").narrows(SecretFilter("cafe")), "a combining character")
    #expect(!SecretFilter("pay", matching: .substring).narrows(SecretFilter("pa")))
  }
}
