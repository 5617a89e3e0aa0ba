import NIOConcurrencyHelpers
import StagingModel

/// A listing's pages for its one reader, with room for `limit` unread: a producer that gets
/// ahead waits for the reader rather than filling memory. (An AsyncThrowingStream buffers
/// without limit: at 500,000 secrets `list --json` writes a page more slowly than the listing
/// decodes one, and the pages waiting for it grew to about 120 MB.) The stream is pulled: each
/// read gives the producer room for one more page.
enum BoundedPages {
  /// Unread pages at most (a page of 100 secrets is a few hundred KB in memory), besides the
  /// one a waiting producer holds.
  static let defaultLimit = 8

  /// Runs `produce` in a task of its own; it hands pages over with `send`, which waits while
  /// `limit` are unread. The stream ends when `produce` returns, with its error if it throws.
  /// A reader that stops (drops the stream, or its task is cancelled) cancels the task, and
  /// with it a `send` that waits.
  static func stream(
    limit: Int = defaultLimit,
    _ produce: @escaping @Sendable (_ send: @escaping @Sendable ([Secret]) async throws -> Void) async throws -> Void
  ) -> AsyncThrowingStream<[Secret], any Error> {
    let room = Room(limit)
    let (pages, continuation) = AsyncThrowingStream.makeStream(of: [Secret].self)
    let task = Task {
      do {
        try await produce { page in
          try await room.take()
          continuation.yield(page)
        }
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { _ in task.cancel() }
    let reader = Reader(pages.makeAsyncIterator())
    return AsyncThrowingStream {
      room.give()
      return try await reader.next()
    }
  }

  /// The inner stream's iterator, used by the outer stream's one reader, one `next()` at a
  /// time (as every AsyncIterator is): hence unchecked. Dropping it ends the inner stream,
  /// which cancels the producer.
  private final class Reader: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<[Secret], any Error>.Iterator

    init(_ iterator: AsyncThrowingStream<[Secret], any Error>.Iterator) {
      self.iterator = iterator
    }

    func next() async throws -> [Secret]? {
      try await iterator.next()
    }
  }

  /// How many pages the producer may still send, and the senders waiting for room (first
  /// come, first served).
  final class Room: Sendable {
    private struct State {
      var free: Int
      var waiting: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
      var lastID: UInt64 = 0
    }
    private let state: NIOLockedValueBox<State>

    init(_ limit: Int) {
      state = NIOLockedValueBox(State(free: max(1, limit)))
    }

    /// Room for one page, waiting for it if there is none; throws CancellationError if the
    /// task is cancelled first.
    func take() async throws {
      let id: UInt64? = state.withLockedValue { state in
        if state.free > 0 {
          state.free -= 1
          return nil
        }
        state.lastID += 1
        return state.lastID
      }
      guard let id else { return }
      try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
          // Cancellation is checked under the lock: a handler that ran already found nothing
          // to resume, and one that runs later finds this sender waiting.
          let outcome = state.withLockedValue { state -> Result<Bool, CancellationError> in
            if Task.isCancelled { return .failure(CancellationError()) }
            if state.free > 0 {
              state.free -= 1
              return .success(true)
            }
            state.waiting.append((id, continuation))
            return .success(false)
          }
          switch outcome {
          case .success(true): continuation.resume()
          case .success(false): break
          case .failure(let error): continuation.resume(throwing: error)
          }
        }
      } onCancel: {
        let waiter = state.withLockedValue { state in
          state.waiting.firstIndex { $0.id == id }.map { state.waiting.remove(at: $0).continuation }
        }
        waiter?.resume(throwing: CancellationError())
      }
    }

    /// Room for one more page: for the sender waiting longest, if one is.
    func give() {
      let waiter = state.withLockedValue { state in
        if state.waiting.isEmpty {
          state.free += 1
          return CheckedContinuation<Void, any Error>?.none
        }
        return state.waiting.removeFirst().continuation
      }
      waiter?.resume()
    }

    /// Free room, for tests.
    var free: Int { state.withLockedValue { $0.free } }
  }
}
