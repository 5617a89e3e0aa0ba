import Foundation
import StagingModel

/// A wait for a primary's replicas after a change committed with "commit and wait for
/// replicas": each replica Region is read until its labels match the plan's after, or the
/// time runs out. The Regions' outcomes arrive one by one, tagged with the request id.
public struct ReplicationRun: Equatable, Sendable {
  public var requestID: Int
  public var secretName: String
  /// Where the primary was read, in an estate.
  public var origin: SecretOrigin?
  /// The labelled versions each replica should come to have.
  public var expected: LabelMap
  /// The replica Regions, in the order the preview listed them.
  public var regions: [String]
  public var outcomes: [String: ReplicaOutcome] = [:]
  public var timeoutSeconds: Int
  public var startedAt: Date

  /// True until every Region has an outcome.
  public var isRunning: Bool { regions.contains { outcomes[$0] == nil } }

  /// How many Regions did not match (still behind or unreadable).
  public var notMatched: Int {
    outcomes.values.filter { if case .matched = $0 { return false } else { return true } }.count
  }

  /// One Region's outcome in words: "matches (seen after 1.2 s)", "still behind after 60 s:
  /// 3f2a1b4c… AWSCURRENT", "could not be read: …"; nil while it is still read.
  public func text(of region: String) -> String? {
    switch outcomes[region] {
    case .matched(let after)?:
      return "matches (seen after \(String(format: "%.1f", after)) s)"
    case .behind(let labels)?:
      return "still behind after \(timeoutSeconds) s: \(labels.shortText)"
    case .failed(let message)?:
      // One paragraph: the popup wraps it, the status line keeps it on one line.
      return "could not be read: " + message.split(whereSeparator: \.isNewline).joined(separator: " ")
    case nil:
      return nil
    }
  }

  /// The status line: the Regions answered so far while it runs, each Region's outcome once
  /// it ended.
  public var status: StatusMessage {
    guard !isRunning else {
      return StatusMessage(
        "waiting for the replicas of \(secretName): \(outcomes.count) of \(regions.count) Regions answered")
    }
    let parts = regions.map { "\($0) \(text(of: $0) ?? "")" }
    return StatusMessage(
      "replicas of \(secretName): " + parts.joined(separator: "; "), kind: notMatched == 0 ? .info : .warning)
  }
}

extension AppState {
  /// The replica Regions of the single-secret preview that is open, or nil: where
  /// "commit and wait for replicas" can act.
  public var previewReplicaRegions: [String]? {
    guard case .preview(let preview)? = popup else { return nil }
    let regions = preview.plan.replicaRegions
    return regions.isEmpty ? nil : regions
  }

  /// Why "commit and wait for replicas" can't act now, or nil.
  var reasonCommitAndWait: String? {
    guard case .preview? = popup else { return "for one secret's change, as --wait-replication is" }
    if previewReplicaRegions == nil { return "the secret has no replicas: y commits" }
    if dryRun { return "dry run: nothing is sent, so nothing replicates" }
    return nil
  }

  /// The change is applied on the primary: start reading its replicas, with the progress open.
  mutating func startReplicationWait(for plan: Plan, secret: Secret) -> [Effect] {
    let regions = plan.replicaRegions
    guard !regions.isEmpty else { return [] }
    let id = makeRequestID()
    let run = ReplicationRun(
      requestID: id, secretName: plan.secretName, origin: secret.origin, expected: plan.after.labelledVersions,
      regions: regions, timeoutSeconds: config.rotationTimeoutSeconds, startedAt: now)
    replication = run
    popup = .replication(requestID: id)
    status = StatusMessage(plan.outcomeSummary + "; " + run.status.text)
    return [
      .waitForReplicas(
        secretName: plan.secretName, origin: secret.origin, regions: regions, expected: run.expected,
        timeoutSeconds: run.timeoutSeconds, requestID: id)
    ]
  }

  mutating func receiveReplicaOutcome(requestID: Int, region: String, outcome: ReplicaOutcome) -> [Effect] {
    guard var run = replication, run.requestID == requestID, run.regions.contains(region), run.outcomes[region] == nil
    else { return [] }
    run.outcomes[region] = outcome
    replication = run
    status = run.status
    return []
  }
}
