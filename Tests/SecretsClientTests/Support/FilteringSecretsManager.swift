import Foundation
import StagehandTestSupport

@testable import SecretsClient

/// An in-process Secrets Manager for the listing: ListSecrets with the `name` filter as AWS
/// documents it (a case-sensitive prefix match, up to 10 values OR'ed, several filters
/// AND'ed), in creation order, 100 a page; DescribeSecret by name or ARN. Its quirks are
/// switches: filters ignored (some emulators) or matched without case, pages that come back
/// short but with a token (as AWS's filtered pages may), DescribeSecret denied on some
/// names, secrets scheduled for deletion (described, not listed). Counts every request.
final class FilteringSecretsManager: HTTPTransport, @unchecked Sendable {
  struct Options: Sendable {
    var ignoresFilters = false
    var caseInsensitive = false
    /// Filtered pages hold a pseudo-random 0...100 entries (the token still says more).
    var shortPages = false
    var describeDenied: Set<String> = []
    /// Names DescribeSecret finds, scheduled for deletion: never listed.
    var deleted: Set<String> = []
  }

  let names: [String]
  let options: Options
  private let known: Set<String>
  private let lock = NSLock()
  private var counts: [String: Int] = [:]
  private var filterValues: [[String]] = []
  private var matching: [[[String]]: [String]] = [:]

  init(names: [String], options: Options = Options()) {
    self.names = names
    self.known = Set(names)
    self.options = options
  }

  func count(_ operation: String) -> Int { lock.withLock { counts[operation] ?? 0 } }
  /// Every filter sent with ListSecrets, in order.
  var filtersSent: [[String]] { lock.withLock { filterValues } }

  static func arn(_ name: String) -> String {
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:\(name)-AbCdEf"
  }

  func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
    let operation = (request.header("X-Amz-Target") ?? "").components(separatedBy: ".").last ?? ""
    lock.withLock { counts[operation, default: 0] += 1 }
    let input = (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]) ?? [:]
    switch operation {
    case "ListSecrets": return list(input)
    case "DescribeSecret": return describe(input["SecretId"] as? String ?? "")
    default: return Self.error("UnknownOperationException", operation)
    }
  }

  private func list(_ input: [String: Any]) -> HTTPResponse {
    let filters = (input["Filters"] as? [[String: Any]] ?? []).filter { $0["Key"] as? String == "name" }
    let groups = filters.map { $0["Values"] as? [String] ?? [] }
    if groups.contains(where: { $0.isEmpty || $0.count > 10 }) {
      return Self.error("ValidationException", "Filters.Values must hold 1 to 10 values")
    }
    lock.withLock { filterValues += groups }
    let filtered = !groups.isEmpty && !options.ignoresFilters
    let selected = filtered ? select(groups) : names
    let token = input["NextToken"] as? String
    let start = token.flatMap { Int($0.dropFirst()) } ?? 0
    var size = min(100, input["MaxResults"] as? Int ?? 100)
    if filtered, options.shortPages {
      var generator = SplitMix64(seed: UInt64(start) &* 31 &+ UInt64(selected.count))
      size = Int.random(in: 0...size, using: &generator)
    }
    let end = min(selected.count, start + size)
    var object: [String: Any] = ["SecretList": selected[start..<end].map { Self.entry($0, listed: true) }]
    if end < selected.count { object["NextToken"] = "n\(end)" }
    return Self.json(object)
  }

  /// The names every filter selects (one of its values a prefix), in creation order.
  private func select(_ groups: [[String]]) -> [String] {
    if let cached = lock.withLock({ matching[groups] }) { return cached }
    let selected = names.filter { name in groups.allSatisfy { $0.contains { matches(name, $0) } } }
    lock.withLock { matching[groups] = selected }
    return selected
  }

  private func matches(_ name: String, _ value: String) -> Bool {
    options.caseInsensitive ? name.lowercased().hasPrefix(value.lowercased()) : name.hasPrefix(value)
  }

  private func describe(_ id: String) -> HTTPResponse {
    if options.describeDenied.contains(id) {
      return Self.error("AccessDeniedException", "not authorized to perform secretsmanager:DescribeSecret")
    }
    if known.contains(id) { return Self.json(Self.entry(id)) }
    if options.deleted.contains(id) {
      var entry = Self.entry(id)
      entry["DeletedDate"] = 1_800_000_000.0
      return Self.json(entry)
    }
    return Self.error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
  }

  static func entry(_ name: String, listed: Bool = false) -> [String: Any] {
    [
      "ARN": arn(name), "Name": name,
      listed ? "SecretVersionsToStages" : "VersionIdsToStages": ["v1-\(name.utf8.count)": ["AWSCURRENT"]],
    ]
  }

  static func json(_ object: Any) -> HTTPResponse {
    MockTransport.json(200, String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
  }

  static func error(_ code: String, _ message: String) -> HTTPResponse {
    MockTransport.json(400, #"{"__type":"\#(code)","message":"\#(message)"}"#)
  }
}
