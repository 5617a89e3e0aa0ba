import Foundation
import NIOConcurrencyHelpers
import StagingModel

/// Lists an account as many ListSecrets chains at once instead of one chain of NextTokens,
/// whose round trips set the wall time of a large listing (5,000 pages at 500,000 secrets).
///
/// The chains are cut by name prefix with the `name` filter, which AWS documents as a
/// case-sensitive prefix match taking up to 10 values a request. Where to cut is learnt from
/// the names the pages bring back, because real names crowd under a few stems (`prod/`,
/// `staging/`): a cut by first character alone leaves most of the account in one chain.
///
/// 1. The first page is asked unfiltered; if it is the only one, that is the listing. Its
///    names are a sample of the account: every character a name may begin with becomes a
///    prefix, with the share of the sample under it, and the prefixes are packed into
///    chains, at most 10 a request and `Tuning.heavyShare` of the account a chain (a heavier
///    prefix alone; prefixes the sample did not see, ten to a chain).
/// 2. A chain of several prefixes whose first page is not its last restarts as one chain for
///    each prefix seen on that page and the unseen ones bundled again.
/// 3. A chain of one prefix that holds `heavyShare` of the account or more, by its estimate,
///    is split again, planned from the names it has read (`plan`): the nodes of the name
///    tree (from the prefix down) that hold `heavyShare` or more are split into one child
///    prefix per legal character, so a stem (`prod/`) is followed down to where the names
///    branch (`prod/a`, `prod/b`, ...), and the rest is packed as in 1. A split costs
///    requests (about 7 for the near-empty children of each node split) and restarts the
///    chain, so it is made only once the chain has read `Tuning.splitCost` times as many
///    pages as the plan takes requests, and 10 pages at least: a small account is not
///    split deeper than its first characters. A chain of one prefix that has read 20 pages
///    and a quarter of all pages read so far is split whatever its estimate (the first
///    page's sample missed it).
/// 4. A name equal to a node that was split is under none of its children: it is asked for
///    with DescribeSecret (one a node; an answer naming another secret, or any error but
///    ResourceNotFoundException, lists that node as a chain of its own instead).
///
/// So every name under a split prefix is under one of its children's prefixes or is one of
/// the nodes described: the chains and the descriptions cover the account, and every secret
/// is passed on once (by ARN, remembered as a 128-bit `SeenKey`). Chains run `concurrency` at a time, the heaviest first, their
/// requests paced to `requestsPerSecond` across all chains. A name outside its chain's
/// prefixes means the server does not filter as AWS does (it ignores filters, or matches
/// them without case): then the rest comes from one serial chain, still without repeats.
/// Names are taken to hold only the characters AWS allows in them; a sampled name with
/// another character is never split under.
struct PartitionedListing: Sendable {
  /// The characters a secret name can hold (AWS: ASCII letters, digits and `/_+=.@-`).
  static let alphabet: [String] =
    (Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + Array("/_+=.@-")).map { String($0) }
  static let alphabetBytes = Set(alphabet.map { $0.utf8.first! })
  /// AWS takes at most 10 values in one filter.
  static let valuesPerRequest = 10
  /// Names a chain keeps to plan its split from.
  static let sampleLimit = 2_000
  /// A node is split only when its sample holds this many names: fewer tell too little.
  static let minimumSample = 10

  /// When to split. The defaults were chosen on a simulation of the bench's account shapes
  /// (a 120 ms page, 80 requests a second, 16 chains): a chain of a twelfth of the account
  /// would take as long as the whole paced listing, so chains are kept under 8%.
  struct Tuning: Sendable, Equatable {
    /// The estimated share of the account above which a chain is split.
    var heavyShare = 0.08
    /// A chain is split once it has read this many pages per request the split costs.
    var splitCost = 0.1
    /// And not before it has read this many pages: a chain of 1,000 names or fewer is
    /// cheaper read than split.
    var minimumPages = 10
  }

  var client: AWSJSONClient
  var concurrency: Int
  /// ListSecrets requests a second, at most, across all chains.
  var requestsPerSecond: Double
  var tuning = Tuning()
  /// The serial listing, for a server that does not filter.
  var serial: @Sendable () -> AsyncThrowingStream<[Secret], any Error>

  /// The prefixes of one chain (at most 10), the share of the account estimated under them,
  /// and whether it may be split (not a chain standing in for a name DescribeSecret could
  /// not settle).
  struct Partition: Equatable, Sendable {
    var prefixes: [String]
    var share: Double
    var splittable = true
  }

  /// What a split starts: chains, and the names to ask for with DescribeSecret.
  struct Plan: Equatable, Sendable {
    var partitions: [Partition] = []
    var exactNames: [String] = []
    var requests: Int { partitions.count + exactNames.count }
  }

  enum ChainEnd: Equatable, Sendable {
    case done
    case split(Plan)
    case unfiltered
  }

  enum Outcome: Sendable {
    case chain(ChainEnd)
    /// A DescribeSecret that settled its name, or a chain to run in its place.
    case described(Partition?)
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
    let pagesRead = NIOLockedValueBox(1)

    let start = Self.firstCharacters(sample: first.secrets.map(\.name), tuning: tuning)
    let filtered = try await withThrowingTaskGroup(of: Outcome.self) { group in
      guard let start else { return false }
      var queue = start.partitions
      var running = 0
      func startChains() {
        while running < concurrency, !queue.isEmpty {
          // The heaviest first: the longest chains set the end.
          let heaviest = queue.indices.max { queue[$0].share < queue[$1].share }!
          let partition = queue.remove(at: heaviest)
          running += 1
          group.addTask {
            .chain(try await chain(partition, pacer: pacer, pagesRead: pagesRead, pass: pass))
          }
        }
      }
      startChains()
      while let outcome = try await group.next() {
        switch outcome {
        case .chain(.done):
          running -= 1
        case .chain(.split(let plan)):
          running -= 1
          queue.append(contentsOf: plan.partitions)
          for name in plan.exactNames {
            group.addTask { .described(try await exactName(name, pass: pass)) }
          }
        case .chain(.unfiltered):
          group.cancelAll()
          return false
        case .described(let standIn):
          if let standIn { queue.append(standIn) }
        }
        startChains()
      }
      return true
    }
    if !filtered {
      for try await page in serial() { try await pass(page) }
    }
  }

  /// One chain, page by page, until it ends, splits, or shows a name outside its prefixes.
  private func chain(
    _ partition: Partition, pacer: RequestPacer, pagesRead: NIOLockedValueBox<Int>,
    pass: @Sendable ([Secret]) async throws -> Void
  ) async throws -> ChainEnd {
    var token: String?
    var pages = 0
    var sample: [String] = []
    var nextLook = 1
    repeat {
      let page = try await page(prefixes: partition.prefixes, token: token, pacer: pacer)
      if page.secrets.contains(where: { secret in !partition.prefixes.contains { secret.name.hasPrefix($0) } }) {
        return .unfiltered
      }
      try await pass(page.secrets)
      pages += 1
      let all = pagesRead.withLockedValue { count in
        count += 1
        return count
      }
      if sample.count < Self.sampleLimit { sample += page.secrets.map(\.name) }
      if page.nextToken != nil, partition.splittable {
        if partition.prefixes.count > 1 {
          if pages <= 3, let plan = Self.separate(partition, sample: sample) { return .split(plan) }
        } else if pages >= nextLook {
          // A chain estimated light that is a quarter of the work so far is split as if heavy.
          let missed = pages >= 20 && pages * 4 >= all
          if partition.share >= tuning.heavyShare || missed {
            let plan = Self.plan(
              splitting: partition.prefixes[0], sample: sample, share: max(partition.share, tuning.heavyShare),
              tuning: tuning)
            let due = max(tuning.minimumPages, Int((tuning.splitCost * Double(plan.requests)).rounded(.up)))
            if !plan.exactNames.isEmpty, pages >= due { return .split(plan) }
            // Look again once the split is due, or with twice the names.
            nextLook = plan.exactNames.isEmpty ? pages * 2 : max(due, pages + 1)
          }
        }
      }
      token = page.nextToken
    } while token != nil
    return .done
  }

  /// The secret named exactly `name`, passed on if it is listed (not scheduled for
  /// deletion); nil when that settles it, else a chain for `name` to run instead.
  private func exactName(_ name: String, pass: @Sendable ([Secret]) async throws -> Void) async throws -> Partition? {
    let standIn = Partition(prefixes: [name], share: 0, splittable: false)
    do {
      let entry = try await client.call(
        "DescribeSecret", SecretsManagerShapes.SecretIdInput(SecretId: name), as: SecretsManagerShapes.SecretEntry.self)
      // A SecretId can also be read as a partial ARN: an answer for another secret leaves
      // the name unsettled.
      guard entry.Name == name else { return standIn }
      let secret = entry.secret(fallbackName: name)
      if secret.deletedDate == nil { try await pass([secret]) }
      return nil
    } catch let error as SecretsError where error.code == "ResourceNotFoundException" {
      return nil
    } catch let error as SecretsError where error.code != nil {
      // AccessDeniedException (a policy that allows ListSecrets but not DescribeSecret on
      // it), or any other answer: list the node instead.
      return standIn
    }
  }

  // MARK: - Planning (pure)

  /// The first split, from the unfiltered first page: one prefix a character, packed; nil
  /// when a name begins with a character AWS does not allow (no prefix would reach it).
  static func firstCharacters(sample: [String], tuning: Tuning) -> Plan? {
    let plan = plan(splitting: "", sample: sample, share: 1, tuning: tuning, descend: false)
    return plan.partitions.contains { $0.prefixes.contains("") } ? nil : plan
  }

  /// How to split the chain of `prefix`, from the names read under it and its estimated
  /// share of the account. Every node of the name tree under `prefix` holding at least
  /// `tuning.heavyShare` of the account (and `minimumSample` names of the sample) is split
  /// into one child a legal character, and its own name is to be described; the leaves are
  /// packed into chains. The empty prefix (the whole account) has no name to describe;
  /// `descend` false splits it one level only.
  static func plan(splitting prefix: String, sample: [String], share: Double, tuning: Tuning, descend: Bool = true)
    -> Plan
  {
    let names = sample.map { Array($0.utf8) }.filter { $0.starts(with: prefix.utf8) }.sorted {
      $0.lexicographicallyPrecedes($1)
    }
    var leaves: [Partition] = []
    var exact: [String] = []
    func cover(_ node: [UInt8], _ range: Range<Int>, _ share: Double, depth: Int) {
      let heavy = share >= tuning.heavyShare && range.count >= minimumSample && (descend || depth == 0)
      // A name with a character AWS does not allow cannot be reached by any child prefix.
      let reachable = range.allSatisfy {
        names[$0].count == node.count || alphabetBytes.contains(names[$0][node.count])
      }
      guard depth == 0 || (heavy && reachable) else {
        leaves.append(Partition(prefixes: [String(decoding: node, as: UTF8.self)], share: share))
        return
      }
      if !node.isEmpty { exact.append(String(decoding: node, as: UTF8.self)) }
      var groups: [UInt8: Range<Int>] = [:]
      var index = range.lowerBound
      while index < range.upperBound, names[index].count == node.count { index += 1 }
      while index < range.upperBound {
        let byte = names[index][node.count]
        var end = index
        while end < range.upperBound, names[end][node.count] == byte { end += 1 }
        groups[byte] = index..<end
        index = end
      }
      for character in alphabet {
        let byte = character.utf8.first!
        let child = groups[byte] ?? range.upperBound..<range.upperBound
        let childShare = range.isEmpty ? 0 : share * Double(child.count) / Double(range.count)
        cover(node + [byte], child, childShare, depth: depth + 1)
      }
    }
    let level = prefix.utf8.count
    let reachable = names.allSatisfy { $0.count == level || alphabetBytes.contains($0[level]) }
    if !reachable || (descend && !(share >= tuning.heavyShare && names.count >= minimumSample)) {
      // Not heavy enough to split, or a name no child could reach: the prefix itself.
      return Plan(partitions: [Partition(prefixes: [prefix], share: share)])
    }
    cover(Array(prefix.utf8), 0..<names.count, share, depth: 0)
    return Plan(partitions: pack(leaves, heavyShare: tuning.heavyShare), exactNames: exact)
  }

  /// A chain of several prefixes whose first page was not its last: the prefixes seen on it
  /// each become a chain, with their part of its share, and the others a bundle again; nil
  /// when the page saw none of them (nothing to learn from it).
  static func separate(_ partition: Partition, sample: [String]) -> Plan? {
    let counts = partition.prefixes.map { prefix in sample.count(where: { $0.hasPrefix(prefix) }) }
    let seen = counts.reduce(0, +)
    guard seen > 0 else { return nil }
    var plan = Plan()
    var unseen: [Partition] = []
    for (prefix, count) in zip(partition.prefixes, counts) {
      if count > 0 {
        plan.partitions.append(Partition(prefixes: [prefix], share: partition.share * Double(count) / Double(seen)))
      } else {
        unseen.append(Partition(prefixes: [prefix], share: 0))
      }
    }
    plan.partitions += pack(unseen, heavyShare: 0)
    return plan
  }

  /// First fit, heaviest first: chains of at most `valuesPerRequest` prefixes and
  /// `heavyShare` of the account (a heavier prefix alone); prefixes with a share and those
  /// without one are not mixed, so a chain of unseen prefixes stays one request.
  static func pack(_ leaves: [Partition], heavyShare: Double) -> [Partition] {
    var bins: [Partition] = []
    let ordered = leaves.enumerated().sorted {
      $0.element.share != $1.element.share ? $0.element.share > $1.element.share : $0.offset < $1.offset
    }
    for (_, leaf) in ordered {
      let home = bins.firstIndex { bin in
        bin.prefixes.count < valuesPerRequest && (bin.share > 0) == (leaf.share > 0)
          && bin.share + leaf.share <= heavyShare
      }
      if let home {
        bins[home].prefixes += leaf.prefixes
        bins[home].share += leaf.share
      } else {
        bins.append(leaf)
      }
    }
    return bins
  }

  // MARK: - Requests

  private func page(prefixes: [String]?, token: String?, pacer: RequestPacer) async throws
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
  private let interval: Duration
  private var next = ContinuousClock.now

  init(interval: Double) {
    self.interval = .nanoseconds(Int64(interval * 1e9))
  }

  func wait() async throws {
    let now = ContinuousClock.now
    let start = max(now, next)
    next = start + interval
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
