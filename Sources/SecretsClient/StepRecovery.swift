import Foundation
import StagingModel

/// A label move whose call failed may be in place all the same: its answer was lost on the
/// way, or a held copy of the request landed late. This is the one place that settles such
/// a step, and the labels read back decide it, never the error alone. The AWS backend
/// settles a call its client found ambiguous and may send it once more; the plan executor
/// settles any failure a backend reports and never resends, as the backend has already
/// settled its own ambiguity and a definite refusal is not sent again.
enum StepRecovery {
  enum Settled<Reading> {
    /// Reading the secret back failed.
    case unread(any Error)
    /// The labels show the step in place.
    case inPlace(Reading)
    /// They showed it not started, and the one resend was accepted.
    case resent
    /// They showed it not started, and the one resend failed too.
    case resendFailed(any Error, Reading)
    /// Not in place: not started with nothing resent, or neither before nor after the step.
    case notInPlace(Reading)

    /// What was read back, if anything was.
    var reading: Reading? {
      switch self {
      case .inPlace(let reading), .resendFailed(_, let reading), .notInPlace(let reading): return reading
      case .unread, .resent: return nil
      }
    }
  }

  /// `resend`, when given, is tried once if the labels show the step not started.
  static func settle<Reading>(
    _ step: StageStep, reread: () async throws -> Reading, labels: (Reading) -> [VersionID: Set<String>],
    resend: (() async throws -> Void)? = nil
  ) async -> Settled<Reading> {
    let reading: Reading
    do {
      reading = try await reread()
    } catch {
      return .unread(error)
    }
    switch step.progress(in: labels(reading)) {
    case .applied:
      return .inPlace(reading)
    case .notStarted:
      guard let resend else { return .notInPlace(reading) }
      do {
        try await resend()
        return .resent
      } catch {
        return .resendFailed(error, reading)
      }
    case .unknown:
      return .notInPlace(reading)
    }
  }
}
