import Foundation
import SecretsClient
import StagehandUI
import StagingModel

/// What the event loop takes besides the backend and the terminal. Tests shorten the
/// rotation's timeout and read interval and choose the editor.
struct TUISettings: Sendable {
  /// How long a rotation is followed before its diagnosis shows (the CLI's `--timeout`), and
  /// how long a primary's replicas are read after "commit and wait for replicas".
  var rotationTimeoutSeconds = 120
  /// Time between the reads that follow a rotation, or a replica.
  var followInterval: Duration = .seconds(2)
  /// Where `$EDITOR`, `$VISUAL` and `$TMPDIR` are read.
  var environment: [String: String] = ProcessInfo.processInfo.environment
  /// A backend for the same profile (in an estate, `origin`'s) in another Region, to read a
  /// primary's replicas there. The command line builds it from the global options; without
  /// one (a store has one Region) every replica read fails with why.
  var replicaBackend: @Sendable (_ origin: SecretOrigin?, _ region: String) async throws -> any SecretsBackend = {
    _, region in
    throw CLIError.failure("this backend has no other Region to read the replica in \(region) from")
  }
}

/// The rotation effects: the I/O the pure core asked for (the pre-flight read and the token,
/// `$EDITOR`, RotateSecret and following it, PutSecretValue, CancelRotateSecret), with the
/// results posted back as messages tagged with the request id.
extension TUIRunner {
  func runRotation(_ effect: Effect) {
    let backend = self.backend
    let queue = self.queue
    switch effect {
    case .prepareRotation(let secretId, let editValue, let requestID):
      var edited: MaskedValue?
      if editValue {
        do {
          let terminal = self.terminal
          edited = try ValueEditor(environment: settings.environment).edit { launch in
            try terminal.withTerminalReleased(launch)
          }
        } catch {
          queue.post(.rotationPrepareFailed(requestID: requestID, message: Commands.message(error)))
          return
        }
      }
      let value = edited
      Task.detached {
        do {
          let secret = try await backend.describeSecret(secretId, includeDeprecated: true)
          // The ClientRequestToken, chosen once: a resend after an ambiguous failure reuses it.
          let token = UUID().uuidString.lowercased()
          queue.post(.rotationPrepared(requestID: requestID, secret: secret, token: token, editedValue: value))
        } catch {
          queue.post(.rotationPrepareFailed(requestID: requestID, message: Commands.message(error)))
        }
      }
    case .rotate(let secretId, let request, let timeoutSeconds, let requestID):
      let send = Task.detached { () -> Bool in
        do {
          try await backend.rotateSecret(secretId: secretId, request: request)
          queue.post(.rotationAccepted(requestID: requestID))
          return true
        } catch {
          queue.post(.rotationEnded(requestID: requestID, end: .sendFailed(Commands.message(error))))
          return false
        }
      }
      // Quitting waits for RotateSecret's answer, and then stops following.
      commitTasks.append(Task { _ = await send.value })
      let interval = settings.followInterval
      followTasks[requestID] = Task.detached {
        guard await send.value else { return }
        let end = await Self.follow(
          RotationFollower(backend: backend, interval: interval), secretId: secretId, token: request.token,
          timeout: .seconds(timeoutSeconds), requestID: requestID, queue: queue)
        if let end, !Task.isCancelled { queue.post(.rotationEnded(requestID: requestID, end: end)) }
      }
    case .putPendingValue(let secretId, let token, let value, let requestID):
      let includeDeprecated = state.showDeprecated
      commitTasks.append(
        Task.detached {
          await Self.call(
            backend, secretId: secretId, includeDeprecated: includeDeprecated, requestID: requestID, queue: queue
          ) {
            // The value exists as a payload only for this call.
            try await backend.putPendingValue(
              secretId: secretId, token: token, value: SecretPayload(.string(value.text)))
          }
        })
    case .cancelRotation(let secretId, let requestID):
      let includeDeprecated = state.showDeprecated
      commitTasks.append(
        Task.detached {
          await Self.call(
            backend, secretId: secretId, includeDeprecated: includeDeprecated, requestID: requestID, queue: queue
          ) {
            try await backend.cancelRotation(secretId: secretId)
          }
        })
    default:
      break
    }
  }

  /// Posts each stage as the follower sees it, until it ends by itself, `timeout` passes or
  /// a read fails: how it ended, or nil when the task was cancelled (the UI quit).
  nonisolated static func follow(
    _ follower: RotationFollower, secretId: String, token: VersionID, timeout: Duration, requestID: Int,
    queue: MessageQueue
  ) async -> RotationEnd? {
    await withTaskGroup(of: RotationEnd?.self) { group in
      group.addTask {
        do {
          for try await observation in follower.follow(secretId: secretId, token: token) {
            queue.post(.rotationObserved(requestID: requestID, stage: observation.stage, secret: observation.secret))
          }
          return Task.isCancelled ? nil : .followEnded
        } catch {
          return Task.isCancelled || error is CancellationError ? nil : .readFailed(Commands.message(error))
        }
      }
      group.addTask {
        try? await Task.sleep(for: timeout)
        return Task.isCancelled ? nil : .timedOut(seconds: Int(timeout.components.seconds))
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
  }

  /// One PutSecretValue or CancelRotateSecret, then the secret read again.
  nonisolated static func call(
    _ backend: any SecretsBackend, secretId: String, includeDeprecated: Bool, requestID: Int, queue: MessageQueue,
    _ send: @Sendable () async throws -> Void
  ) async {
    do {
      try await send()
    } catch {
      queue.post(.rotationCallFinished(requestID: requestID, result: .failed(Commands.message(error))))
      return
    }
    let secret = try? await backend.describeSecret(secretId, includeDeprecated: includeDeprecated)
    queue.post(.rotationCallFinished(requestID: requestID, result: .done(secret)))
  }
}
