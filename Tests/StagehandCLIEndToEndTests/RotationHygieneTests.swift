import Foundation
import StagehandTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Planted values pass through put-pending (from a file and from standard input) and through
/// rotate (the value the stand-in's rotation function creates, which following reads to see
/// that it is there), with planted credentials and `--log-file`: none of them may appear in
/// stdout, stderr, the log or the process's arguments.
@Suite(.serialized, .ownThreads)
struct RotationHygieneTests {
  @Test func stagedAndRotatedValuesNeverLeak() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    let secret = PlantedSecrets.secret
    try rig.createRotatingSecret(secret, value: "an-unplanted-first-value")
    let rotatedValue = PlantedSecrets.value + "-rotated"
    try await rig.standin.configure(["value": rotatedValue, "finish_delay": 0.5, "cleanup_delay": 0.3])
    let log = rig.harness.directory.appendingPathComponent("requests.log")
    let file = rig.harness.directory.appendingPathComponent("pending.txt")
    try Data(PlantedSecrets.pendingValue.utf8).write(to: file)

    var captured: [SecretsHygieneTests.Captured] = []
    func stagehand(_ arguments: [String], stdin: String? = nil) throws -> CLIHarness.Result {
      let all = arguments + ["--log-file", log.path]
      let result = try rig.stagehand(all, stdin: stdin, environment: PlantedSecrets.environment)
      let name = arguments.joined(separator: " ")
      captured.append(.init(name: "the arguments of \(name)", text: all.joined(separator: " ")))
      captured.append(.init(name: "stdout of \(name)", text: result.stdout))
      captured.append(.init(name: "stderr of \(name)", text: result.stderr))
      return result
    }

    // From a file.
    #expect(try stagehand(["put-pending", secret, "--value-file", file.path, "--dry-run"]).status == 0)
    #expect(try stagehand(["put-pending", secret, "--value-file", file.path, "--dry-run", "--json"]).status == 0)
    #expect(try stagehand(["put-pending", secret, "--value-file", file.path, "--yes"]).status == 0)
    #expect(try rig.value(secret, stage: "AWSPENDING")["SecretString"] as? String == PlantedSecrets.pendingValue)
    #expect(try stagehand(["promote", secret, "--yes"]).status == 0)
    // From standard input, and refused without --yes.
    #expect(try stagehand(["put-pending", secret, "--value-stdin"], stdin: PlantedSecrets.value).status == 2)
    #expect(
      try stagehand(["put-pending", secret, "--value-stdin", "--yes", "--json"], stdin: PlantedSecrets.value).status
        == 0)
    #expect(try rig.value(secret, stage: "AWSPENDING")["SecretString"] as? String == PlantedSecrets.value)
    #expect(try stagehand(["promote", secret, "--yes"]).status == 0)
    #expect(try stagehand(["versions", secret]).status == 0)

    // Rotations: followed to the end, as text and JSON, and one that stops after createSecret.
    #expect(try stagehand(["rotate", secret, "--yes", "--timeout", "30"]).status == 0)
    #expect(try rig.value(secret, stage: "AWSCURRENT")["SecretString"] as? String == rotatedValue)
    #expect(try stagehand(["rotate", secret, "--yes", "--json", "--timeout", "30"]).status == 0)
    try await rig.standin.configure(["mode": "stop_after_create"])
    #expect(try stagehand(["rotate", secret, "--yes", "--timeout", "2"]).status == 1)
    #expect(try rig.value(secret, stage: "AWSPENDING")["SecretString"] as? String == rotatedValue)
    #expect(try stagehand(["versions", secret, "--json"]).status == 0)
    #expect(try stagehand(["rotate", secret, "--yes"]).status == 2)

    for item in captured { SecretsHygieneTests.expectClean(item) }
    let logText = try String(contentsOf: log, encoding: .utf8)
    for operation in ["PutSecretValue", "RotateSecret", "GetSecretValue"] {
      #expect(logText.contains(operation), "the log records \(operation)")
    }
    SecretsHygieneTests.expectClean(.init(name: "the --log-file", text: logText))
  }

  /// What a running `rotate` shows in /proc: its arguments, while it follows a rotation whose
  /// value it has read.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/cmdline")))
  func aRunningRotateHoldsNoValueInItsArguments() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    try rig.createRotatingSecret(PlantedSecrets.secret, value: "an-unplanted-first-value")
    try await rig.standin.configure(["value": PlantedSecrets.value, "mode": "stop_after_create"])
    let output = rig.harness.directory.appendingPathComponent("rotate.out")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let process = Process()
    process.executableURL = CLIHarness.binary
    process.arguments = [
      "rotate", PlantedSecrets.secret, "--yes", "--timeout", "20", "--endpoint-url",
      rig.standin.endpoint.absoluteString, "--region", "us-east-1",
    ]
    process.environment = rig.harness.environment.merging(PlantedSecrets.environment) { _, new in new }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer {
      // SIGKILL: the test runner's blocked SIGTERM is inherited.
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
    }
    let started = Date()
    while !(try String(contentsOf: output, encoding: .utf8)).contains("a value is present"), process.isRunning,
      Date().timeIntervalSince(started) < 20
    {
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(process.isRunning, "still following")
    let cmdline = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(process.processIdentifier)/cmdline"))
    let arguments = String(decoding: cmdline.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    #expect(arguments.contains("rotate \(PlantedSecrets.secret) --yes"))
    SecretsHygieneTests.expectClean(.init(name: "/proc/PID/cmdline of rotate", text: arguments))
  }
}
