import Foundation
import SecretsClient
import StagehandTerminal
import StagehandUI
import StagingModel

/// Messages posted by effect tasks, drained by the event loop. A lock-protected queue
/// because the tasks run off the main actor; posting wakes the loop's input wait.
final class MessageQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var messages: [Message] = []
  /// Ends the loop's input wait, so a posted message is handled at once.
  private let wake: @Sendable () -> Void

  init(wake: @escaping @Sendable () -> Void) {
    self.wake = wake
  }

  func post(_ message: Message) {
    lock.withLock { messages.append(message) }
    wake()
  }

  func drain() -> [Message] {
    lock.withLock {
      defer { messages.removeAll() }
      return messages
    }
  }
}

/// The event loop: the only owner of the terminal. It waits for input until the next clock
/// tick (a posted result or a resize ends the wait at once; idle, it sleeps up to a minute),
/// feeds messages to the pure `update`, runs the
/// effects it returns as tasks whose results come back as messages, and draws when the
/// state changed.
@MainActor
final class TUIRunner {
  private(set) var state: AppState
  let terminal: any TerminalBackend
  let backend: any SecretsBackend
  let queue: MessageQueue
  let settings: TUISettings
  private var loadTask: Task<Void, Never>?
  /// Changes being sent: awaited before the loop ends, so none is left half made.
  var commitTasks: [Task<Void, Never>] = []
  private var describeTasks: [(id: Int, task: Task<Void, Never>)] = []
  /// Rotations being followed, by request id: cancelled when the loop ends (that stops the
  /// following, never the rotation).
  var followTasks: [Int: Task<Void, Never>] = [:]
  /// The wait for a primary's replicas: a later one replaces it; cancelled when the loop ends.
  var replicationTask: Task<Void, Never>?
  private var running = true
  private var dirty = true
  /// The listing started before the terminal, used by the first `.loadSecrets`.
  private var firstListing: AsyncThrowingStream<[Secret], any Error>?
  /// An estate's listing started before the terminal, used by the first `.loadEstate`.
  private var firstEvents: AsyncStream<EstateEvent>?

  /// Spinner frames while work is under way; otherwise the clock only moves relative dates,
  /// whose finest unit is a minute.
  static let fastTickInterval: TimeInterval = 0.1
  static let slowTickInterval: TimeInterval = 60

  init(
    state: AppState, terminal: any TerminalBackend, backend: any SecretsBackend, settings: TUISettings = TUISettings()
  ) {
    self.state = state
    self.terminal = terminal
    self.backend = backend
    self.settings = settings
    queue = MessageQueue(wake: terminal.waker)
  }

  static func run(
    backend: any SecretsBackend, dryRun: Bool, mouse: Bool, settings: TUISettings = TUISettings()
  ) async throws {
    // The first page is asked for before the terminal is set up, so it is on its way (or
    // here) by the time ncurses has started and the first frame is drawn. An estate lists
    // pair by pair.
    let estate = backend as? EstateBackend
    let firstListing = estate == nil ? backend.listSecrets(filters: []) : nil
    let firstEvents = estate?.events(filters: [])
    let environment = ProcessInfo.processInfo.environment
    let terminal: Terminal
    do {
      terminal = try Terminal(options: TerminalOptions.from(environment: environment, mouse: mouse))
    } catch {
      throw CLIError.failure(
        "Can't open the terminal UI: \(error). Run stagehand in an interactive terminal, or use a subcommand (stagehand --help)."
      )
    }
    await run(
      backend: backend, dryRun: dryRun, terminal: terminal, firstListing: firstListing, firstEvents: firstEvents,
      settings: settings)
  }

  /// The UI on `terminal` until it quits; `terminal` is restored on return. `firstListing`
  /// (or for an estate, `firstEvents`), when given, is the listing the first load uses.
  static func run(
    backend: any SecretsBackend, dryRun: Bool, terminal: any TerminalBackend,
    firstListing: AsyncThrowingStream<[Secret], any Error>? = nil, firstEvents: AsyncStream<EstateEvent>? = nil,
    settings: TUISettings = TUISettings()
  ) async {
    let config = UIConfig(
      backendName: backend.displayName, readOnly: backend.isReadOnly, dryRun: dryRun,
      colorMode: ColorMode(colorCount: terminal.colorCount),
      asciiOnly: !terminal.isUTF8, rotationTimeoutSeconds: settings.rotationTimeoutSeconds,
      pairs: (backend as? EstateBackend)?.members.map(\.origin) ?? [])
    let size = terminal.size
    let runner = TUIRunner(
      state: AppState(config: config, now: Date(), width: size.width, height: size.height), terminal: terminal,
      backend: backend, settings: settings)
    runner.firstListing = firstListing
    runner.firstEvents = firstEvents
    defer { terminal.restore() }
    await runner.loop()
  }

  private func loop() async {
    dispatch(.started)
    // Only the start-up load may use the early listing; a later refresh asks afresh.
    firstListing = nil
    firstEvents = nil
    var lastTick = Date()
    var paintedRows = false
    var lastDraw = Date.distantPast
    func draw() {
      guard dirty else { return }
      terminal.draw(render(state))
      dirty = false
      lastDraw = Date()
    }
    while running {
      for message in queue.drain() {
        dispatch(message)
        // Pages can arrive back to back: paint the first one at once, then at most every
        // 50 ms while the rest page in, so the first rows never wait for the last page.
        if message.isNonEmptyPage, !paintedRows || Date().timeIntervalSince(lastDraw) > 0.05 {
          paintedRows = true
          draw()
        }
      }
      if !running { break }
      draw()
      if terminal.isInputClosed {
        // The terminal is gone: nobody can see or answer the UI, and polling a hung-up
        // device returns at once, so the loop would spin. End (a commit under way finishes
        // first, below).
        break
      }
      // Wait for input until the next tick is due: results posted by tasks, and resizes, wake
      // the wait at once, so an idle UI sleeps instead of polling.
      let interval = state.needsFastTicks ? Self.fastTickInterval : Self.slowTickInterval
      let untilTick = interval - Date().timeIntervalSince(lastTick)
      let wait = Int((max(0.001, untilTick) * 1_000).rounded(.up))
      if let event = terminal.nextEvent(timeoutMilliseconds: wait) {
        dispatch(.terminal(event))
        // Drain the rest of a burst (typing, drags) before the next draw.
        while running, let more = terminal.nextEvent(timeoutMilliseconds: 0) { dispatch(.terminal(more)) }
      }
      let now = Date()
      if now.timeIntervalSince(lastTick) >= (state.needsFastTicks ? Self.fastTickInterval : Self.slowTickInterval) {
        lastTick = now
        dispatch(.tick(now: now))
      }
      await Task.yield()
    }
    loadTask?.cancel()
    // Following a rotation stops with the UI; the rotation itself goes on.
    for task in followTasks.values { task.cancel() }
    replicationTask?.cancel()
    // Never leave a change half made: a commit still running is awaited before exit.
    for task in commitTasks { await task.value }
  }

  func dispatch(_ message: Message) {
    let effects = update(&state, message)
    dirty = true
    for effect in effects { run(effect) }
  }

  private func run(_ effect: Effect) {
    let backend = self.backend
    let queue = self.queue
    switch effect {
    case .loadSecrets(let requestID):
      loadTask?.cancel()
      let listing = firstListing ?? backend.listSecrets(filters: [])
      firstListing = nil
      loadTask = Task.detached {
        do {
          for try await page in listing {
            if Task.isCancelled { return }
            queue.post(.secretsPageLoaded(requestID: requestID, secrets: page, isLastPage: false))
          }
          if Task.isCancelled { return }
          queue.post(.secretsPageLoaded(requestID: requestID, secrets: [], isLastPage: true))
        } catch {
          if Task.isCancelled { return }
          queue.post(.secretsLoadFailed(requestID: requestID, message: Commands.message(error)))
          Self.postSignIn(error, to: queue)
        }
      }
    case .loadEstate(let requestID):
      loadTask?.cancel()
      guard let estate = backend as? EstateBackend else {
        // Not an estate after all: list it as one backend.
        return run(.loadSecrets(requestID: requestID))
      }
      let events = firstEvents ?? estate.events(filters: [])
      firstEvents = nil
      loadTask = Task.detached {
        for await event in events {
          if Task.isCancelled { return }
          switch event {
          case .page(let origin, let page):
            queue.post(.pairEvent(requestID: requestID, origin: origin, event: .page(page)))
          case .finished(let origin, let count):
            queue.post(.pairEvent(requestID: requestID, origin: origin, event: .finished(count: count)))
          case .notEnabled(let origin):
            queue.post(.pairEvent(requestID: requestID, origin: origin, event: .notEnabled))
          case .failed(let origin, let error):
            queue.post(
              .pairEvent(requestID: requestID, origin: origin, event: .failed(message: Commands.message(error))))
            Self.postSignIn(error, to: queue)
          }
        }
        if Task.isCancelled { return }
        queue.post(.estateListed(requestID: requestID))
      }
    case .cancelLoading:
      loadTask?.cancel()
      loadTask = nil
    case .describe(let name, let includeDeprecated, let requestID):
      let task = Task.detached {
        do {
          let secret = try await backend.describeSecret(name, includeDeprecated: includeDeprecated)
          queue.post(.secretDescribed(requestID: requestID, secret: secret))
        } catch {
          if Task.isCancelled { return }
          queue.post(.describeFailed(requestID: requestID, message: Commands.message(error)))
          Self.postSignIn(error, to: queue)
        }
      }
      // The latest few, for `.cancelDescribe`: older ones have long ended (cancelling an ended
      // task does nothing).
      describeTasks.append((requestID, task))
      if describeTasks.count > 64 { describeTasks.removeFirst(describeTasks.count - 64) }
    case .cancelDescribe(let requestID):
      describeTasks.first { $0.id == requestID }?.task.cancel()
    case .reveal(let name, let versionId, let requestID):
      Task.detached {
        do {
          let value = try await backend.secretValue(secretId: name, versionId: versionId)
          let text = value.string ?? value.binary.map { "(binary, base64) " + $0.base64EncodedString() } ?? ""
          queue.post(.valueRevealed(requestID: requestID, value: RevealedValue(text)))
        } catch {
          queue.post(.revealFailed(requestID: requestID, message: Commands.message(error)))
          Self.postSignIn(error, to: queue)
        }
      }
    case .execute(let plan, let requestID):
      commitTasks.append(
        Task.detached {
          let report = await PlanExecutor(backend: backend).execute(plan) { step, count in
            queue.post(.commitProgress(requestID: requestID, step: step, of: count))
          }
          queue.post(.commitFinished(requestID: requestID, outcome: Self.outcome(report)))
          switch report {
          case .failed(_, let error, _, _, _, _), .unknown(_, let error, _): Self.postSignIn(error, to: queue)
          case .applied, .conflict: break
          }
        })
    case .prepareRotation, .rotate, .putPendingValue, .cancelRotation:
      runRotation(effect)
    case .waitForReplicas(let name, let origin, let regions, let expected, let timeoutSeconds, let requestID):
      replicationTask?.cancel()
      replicationTask = Task.detached { [settings] in
        await Self.waitForReplicas(
          name, origin: origin, regions: regions, expected: expected, timeout: .seconds(timeoutSeconds),
          settings: settings, requestID: requestID, queue: queue)
      }
    case .executeChangeSet(let set, let requestID):
      commitTasks.append(
        Task.detached {
          _ = await BulkExecutor(backend: backend).execute(set.plans) { index, report in
            queue.post(.changeSetSecretFinished(requestID: requestID, index: index, outcome: Self.bulkOutcome(report)))
            switch report {
            case .failed(_, let error, _, _, _, _), .unknown(_, let error, _): Self.postSignIn(error, to: queue)
            case .applied, .conflict: break
            }
          }
          queue.post(.changeSetFinished(requestID: requestID))
        })
    case .writePlanFile(let path, let set, let command, let origins, let requestID):
      let location = backend.location
      Task.detached {
        do {
          try PlanFile(set, command: command, location: location, readAt: Date(), origins: origins).write(to: path)
          queue.post(.planFileWritten(requestID: requestID, path: BackendFactory.absolute(path)))
        } catch {
          queue.post(.planFileFailed(requestID: requestID, message: Commands.message(error)))
        }
      }
    case .quit:
      running = false
    case .suspend:
      terminal.suspend()
      dirty = true
    }
  }

  /// Reads each replica Region of the primary `name` until its labels are `expected` (the
  /// CLI's `ReplicationWaiter`), posting each Region's outcome as it is known. One backend per
  /// Region, made once; a Region whose backend can't be made fails with why.
  nonisolated static func waitForReplicas(
    _ name: String, origin: SecretOrigin?, regions: [String], expected: LabelMap, timeout: Duration,
    settings: TUISettings, requestID: Int, queue: MessageQueue
  ) async {
    var backends: [String: Result<any SecretsBackend, any Error>] = [:]
    for region in regions {
      do {
        backends[region] = .success(try await settings.replicaBackend(origin, region))
      } catch {
        backends[region] = .failure(error)
      }
    }
    let made = backends
    let waiter = ReplicationWaiter(interval: settings.followInterval, timeout: timeout) { region in
      do {
        guard let backend = made[region] else { throw CLIError.failure("no backend for \(region)") }
        return try await backend.get().describeSecret(name, includeDeprecated: false).labelMap
      } catch let error as SecretsError {
        throw error
      } catch {
        // The waiter reports an error by its description: this one's message, as the UI says it.
        throw ReplicaReadFailure(description: Commands.message(error))
      }
    }
    _ = await waiter.wait(for: expected, in: regions) { region, outcome in
      guard !Task.isCancelled else { return }
      queue.post(.replicaOutcome(requestID: requestID, region: region, outcome: outcome))
    }
  }

  /// A failure that only a new sign-in mends (an expired SSO login) is also said in a popup.
  nonisolated static func postSignIn(_ error: any Error, to queue: MessageQueue) {
    guard let error = error as? SecretsError, SSOCredentialProvider.loginProfile(in: error) != nil else { return }
    queue.post(.signInExpired(message: Commands.message(error)))
  }

  /// One secret's end in a change set, as the UI core takes it.
  nonisolated static func bulkOutcome(_ report: ExecutionReport) -> BulkOutcome {
    switch report {
    case .applied(_, let secret):
      return .applied(secret: secret)
    case .conflict(_, let current, let changes):
      return .conflict(current: current, changes: changes)
    case .failed(_, let error, let applied, let current, _, _):
      return .failed(message: error.rawUserMessage, appliedSteps: applied, current: current)
    case .unknown(_, let error, let applied):
      return .unknown(message: error.rawUserMessage, appliedSteps: applied)
    }
  }

  nonisolated static func outcome(_ report: ExecutionReport) -> CommitOutcome {
    switch report {
    case .applied(let plan, let secret):
      return .applied(plan: plan, secret: secret)
    case .conflict(let plan, let current, let changes):
      return .conflict(plan: plan, current: current, changes: changes)
    case .failed(let plan, let error, let applied, let current, _, _):
      return .failed(plan: plan, message: error.rawUserMessage, appliedSteps: applied, current: current)
    case .unknown(let plan, let error, let applied):
      return .failed(
        plan: plan, message: error.rawUserMessage + "\n" + ExecutionText.unknownStep(applied + 1, plan),
        appliedSteps: applied, current: nil)
    }
  }
}

/// A replica that could not be read, for a reason other than the service's (no backend for
/// its Region): described by its message alone.
struct ReplicaReadFailure: Error, CustomStringConvertible {
  var description: String
}

extension Message {
  /// A page with secrets in it, from one backend or one pair of an estate: the loop paints the
  /// first at once.
  var isNonEmptyPage: Bool {
    switch self {
    case .secretsPageLoaded(_, let page, _): return !page.isEmpty
    case .pairEvent(_, _, .page(let page)): return !page.isEmpty
    default: return false
    }
  }
}
