import Foundation
import Testing

/// Runs blocking work (waiting on a child process, polling a file or a tmux pane with
/// `usleep`) on a thread of its own and suspends the calling task until it is done.
///
/// Every async test in the bundle shares Swift's cooperative pool, which has one thread per
/// core: two on the CI machine. A test that blocks one of them for minutes (hundreds of
/// child processes started and killed in a loop) leaves the whole suite one thread, and a
/// second blocker stops every other async test, so their time limits ran out while they
/// were merely waiting for a thread.
///
/// The work stays in the calling task, moved to `OwnThreadExecutor`, so the task's locals
/// come along: an `#expect` inside `body` is recorded against the test that called it.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withTaskExecutorPreference(OwnThreadExecutor.shared) { try body() }
}

/// Runs each job it is given on a new thread, outside the cooperative pool. Jobs here are
/// few and long (a child process, a poll loop), so a thread each costs nothing a test feels.
final class OwnThreadExecutor: TaskExecutor {
  static let shared = OwnThreadExecutor()

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    Thread { job.runSynchronously(on: executor) }.start()
  }
}

/// Async work every step of which runs on threads of its own, for a test that mixes blocking
/// waits with awaits in a long loop: it never queues behind other tests for a pool thread.
public func offThePool<T>(_ body: () async throws -> T) async throws -> T {
  try await withTaskExecutorPreference(OwnThreadExecutor.shared, operation: body)
}

/// `.ownThreads` on a suite runs each of its tests as `offThePool` does. Nearly every suite
/// carries it: under the whole suite a test that counts on time passing at the pace of the
/// wall clock (a kept-alive connection reused before its idle timeout, a UI wait with a
/// deadline) would otherwise wait minutes for a pool thread, while long CPU-bound tests held
/// both. On threads of their own the kernel shares the cores among them all. Left out: suites
/// that spin on `Task.yield()`, where every yield here would start a thread.
public struct OwnThreadsTrait: SuiteTrait, TestTrait, TestScoping {
  public var isRecursive: Bool { true }

  public func provideScope(
    for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
  ) async throws {
    guard testCase != nil else { return try await function() }
    try await offThePool(function)
  }
}

extension Trait where Self == OwnThreadsTrait {
  public static var ownThreads: Self { Self() }
}
