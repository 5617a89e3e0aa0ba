import Foundation

/// Runs helper programs (python3, the aws CLI, moto_server) for tests. The environment is
/// passed to the child only, never set on this process.
public struct ChildProcess {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
  }

  public struct Output: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: String
  }

  /// The path of `program` on PATH, or a failure naming what to install.
  public static func locate(_ program: String, installHint: String) throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(program)
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw Failure(description: "\(program) was not found on PATH (\(path)). \(installHint)")
  }

  /// Runs to completion. Output goes to temporary files, not pipes: a server another test
  /// spawns at the same moment can inherit a pipe's write end and keep it open forever,
  /// so reading a pipe to its end could hang.
  public static func run(
    _ executable: URL, _ arguments: [String], stdin: Data = Data(), environment: [String: String]? = nil
  ) throws -> Output {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-child-\(UUID().uuidString)")
    let input = base.appendingPathExtension("in")
    let output = base.appendingPathExtension("out")
    let errors = base.appendingPathExtension("err")
    try stdin.write(to: input)
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    defer {
      for file in [input, output, errors] { try? FileManager.default.removeItem(at: file) }
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let handles = (
      try FileHandle(forReadingFrom: input), try FileHandle(forWritingTo: output), try FileHandle(forWritingTo: errors)
    )
    process.standardInput = handles.0
    process.standardOutput = handles.1
    process.standardError = handles.2
    try process.run()
    process.waitUntilExit()
    for handle in [handles.0, handles.1, handles.2] { try? handle.close() }
    return Output(
      status: process.terminationStatus, stdout: try Data(contentsOf: output),
      stderr: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
  }

  /// The same, waited for on a thread of its own. An async test that waited here would hold
  /// one of the cooperative pool's threads (one per core) for the child's whole run, and
  /// every other async test in the process would queue behind it.
  public static func run(
    _ executable: URL, _ arguments: [String], stdin: Data = Data(), environment: [String: String]? = nil
  ) async throws -> Output {
    try await onOwnThread { try run(executable, arguments, stdin: stdin, environment: environment) }
  }

  /// Writes an executable script (mode `mode`, octal). A child `/bin/sh` writes it: this
  /// process never holds it open for writing, because a process another test spawned at that
  /// moment would inherit the descriptor, and running the script while any process holds it
  /// open for writing fails with "Text file busy" (ETXTBSY).
  public static func writeExecutable(_ text: String, to path: String, mode: String = "700") throws {
    let written = try run(
      URL(fileURLWithPath: "/bin/sh"), ["-c", #"umask 077 && cat > "$1" && chmod "$2" "$1""#, "sh", path, mode],
      stdin: Data(text.utf8))
    guard written.status == 0 else { throw Failure(description: "could not write \(path): \(written.stderr)") }
  }

  /// The environment for a child: PATH and HOME from this process, plus `extra`.
  public static func environment(_ extra: [String: String]) -> [String: String] {
    var env: [String: String] = [:]
    for key in ["PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV", "PYENV_ROOT", "PYENV_VERSION"] {
      if let value = ProcessInfo.processInfo.environment[key] { env[key] = value }
    }
    return env.merging(extra) { _, new in new }
  }
}
