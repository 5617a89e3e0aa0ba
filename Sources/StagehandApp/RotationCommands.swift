import ArgumentParser
import Foundation
import SecretsClient
import StagingModel

struct RotateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rotate", abstract: "Start a rotation (RotateSecret) after a preview, and follow it to the end.",
    discussion: """
      The pre-flight only reads: rotation must be configured (a rotation function, managed rotation, \
      or --rotation-lambda-arn), and AWSPENDING must not sit on a version other than AWSCURRENT (a \
      rotation that did not finish, which AWS refuses to start over). The preview shows the new \
      version (its id is the ClientRequestToken Stagehand chose, resent as it is on a retry), the \
      labels before and after, and the aws CLI command.

      Once RotateSecret is accepted, the secret is read until AWSCURRENT sits on the new version, and each \
      stage is shown as it is seen. On --timeout or Ctrl-C the following stops (never the rotation) \
      and the command exits 1 with where the rotation stopped and what to do.

      On the demo store the first example succeeds and the second gets stuck in testSecret \
      (simulated rotation functions, 2 s a step).

      Examples:
        stagehand --demo rotate staging/orders/redis-auth-token --yes
        stagehand --demo rotate staging/reports/warehouse-password --yes --timeout 10
        stagehand rotate prod/db --dry-run
        stagehand rotate prod/db --yes --no-wait
        stagehand rotate prod/db --rotation-lambda-arn ARN --schedule-days 30 --yes
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var output: PlanOutputOptions
  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String

  @Flag(help: "Return once RotateSecret is accepted, without following the rotation.")
  var noWait = false

  @Option(help: ArgumentHelp("Stop following after this many seconds (the rotation goes on).", valueName: "seconds"))
  var timeout: Double = 120

  @Option(help: ArgumentHelp("Set this rotation function (a Lambda ARN) and rotate with it.", valueName: "arn"))
  var rotationLambdaArn: String?

  @Option(help: ArgumentHelp("Set the schedule: rotate every N days (1 to 1000).", valueName: "n"))
  var scheduleDays: Int?

  @Flag(help: "Don't rotate now: AWS runs only testSecret, and rotates at the next scheduled window.")
  var noImmediate = false

  func validate() throws {
    guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout takes 1 to 86400 seconds.") }
    if let scheduleDays, !(1...1000).contains(scheduleDays) {
      throw ValidationError("--schedule-days takes a number of days from 1 to 1000.")
    }
  }

  func run() async throws {
    let backend = try await BackendFactory.make(global.settings)
    let found = try await Commands.describe(backend, secret, includeDeprecated: true)
    let request = RotationRequest(
      token: UUID().uuidString.lowercased(), lambdaARN: rotationLambdaArn, scheduleDays: scheduleDays,
      rotateImmediately: !noImmediate)
    if output.out != nil {
      var words = ["rotate", secret]
      if let rotationLambdaArn { words += ["--rotation-lambda-arn", rotationLambdaArn] }
      if let scheduleDays { words += ["--schedule-days", String(scheduleDays)] }
      if noImmediate { words.append("--no-immediate") }
      return try RotationFlow.write(
        RotationPlanner.rotate(request, for: found), secret: found, backend: backend, options: change, output: output,
        command: CommandText.line(words))
    }
    guard
      let confirmed = try RotationFlow.confirm(
        RotationPlanner.rotate(request, for: found), secret: found, backend: backend, global: global,
        options: change, action: "start a rotation", question: "Start this rotation?",
        awsCommand: { $0.awsCLICommand ?? "" })
    else { return }
    let preview = confirmed.preview
    let command = preview.awsCLICommand ?? ""
    do {
      try await backend.rotateSecret(secretId: preview.secretId, request: request)
    } catch {
      throw try RotationFlow.failure(error, preview: preview, awsCommand: command, options: change)
    }
    if noWait || noImmediate {
      if change.json {
        var document = RotationJSON(preview, awsCommand: command, applied: true)
        document.versionId = request.token
        document.followed = false
        try JSONOutput.write(document)
      } else {
        Output.line(
          "Started: RotateSecret was accepted; the new version is \(request.token)."
            + (noImmediate ? " Only testSecret runs now: the labels move at the next scheduled window." : ""))
        Output.line("See how far it got with: stagehand versions \(shellQuote(found.name))")
      }
      return
    }
    try await follow(preview, request: request, backend: backend, secretName: found.name, awsCommand: command)
  }

  private func follow(
    _ preview: RotationPreview, request: RotationRequest, backend: any SecretsBackend, secretName: String,
    awsCommand: String
  ) async throws {
    let json = change.json
    if !json {
      Output.line(
        "Started: RotateSecret was accepted. Following it for up to \(Self.seconds(timeout)) "
          + "(Ctrl-C stops following, not the rotation):")
    }
    let started = ContinuousClock.now
    let follower = RotationFollower(
      backend: backend, interval: .milliseconds(Int(min(2, max(0.5, timeout / 10)) * 1_000)))
    let outcome = await RotationWatch.follow(
      follower, secretId: preview.secretId, token: request.token, timeout: .milliseconds(Int(timeout * 1_000))
    ) { observation in
      if !json { Output.line(RotationPrinter.stageLine(observation.stage, after: ContinuousClock.now - started)) }
    }
    let reached = outcome.reached ?? .requested
    let last = outcome.observations.last?.secret
    var document = RotationJSON(preview, awsCommand: awsCommand, applied: true)
    document.versionId = request.token
    document.followed = true
    document.completed = reached >= .currentMoved
    document.stages = outcome.observations.map { RotationJSON.Stage($0.stage) }
    document.current = last?.labelMap.labelledVersions
    var function: RotationFunction?
    if case .rotate(_, let chosen) = preview.kind { function = chosen }
    let diagnosis = RotationDiagnosis(
      secretName: secretName, token: request.token, reached: reached, function: function)

    // AWSCURRENT on the new version is success, even if the clean-up was still awaited.
    if reached >= .currentMoved, let last {
      var done = preview
      done.after = last.labelMap.labelledVersions
      if reached == .currentMoved { document.diagnosis = RotationJSON.Diagnosis(diagnosis) }
      if json {
        try JSONOutput.write(document)
        return
      }
      Output.line()
      Output.line("Done: AWSCURRENT is on the new version \(shortID(request.token)).")
      Output.line()
      for line in RotationPrinter.labelTable(done, predicted: false) { Output.line(line) }
      if reached == .currentMoved {
        Output.line()
        Output.line(RotationPrinter.text(diagnosis))
      }
      return
    }

    let why: String
    switch outcome.end {
    case .timedOut:
      document.stoppedBy = "Timeout"
      why =
        "The rotation did not finish within \(Self.seconds(timeout)). Stagehand stopped following it; "
        + "the rotation itself was not stopped."
    case .interrupted:
      document.stoppedBy = "Interrupt"
      why = "Interrupted: Stagehand stopped following the rotation; the rotation itself was not stopped."
    case .failed(let message):
      document.stoppedBy = "ReadError"
      why = "Reading the secret failed (\(message)); the rotation itself was not stopped."
    case .finished:
      document.stoppedBy = "Abandoned"
      why =
        "Version \(shortID(request.token)) lost AWSPENDING before it became AWSCURRENT: "
        + "the rotation was abandoned (cancelled, or AWSPENDING removed)."
    }
    var lines = [why]
    if outcome.end == .finished {
      let logs = diagnosis.remedies.filter { if case .readLogs = $0 { true } else { false } }
      lines += logs.map { "  - " + DisplayText.inline(RotationPrinter.text($0)) }
      document.diagnosis = RotationJSON.Diagnosis(reached: reached, message: why)
    } else {
      lines.append(RotationPrinter.text(diagnosis, DisplayText.inline))
      document.diagnosis = RotationJSON.Diagnosis(diagnosis)
    }
    if let last { lines.append(RotationPrinter.labelsNow(last.labelMap, DisplayText.inline)) }
    if json {
      try JSONOutput.write(document)
    }
    // `Output.error` makes the message safe; what it quotes is only kept on its line.
    throw CLIError.failure(lines.joined(separator: "\n"))
  }

  /// "120 s", "2.5 s".
  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }
}

struct PutPendingCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "put-pending",
    abstract: "Stage a new value as AWSPENDING (PutSecretValue): a manual rotation, finished by promote.",
    discussion: """
      The value comes from a file or from standard input, never from the command line. It is sent \
      once, with a fresh ClientRequestToken (resent as it is on a retry), and never printed, logged \
      or kept after the call. The preview shows the label effect (AWSPENDING moves off the version \
      holding it) and the value's size. Then `stagehand promote SECRET` makes it current, or \
      `stagehand remove SECRET AWSPENDING` abandons it.

      With --value-stdin the y/N question can't be asked (standard input is the value): pass --yes, \
      or --dry-run to preview.

      Examples:
        stagehand put-pending prod/db --value-file new-password.txt --dry-run
        stagehand put-pending prod/db --value-file new-password.txt --yes
        stagehand promote prod/db --yes
        generate-password | stagehand put-pending prod/db --value-stdin --yes
        stagehand put-pending prod/tls --value-file key.der --binary --yes
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String

  @Option(
    help: ArgumentHelp("Read the value from this file (sent as it is, trailing newline included).", valueName: "path"))
  var valueFile: String?

  @Flag(help: "Read the value from standard input.")
  var valueStdin = false

  @Flag(help: "Send the value as SecretBinary (any bytes) instead of SecretString (UTF-8 text).")
  var binary = false

  @OptionGroup var output: PlanOutputOptions

  func validate() throws {
    if output.out != nil {
      throw ValidationError(
        "put-pending can't be written to a plan file: a plan file never holds a secret value. "
          + "Preview it with --dry-run, then stage it with --yes.")
    }
    guard (valueFile != nil) != valueStdin else {
      throw ValidationError(
        "Pass one of --value-file PATH or --value-stdin: the value is never taken from the command line.")
    }
  }

  func run() async throws {
    if valueStdin && !change.yes && !global.dryRun {
      throw CLIError.refusal(
        "--value-stdin reads the value from standard input, so the y/N question can't be asked there: "
          + "pass --yes to stage it, or --dry-run to preview.")
    }
    let backend = try await BackendFactory.make(global.settings)
    let found = try await Commands.describe(backend, secret, includeDeprecated: true)
    var payload: SecretPayload? = try readValue()
    let bytes = payload?.byteCount ?? 0
    let endsWithNewline: Bool
    switch payload?.content {
    case .string(let text)?: endsWithNewline = text.utf8.last == 0x0A
    case .binary(let data)?: endsWithNewline = data.last == 0x0A
    case nil: endsWithNewline = false
    }
    let token = UUID().uuidString.lowercased()
    let command = putSecretValueCommand(secretName: found.name, token: token)
    guard
      let confirmed = try RotationFlow.confirm(
        RotationPlanner.putPending(token: token, bytes: bytes, binary: binary, for: found), secret: found,
        backend: backend, global: global, options: change, action: "stage a value", question: "Stage this value?",
        valueSource: valueFile ?? "standard input",
        context: endsWithNewline ? ["It ends with a newline, which is sent too (as the aws CLI's file:// does)."] : [],
        awsCommand: { _ in command })
    else { return }
    let preview = confirmed.preview
    do {
      try await backend.putPendingValue(secretId: preview.secretId, token: token, value: payload!)
      payload = nil
    } catch {
      payload = nil
      throw try RotationFlow.failure(error, preview: preview, awsCommand: command, options: change)
    }
    let now = try? await backend.describeSecret(preview.secretId, includeDeprecated: false)
    if change.json {
      var document = RotationJSON(preview, awsCommand: command, applied: true)
      document.versionId = token
      document.current = now?.labelMap.labelledVersions
      try JSONOutput.write(document)
      return
    }
    Output.line("Done: version \(token) holds the new value, with AWSPENDING.")
    if let now { Output.line(RotationPrinter.labelsNow(now.labelMap)) }
    Output.line(
      "Make it current with: stagehand promote \(shellQuote(found.name))  "
        + "(or abandon it: \(RotationPrinter.removePendingCommand(found.name)))")
  }

  /// The value from the file or standard input, checked to be UTF-8 text unless --binary.
  private func readValue() throws -> SecretPayload {
    let data: Data
    do {
      let handle =
        try valueFile.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: BackendFactory.absolute($0))) }
        ?? FileHandle.standardInput
      data = try Self.readAtMost(RotationPlanner.maximumValueBytes + 1, from: handle)
    } catch {
      throw CLIError.refusal(
        "Can't read the value from \(DisplayText.inline(valueFile ?? "standard input")): \(error.localizedDescription)"
      )
    }
    if data.count > RotationPlanner.maximumValueBytes {
      throw CLIError.refusal(
        "The value is over \(RotationPlanner.maximumValueBytes) bytes: AWS takes at most 64 KiB. Nothing was sent.")
    }
    if binary { return SecretPayload(.binary(data)) }
    guard let text = String(data: data, encoding: .utf8) else {
      throw CLIError.refusal("The value is not UTF-8 text: pass --binary to send it as SecretBinary.")
    }
    return SecretPayload(.string(text))
  }

  /// Up to `limit` bytes: a larger source (or an endless one, /dev/zero) is not read whole.
  private static func readAtMost(_ limit: Int, from handle: FileHandle) throws -> Data {
    var data = Data()
    while data.count < limit, let chunk = try handle.read(upToCount: limit - data.count), !chunk.isEmpty {
      data += chunk
    }
    return data
  }

  /// The aws CLI's way to send the same value: from the same file (or standard input), never
  /// the value itself.
  private func putSecretValueCommand(secretName: String, token: VersionID) -> String {
    let source = (binary ? "fileb://" : "file://") + (valueFile ?? "/dev/stdin")
    return [
      "aws secretsmanager put-secret-value", "--secret-id \(shellQuote(secretName))",
      "--client-request-token \(shellQuote(token))",
      "\(binary ? "--secret-binary" : "--secret-string") \(shellQuote(source))",
      "--version-stages \(StandardLabel.pending)",
    ].joined(separator: " ")
  }
}

struct CancelRotationCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel-rotation", abstract: "Turn a secret's automatic rotation off (CancelRotateSecret).",
    discussion: """
      A later `stagehand rotate` turns it on again. A rotation under way can be left half done, with \
      AWSPENDING on the version it created: the preview shows where AWSPENDING is now and the \
      command that removes it.

      Examples:
        stagehand cancel-rotation prod/db --dry-run
        stagehand cancel-rotation prod/db --yes
        stagehand remove prod/db AWSPENDING --yes       (if a rotation was under way)
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var output: PlanOutputOptions
  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String

  func run() async throws {
    let backend = try await BackendFactory.make(global.settings)
    let found = try await Commands.describe(backend, secret, includeDeprecated: true)
    if output.out != nil {
      return try RotationFlow.write(
        RotationPlanner.cancel(for: found), secret: found, backend: backend, options: change, output: output,
        command: CommandText.line(["cancel-rotation", secret]))
    }
    let command = "aws secretsmanager cancel-rotate-secret --secret-id \(shellQuote(found.name))"
    guard
      let confirmed = try RotationFlow.confirm(
        RotationPlanner.cancel(for: found), secret: found, backend: backend, global: global, options: change,
        action: "cancel rotation", question: "Turn automatic rotation off?",
        context: RotationPrinter.versionsLines(found).map { "Now: " + $0 }, awsCommand: { $0.awsCLICommand ?? command })
    else { return }
    let preview = confirmed.preview
    do {
      try await backend.cancelRotation(secretId: preview.secretId)
    } catch {
      throw try RotationFlow.failure(error, preview: preview, awsCommand: command, options: change)
    }
    let now = try? await backend.describeSecret(preview.secretId, includeDeprecated: false)
    if change.json {
      var document = RotationJSON(preview, awsCommand: command, applied: true)
      document.current = now?.labelMap.labelledVersions
      document.rotationEnabled = now?.rotationEnabled
      try JSONOutput.write(document)
      return
    }
    Output.line("Done: automatic rotation of \(Output.safe(found.name)) is off.")
    if let pending = (now ?? found).labelMap.holder(of: StandardLabel.pending) {
      Output.line(
        "AWSPENDING is still on \(shortID(Output.safe(pending))): if a rotation was under way, remove it with "
          + RotationPrinter.removePendingCommand(found.name))
    }
  }
}
