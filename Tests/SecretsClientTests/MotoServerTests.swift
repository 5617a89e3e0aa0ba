import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// How `MotoServer.start` waits for a moto that is still starting, with `Tests/Tools/late_listener.py`
/// standing in: it names its port on stderr, as moto does, 3 s before it listens, so the
/// first probes are refused, as they can be when moto starts on a loaded machine.
@Suite(.ownThreads) struct MotoServerTests {
  @Test func aServerThatNamesItsPortBeforeItListensIsWaitedForAndLeftRunning() async throws {
    let server = try await MotoServer.start(executable: ScriptServer.tools.appendingPathComponent("late_listener.py"))
    defer { server.stop() }
    #expect(server.process.isRunning)
    let response = try await AsyncHTTPTransport().send(
      HTTPRequest(method: "GET", url: server.endpoint.appendingPathComponent("moto-api/data.json")),
      timeout: .seconds(120))
    #expect(response.status == 200)
  }

  @Test func aServerThatEndsAtStartIsReportedWithHowItEndedAndWhatItSaid() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("motoservertests-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = directory.appendingPathComponent("moto_server")
    try "#!/bin/sh\necho 'port 0 is not allowed here' >&2\nexit 3\n".write(
      to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    do {
      _ = try await MotoServer.start(executable: script)
      Issue.record("a server that exits at start was returned")
    } catch {
      let message = String(describing: error)
      #expect(message.contains("exited with status 3 at start"), "\(message)")
      #expect(message.contains("port 0 is not allowed here"), "\(message)")
    }
  }
}
