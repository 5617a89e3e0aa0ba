import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import SecretsClient
@testable import StagingModel

/// The listing's pages reach the reader in order, all of them, with the producers never more
/// than the limit (and the page in hand) ahead of the reader, however slowly it reads; a reader
/// that stops or is cancelled ends the producers, and a producer's error reaches the reader.
// Generous: beside the whole suite on two cores the pool's threads can be busy for a long
// while; the bound only stops a stream that hangs.
@Suite(.timeLimit(.minutes(10)))
struct BoundedPagesTests {
  static func page(_ index: Int) -> [Secret] {
    [Secret(name: "page-\(index)")]
  }

  /// Pages sent and taken so far, and the most the producers were ever ahead.
  final class Counts: Sendable {
    private let state = NIOLockedValueBox((sent: 0, taken: 0, mostAhead: 0))

    func sent() {
      state.withLockedValue { state in
        state.sent += 1
        state.mostAhead = max(state.mostAhead, state.sent - state.taken)
      }
    }

    func taken() { state.withLockedValue { $0.taken += 1 } }
    var mostAhead: Int { state.withLockedValue { $0.mostAhead } }
    var sentCount: Int { state.withLockedValue { $0.sent } }
    var takenCount: Int { state.withLockedValue { $0.taken } }
  }

  @Test func oneProducerAheadByTheLimitAtMost() async throws {
    let counts = Counts()
    let limit = 4
    let pages = BoundedPages.stream(limit: limit) { send in
      for index in 0..<120 {
        try await send(Self.page(index))
        counts.sent()
      }
    }
    var names: [String] = []
    for try await page in pages {
      counts.taken()
      names += page.map(\.name)
      // A slow reader: it lets the producer get as far ahead as it may (`limit` pages past
      // those taken, which the room always allows) before asking for the next. No timer: on
      // a busy machine a sleep's wake-up could come late enough to time the test out.
      while counts.sentCount < min(120, counts.takenCount + limit) { await Task.yield() }
    }
    #expect(names == (0..<120).map { "page-\($0)" })
    // Room for `limit`, plus the page the reader has asked for and not received yet.
    #expect(counts.mostAhead <= limit + 1)
    #expect(counts.mostAhead >= limit, "the producer never got ahead: the bound was not tried")
  }

  /// Eight senders at once, as the partitioned listing's chains are.
  @Test func severalProducersShareTheRoom() async throws {
    let counts = Counts()
    let limit = 3
    let pages = BoundedPages.stream(limit: limit) { send in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for chain in 0..<8 {
          group.addTask {
            for index in 0..<40 {
              try await send(Self.page(chain * 1_000 + index))
              counts.sent()
            }
          }
        }
        try await group.waitForAll()
      }
    }
    var names: [String] = []
    for try await page in pages {
      counts.taken()
      names += page.map(\.name)
      await Task.yield()
    }
    #expect(names.count == 320)
    #expect(Set(names) == Set((0..<8).flatMap { chain in (0..<40).map { "page-\(chain * 1_000 + $0)" } }))
    // Each chain's pages in its own order.
    for chain in 0..<8 {
      let own = names.filter { Int($0.dropFirst(5))! / 1_000 == chain }
      #expect(own == (0..<40).map { "page-\(chain * 1_000 + $0)" })
    }
    #expect(counts.mostAhead <= limit + 1)
  }

  struct Failed: Error, Equatable {}

  @Test func theProducersErrorEndsTheStream() async throws {
    let pages = BoundedPages.stream(limit: 2) { send in
      for index in 0..<5 { try await send(Self.page(index)) }
      throw Failed()
    }
    var read = 0
    await #expect(throws: Failed.self) {
      for try await _ in pages { read += 1 }
    }
    #expect(read == 5)
  }

  /// A reader that stops after three pages and lets the stream go: the producer, which
  /// would run on for ever, is cancelled.
  @Test func aReaderThatStopsEndsTheProducer() async throws {
    let (ended, end) = AsyncStream.makeStream(of: String.self)
    var pages: AsyncThrowingStream<[Secret], any Error>? = BoundedPages.stream(limit: 2) { send in
      do {
        var index = 0
        while true {
          try await send(Self.page(index))
          index += 1
        }
      } catch {
        end.yield(String(describing: type(of: error)))
        throw error
      }
    }
    var read = 0
    for try await _ in pages! {
      read += 1
      if read == 3 { break }
    }
    pages = nil
    #expect(await ended.first { _ in true } == "CancellationError")
  }

  /// A reader whose task is cancelled while it waits for a page: the producer is cancelled
  /// too, the stream still held.
  @Test func aCancelledReaderEndsTheProducer() async throws {
    let (ended, end) = AsyncStream.makeStream(of: String.self)
    let pages = BoundedPages.stream(limit: 2) { send in
      do {
        try await send(Self.page(0))
        try await Task.sleep(for: .seconds(600))
      } catch {
        end.yield(String(describing: type(of: error)))
        throw error
      }
    }
    let (firstRead, announce) = AsyncStream.makeStream(of: Void.self)
    let reader = Task {
      for try await _ in pages { announce.yield() }
    }
    await firstRead.first { _ in true }
    reader.cancel()
    _ = await reader.result
    #expect(await ended.first { _ in true } == "CancellationError")
    withExtendedLifetime(pages) {}
  }

  /// Room for one page: a second sender waits until it is given, and a waiting sender whose
  /// task is cancelled gets CancellationError.
  @Test func roomIsTakenGivenAndWaitedFor() async throws {
    let room = BoundedPages.Room(1)
    try await room.take()
    #expect(room.free == 0)
    let waiting = Task { try await room.take() }
    let cancelledWaiter = Task { try await room.take() }
    cancelledWaiter.cancel()
    await #expect(throws: CancellationError.self) { try await cancelledWaiter.value }
    room.give()
    try await waiting.value
    #expect(room.free == 0)
    room.give()
    #expect(room.free == 1)
  }
}
