import Foundation
import StagehandTestSupport
import Testing

@testable import StagingModel

/// The filter at AWS's own limit, 500,000 secrets in one Region: queries typed a character at
/// a time (each keystroke narrowing the rows before it, as the UI does) and queries typed
/// afresh give what plain `String` matching gives (`IncrementalFilterTests.reference`).
@Suite(.ownThreads) struct FilterAtScaleTests {
  static let count = 500_000
  static let stems = ["prod/", "staging/", "dev/", "Prod/", "shared/", "", "_", "+", "=", ".", "@", "-", "9"]
  static let teams = ["payments", "search", "identity", "billing", "ledger", "mobile", "data", "Infra", "café"]
  static let kinds = ["db-password", "api-key", "oauth-client", "signing-key", "webhook-token", "smtp"]

  /// Names shaped like an account's (stems, teams, kinds, a number), with upper case, every
  /// legal punctuation character and some non-ASCII mixed in.
  static func names(seed: UInt64, count: Int = count) -> [String] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { index in
      let stem = stems.randomElement(using: &rng)!
      let team = teams.randomElement(using: &rng)!
      let kind = kinds.randomElement(using: &rng)!
      return "\(stem)\(team)/\(kind)-\(String(index, radix: 36))"
    }
  }

  static let alphabet = Array("abcdeiklmnoprstuyz-/_0123456789é")

  @Test(arguments: [UInt64(1), 2]) func queriesGiveWhatPlainMatchingGives(seed: UInt64) {
    Self.typeQueries(names: Self.names(seed: seed), seed: seed)
  }

  /// Lists around the size from which a scan is cut into slices read on several threads
  /// (`SecretFilter.sliceFrom`): one short of it, at it, a few past it (slices of unequal
  /// length) and three times it (a keystroke typed on then slices the rows it narrows).
  @Test(arguments: [
    SecretFilter.sliceFrom - 1, SecretFilter.sliceFrom, SecretFilter.sliceFrom + 7, 3 * SecretFilter.sliceFrom + 5,
  ])
  func slicedScansGiveWhatPlainMatchingGives(count: Int) {
    Self.typeQueries(names: Self.names(seed: UInt64(count), count: count), seed: UInt64(count))
  }

  /// Queries typed a character at a time, two rounds, each keystroke's rows against plain
  /// `String` matching.
  static func typeQueries(names: [String], seed: UInt64) {
    var secrets = SecretList()
    var index = SecretIndex()
    for name in names {
      secrets.append(Secret(name: name))
      index.append(name, key: name, id: name)
    }
    let lowered = names.map { $0.lowercased() }
    var rng = SplitMix64(seed: seed &+ 77)
    for round in 0..<2 {
      var query = ""
      var rows = SecretFilter(query).rows(of: secrets, index: index)
      for _ in 0..<Int.random(in: 2...4, using: &rng) {
        let previous = SecretFilter(query)
        if round == 1, query.count > 1, Bool.random(using: &rng) {
          query += " "
        }
        query.append(Self.alphabet.randomElement(using: &rng)!)
        let filter = SecretFilter(query)
        rows =
          filter.narrows(previous)
          ? filter.rows(of: secrets, index: index, narrowing: rows) : filter.rows(of: secrets, index: index)
        let words = query.lowercased().split(separator: " ").map(String.init)
        let expected = IncrementalFilterTests.reference(words: words, names: lowered)
        // Compared as a Bool: Swift Testing describing two arrays of 300,000 rows on a
        // failure takes many minutes.
        let same = rows.positions == expected
        let firstDifference = zip(rows.positions, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(
          same,
          "seed \(seed): \"\(query)\": \(rows.positions.count) rows, \(expected.count) expected, first difference at \(firstDifference.map(String.init) ?? "the end")"
        )
        if !same { return }
      }
    }
  }
}
