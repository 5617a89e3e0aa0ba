import ArgumentParser
import Foundation
import SecretsClient
import StagingModel

/// `--out PLAN.json` on the changing commands.
struct PlanOutputOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Write the plan to this file (0600) for review and `stagehand apply`; nothing is sent (implies --dry-run).",
      valueName: "plan.json"))
  var out: String?
}

/// Changes to many secrets at once: the bulk forms (`promote --filter`), plan files
/// (`--out`, `apply`, `show`) and their one combined preview, execution and report.
enum ChangeSetFlow {
  // MARK: Bulk forms

  /// Plans `intent` for every secret `expression` selects (the filter language, words as
  /// case-insensitive substrings only), then previews, writes or carries out the set.
  static func bulk(
    _ global: GlobalOptions, _ options: ChangeOptions, _ output: PlanOutputOptions, filter expression: String,
    command: String, intent: @escaping (Secret) -> MoveIntent
  ) async throws {
    let filter = SecretFilter(expression, matching: .substring)
    if filter.isEmpty {
      throw CLIError.refusal(
        "--filter is empty: give words or terms (label:, service:, rotation:, …) to select secrets.")
    }
    let backend = try await BackendFactory.make(global.settings)
    var secrets: [Secret] = []
    do {
      for try await page in backend.listSecrets(filters: []) { secrets += page }
    } catch {
      throw CLIError.failure(Commands.message(error))
    }
    let readAt = Date()
    let selected = filter.apply(to: secrets).map { secrets[$0] }
    if selected.isEmpty {
      throw CLIError.refusal(
        "No secret in \(backend.displayName) matches --filter \(DisplayText.inline(expression)). "
          + "Words match names as substrings; see the names with: stagehand list")
    }
    let set = ChangeSet.plan(selected, intent: intent)
    var origins: [String: SecretOrigin] = [:]
    for secret in selected { if let origin = secret.origin { origins[secret.arn ?? secret.name] = origin } }
    let file = PlanFile(set, command: command, location: backend.location, readAt: readAt, origins: origins)
    try await run(set, file: file, backend: backend, global: global, options: options, output: output)
  }

  /// What every change set goes through: written (`--out`), previewed (`--dry-run`), or
  /// confirmed and carried out.
  static func run(
    _ set: ChangeSet, file: PlanFile, backend: any SecretsBackend, global: GlobalOptions, options: ChangeOptions,
    output: PlanOutputOptions
  ) async throws {
    if set.plans.isEmpty {
      if options.json { try JSONOutput.write(file) } else { Output.line(preview(set, heading: file.command)) }
      throw CLIError.refusal(
        "Every matching secret was skipped: nothing to send\(output.out == nil ? "" : " and no plan written").")
    }
    if let out = output.out {
      try file.write(to: out)
      if options.json {
        try JSONOutput.write(file)
      } else {
        Output.line(preview(set, heading: file.command + " (written, nothing sent)"))
        Output.line()
        Output.line(
          "Plan written to \(Output.safe(out)) (\(set.summary)). Review it with: stagehand show \(shellQuote(out)); "
            + "apply it with: stagehand apply \(shellQuote(out))")
      }
      return
    }
    if global.dryRun {
      if options.json {
        try JSONOutput.write(file)
      } else {
        Output.line(preview(set, heading: file.command + " (dry run: nothing sent)"))
      }
      return
    }
    guard try confirm(preview(set, heading: file.command), summary: set.summary, backend: backend, options: options)
    else { return }
    try await execute(set, backend: backend, options: options)
  }

  /// Shows `preview` and asks on a terminal, or requires --yes; false when the answer is no.
  static func confirm(
    _ preview: String, summary: String, backend: any SecretsBackend, options: ChangeOptions
  ) throws -> Bool {
    if backend.isReadOnly {
      throw CLIError.refusal(
        "--read-only is set: nothing was sent. Preview with --dry-run, or run without --read-only.")
    }
    if options.yes {
      if !options.json {
        Output.line(preview)
        Output.line()
      }
      return true
    }
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 && !options.json
    guard interactive else {
      throw CLIError.refusal(
        "Refusing to change labels without confirmation: pass --yes to apply, or --dry-run to preview.")
    }
    Output.line(preview)
    Output.line()
    Output.write(Array("Apply \(summary)? [y/N] ".utf8))
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
    guard answer == "y" || answer == "yes" else {
      Output.line("Nothing sent.")
      return false
    }
    return true
  }

  /// Carries out every plan, reports each secret as it ends and the whole at the end; exit 1
  /// unless every secret was applied.
  ///
  /// `rotations` (from a plan file) are sent after the label plans, one at a time: RotateSecret
  /// with the plan's ClientRequestToken, so a rotation starts once however often it is sent.
  static func execute(
    _ set: ChangeSet,
    rotations: [(entry: PlanFile.Entry, secretId: String, operation: PlanFile.RotationOperation)] = [],
    backend: any SecretsBackend, options: ChangeOptions
  ) async throws {
    let json = options.json
    let total = set.plans.count + rotations.count
    let reports = await BulkExecutor(backend: backend).execute(set.plans) { index, report in
      if !json { Output.line(BulkReport.line(report, position: index + 1, of: total)) }
    }
    var report = BulkReport(reports: reports, skipped: set.skipped)
    for (offset, rotation) in rotations.enumerated() {
      var result = BulkReport.RotationResult(name: rotation.entry.name, operation: rotation.entry.operation ?? "")
      do {
        switch rotation.operation {
        case .rotate(let request): try await backend.rotateSecret(secretId: rotation.secretId, request: request)
        case .cancel: try await backend.cancelRotation(secretId: rotation.secretId)
        }
      } catch {
        result.error = error as? SecretsError ?? .transport(Commands.message(error))
      }
      if !json {
        Output.line(BulkReport.line(result, rotation.operation, position: set.plans.count + offset + 1, of: total))
      }
      report.rotations.append(result)
    }
    if json {
      try JSONOutput.write(BulkResultJSON(report))
    } else {
      for skipped in set.skipped {
        Output.line(
          "skipped   " + Output.safe(skipped.secretName) + ": " + Output.safe(PlanPrinter.text(skipped.refusal)))
      }
      Output.line()
      Output.line(report.summary)
    }
    if !report.allApplied {
      throw CLIError.failure(
        "\(report.summary). Secrets not applied are listed above; nothing was sent twice. "
          + "Re-run to plan from their current labels.")
    }
  }

  /// The combined preview: a heading with the summary, each plan as the single commands show
  /// it, then the secrets skipped and why.
  /// `intents` and `notes` (by secret id), when given, are a plan file's words for a plan.
  static func preview(
    _ set: ChangeSet, heading: String, intents: [String: String] = [:], notes: [String: [String]] = [:]
  ) -> String {
    var lines = ["\(Output.safe(heading)): \(set.summary)"]
    for plan in set.plans {
      lines.append("")
      lines.append(
        PlanPrinter.text(
          plan,
          heading: "\(Output.safe(plan.secretName)): \(Output.safe(intents[plan.secretId] ?? plan.intent.summary))",
          notes: notes[plan.secretId]))
    }
    if !set.skipped.isEmpty {
      lines.append("")
      lines.append("Skipped (nothing sent for these):")
      for skipped in set.skipped {
        lines.append("  \(Output.safe(skipped.secretName)): \(Output.safe(PlanPrinter.text(skipped.refusal)))")
      }
    }
    return lines.joined(separator: "\n")
  }

  // MARK: Plan files

  /// A plan file's preview: each entry as its command previews it (label moves, or the one
  /// rotation call), in the file's order, under its summary, then what it skipped.
  /// `notes` (by secret id) replace an entry's own, as read again by `apply`.
  static func preview(_ file: PlanFile, heading: String, notes: [String: [String]] = [:]) -> String {
    var lines = ["\(Output.safe(heading)): \(file.summary.text)"]
    for entry in file.plans {
      lines.append("")
      let plan = entry.plan
      lines.append(
        PlanPrinter.text(
          plan, heading: "\(Output.safe(entry.name)): \(Output.safe(entry.intent ?? plan.intent.summary))",
          notes: notes[entry.arn ?? entry.name] ?? entry.notes, commands: entry.awsCLICommands))
    }
    if !file.skipped.isEmpty {
      lines.append("")
      lines.append("Skipped when the plan was written (nothing is sent for these):")
      for skipped in file.skipped { lines.append("  \(Output.safe(skipped.name)): \(Output.safe(skipped.refused))") }
    }
    return lines.joined(separator: "\n")
  }

  /// `stagehand show PLAN.json`: the preview, from the file alone.
  static func show(_ path: String, json: Bool) throws {
    let file = try PlanFile.read(path)
    if json {
      try JSONOutput.write(file)
      return
    }
    Output.line(preview(file, heading: "\(path): \(file.command)"))
    Output.line()
    var places = Set<String>()
    for entry in file.plans {
      places.insert(
        entry.store.map { "store \($0)" }
          ?? [entry.profile.map { "profile \($0)" }, entry.region, entry.account.map { "account \($0)" }]
          .compactMap { $0 }.joined(separator: ", "))
    }
    Output.line("For: " + Output.safe(places.sorted().joined(separator: "; ")))
    if let first = file.plans.map(\.readAt).min() { Output.line("Read at: " + Commands.date(first)) }
  }

  /// `stagehand apply PLAN.json`: the file checked, every secret in it read again, and the
  /// whole plan refused (nothing sent) if any of them moved since; else previewed and
  /// carried out.
  static func apply(_ path: String, global: GlobalOptions, options: ChangeOptions) async throws {
    let file = try PlanFile.read(path)
    let settings = try settings(for: file, global: global.settings)
    let backend = try await BackendFactory.make(settings)
    let entries = file.plans
    let readings = await withTaskGroup(of: (Int, Result<Secret, any Error>).self) { group in
      var results = [Result<Secret, any Error>?](repeating: nil, count: entries.count)
      var next = 0
      func start() {
        let index = next
        next += 1
        let entry = entries[index]
        group.addTask {
          do {
            return (index, .success(try await backend.describeSecret(entry.arn ?? entry.name, includeDeprecated: true)))
          } catch {
            return (index, .failure(error))
          }
        }
      }
      while next < min(8, entries.count) { start() }
      while let (index, result) = await group.next() {
        results[index] = result
        if next < entries.count { start() }
      }
      return results.map { $0! }
    }
    var drift: [(name: String, changes: [String])] = []
    var plans: [Plan] = []
    var rotations: [(entry: PlanFile.Entry, secretId: String, operation: PlanFile.RotationOperation)] = []
    var notes: [String: [String]] = [:]
    for (entry, reading) in zip(entries, readings) {
      let secret: Secret
      switch reading {
      case .failure(let error):
        drift.append((entry.name, ["could not be read: " + Commands.message(error)]))
        continue
      case .success(let read): secret = read
      }
      if let planned = entry.account, let now = secret.arn.flatMap(SecretARN.init)?.account, planned != now {
        drift.append((entry.name, ["is in account \(now) now; the plan is for account \(planned)"]))
        continue
      }
      let changes = LabelMap.changes(from: entry.before, to: secret.labelMap.labelledVersions)
      if !changes.isEmpty {
        drift.append((entry.name, changes))
        continue
      }
      // What AWS would refuse now (the secret became a replica, managed, deleted, or rotation
      // was turned off) refuses the plan too.
      if let operation = entry.rotation {
        let checked: Result<RotationPreview, PlanRefusal>
        switch operation {
        case .rotate(let request): checked = RotationPlanner.rotate(request, for: secret)
        case .cancel: checked = RotationPlanner.cancel(for: secret)
        }
        switch checked {
        case .failure(let refusal): drift.append((entry.name, [PlanPrinter.text(refusal)]))
        case .success(let preview):
          notes[secret.arn ?? entry.name] = preview.notes.map(\.message)
          rotations.append((entry, secret.arn ?? entry.arn ?? entry.name, operation))
        }
        continue
      }
      switch Planner.plan(.restore(to: entry.after), for: secret) {
      case .failure(let refusal) where refusal.reason != .noOp:
        drift.append((entry.name, [PlanPrinter.text(refusal)]))
      default:
        var plan = entry.plan
        plan.secretARN = secret.arn ?? entry.arn
        plan.notes = Planner.notes(steps: plan.steps, before: plan.before, after: plan.after)
        if !secret.replicationStatus.isEmpty { plan.notes.append(.replicates(to: secret.replicationStatus)) }
        notes[entry.arn ?? entry.name] = plan.notes.map(\.message)
        plans.append(plan)
      }
    }
    if !drift.isEmpty {
      if options.json { try JSONOutput.write(DriftJSON(drift)) }
      throw CLIError.failure(
        "\(drift.count) of \(entries.count) secrets in \(DisplayText.inline(path)) changed since the plan was written; "
          + "nothing was sent for any secret:\n"
          + drift.map { item in
            "  \(DisplayText.inline(item.name)): " + item.changes.map(DisplayText.inline).joined(separator: "; ")
          }.joined(separator: "\n")
          + "\nWrite the plan again from the current labels (the command in its \"Command\", with --out).")
    }
    let heading = "apply \(path) (\(file.command))"
    let text = preview(file, heading: heading, notes: notes)
    if global.dryRun {
      if options.json {
        try JSONOutput.write(file)
      } else {
        Output.line(preview(file, heading: heading + " (dry run: nothing sent)", notes: notes))
      }
      return
    }
    let set = ChangeSet(plans: plans, skipped: [])
    guard try confirm(text, summary: file.summary.text, backend: backend, options: options) else { return }
    try await execute(set, rotations: rotations, backend: backend, options: options)
  }

  /// The global settings to apply `file` with: its own store, or its own profile, Region and
  /// endpoint. Another store, Region or endpoint on the command line is refused as the wrong
  /// target; another profile is taken (see below).
  static func settings(for file: PlanFile, global: GlobalSettings) throws -> GlobalSettings {
    var settings = global
    let locations = Set(file.plans.map(\.location))
    let stores = Set(locations.compactMap(\.store))
    if !stores.isEmpty {
      guard stores.count == 1, locations.count == 1, let store = stores.first else {
        throw CLIError.refusal(
          "The plan mixes stores and AWS accounts; apply needs one target. Write one plan per target.")
      }
      if let given = global.store.map(BackendFactory.absolute), given != store {
        throw CLIError.refusal(
          "The plan is for the store \(DisplayText.inline(store)); --store names \(DisplayText.inline(given)). "
            + "Drop --store to apply it where it was written.")
      }
      if global.demo || global.demoReset || global.regions != nil || global.profiles != nil {
        throw CLIError.refusal(
          "The plan is for the store \(DisplayText.inline(store)); apply it without --demo, --regions or --profiles.")
      }
      settings.store = store
      return settings
    }
    if global.store != nil || global.demo || global.demoReset {
      throw CLIError.refusal("The plan is for AWS, not an embedded store: apply it without --store or --demo.")
    }
    let profiles = Set(file.plans.map(\.profile))
    let regions = Set(file.plans.compactMap(\.region))
    let endpoints = Set(file.plans.compactMap(\.endpoint))
    func mismatch(_ option: String, given: String, planned: [String]) -> CLIError {
      CLIError.refusal(
        "The plan is for \(option.dropFirst(2)) \(planned.sorted().map(DisplayText.inline).joined(separator: ", ")); "
          + "\(option) says \(DisplayText.inline(given)). Drop \(option) to apply it where it was written.")
    }
    if let given = global.region, regions != [given] {
      throw mismatch("--region", given: given, planned: Array(regions))
    }
    // Another profile may name other credentials for the same account (the plan's own may not
    // be configured here): the plan's ARNs still decide which secrets are read and changed,
    // and a secret found in another account than the plan's is refused as drift.
    func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }
    if let given = global.endpointURL, !endpoints.isEmpty, Set(endpoints.map(trimmed)) != [trimmed(given)] {
      throw mismatch("--endpoint-url", given: given, planned: Array(endpoints))
    }
    if global.regions != nil || global.profiles != nil {
      throw CLIError.refusal("apply takes the plan's own Regions and profiles: drop --regions and --profiles.")
    }
    if regions.count <= 1 && profiles.count <= 1 {
      settings.region = global.region ?? regions.first
      settings.profile = global.profile ?? profiles.first ?? nil
      if global.endpointURL == nil, endpoints.count == 1, let endpoint = endpoints.first, !isAWSEndpoint(endpoint) {
        settings.endpointURL = endpoint
      }
    } else {
      settings.regions = regions.sorted().joined(separator: ",")
      settings.profiles = profiles.compactMap { $0 }.sorted().joined(separator: ",").nilIfEmpty
      settings.region = nil
      settings.profile = nil
    }
    return settings
  }

  /// An endpoint AWS's own resolution gives again (so it need not be passed on).
  static func isAWSEndpoint(_ text: String) -> Bool {
    guard let host = URL(string: text)?.host?.lowercased() else { return false }
    return host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn") || host.hasSuffix(".api.aws")
  }
}

extension String {
  fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// What became of each secret of a change set.
struct BulkReport {
  /// A rotation call a plan file held, and its error if it failed.
  struct RotationResult {
    var name: String
    var operation: String
    var error: SecretsError?
  }

  var reports: [ExecutionReport]
  var skipped: [ChangeSet.Skipped]
  var rotations: [RotationResult] = []

  var applied: Int {
    reports.filter { if case .applied = $0 { return true } else { return false } }.count
      + rotations.filter { $0.error == nil }.count
  }
  var conflicts: Int { reports.filter { if case .conflict = $0 { return true } else { return false } }.count }
  var failed: Int {
    reports.filter { if case .failed = $0 { return true } else { return false } }.count
      + rotations.filter { $0.error != nil }.count
  }
  var unknown: Int { reports.filter { if case .unknown = $0 { return true } else { return false } }.count }
  var allApplied: Bool { applied == reports.count + rotations.count && skipped.isEmpty }

  /// A rotation call's end: "[2/2] applied   prod/db: RotateSecret accepted, new version 3f2a…".
  static func line(_ result: RotationResult, _ operation: PlanFile.RotationOperation, position: Int, of total: Int)
    -> String
  {
    let name = Output.safe(result.name)
    let counter = "[\(position)/\(total)]"
    if let error = result.error {
      return "\(counter) failed    \(name): \(result.operation) "
        + Output.safeLines(error.rawUserMessage).replacingOccurrences(of: "\n", with: " ")
    }
    switch operation {
    case .rotate(let request):
      return "\(counter) applied   \(name): RotateSecret accepted, new version \(shortID(request.token)); "
        + "see how far it got with: stagehand versions \(shellQuote(result.name))"
    case .cancel:
      return "\(counter) applied   \(name): automatic rotation is off"
    }
  }

  var summary: String {
    "\(applied) applied, \(skipped.count) skipped, \(conflicts) conflict\(conflicts == 1 ? "" : "s"), "
      + "\(failed) failed, \(unknown) unknown"
  }

  /// One secret's end, as it comes: "[3/20] applied   prod/db: AWSCURRENT -> 3f2a…".
  static func line(_ report: ExecutionReport, position: Int, of total: Int) -> String {
    let name = Output.safe(report.plan.secretName)
    let counter = "[\(position)/\(total)]"
    switch report {
    case .applied(let plan, _):
      return "\(counter) applied   \(name): \(Output.safe(plan.outcomeSummary))"
    case .conflict(_, _, let changes):
      return "\(counter) conflict  \(name): nothing sent, the labels changed: "
        + changes.map(Output.safe).joined(separator: "; ")
    case .failed(let plan, let error, let applied, _, let revert, let finish):
      var text =
        "\(counter) failed    \(name): "
        + Output.safeLines(error.rawUserMessage).replacingOccurrences(of: "\n", with: " ")
      if applied > 0 { text += " (\(applied) of \(plan.steps.count) steps applied)" }
      if applied > 0, let revert {
        text += "; to revert: " + revert.awsCLICommands.map(Output.safe).joined(separator: " && ")
      }
      if applied > 0, let finish {
        text += "; to finish: " + finish.awsCLICommands.map(Output.safe).joined(separator: " && ")
      }
      return text
    case .unknown(let plan, let error, let applied):
      return "\(counter) unknown   \(name): "
        + Output.safeLines(error.rawUserMessage + " " + ExecutionText.unknownStep(applied + 1, plan))
        .replacingOccurrences(of: "\n", with: " ")
    }
  }
}
