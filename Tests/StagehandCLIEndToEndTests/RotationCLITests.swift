import Foundation
import StagehandTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `rotate`, `put-pending`, `cancel-rotation` and the rotation lines of `versions`, run as
/// commands against moto behind the rotation stand-in, with the aws CLI (against moto
/// itself) as the judge of what happened.
@Suite(.serialized, .ownThreads)
struct RotationCLITests {
  static let secret = "rot/db"

  /// The new version's id as the preview names it ("New version: <token> …").
  static func token(in stdout: String) -> String? {
    stdout.split(separator: "\n").first { $0.hasPrefix("New version: ") }.flatMap {
      $0.dropFirst("New version: ".count).split(separator: " ").first.map(String.init)
    }
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func aSuccessfulRotationIsFollowedToTheEnd() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    let current = try rig.createRotatingSecret(Self.secret)
    let previous = try await #require(try rig.moto.labels(of: Self.secret).first { $0.value == ["AWSPREVIOUS"] }?.key)
    try await rig.standin.configure(["finish_delay": 1.5, "cleanup_delay": 2.5])

    // A dry run shows the preview and sends nothing.
    let dry = try rig.stagehand(["rotate", Self.secret, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("rot/db: rotate with rotation function \(RotationStandin.functionARN) (dry run"))
    #expect(dry.stdout.contains("-AWSCURRENT +AWSPREVIOUS (automatic)"))
    #expect(dry.stdout.contains("-AWSPREVIOUS (automatic) (deprecated)"))
    #expect(dry.stdout.contains("(new)        AWSCURRENT   +AWSPENDING, then +AWSCURRENT -AWSPENDING"))
    let dryToken = try #require(Self.token(in: dry.stdout))
    #expect(
      dry.stdout.contains(
        "aws secretsmanager rotate-secret --secret-id rot/db --client-request-token \(dryToken)\n"))
    #expect(try await rig.standin.stats().rotateRequests == 0)

    let result = try rig.stagehand(["rotate", Self.secret, "--yes", "--timeout", "30"])
    #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    let token = try #require(Self.token(in: result.stdout))
    #expect(try await rig.standin.stats().tokens == [token])
    for stage in [
      "a value is present on the new version", "AWSCURRENT moved to the new version", "AWSPENDING cleaned up",
    ] {
      #expect(result.stdout.contains(stage), "\(stage) in \(result.stdout)")
    }
    #expect(result.stdout.contains("Done: AWSCURRENT is on the new version \(token.prefix(8))…"))
    #expect(try await rig.moto.labels(of: Self.secret) == [token: ["AWSCURRENT"], current: ["AWSPREVIOUS"]])
    #expect(try await rig.moto.labels(of: Self.secret)[previous] == nil, "the old AWSPREVIOUS version is deprecated")
    #expect(try rig.value(Self.secret, stage: "AWSCURRENT")["VersionId"] as? String == token)

    // Again with --json: one document at the end.
    let json = try rig.stagehand(["rotate", Self.secret, "--yes", "--json", "--timeout", "30"])
    #expect(json.status == 0, "\(json.stderr)")
    let object = try Self.json(json.stdout)
    let second = try #require(object["VersionId"] as? String)
    #expect(object["Applied"] as? Bool == true)
    #expect(object["Completed"] as? Bool == true)
    #expect(object["Operation"] as? String == "RotateSecret")
    #expect(object["RotationLambdaARN"] as? String == RotationStandin.functionARN)
    #expect((object["Request"] as? [String: Any])?["ClientRequestToken"] as? String == second)
    let stages = (object["Stages"] as? [[String: Any]])?.compactMap { $0["Stage"] as? String } ?? []
    #expect(stages.last == "PendingCleanedUp", "\(stages)")
    #expect((object["Current"] as? [String: [String]])?[second] == ["AWSCURRENT"])
    #expect((object["After"] as? [String: [String]])?[token] == ["AWSPREVIOUS"])
    #expect(try await rig.moto.labels(of: Self.secret) == [second: ["AWSCURRENT"], token: ["AWSPREVIOUS"]])
  }

  @Test func aFunctionThatStopsAfterCreateSecretEndsInADiagnosis() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    let current = try rig.createRotatingSecret(Self.secret)
    try await rig.standin.configure(["mode": "stop_after_create"])

    let result = try rig.stagehand(["rotate", Self.secret, "--yes", "--timeout", "3"])
    #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
    let token = try #require(Self.token(in: result.stdout))
    #expect(result.stdout.contains("a value is present on the new version"))
    for part in [
      "The rotation did not finish within 3 s", "the rotation itself was not stopped",
      "Reached: a value is present on the new version.", "AWSCURRENT never moved",
      "read the logs of the rotation function \(RotationStandin.functionARN): "
        + "aws logs tail /aws/lambda/stagehand-test-rotation --since 1h --region us-east-1",
      "finish it, if the pending value was tested: stagehand promote rot/db",
      "abandon it: stagehand remove rot/db AWSPENDING",
    ] {
      #expect(result.stderr.contains(part), "\(part) in \(result.stderr)")
    }
    #expect(try await rig.moto.labels(of: Self.secret)[token] == ["AWSPENDING"])
    #expect(try await rig.moto.labels(of: Self.secret)[current] == ["AWSCURRENT"])

    // `versions` marks it stuck; the promote it suggests finishes it.
    let versions = try rig.stagehand(["versions", Self.secret])
    #expect(versions.stdout.contains("rotation stuck: AWSPENDING on \(token.prefix(8))…, not on AWSCURRENT"))
    #expect(
      try Self.json(try rig.stagehand(["versions", Self.secret, "--json"]).stdout)["RotationStuck"] as? Bool == true)
    #expect(try rig.stagehand(["promote", Self.secret, "--yes"]).status == 0)
    #expect(try await rig.moto.labels(of: Self.secret) == [token: ["AWSCURRENT"], current: ["AWSPREVIOUS"]])

    // The same stop, as JSON.
    let json = try rig.stagehand(["rotate", Self.secret, "--yes", "--json", "--timeout", "2"])
    #expect(json.status == 1)
    let object = try Self.json(json.stdout)
    #expect(object["Applied"] as? Bool == true)
    #expect(object["Completed"] as? Bool == false)
    #expect(object["StoppedBy"] as? String == "Timeout")
    let diagnosis = try #require(object["Diagnosis"] as? [String: Any])
    #expect(diagnosis["Reached"] as? String == "ValuePresent")
    let remedies = (diagnosis["Remedies"] as? [[String: Any]])?.compactMap { $0["Action"] as? String }
    #expect(remedies == ["ReadLogs", "Promote", "RemovePending"])
  }

  @Test func ctrlCStopsFollowingButNotTheRotation() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    try rig.createRotatingSecret(Self.secret)
    try await rig.standin.configure(["mode": "stop_after_create"])
    let output = rig.harness.directory.appendingPathComponent("rotate.out")
    let errors = rig.harness.directory.appendingPathComponent("rotate.err")
    for file in [output, errors] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
    let process = Process()
    process.executableURL = CLIHarness.binary
    process.arguments = [
      "rotate", Self.secret, "--yes", "--timeout", "60", "--endpoint-url", rig.standin.endpoint.absoluteString,
      "--region", "us-east-1",
    ]
    process.environment = rig.harness.environment.merging(MotoServer.stagehandEnvironment) { _, new in new }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = try FileHandle(forWritingTo: errors)
    try process.run()
    let started = Date()
    while !(try String(contentsOf: output, encoding: .utf8)).contains("a value is present"), process.isRunning,
      Date().timeIntervalSince(started) < 30
    {
      try await Task.sleep(for: .milliseconds(100))
    }
    kill(process.processIdentifier, SIGINT)
    let interrupted = Date()
    while process.isRunning && Date().timeIntervalSince(interrupted) < 10 {
      try await Task.sleep(for: .milliseconds(50))
    }
    // Not ended by SIGINT within 10 s: killed, and the exit checks below fail.
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    let stdout = try String(contentsOf: output, encoding: .utf8)
    let stderr = try String(contentsOf: errors, encoding: .utf8)
    #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(stdout)\n\(stderr)")
    #expect(
      stderr.contains("Interrupted: Stagehand stopped following the rotation; the rotation itself was not stopped."))
    #expect(stderr.contains("stagehand remove rot/db AWSPENDING"))
    let token = try #require(Self.token(in: stdout))
    #expect(try await rig.moto.labels(of: Self.secret)[token] == ["AWSPENDING"], "the rotation was left where it was")
  }

  @Test func aStaleAWSPENDINGIsRefusedBeforeAnythingIsSent() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    try rig.createRotatingSecret(Self.secret)
    let stale = try await rig.moto.put(Self.secret, "half-rotated", stages: ["AWSPENDING"])
    let before = try await rig.moto.labels(of: Self.secret)

    let refused = try rig.stagehand(["rotate", Self.secret, "--yes"])
    #expect(refused.status == 2, "\(refused.stderr)")
    for part in [
      "AWSPENDING is on \(stale.prefix(8))…, not on the AWSCURRENT version",
      "Finish it (stagehand promote rot/db) or abandon it (stagehand remove rot/db AWSPENDING).",
    ] {
      #expect(refused.stderr.contains(part), "\(part) in \(refused.stderr)")
    }
    let json = try rig.stagehand(["rotate", Self.secret, "--yes", "--json"])
    #expect(json.status == 2)
    #expect(try Self.json(json.stdout)["Applied"] as? Bool == false)
    #expect((try Self.json(json.stdout)["Refused"] as? String)?.contains("stagehand promote rot/db") == true)
    #expect(try await rig.standin.stats().rotateRequests == 0, "nothing reached RotateSecret")
    #expect(try await rig.moto.labels(of: Self.secret) == before)

    // The stand-in itself answers as AWS does (moto would strip the stale label and rotate).
    let direct = try rig.awsThroughStandin(["secretsmanager", "rotate-secret", "--secret-id", Self.secret])
    #expect(direct.status != 0)
    #expect(direct.stderr.contains("A previous rotation isn't complete"), "\(direct.stderr)")
    #expect(try await rig.standin.stats().refused["in_progress"] == 1)

    // AWSPENDING on the AWSCURRENT version (an older finishSecret template) is no obstacle for
    // AWS, whatever moto's inverted check says: the new version takes it.
    #expect(try rig.stagehand(["remove", Self.secret, "AWSPENDING", "--yes"]).status == 0)
    #expect(try rig.stagehand(["move", Self.secret, "AWSPENDING", "--to", ":AWSCURRENT", "--yes"]).status == 0)
    let onCurrent = try rig.stagehand(["rotate", Self.secret, "--dry-run"])
    #expect(onCurrent.status == 0, "\(onCurrent.stderr)")
    #expect(onCurrent.stdout.contains("AWSPENDING sits on the current version"))
  }

  @Test func aSecretWithoutRotationIsRefused() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    _ = try await rig.moto.aws(["secretsmanager", "create-secret", "--name", "plain/db", "--secret-string", "one"])
    let refused = try rig.stagehand(["rotate", "plain/db", "--yes"])
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("plain/db has no rotation configured"), "\(refused.stderr)")
    #expect(try await rig.standin.stats().rotateRequests == 0)

    // AWS (the stand-in) refuses the call too.
    let direct = try rig.awsThroughStandin(["secretsmanager", "rotate-secret", "--secret-id", "plain/db"])
    #expect(direct.status != 0)
    #expect(direct.stderr.contains("doesn't already have a Lambda function ARN configured"), "\(direct.stderr)")

    // Naming a function is the way: the preview uses it and the command carries it.
    let named = try rig.stagehand([
      "rotate", "plain/db", "--rotation-lambda-arn", RotationStandin.functionARN, "--schedule-days", "7",
      "--dry-run",
    ])
    #expect(named.status == 0, "\(named.stderr)")
    #expect(named.stdout.contains("plain/db: rotate with rotation function \(RotationStandin.functionARN)"))
    #expect(
      named.stdout.contains(
        "--rotation-lambda-arn \(RotationStandin.functionARN) --rotation-rules AutomaticallyAfterDays=7"))
    let bad = try rig.stagehand(["rotate", "plain/db", "--schedule-days", "0", "--dry-run"])
    #expect(bad.status == 2)
  }

  @Test func putPendingFromAFileAndFromStdinThenPromote() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    let name = "manual/db"
    let first =
      try await rig.moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "one"])
      as? [String: Any]
    let v1 = try #require(first?["VersionId"] as? String)
    let file = rig.harness.directory.appendingPathComponent("new-value.txt")
    try Data("two-from-a-file".utf8).write(to: file)

    // --dry-run sends nothing.
    let dry = try rig.stagehand(["put-pending", name, "--value-file", file.path, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("stage a new value as AWSPENDING (15 bytes from \(file.path)) (dry run"))
    #expect(dry.stdout.contains("--secret-string file://\(file.path) --version-stages AWSPENDING"))
    #expect(try await rig.moto.labels(of: name) == [v1: ["AWSCURRENT"]])
    #expect(try await rig.standin.stats().byOperation["PutSecretValue"] == nil)

    let staged = try rig.stagehand(["put-pending", name, "--value-file", file.path, "--yes"])
    #expect(staged.status == 0, "\(staged.stderr)")
    let v2 = try #require(Self.token(in: staged.stdout))
    #expect(staged.stdout.contains("Make it current with: stagehand promote manual/db"))
    let pending = try rig.value(name, stage: "AWSPENDING")
    #expect(pending["SecretString"] as? String == "two-from-a-file")
    #expect(pending["VersionId"] as? String == v2)
    #expect(try rig.stagehand(["promote", name, "--yes"]).status == 0)
    #expect(try rig.value(name, stage: "AWSCURRENT")["SecretString"] as? String == "two-from-a-file")

    // From standard input: --yes or --dry-run is required, since the question can't be asked.
    let unasked = try rig.stagehand(["put-pending", name, "--value-stdin"], stdin: "three")
    #expect(unasked.status == 2)
    #expect(unasked.stderr.contains("pass --yes to stage it, or --dry-run to preview"), "\(unasked.stderr)")
    let piped = try rig.stagehand(
      ["put-pending", name, "--value-stdin", "--yes", "--json"], stdin: "three-from-stdin\n")
    #expect(piped.status == 0, "\(piped.stderr)")
    let object = try Self.json(piped.stdout)
    let v3 = try #require(object["VersionId"] as? String)
    #expect(object["Operation"] as? String == "PutSecretValue")
    #expect(object["ValueBytes"] as? Int == 17)
    #expect(object["ValueType"] as? String == "SecretString")
    #expect((object["Request"] as? [String: Any])?["VersionStages"] as? [String] == ["AWSPENDING"])
    #expect((object["Command"] as? String)?.contains("--secret-string file:///dev/stdin") == true)
    #expect((object["Current"] as? [String: [String]])?[v3] == ["AWSPENDING"])
    #expect(try rig.value(name, stage: "AWSPENDING")["SecretString"] as? String == "three-from-stdin\n")
    #expect(try rig.stagehand(["promote", name, "--yes"]).status == 0)
    #expect(try rig.value(name, stage: "AWSCURRENT")["SecretString"] as? String == "three-from-stdin\n")
    #expect(try await rig.moto.labels(of: name) == [v3: ["AWSCURRENT"], v2: ["AWSPREVIOUS"]])

    // --binary sends SecretBinary; text that is not UTF-8 needs it.
    let bytes = Data([0x00, 0xFF, 0x80, 0x0A])
    try bytes.write(to: file)
    #expect(try rig.stagehand(["put-pending", name, "--value-file", file.path, "--yes"]).status == 2)
    let binary = try rig.stagehand(["put-pending", name, "--value-file", file.path, "--binary", "--yes"])
    #expect(binary.status == 0, "\(binary.stderr)")
    #expect(binary.stdout.contains("--secret-binary fileb://\(file.path)"))
    #expect(try rig.value(name, stage: "AWSPENDING")["SecretBinary"] as? String == bytes.base64EncodedString())

    // Exactly one source, never the command line.
    #expect(try rig.stagehand(["put-pending", name, "--yes"]).status == 2)
    #expect(try rig.stagehand(["put-pending", name, "--value-file", file.path, "--value-stdin", "--yes"]).status == 2)
  }

  @Test func cancelRotationTurnsRotationOff() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    try rig.createRotatingSecret(Self.secret)
    let pending = try await rig.moto.put(Self.secret, "half-rotated", stages: ["AWSPENDING"])

    let dry = try rig.stagehand(["cancel-rotation", Self.secret, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    for part in [
      "rot/db: cancel rotation, which turns automatic rotation off (dry run: nothing sent)",
      "automatic rotation is turned off",
      "AWSPENDING is on \(pending.prefix(8))… now; a rotation under way can leave it there",
      "To remove AWSPENDING from \(pending.prefix(8))… afterwards:\n  stagehand remove rot/db AWSPENDING",
      "aws secretsmanager cancel-rotate-secret --secret-id rot/db",
    ] {
      #expect(dry.stdout.contains(part), "\(part) in \(dry.stdout)")
    }
    #expect(try rig.describe(Self.secret)["RotationEnabled"] as? Bool == true)

    let json = try rig.stagehand(["cancel-rotation", Self.secret, "--yes", "--json"])
    #expect(json.status == 0, "\(json.stderr)")
    let object = try Self.json(json.stdout)
    #expect(object["Operation"] as? String == "CancelRotateSecret")
    #expect(object["Applied"] as? Bool == true)
    #expect(object["RotationEnabled"] as? Bool == false)
    #expect(try rig.describe(Self.secret)["RotationEnabled"] as? Bool == false)

    let again = try rig.stagehand(["cancel-rotation", Self.secret, "--yes"])
    #expect(again.status == 2)
    #expect(again.stderr.contains("already off"), "\(again.stderr)")
  }

  @Test func versionsShowsTheRotationConfiguration() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    try rig.createRotatingSecret(Self.secret)
    _ = try await rig.moto.aws(["secretsmanager", "create-secret", "--name", "plain/db", "--secret-string", "one"])

    let text = try rig.stagehand(["versions", Self.secret])
    #expect(text.status == 0, "\(text.stderr)")
    let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines[1] == "labels 2/20")
    #expect(
      lines[2].hasPrefix(
        "rotation: on; rotation function \(RotationStandin.functionARN); every 30 days; last rotated "),
      "\(lines[2])")
    #expect(lines[2].contains("; next "))
    #expect(lines[3] == "")

    let object = try Self.json(try rig.stagehand(["versions", Self.secret, "--json"]).stdout)
    #expect(object["RotationEnabled"] as? Bool == true)
    #expect(object["RotationLambdaARN"] as? String == RotationStandin.functionARN)
    #expect((object["RotationRules"] as? [String: Any])?["AutomaticallyAfterDays"] as? Int == 30)
    #expect(object["LastRotatedDate"] is String)
    #expect(object["NextRotationDate"] is String)
    #expect(object["RotationStuck"] as? Bool == false)

    // A secret without rotation keeps the lines it had.
    let plain = try rig.stagehand(["versions", "plain/db"])
    #expect(plain.stdout.split(separator: "\n")[1] == "labels 1/20")
    #expect(!plain.stdout.contains("rotation"))
    let plainJSON = try Self.json(try rig.stagehand(["versions", "plain/db", "--json"]).stdout)
    #expect(plainJSON["RotationEnabled"] as? Bool == false)
    #expect(plainJSON["RotationLambdaARN"] == nil)
  }

  @Test func aResentRotateSecretKeepsItsTokenAndStartsOneRotation() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    let current = try rig.createRotatingSecret(Self.secret)
    try await rig.standin.configure(["finish_delay": 0.5, "cleanup_delay": 0.2, "reset_after": 1])
    let result = try rig.stagehand(["rotate", Self.secret, "--yes", "--timeout", "30"])
    #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    let token = try #require(Self.token(in: result.stdout))
    let stats = try await rig.standin.stats()
    #expect(stats.tokens == [token, token], "resent with the same token")
    #expect(stats.rotationsStarted == 1)
    #expect(try await rig.moto.labels(of: Self.secret) == [token: ["AWSCURRENT"], current: ["AWSPREVIOUS"]])
  }

  @Test func aResentPutSecretValueIsAppliedOnce() async throws {
    let rig = try await RotationRig.start()
    defer { rig.stop() }
    let proxy = try await FaultProxy.start(target: rig.moto, seed: 3)
    defer { proxy.stop() }
    let name = "manual/db"
    _ = try await rig.moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", "one"])
    let file = rig.harness.directory.appendingPathComponent("new-value.txt")
    try Data("two".utf8).write(to: file)
    // The first PutSecretValue reaches moto and its answer is lost.
    try await proxy.configure(["fail_nth": ["operation": "PutSecretValue", "n": 1, "faults": ["reset_after"]]])
    let result = try await rig.harness.run(
      [
        "put-pending", name, "--value-file", file.path, "--yes", "--endpoint-url", proxy.endpoint.absoluteString,
        "--region", "us-east-1",
      ], extraEnvironment: MotoServer.stagehandEnvironment)
    #expect(result.status == 0, "\(result.stderr)")
    let token = try #require(Self.token(in: result.stdout))
    #expect(try await proxy.stats().byOperation["PutSecretValue"] == 2, "resent once")
    let versions =
      try await rig.moto.aws(["secretsmanager", "list-secret-version-ids", "--secret-id", name]) as? [String: Any]
    #expect((versions?["Versions"] as? [Any])?.count == 2, "one version added")
    #expect(try rig.value(name, stage: "AWSPENDING")["VersionId"] as? String == token)
  }

  @Test func helpListsTheRotationCommands() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let help = try await h.run(["--help"])
    for subcommand in ["rotate", "put-pending", "cancel-rotation"] {
      #expect(help.stdout.contains(subcommand), "root help lists \(subcommand)")
      let sub = try await h.run([subcommand, "--help"])
      #expect(sub.status == 0)
      #expect(sub.stdout.contains("USAGE: stagehand \(subcommand)"))
      #expect(sub.stdout.contains("Examples:"))
    }
  }
}
