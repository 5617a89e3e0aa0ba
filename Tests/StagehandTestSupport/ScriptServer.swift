import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A Python test server from `Tests/Tools` on a loopback port it picks and prints as
/// "READY <port>". Its stdout goes to a file, not a pipe (see `ChildProcess.run`); stdin is
/// a pipe only so that closing it stops the server.
public final class ScriptServer: @unchecked Sendable {
  public let process: Process
  public let port: Int
  private let input: Pipe
  private let outputFile: URL

  /// `Tests/Tools`.
  public static let tools = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tools")

  private init(process: Process, port: Int, input: Pipe, outputFile: URL) {
    self.process = process
    self.port = port
    self.input = input
    self.outputFile = outputFile
  }

  deinit { stop() }

  /// Starts `Tests/Tools/<script>` with `arguments` and waits up to 10 s for its READY line.
  public static func start(_ script: String, _ arguments: [String]) async throws -> ScriptServer {
    let python = try ChildProcess.locate("python3", installHint: "The test script must install python3.")
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent(
      "stagehand-server-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    let output = try FileHandle(forWritingTo: outputFile)
    defer { try? output.close() }
    let input = Pipe()
    let process = Process()
    process.executableURL = python
    process.arguments = [tools.appendingPathComponent(script).path] + arguments
    process.environment = ChildProcess.environment([:])
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    for _ in 0..<200 {
      let text = String(decoding: (try? Data(contentsOf: outputFile)) ?? Data(), as: UTF8.self)
      if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }),
        let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
      {
        return ScriptServer(process: process, port: port, input: input, outputFile: outputFile)
      }
      if !process.isRunning {
        throw ChildProcess.Failure(description: "\(script) exited at start (status \(process.terminationStatus))")
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    process.terminate()
    process.waitUntilExit()
    throw ChildProcess.Failure(description: "\(script) did not print READY within 10 s")
  }

  /// Closes stdin (the server's own way out), then terminates it if another child inherited
  /// the pipe and kept it open.
  public func stop() {
    try? input.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(2)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    try? FileManager.default.removeItem(at: outputFile)
  }
}
