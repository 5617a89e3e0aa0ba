import Foundation

@testable import SecretsClient

/// Hands out numbered temporary credentials (AKID1, AKID2, …); `invalidate` of the current
/// ones makes the next fetch hand out the next. `renews: false` hands out the same ones again,
/// like a source with nothing newer.
final class RotatingCredentialProvider: RefreshableCredentialProvider, @unchecked Sendable {
  private let lock = NSLock()
  private var generation = 1
  private var storedFetches = 0
  private var storedInvalidations: [AWSCredentials] = []
  private let renews: Bool

  init(renews: Bool = true) { self.renews = renews }

  var sourceName: String { "rotating test source" }
  var fetches: Int { lock.withLock { storedFetches } }
  var invalidations: [AWSCredentials] { lock.withLock { storedInvalidations } }

  static func credentials(_ generation: Int) -> AWSCredentials {
    AWSCredentials(
      accessKeyId: "AKID\(generation)", secretAccessKey: "secret\(generation)", sessionToken: "token\(generation)",
      expiration: Date(timeIntervalSince1970: 1_800_003_600))
  }

  func credentials() async throws -> AWSCredentials {
    lock.withLock {
      storedFetches += 1
      return Self.credentials(generation)
    }
  }

  func invalidate(_ rejected: AWSCredentials) async {
    lock.withLock {
      storedInvalidations.append(rejected)
      if renews && rejected == Self.credentials(generation) { generation += 1 }
    }
  }
}

/// A clock for the rate limiter that tests move by hand.
final class ManualClock: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Double

  init(_ start: Double = 1_000) { value = start }

  var now: Double { lock.withLock { value } }

  func advance(_ seconds: Double) { lock.withLock { value += seconds } }

  var reading: @Sendable () -> Double { { self.now } }
}

enum ReliabilityFixtures {
  /// The testing client's clock: 2027-01-15T08:00:00Z.
  static let now = Date(timeIntervalSince1970: 1_800_000_000)

  /// `Fri, 15 Jan 2027 08:20:03 GMT` for `now` + 1203 s.
  static func httpDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
  }

  /// Secrets Manager's refusal of a signature from the past, with AWS's clock in `Date`.
  static func signatureExpired(serverTime: Date?) -> HTTPResponse {
    var headers = ["x-amzn-requestid": "req-skew"]
    if let serverTime { headers["date"] = httpDate(serverTime) }
    let body =
      #"{"__type":"InvalidSignatureException","message":"Signature expired: 20270115T080000Z is now earlier than 20270115T081503Z (20270115T082003Z - 5 min.)"}"#
    return HTTPResponse(status: 400, headers: headers, body: Data(body.utf8))
  }
}
