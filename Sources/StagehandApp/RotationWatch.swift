import Foundation
import SecretsClient
import StagingModel

/// Follows a rotation for `stagehand rotate`: the follower's stages as they are seen, until it
/// finishes, the timeout passes or Ctrl-C (SIGINT) arrives. Stopping only stops the reading:
/// the rotation goes on where it runs.
enum RotationWatch {
  enum End: Sendable, Equatable {
    /// The follower finished: the rotation completed, or its new version lost AWSPENDING.
    case finished
    case timedOut
    case interrupted
    /// A read failed; the message says why.
    case failed(String)
  }

  struct Outcome: Sendable {
    var end: End
    /// Every stage seen, in order, with the secret as read then.
    var observations: [RotationFollower.Observation]
    var reached: RotationStage? { observations.last?.stage }
  }

  static func follow(
    _ follower: RotationFollower, secretId: String, token: VersionID, timeout: Duration,
    onStage: @escaping @Sendable (RotationFollower.Observation) -> Void
  ) async -> Outcome {
    let seen = Seen()
    Interruption.install()
    defer { Interruption.remove() }
    let end = await withTaskGroup(of: End.self) { group in
      group.addTask {
        do {
          for try await observation in follower.follow(secretId: secretId, token: token) {
            seen.append(observation)
            onStage(observation)
          }
          return .finished
        } catch {
          return .failed(Commands.message(error))
        }
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        return .timedOut
      }
      group.addTask {
        while !Task.isCancelled && !Interruption.happened {
          try? await Task.sleep(for: .milliseconds(50))
        }
        return .interrupted
      }
      let first = await group.next() ?? .finished
      group.cancelAll()
      return first
    }
    return Outcome(end: end, observations: seen.all)
  }

  /// The observations, shared between the follower's task and the caller.
  private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [RotationFollower.Observation] = []

    func append(_ observation: RotationFollower.Observation) {
      lock.lock()
      defer { lock.unlock() }
      items.append(observation)
    }

    var all: [RotationFollower.Observation] {
      lock.lock()
      defer { lock.unlock() }
      return items
    }
  }
}

/// SIGINT while a rotation is followed: noted (and polled), not fatal.
enum Interruption {
  /// Set by the handler; a plain store is all a signal handler may do.
  nonisolated(unsafe) static var flag: Int32 = 0

  static var happened: Bool { flag != 0 }

  static func install() {
    flag = 0
    // A parent that blocked SIGINT (a test runner does) would keep it from this thread.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT, interruptionHandler)
  }

  static func remove() { signal(SIGINT, SIG_DFL) }
}

private func interruptionHandler(_ signal: Int32) { Interruption.flag = 1 }
