import Foundation
import StagehandTestSupport
import Testing

/// `stagehand … | head` closes the reading end early. The output stops there, and the process
/// ends as Unix tools do (SIGPIPE, or a quiet exit where SIGPIPE is ignored, as it is once the
/// network library has started), never with a crash: FileHandle's `write` traps on EPIPE.
@Suite(.serialized, .ownThreads)
struct ClosedOutputTests {
  /// Runs the binary with standard output a pipe whose reading end is already closed.
  static func runIntoClosedPipe(_ arguments: [String], environment: [String: String]) throws -> (Process, String) {
    let pipe = Pipe()
    try pipe.fileHandleForReading.close()
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("closed-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errors) }
    let process = Process()
    process.executableURL = CLIHarness.binary
    process.arguments = arguments
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = pipe.fileHandleForWriting
    let errorHandle = try FileHandle(forWritingTo: errors)
    process.standardError = errorHandle
    try process.run()
    try pipe.fileHandleForWriting.close()
    process.waitUntilExit()
    try errorHandle.close()
    return (process, String(decoding: try Data(contentsOf: errors), as: UTF8.self))
  }

  static func endedCleanly(_ process: Process) -> Bool {
    switch process.terminationReason {
    case .exit: return process.terminationStatus == 0
    case .uncaughtSignal: return process.terminationStatus == SIGPIPE
    @unknown default: return false
    }
  }

  @Test func aClosedPipeEndsTheOutputNotTheProcessAgainstMoto() async throws {
    let moto = try await MotoServer.start()
    defer { moto.stop() }
    let h = try CLIHarness()
    defer { h.cleanUp() }
    _ = try await moto.aws(["secretsmanager", "create-secret", "--name", "piped/db", "--secret-string", "one"])
    _ = try await moto.put("piped/db", "two", stages: ["AWSPENDING"])
    let environment = h.environment.merging(MotoServer.stagehandEnvironment) { $1 }
    for command in [["versions", "piped/db"], ["list"], ["list", "--json"], ["promote", "piped/db", "--dry-run"]] {
      let (process, stderr) = try Self.runIntoClosedPipe(
        command + ["--endpoint-url", moto.endpoint.absoluteString, "--region", "us-east-1"], environment: environment)
      #expect(Self.endedCleanly(process), "\(command): \(process.terminationReason) \(process.terminationStatus)")
      #expect(!stderr.contains("Fatal error") && !stderr.contains("crashed"), "\(command): \(stderr)")
    }
  }

  @Test func aClosedPipeEndsTheOutputNotTheProcessOnTheStore() throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    for command in [["--demo", "versions", "prod/payments/postgres-primary"], ["--demo", "list", "--json"]] {
      let (process, stderr) = try Self.runIntoClosedPipe(command, environment: h.environment)
      #expect(Self.endedCleanly(process), "\(command): \(process.terminationReason) \(process.terminationStatus)")
      #expect(!stderr.contains("Fatal error") && !stderr.contains("crashed"), "\(command): \(stderr)")
    }
  }
}
