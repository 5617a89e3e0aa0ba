import Foundation

/// Runs blocking work (waiting on a child process, polling a file with `usleep`) on a thread
/// of its own and suspends the calling task until it is done.
///
/// Every async test in the bundle shares Swift's cooperative pool, which has one thread per
/// core: two on the CI machine. A test that blocks one of them for minutes (hundreds of
/// child processes started and killed in a loop) leaves the whole suite one thread, and a
/// second blocker stops every other async test, so their time limits ran out while they
/// were merely waiting for a thread.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread { continuation.resume(with: Result { try body() }) }.start()
  }
}
