import Foundation
import SecretsClient

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A `moto_server` on a loopback port it picks, started for one test and stopped by `stop()`.
public final class MotoServer: @unchecked Sendable {
  public let process: Process
  public let port: Int
  public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

  public static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("SecretsClientTests/Scripts")

  /// The environment the aws CLI and boto3 children get: test credentials, no user files.
  public static let clientEnvironment = ChildProcess.environment([
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_PAGER": "",
  ])

  private init(process: Process, port: Int) {
    self.process = process
    self.port = port
  }

  deinit { stop() }

  /// Why a moto_server did not come up: how it ended, if it did, and the end of its stderr.
  struct StartFailure: Error, CustomStringConvertible {
    var what: String
    var errors: String
    var description: String {
      let errors = errors.trimmingCharacters(in: .whitespacesAndNewlines)
      return "moto_server \(what); the end of its stderr: \(errors.isEmpty ? "(empty)" : errors)"
    }
  }

  /// Starts a moto_server and waits for it to answer. The `MotoServer` is made only once moto
  /// has answered: its deinit kills moto, so one made for a probe that then failed would be
  /// dropped and kill the moto being waited for. `executable` stands in for moto_server in
  /// the tests of this wait.
  public static func start(executable: URL? = nil) async throws -> MotoServer {
    let executable =
      try executable
      ?? ChildProcess.locate(
        "moto_server", installHint: "The test script must install it: pip install 'moto[server]' boto3 awscli.")
    let process = Process()
    process.executableURL = executable
    // Port 0: moto binds a port the kernel picks and names it on stderr. A port picked here
    // and released for moto to bind could be taken first by another test's server, which then
    // answered moto's probe and the requests meant for moto (moto, unable to bind, exited).
    process.arguments = ["-H", "127.0.0.1", "-p", "0"]
    process.environment = clientEnvironment
    process.standardOutput = FileHandle.nullDevice
    let errors = Pipe()
    process.standardError = errors
    let announcement = PortAnnouncement()
    // Read for as long as moto runs: it logs each request there, and a full pipe would stop it.
    errors.fileHandleForReading.readabilityHandler = { handle in
      let data = handle.availableData
      if data.isEmpty { handle.readabilityHandler = nil } else { announcement.read(data) }
    }
    try process.run()
    let transport = AsyncHTTPTransport()
    // Bounds a start that should take seconds: a loaded 2-core run has taken 50 s.
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
      if !process.isRunning {
        let how =
          process.terminationReason == .uncaughtSignal
          ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
        throw StartFailure(what: "\(how) at start", errors: announcement.tail)
      }
      if let port = announcement.port {
        let probe = HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/moto-api/data.json")!)
        if (try? await transport.send(probe, timeout: .seconds(2))) != nil {
          return MotoServer(process: process, port: port)
        }
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    throw StartFailure(what: "did not answer within 120 s", errors: announcement.tail)
  }

  /// The port in moto_server's "Running on http://127.0.0.1:PORT" line, once it has written
  /// it, and the last lines it wrote, for a start that fails.
  private final class PortAnnouncement: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    private var recent = ""
    private var found: Int?

    var port: Int? { lock.withLock { found } }
    var tail: String { lock.withLock { recent } }

    func read(_ data: Data) {
      lock.withLock {
        recent = String((recent + String(decoding: data, as: UTF8.self)).suffix(2_000))
        guard found == nil, text.utf8.count < 65_536 else { return }
        text += String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: "Running on http://127.0.0.1:") else { return }
        let rest = text[range.upperBound...]
        let digits = rest.prefix { $0.isNumber }
        // The whole number only: the line may arrive in pieces.
        if digits.count < rest.count { found = Int(digits) }
      }
    }
  }

  /// SIGKILL: moto keeps nothing to save, and it inherits the test runner's blocked SIGTERM,
  /// so a SIGTERM first only made every stop wait out its 2 s grace (counted in a full run).
  public func stop() {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Runs the aws CLI against this server and returns its JSON output.
  public func aws(_ arguments: [String]) throws -> Any {
    let output = try ChildProcess.run(try Self.awsCLI(), awsArguments(arguments), environment: Self.clientEnvironment)
    return try Self.json(output, arguments)
  }

  /// The same, off the cooperative pool (see the async `ChildProcess.run`).
  public func aws(_ arguments: [String]) async throws -> Any {
    let output = try await ChildProcess.run(
      try Self.awsCLI(), awsArguments(arguments), environment: Self.clientEnvironment)
    return try Self.json(output, arguments)
  }

  private static func awsCLI() throws -> URL {
    try ChildProcess.locate("aws", installHint: "The test script must install it: pip install awscli.")
  }

  private func awsArguments(_ arguments: [String]) -> [String] {
    ["--endpoint-url", endpoint.absoluteString, "--output", "json"] + arguments
  }

  private static func json(_ output: ChildProcess.Output, _ arguments: [String]) throws -> Any {
    guard output.status == 0 else {
      throw ChildProcess.Failure(description: "aws \(arguments.joined(separator: " ")) failed: \(output.stderr)")
    }
    return output.stdout.isEmpty ? [:] : try JSONSerialization.jsonObject(with: output.stdout)
  }

  /// Runs Scripts/moto_seed.py with python3.
  public func seed(_ arguments: [String]) throws {
    let python = try ChildProcess.locate("python3", installHint: "The test script must install python3 and boto3.")
    let output = try ChildProcess.run(
      python, [Self.scripts.appendingPathComponent("moto_seed.py").path, endpoint.absoluteString] + arguments,
      environment: Self.clientEnvironment)
    guard output.status == 0 else {
      throw ChildProcess.Failure(
        description: "moto_seed.py \(arguments.joined(separator: " ")) failed: \(output.stderr)")
    }
  }
}

extension MotoServer {
  /// What stagehand runs with against moto: test credentials, no config files, no
  /// instance metadata.
  public static let stagehandEnvironment = [
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
  ]

  /// versionId -> labels, as `aws secretsmanager list-secret-version-ids` reports them
  /// (moto lists unlabelled versions with an empty list; those are left out).
  public func labels(of secret: String) throws -> [String: Set<String>] {
    let object = try aws(["secretsmanager", "list-secret-version-ids", "--secret-id", secret]) as? [String: Any]
    var result: [String: Set<String>] = [:]
    for version in object?["Versions"] as? [[String: Any]] ?? [] {
      let stages = Set(version["VersionStages"] as? [String] ?? [])
      if !stages.isEmpty { result[version["VersionId"] as! String] = stages }
    }
    return result
  }

  /// A new version of `secret` with `value`, carrying `stages`; returns its id.
  public func put(_ secret: String, _ value: String, stages: [String]) throws -> String {
    let object =
      try aws(
        ["secretsmanager", "put-secret-value", "--secret-id", secret, "--secret-string", value, "--version-stages"]
          + stages) as? [String: Any]
    guard let id = object?["VersionId"] as? String else {
      throw ChildProcess.Failure(description: "put-secret-value gave no VersionId: \(String(describing: object))")
    }
    return id
  }
}

/// The helpers again for async tests, each waited for on a thread of its own (see the async
/// `ChildProcess.run`).
extension MotoServer {
  public func labels(of secret: String) async throws -> [String: Set<String>] {
    try await onOwnThread { try self.labels(of: secret) }
  }

  public func put(_ secret: String, _ value: String, stages: [String]) async throws -> String {
    try await onOwnThread { try self.put(secret, value, stages: stages) }
  }

  public func seed(_ arguments: [String]) async throws {
    try await onOwnThread { try self.seed(arguments) }
  }
}
