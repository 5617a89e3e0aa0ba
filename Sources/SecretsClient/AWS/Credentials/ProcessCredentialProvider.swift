import Foundation

/// The profile's `credential_process`: a command whose standard output is a JSON document
/// (`Version` 1, `AccessKeyId`, `SecretAccessKey`, optional `SessionToken` and `Expiration`).
///
/// Like botocore the command line is split with shell-word rules and run directly, never
/// through a shell. Its standard output holds credentials, so it never appears in an error;
/// its standard error is the tool's own explanation and is quoted when it fails.
public struct ProcessCredentialProvider: CredentialProvider {
  public var profileName: String
  public var configuration: SharedConfiguration
  public var environment: AWSEnvironment

  public init(profileName: String, configuration: SharedConfiguration, environment: AWSEnvironment) {
    self.profileName = profileName
    self.configuration = configuration
    self.environment = environment
  }

  public var sourceName: String { "credential_process" }

  public func credentials() async throws -> AWSCredentials {
    guard let command = configuration.profiles[profileName]?["credential_process"], !command.isEmpty else {
      throw CredentialsNotConfigured("profile \(profileName) has no credential_process")
    }
    let arguments: [String]
    do {
      arguments = try ShellWords.split(command)
    } catch {
      throw SecretsError.configuration("credential_process of profile \(profileName) has an unbalanced quote.")
    }
    guard let program = arguments.first else {
      throw CredentialsNotConfigured("profile \(profileName) has an empty credential_process")
    }
    let output = try await run(program: program, arguments: Array(arguments.dropFirst()))
    if output.status != 0 {
      let stderr = String(decoding: output.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      throw SecretsError.configuration(
        "credential_process \(program) (profile \(profileName)) exited with status \(output.status)"
          + (stderr.isEmpty ? "." : ": \(stderr)"))
    }
    return try Self.decode(output.stdout, program: program)
  }

  static func decode(_ data: Data, program: String) throws -> AWSCredentials {
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw SecretsError.configuration("credential_process \(program) did not print a JSON object.")
    }
    guard let version = object["Version"] as? Int, version == 1 else {
      throw SecretsError.configuration(
        "credential_process \(program) printed an unsupported Version (supported versions: 1).")
    }
    guard let accessKey = object["AccessKeyId"] as? String, let secretKey = object["SecretAccessKey"] as? String
    else {
      throw SecretsError.configuration(
        "credential_process \(program) printed JSON without AccessKeyId and SecretAccessKey.")
    }
    var expiration: Date?
    if let text = object["Expiration"] as? String {
      guard let date = ISO8601Timestamp.parse(text) else {
        throw SecretsError.configuration(
          "credential_process \(program) printed an Expiration that is not an ISO 8601 time.")
      }
      expiration = date
    }
    return AWSCredentials(
      accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: object["SessionToken"] as? String,
      expiration: expiration)
  }

  private struct Output {
    var status: Int32
    var stdout: Data
    var stderr: Data
  }

  private func run(program: String, arguments: [String]) async throws -> Output {
    guard let executable = resolve(program) else {
      throw SecretsError.configuration(
        "credential_process of profile \(profileName): \(program) was not found (PATH searched).")
    }
    let environment = environment.variables
    return try await withCheckedThrowingContinuation { continuation in
      // Reading both pipes to the end and waiting blocks, so it runs on its own thread rather
      // than on the cooperative pool.
      Thread.detachNewThread {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do {
          try process.run()
        } catch {
          continuation.resume(
            throwing: SecretsError.configuration("credential_process \(program) could not be started: \(error)"))
          return
        }
        let errorData = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
          errorData.set(stderr.fileHandleForReading.readDataToEndOfFile())
          group.leave()
        }
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        continuation.resume(
          returning: Output(status: process.terminationStatus, stdout: outputData, stderr: errorData.get()))
      }
    }
  }

  /// `subprocess.Popen` looks a bare program name up in PATH; so does this, in the injected
  /// environment's PATH.
  private func resolve(_ program: String) -> String? {
    let expanded = environment.expandingTilde(program)
    if expanded.contains("/") {
      return FileManager.default.isExecutableFile(atPath: expanded) ? expanded : nil
    }
    let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/\(expanded)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}

/// Lets the stderr reader hand its bytes back across threads.
private final class LockedData: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()

  func set(_ value: Data) {
    lock.withLock { data = value }
  }

  func get() -> Data {
    lock.withLock { data }
  }
}
