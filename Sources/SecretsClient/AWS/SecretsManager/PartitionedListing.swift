import Foundation
import NIOConcurrencyHelpers
import StagingModel

/// Lists an account as several ListSecrets chains at once instead of one chain of NextTokens,
/// whose round trips set the wall time of a large listing (5,000 pages at 500,000 secrets).
///
/// The first page is asked unfiltered; if it is the only one, that is the listing. Otherwise
/// the names are split by their first character with the `name` filter (a case-sensitive
/// prefix match; up to 10 values a request), over every character a name may begin with
/// (letters, digits, `/_+=.@-`). A group whose first page is not its last is split into one
/// chain a character. (Splitting deeper costs seven requests a prefix, 69 longer prefixes at
/// 10 a request, nearly all empty where names share a stem such as `prod/`: measured on the
/// replay server, it made a 2,000-secret listing four times slower than the serial chain.) Chains run
/// `concurrency` at a time, paced under the ListSecrets request quota, and every secret is
/// passed on once (by ARN, remembered as a 128-bit `SeenKey`). A name outside its chain's
/// prefixes means the server does not filter as AWS does: then the rest comes from one serial
/// chain, still without repeats.
struct PartitionedListing: Sendable {
  /// The characters a secret name can hold (AWS: ASCII letters, digits and `/_+=.@-`).
  static let alphabet: [String] =
    (Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + Array("/_+=.@-")).map { String($0) }
  /// AWS takes at most 10 values in one filter.
  static let valuesPerRequest = 10

  var client: AWSJSONClient
  var concurrency: Int
  /// ListSecrets requests a second, at most, across all chains.
  var requestsPerSecond: Double
  /// The serial listing, for a server that does not filter.
  var serial: @Sendable () -> AsyncThrowingStream<[Secret], any Error>

  /// The prefixes of one chain.
  typealias Partition = [String]

  enum ChainEnd: Equatable, Sendable {
    case done
    case split([Partition])
    case unfiltered
  }

  /// The pages as the chains bring them, each chain waiting while the reader is behind
  /// (`BoundedPages`).
  func run() -> AsyncThrowingStream<[Secret], any Error> {
    BoundedPages.stream { send in try await list(send) }
  }

  private func list(_ yield: @escaping @Sendable ([Secret]) async throws -> Void) async throws {
    let seen = NIOLockedValueBox(Set<SeenKey>())
    let pass: @Sendable ([Secret]) async throws -> Void = { secrets in
      let fresh = seen.withLockedValue { seen in secrets.filter { seen.insert(SeenKey($0.arn ?? $0.name)).inserted } }
      if !fresh.isEmpty { try await yield(fresh) }
    }
    let pacer = RequestPacer(interval: 1 / max(requestsPerSecond, 0.1))
    let first = try await page(prefixes: nil, token: nil, pacer: pacer)
    try await pass(first.secrets)
    guard first.nextToken != nil else { return }

    let filtered = try await withThrowingTaskGroup(of: ChainEnd.self) { group in
      var queue = Self.chunks(Self.alphabet)
      var running = 0
      func startChains() {
        while running < concurrency, !queue.isEmpty {
          let partition = queue.removeFirst()
          running += 1
          group.addTask { try await chain(partition, pacer: pacer, pass: pass) }
        }
      }
      startChains()
      while let end = try await group.next() {
        running -= 1
        switch end {
        case .done: break
        case .split(let children):
          queue.append(contentsOf: children)
        case .unfiltered:
          group.cancelAll()
          return false
        }
        startChains()
      }
      return true
    }
    if !filtered {
      for try await page in serial() { try await pass(page) }
    }
  }

  /// One chain, page by page, until it ends, splits after its first page, or shows a name
  /// outside its prefixes.
  private func chain(
    _ partition: Partition, pacer: RequestPacer, pass: @Sendable ([Secret]) async throws -> Void
  ) async throws -> ChainEnd {
    var token: String?
    repeat {
      let page = try await page(prefixes: partition, token: token, pacer: pacer)
      if page.secrets.contains(where: { secret in !partition.contains { secret.name.hasPrefix($0) } }) {
        return .unfiltered
      }
      try await pass(page.secrets)
      if token == nil, page.nextToken != nil, let split = Self.split(partition) { return split }
      token = page.nextToken
    } while token != nil
    return .done
  }

  /// How a chain too long for one page is divided (a group into one chain a character), or
  /// nil to run it to its end.
  static func split(_ partition: Partition) -> ChainEnd? {
    partition.count > 1 ? .split(partition.map { [$0] }) : nil
  }

  static func chunks(_ prefixes: [String]) -> [Partition] {
    stride(from: 0, to: prefixes.count, by: valuesPerRequest).map {
      Array(prefixes[$0..<min($0 + valuesPerRequest, prefixes.count)])
    }
  }

  private func page(prefixes: Partition?, token: String?, pacer: RequestPacer) async throws
    -> ListSecretsPage.Decoded
  {
    try await pacer.wait()
    var decoded: Result<ListSecretsPage.Decoded, SecretsError>?
    let filters = prefixes.map { [SecretsManagerShapes.Filter(Key: "name", Values: $0)] }
    _ = try await client.call(
      operation: "ListSecrets",
      input: SecretsManagerShapes.ListSecretsInput(MaxResults: 100, NextToken: token, Filters: filters),
      acceptingRead: { body in
        decoded = Result { () throws(SecretsError) in try ListSecretsPage.decode(body) }
        if case .failure = decoded { return AWSJSONClient.isCompleteJSON(body) }
        return true
      })
    guard let decoded else { throw SecretsError.malformedResponse("ListSecrets: no page was decoded") }
    return try decoded.get()
  }
}

/// Spaces request starts `interval` seconds apart across every chain.
actor RequestPacer {
  private let interval: Double
  private var next = ContinuousClock.now

  init(interval: Double) {
    self.interval = interval
  }

  func wait() async throws {
    let now = ContinuousClock.now
    let start = max(now, next)
    next = start + .milliseconds(Int64(interval * 1_000))
    if start > now { try await Task.sleep(until: start, clock: .continuous) }
  }
}

/// A secret already passed on, by 128 bits of its ARN rather than the ARN itself: 16 bytes a
/// secret instead of a String of about 100 (80 MB at 500,000 secrets). Two halves of SipHash
/// under the process's random seed, told apart by a leading byte; two ARNs sharing both halves
/// (and one secret dropped for it) is about a 1-in-10^27 chance at 500,000 secrets.
struct SeenKey: Hashable, Sendable {
  let high: UInt64
  let low: UInt64

  init(_ key: String) {
    var high = Hasher()
    high.combine(UInt8(0))
    high.combine(key)
    var low = Hasher()
    low.combine(UInt8(1))
    low.combine(key)
    self.high = UInt64(UInt(bitPattern: high.finalize()))
    self.low = UInt64(UInt(bitPattern: low.finalize()))
  }
}
