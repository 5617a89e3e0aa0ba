import Foundation

/// When to try a call again, after the aws CLI's "standard" retry mode: capped exponential
/// backoff with full jitter, `AWS_MAX_ATTEMPTS` total attempts (3 by default).
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
public struct RetryPolicy: Sendable, Equatable {
  /// Attempts in total, the first one included.
  public var maxAttempts: Int
  public var base: Duration
  public var cap: Duration

  public static let defaultMaxAttempts = 3

  /// Error codes that mean "slow down": the request was refused, not performed.
  public static let throttlingCodes: Set<String> = [
    "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
  ]

  /// Reads: safe to repeat whatever happened to the first attempt.
  public static let readOperations: Set<String> = [
    "ListSecrets", "DescribeSecret", "ListSecretVersionIds", "GetSecretValue",
  ]

  public init(maxAttempts: Int = defaultMaxAttempts, base: Duration = .milliseconds(100), cap: Duration = .seconds(5)) {
    self.maxAttempts = max(1, maxAttempts)
    self.base = base
    self.cap = cap
  }

  /// Reads `AWS_MAX_ATTEMPTS` from the given environment; a missing or invalid value keeps the default.
  public init(environment: [String: String]) {
    let value = environment["AWS_MAX_ATTEMPTS"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    self.init(maxAttempts: value.map { $0 >= 1 ? $0 : Self.defaultMaxAttempts } ?? Self.defaultMaxAttempts)
  }

  /// How a failed attempt may be followed up.
  public enum Verdict: Equatable, Sendable {
    /// Try again after a backoff.
    case retry
    /// Do not try again; report the error.
    case fail
    /// A changing call may or may not have taken effect: the caller must look before retrying.
    case ambiguous
  }

  /// The ceiling of the backoff before retry number `retry` (1 for the first retry).
  public func ceiling(beforeRetry retry: Int) -> Duration {
    let exponent = min(max(retry - 1, 0), 30)
    let grown = base * (1 << exponent)
    return grown < cap ? grown : cap
  }

  /// Full jitter: a uniformly random wait between zero and the ceiling. `unit` is in [0, 1).
  public func delay(beforeRetry retry: Int, unit: Double) -> Duration {
    ceiling(beforeRetry: retry) * min(max(unit, 0), 1)
  }

  /// What to do after a service error with this code and HTTP status.
  public func verdict(operation: String, errorCode: String, httpStatus: Int) -> Verdict {
    if errorCode == "LimitExceededException" { return .fail }
    if Self.throttlingCodes.contains(errorCode) { return .retry }
    if httpStatus >= 500 { return Self.readOperations.contains(operation) ? .retry : .ambiguous }
    return .fail
  }

  /// What to do after a request that got no HTTP answer.
  public func verdict(operation: String, transport: TransportFailure) -> Verdict {
    if Self.readOperations.contains(operation) || transport.kind == .notSent { return .retry }
    return .ambiguous
  }
}
