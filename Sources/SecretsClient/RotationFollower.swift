import Foundation
import StagingModel

/// Follows a rotation by reading the secret until AWSCURRENT sits on the new version: the
/// stages as they are seen, each once, in order. Only reads; stopping the follower never
/// stops the rotation.
public struct RotationFollower: Sendable {
  public struct Observation: Equatable, Sendable {
    public var stage: RotationStage
    /// The secret as read when the stage was seen.
    public var secret: Secret
  }

  public var backend: any SecretsBackend
  /// Time between reads.
  public var interval: Duration
  /// Reads made after AWSCURRENT moved, for AWSPENDING to be removed (current templates do
  /// it in a second call; older ones never do).
  public var cleanupReads: Int
  /// Waits between reads; tests pass one that does not sleep.
  public var sleep: @Sendable (Duration) async throws -> Void

  public init(
    backend: any SecretsBackend, interval: Duration = .seconds(2), cleanupReads: Int = 3,
    sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
  ) {
    self.backend = backend
    self.interval = interval
    self.cleanupReads = cleanupReads
    self.sleep = sleep
  }

  /// Each newly reached stage of the rotation whose new version is `token`. It finishes when
  /// AWSPENDING is cleaned up, when it stayed on the new current version through
  /// `cleanupReads` more reads, or when the new version lost AWSPENDING without becoming
  /// current (the rotation was abandoned); the last observation says which. A failed read
  /// ends it with that error. Cancelling the consuming task ends it.
  public func follow(secretId: String, token: VersionID) -> AsyncThrowingStream<Observation, any Error> {
    let follower = self
    return AsyncThrowingStream { continuation in
      let task = Task {
        do {
          try await follower.run(secretId: secretId, token: token) { continuation.yield($0) }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  private func run(
    secretId: String, token: VersionID, yield: (Observation) -> Void
  ) async throws {
    var reached: RotationStage?
    var readsSinceMove = 0
    while !Task.isCancelled {
      let secret = try await backend.describeSecret(secretId, includeDeprecated: false)
      let labels = secret.labelMap
      let onToken = labels.labels(on: token)
      var hasValue = false
      if !onToken.contains(StandardLabel.current), (reached ?? .requested) < .valuePresent {
        hasValue = try await backend.hasValue(secretId: secretId, versionId: token)
      } else if let reached, reached >= .valuePresent {
        hasValue = true
      }
      if let reached, reached >= .pendingPlaceholder, reached < .currentMoved,
        onToken.isDisjoint(with: [StandardLabel.pending, StandardLabel.current])
      {
        return  // The new version lost AWSPENDING before it became current: abandoned.
      }
      let stage = RotationStage.observed(labels: labels, token: token, hasValue: hasValue)
      if stage > reached ?? .requested || reached == nil {
        reached = stage
        yield(Observation(stage: stage, secret: secret))
      }
      switch reached {
      case .pendingCleanedUp?: return
      case .currentMoved?:
        readsSinceMove += 1
        if readsSinceMove > cleanupReads { return }
      default: break
      }
      try await sleep(interval)
    }
    throw CancellationError()
  }
}
