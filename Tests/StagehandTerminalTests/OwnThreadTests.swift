import Foundation
import StagehandTestSupport
import Testing

/// `onOwnThread`, which the end-to-end tests use for every blocking wait.
struct OwnThreadTests {
  /// More blocked bodies than the cooperative pool has threads, all waiting for this task to
  /// signal them: if they held pool threads, this task could never run and every wait would
  /// time out.
  @Test func blockedBodiesLeaveThePoolFree() async throws {
    let count = ProcessInfo.processInfo.activeProcessorCount + 2
    let release = DispatchSemaphore(value: 0)
    let started = DispatchSemaphore(value: 0)
    let waits = (0..<count).map { _ in
      Task {
        try await onOwnThread { () -> Bool in
          started.signal()
          return release.wait(timeout: .now() + 60) == .success
        }
      }
    }
    for _ in 0..<count {
      while started.wait(timeout: .now()) == .timedOut { await Task.yield() }
    }
    for _ in 0..<count { release.signal() }
    for wait in waits { #expect(try await wait.value, "a body waited out its minute") }
  }

  /// An expectation that fails inside the body is this test's issue, not an orphan.
  @Test func anExpectationInsideIsTheCallersIssue() async throws {
    await withKnownIssue {
      try await onOwnThread { #expect(Bool(false), "recorded against this test") }
    }
  }
}
