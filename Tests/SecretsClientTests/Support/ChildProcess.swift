import Foundation

/// Runs helper programs (python3, the aws CLI, moto_server) for tests. The environment is
/// passed to the child only, never set on this process.
struct ChildProcess {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  struct Output {
    var status: Int32
    var stdout: Data
    var stderr: String
  }

  /// The path of `program` on PATH, or a failure naming what to install.
  static func locate(_ program: String, installHint: String) throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(program)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw Failure(description: "\(program) was not found on PATH (\(path)). \(installHint)")
  }

  /// Runs to completion; stdin comes from a temporary file so large inputs cannot deadlock.
  static func run(
    _ executable: URL, _ arguments: [String], stdin: Data = Data(), environment: [String: String]? = nil
  ) throws -> Output {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-stdin-\(UUID().uuidString)")
    try stdin.write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardInput = try FileHandle(forReadingFrom: input)
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let errorData = ErrorCollector(err.fileHandleForReading)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Output(status: process.terminationStatus, stdout: stdout, stderr: errorData.finish())
  }

  /// The environment for a child: PATH and HOME from this process, plus `extra`.
  static func environment(_ extra: [String: String]) -> [String: String] {
    var env: [String: String] = [:]
    for key in ["PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV", "PYENV_ROOT", "PYENV_VERSION"] {
      if let value = ProcessInfo.processInfo.environment[key] { env[key] = value }
    }
    return env.merging(extra) { _, new in new }
  }
}

/// Drains stderr on its own thread while stdout is read, so neither pipe fills up.
final class ErrorCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  private let done = DispatchSemaphore(value: 0)

  init(_ handle: FileHandle) {
    Thread.detachNewThread { [self] in
      let all = handle.readDataToEndOfFile()
      lock.lock()
      data = all
      lock.unlock()
      done.signal()
    }
  }

  func finish() -> String {
    done.wait()
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: data, as: UTF8.self)
  }
}
