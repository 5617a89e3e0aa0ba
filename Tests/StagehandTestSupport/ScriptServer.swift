import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A test server on a loopback port it picks and prints: a Python script from `Tests/Tools`
/// ("READY <port>"), or another program through `launch`. Its output goes to a file, not a
/// pipe (see `ChildProcess.run`); stdin is a pipe, so that closing it stops the server and
/// `writeInput` can talk to one that reads it.
public final class ScriptServer: @unchecked Sendable {
  public let process: Process
  public let port: Int
  private let input: Pipe
  private let outputFile: URL
  private let stopsAtEndOfInput: Bool

  /// `Tests/Tools`.
  public static let tools = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tools")

  private init(process: Process, port: Int, input: Pipe, outputFile: URL, stopsAtEndOfInput: Bool) {
    self.process = process
    self.port = port
    self.input = input
    self.outputFile = outputFile
    self.stopsAtEndOfInput = stopsAtEndOfInput
  }

  deinit { stop() }

  /// Starts `Tests/Tools/<script>` with `arguments` and waits up to 10 s for its READY line.
  public static func start(_ script: String, _ arguments: [String]) async throws -> ScriptServer {
    let python = try ChildProcess.locate("python3", installHint: "The test script must install python3.")
    return try await launch(
      python, [tools.appendingPathComponent(script).path] + arguments, name: script, readyPrefix: "READY ")
  }

  /// Starts `executable` and waits up to 10 s for a line `readyPrefix` + "<port>" or
  /// "<host>:<port>". `recordsErrors` puts its stderr into `output` too; a server that
  /// `stopsAtEndOfInput` is given the chance to leave on its own before it is killed.
  public static func launch(
    _ executable: URL, _ arguments: [String], name: String, readyPrefix: String, recordsErrors: Bool = false,
    stopsAtEndOfInput: Bool = true
  ) async throws -> ScriptServer {
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent(
      "stagehand-server-\(UUID().uuidString).out")
    _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
    let output = try FileHandle(forWritingTo: outputFile)
    defer { try? output.close() }
    let input = Pipe()
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ChildProcess.environment([:])
    process.standardInput = input
    process.standardOutput = output
    process.standardError = recordsErrors ? output : FileHandle.nullDevice
    try process.run()
    for _ in 0..<200 {
      let text = contents(of: outputFile)
      if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(readyPrefix) }),
        let port = line.dropFirst(readyPrefix.count).split(separator: ":").last.flatMap({
          Int($0.trimmingCharacters(in: .whitespaces))
        })
      {
        return ScriptServer(
          process: process, port: port, input: input, outputFile: outputFile, stopsAtEndOfInput: stopsAtEndOfInput)
      }
      if !process.isRunning {
        throw ChildProcess.Failure(
          description: "\(name) exited at start (status \(process.terminationStatus)): \(text)")
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    end(process)
    throw ChildProcess.Failure(description: "\(name) did not print \(readyPrefix)within 10 s")
  }

  /// Everything the server has written to its output file so far.
  public var output: String { Self.contents(of: outputFile) }

  private static func contents(of file: URL) -> String {
    String(decoding: (try? Data(contentsOf: file)) ?? Data(), as: UTF8.self)
  }

  /// Writes `text` to the server's stdin.
  public func writeInput(_ text: String) throws {
    try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
  }

  /// Closes stdin (the server's own way out), then kills it if another child inherited the
  /// pipe and kept it open, or it does not stop at the end of its input.
  public func stop() {
    try? input.fileHandleForWriting.close()
    let deadline = Date().addingTimeInterval(stopsAtEndOfInput ? 2 : 0)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    Self.end(process)
    try? FileManager.default.removeItem(at: outputFile)
  }

  /// SIGKILL: a child inherits the test runner's blocked signals, SIGTERM among them, so
  /// `terminate()` would leave it running and `waitUntilExit` waiting forever.
  private static func end(_ process: Process) {
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
  }
}
