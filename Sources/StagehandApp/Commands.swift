import Foundation
import SecretsClient
import StagehandUI
import StagingModel

/// What the subcommands share: reading a secret, resolving versions, and the preview ->
/// confirm -> execute flow of every changing command.
enum Commands {
  /// What a user reads for any error, in the CLI and the UI alike, not yet made safe: the CLI
  /// (`Output.error`) and the UI's renderer make it safe where they show it.
  static func message(_ error: any Error) -> String {
    if let error = error as? SecretsError { return error.rawUserMessage }
    if let error = error as? CLIError { return error.message }
    return String(describing: error)
  }

  static func describe(_ backend: any SecretsBackend, _ secretId: String, includeDeprecated: Bool) async throws
    -> Secret
  {
    do {
      return try await backend.describeSecret(secretId, includeDeprecated: includeDeprecated)
    } catch let error as AmbiguousSecret {
      throw CLIError.refusal(Output.safe(error.description))
    } catch let error as SecretsError where error.code == "ResourceNotFoundException" {
      throw CLIError.refusal(
        "No secret named \"\(DisplayText.inline(secretId))\" in \(backend.displayName). See the names with: stagehand list"
      )
    } catch {
      throw CLIError.failure(message(error))
    }
  }

  static func resolve(_ text: String, in secret: Secret) throws -> VersionID {
    switch VersionSpecifier.resolve(text, in: secret) {
    case .success(let id): return id
    case .failure(let refusal): throw CLIError.refusal(DisplayText.inline(PlanPrinter.text(refusal)))
    }
  }

  static func date(_ date: Date?) -> String {
    date.map { DateText.utc.absolute($0) + " UTC" } ?? "-"
  }

  /// Plans the intent `makeIntent` builds from the secret as read now, previews it, asks (on
  /// a terminal) or requires --yes, executes it through the plan executor and reports.
  ///
  /// With `--out` the plan is written to a plan file instead (`command` names it there).
  static func change(
    _ global: GlobalOptions, _ options: ChangeOptions, replication: ReplicationOptions = ReplicationOptions(),
    output: PlanOutputOptions = PlanOutputOptions(), command: String = "", secret secretId: String,
    makeIntent: (Secret) throws -> MoveIntent
  ) async throws {
    let backend = try await BackendFactory.make(global.settings)
    let found = try await describe(backend, secretId, includeDeprecated: true)
    let readAt = Date()
    let intent = try makeIntent(found)
    let plan: Plan
    switch Planner.plan(intent, for: found) {
    case .success(let made): plan = made
    case .failure(let refusal):
      let text = PlanPrinter.text(refusal)
      if options.json {
        try JSONOutput.write(RefusalJSON(name: found.name, refused: text))
      }
      throw CLIError.refusal(DisplayText.inline(text))
    }
    let heading = "\(Output.safe(found.name)): \(Output.safe(intent.summary))"
    if output.out != nil {
      let set = ChangeSet(plans: [plan])
      let origins = found.origin.map { [plan.secretId: $0] } ?? [:]
      let file = PlanFile(set, command: command, location: backend.location, readAt: readAt, origins: origins)
      return try await ChangeSetFlow.run(
        set, file: file, backend: backend, global: global, options: options, output: output)
    }
    if global.dryRun {
      if options.json {
        try JSONOutput.write(PlanJSON.dryRun(plan))
      } else {
        Output.line(PlanPrinter.text(plan, heading: heading + " (dry run: nothing sent)"))
      }
      return
    }
    if backend.isReadOnly {
      throw CLIError.refusal(
        "--read-only is set: nothing was sent. Preview with --dry-run, or run without --read-only.")
    }
    if !options.yes {
      let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 && !options.json
      guard interactive else {
        throw CLIError.refusal(
          "Refusing to change labels without confirmation: pass --yes to apply, or --dry-run to preview.")
      }
      Output.line(PlanPrinter.text(plan, heading: heading))
      Output.line()
      Output.write(
        Array("Apply \(plan.steps.count == 1 ? "this change" : "these \(plan.steps.count) changes")? [y/N] ".utf8))
      let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
      guard answer == "y" || answer == "yes" else {
        Output.line("Nothing sent.")
        return
      }
    }
    let report = await PlanExecutor(backend: backend).execute(plan)
    switch report {
    case .applied(let plan, let after):
      if options.json {
        try JSONOutput.write(PlanJSON.applied(plan, after: after))
      } else {
        if options.yes { Output.line(PlanPrinter.text(plan, heading: heading)); Output.line() }
        Output.line("Done: " + Output.safe(plan.outcomeSummary))
      }
      try await ReplicationWait.run(
        replication, secret: found, expected: plan.after, global: global, json: options.json)
    case .conflict(let plan, let current, let changes):
      if options.json {
        try JSONOutput.write(PlanJSON.conflict(plan, current: current, changes: changes))
      }
      throw CLIError.failure(
        "The labels of \(DisplayText.inline(plan.secretName)) changed since they were read; nothing was sent:\n"
          + changes.map { "  " + DisplayText.inline($0) }.joined(separator: "\n")
          + "\nRun the command again to plan from the current labels.")
    case .failed(let plan, let error, let applied, let current, let revert, _):
      if options.json {
        try JSONOutput.write(PlanJSON.failed(plan, error: error, appliedSteps: applied, current: current))
      }
      var text = error.rawUserMessage
      if applied > 0 {
        text += "\n\(applied) of \(plan.steps.count) steps were applied before the failure."
        if let current {
          text +=
            "\nLabels now: "
            + current.labelMap.labelledVersions.versionIDs.map { id in
              "\(shortID(Output.safe(id))) [\(PlanPrinter.labelsText(current.labelMap.labels(on: id), DisplayText.inline))]"
            }.joined(separator: ", ")
        }
        if let revert {
          text += "\nTo revert: " + revert.awsCLICommands.map(DisplayText.inline).joined(separator: " && ")
        }
        text += "\nTo finish: run the same stagehand command again."
      }
      // `Output.error` makes the text safe. A version id is shortened (to 8 characters of its
      // safe form, as every table shows it) before that, so it is made safe first; the pass
      // there leaves it as it is.
      throw CLIError.failure(text)
    case .unknown(let plan, let error, let applied):
      if options.json {
        try JSONOutput.write(PlanJSON.unknown(plan, error: error, appliedSteps: applied))
      }
      throw CLIError.failure(error.rawUserMessage + "\n" + ExecutionText.unknownStep(applied + 1, plan))
    }
  }
}
