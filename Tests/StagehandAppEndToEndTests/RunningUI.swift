import SecretsClient
import StagehandTestSupport
import Testing

@testable import StagehandApp

/// Runs the real event loop (`TUIRunner`: the pure core, the effect runner and its tasks)
/// on a `TestTerminal` against `backend` while `body` drives it. `body` ends the UI (q);
/// when it throws, the terminal hangs up so the loop ends too.
func withUI(
  _ backend: any SecretsBackend, dryRun: Bool = false, settings: TUISettings = TUISettings(),
  _ body: (TestTerminal) async throws -> Void
) async throws {
  let terminal = TestTerminal(width: 110, height: 32)
  let loop = Task { @MainActor in
    await TUIRunner.run(backend: backend, dryRun: dryRun, terminal: terminal, settings: settings)
  }
  do {
    try await body(terminal)
  } catch {
    terminal.hangUp()
    await loop.value
    throw error
  }
  #expect(terminal.isRestored, "the test ends the UI")
  terminal.hangUp()
  await loop.value
}

extension TestTerminal {
  /// Waits until the selected secret's versions are described (dates in, final order):
  /// until then a change is refused as "versions are still loading".
  @discardableResult
  func waitForVersions(of secret: String) async throws -> String {
    try await waitUntil("the versions of \(secret), described") {
      $0.contains("Versions of \(secret)") && !$0.contains("dates loading")
    }
  }
}
