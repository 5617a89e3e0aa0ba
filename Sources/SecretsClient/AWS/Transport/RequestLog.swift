import Foundation
import StagingModel

/// Where each request is recorded (`--log-file`). Entries hold no headers and no bodies,
/// so credentials, signatures and secret values cannot reach a log by construction.
public protocol RequestLog: Sendable {
  func record(_ entry: RequestLogEntry)
}

/// One attempt of one call.
public struct RequestLogEntry: Equatable, Sendable {
  public var time: Date
  public var operation: String
  /// Nil when no HTTP answer came back.
  public var httpStatus: Int?
  public var latency: Duration
  public var requestId: String?
  /// 1 for the first attempt, 2 for the first retry.
  public var attempt: Int
  /// "ok", the AWS error code, or "transport".
  public var outcome: String
  /// Extra words, e.g. how an ambiguous failure was resolved.
  public var note: String?

  public init(
    time: Date, operation: String, httpStatus: Int?, latency: Duration, requestId: String?, attempt: Int,
    outcome: String, note: String? = nil
  ) {
    self.time = time
    self.operation = operation
    self.httpStatus = httpStatus
    self.latency = latency
    self.requestId = requestId
    self.attempt = attempt
    self.outcome = outcome
    self.note = note
  }

  /// `2026-11-29T07:52:08.123Z DescribeSecret status=200 latency=3.1ms request-id=… attempt=1 ok`.
  /// The request id, the outcome (an AWS error code) and the note may come from the server, so
  /// their control characters are made visible: a line break cannot forge a second entry and
  /// an escape sequence cannot reach whoever reads the log in a terminal.
  public var line: String {
    let millis = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
    var parts = [
      time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)),
      operation,
      "status=\(httpStatus.map(String.init) ?? "-")",
      "latency=\(String(format: "%.1f", millis))ms",
      "request-id=\(requestId.map(DisplayText.sanitized) ?? "-")",
      "attempt=\(attempt)",
      DisplayText.sanitized(outcome),
    ]
    if let note { parts.append("(\(DisplayText.sanitized(note)))") }
    return parts.joined(separator: " ")
  }
}
