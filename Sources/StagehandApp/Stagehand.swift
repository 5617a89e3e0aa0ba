import ArgumentParser
import Foundation
import SecretsClient
import StagehandUI
import StagingModel

struct Stagehand: AsyncParsableCommand {
  static let version = "0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "stagehand",
    abstract: "Browse and move AWS Secrets Manager staging labels, with a preview before every change.",
    discussion: """
      Without a subcommand, opens the terminal UI (press ? there for every key; q quits). The \
      subcommands do the same jobs from scripts; global options work before or after the subcommand.

      Backends: --demo (a demo store in $XDG_DATA_HOME/stagehand/demo.json, else \
      ~/.local/share/stagehand/demo.json; --demo-reset restores it), --store PATH (an embedded JSON \
      store), or AWS (credentials, region and endpoint resolved like the aws CLI: environment, \
      --profile with SSO, assume-role and credential_process, --region, --endpoint-url).

      Every change is previewed first; --dry-run sends nothing, --read-only refuses every change.

      Exit codes: 0 done; 1 the operation failed (store or AWS error, conflict); 2 usage error or \
      refused by the planner.

      Examples:
        stagehand --demo                          the UI on the demo store
        stagehand --profile prod --region eu-west-1 --read-only
        stagehand --demo rollback prod/payments/stripe-api-key --dry-run

      Shell completion: stagehand --generate-completion-script bash|zsh|fish (see the README).
      """,
    version: version,
    subcommands: [
      ListCommand.self, VersionsCommand.self, MoveCommand.self, RemoveCommand.self, RollbackCommand.self,
      PromoteCommand.self, RevealCommand.self, RotateCommand.self, PutPendingCommand.self,
      CancelRotationCommand.self, ApplyCommand.self, ShowCommand.self,
    ]
  )

  @OptionGroup var global: GlobalOptions

  @Flag(name: .long, help: "Don't capture the mouse (keys only).")
  var noMouse = false

  func run() async throws {
    try await Self.openUI(global.settings, mouse: !noMouse)
  }

  static func openUI(_ settings: GlobalSettings, mouse: Bool) async throws {
    let backend = try await BackendFactory.make(settings)
    var tui = TUISettings()
    // A primary's replicas are read with the same profile (an estate row's own) in their Region.
    tui.replicaBackend = { origin, region in
      var pair = settings
      if let origin { pair.profile = origin.profile }
      pair.region = region
      pair.regions = nil
      pair.profiles = nil
      return try await BackendFactory.make(pair)
    }
    try await TUIRunner.run(backend: backend, dryRun: settings.dryRun, mouse: mouse, settings: tui)
  }

  static var subcommandNames: Set<String> {
    Set(configuration.subcommands.map { $0._commandName } + ["help"])
  }
}

struct ListCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List secrets with their labels.",
    discussion: """
      Examples:
        stagehand --demo list
        stagehand list --filter prod/ --json | jq '.SecretList[].Name'
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("Only secrets whose name starts with this text (case-insensitive).", valueName: "text"))
  var filter: String?

  @Flag(help: "Print {\"SecretList\": [...]} with the API's field names.")
  var json = false

  func run() async throws {
    let backend = try await BackendFactory.make(global.settings)
    let filters = filter.map { [ListFilter(key: "name", values: [$0])] } ?? []
    if let estate = backend as? EstateBackend {
      return try await EstateList.run(estate, filters: filters, filter: filter, json: json)
    }
    // All or nothing, in memory that does not grow with the account: each page is written
    // to an unnamed temporary file as it arrives (`ListSpool`), then let go; the file goes to
    // stdout only once the last page is in, so a failure on a later page still prints nothing.
    let spool: ListSpool
    var table: SecretListText.Table?
    do {
      spool = try ListSpool()
      let pages = backend.listSecrets(filters: filters)
      if json {
        try await SecretListJSON.spool(pages, into: spool)
      } else {
        table = try await SecretListText.spool(pages, filter: filter, into: spool)
      }
    } catch let failure as ListSpool.Failure {
      throw CLIError.failure(failure.description)
    } catch {
      throw CLIError.failure(Commands.message(error))
    }
    do {
      if let table {
        try table.write(from: spool) { Output.write($0) }
      } else {
        try spool.read { Output.write($0) }
      }
    } catch {
      throw CLIError.failure(String(describing: error))
    }
  }
}

struct VersionsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "versions", abstract: "Show one secret's versions, newest first, with dates and labels.",
    discussion: """
      Examples:
        stagehand --demo versions prod/payments/postgres-primary
        stagehand versions prod/db --include-deprecated --json
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret"))
  var secret: String

  @Flag(help: "Also show versions without labels.")
  var includeDeprecated = false

  @Flag(help: "Print {\"Name\", \"ARN\", \"Versions\": [...]} with the API's field names.")
  var json = false

  func run() async throws {
    let backend = try await BackendFactory.make(global.settings)
    let found = try await Commands.describe(backend, secret, includeDeprecated: includeDeprecated)
    if json {
      try JSONOutput.write(VersionsJSON(found))
      return
    }
    Output.line(Output.safe(found.name) + (found.description.map { " — " + Output.safe($0) } ?? ""))
    var flags: [String] = []
    if let service = found.owningService { flags.append("managed by \(Output.safe(service)): read-only here") }
    if let deleted = found.deletedDate {
      flags.append("scheduled for deletion on \(ISO8601Text.string(DateText.nearestMillisecond(deleted)))")
    }
    flags.append("labels \(found.labelMap.labelCount)/\(StandardLabel.quota)")
    flags += RotationPrinter.versionsFlags(found)
    Output.line(flags.joined(separator: "; "))
    for line in RotationPrinter.versionsLines(found) { Output.line(line) }
    for line in ReplicationText.lines(found) { Output.line(line) }
    Output.line()
    if found.versions.isEmpty {
      Output.line("No versions\(includeDeprecated ? "" : " with labels") (a secret created without a value has none).")
      return
    }
    Output.line(
      Output.cell("VERSION", 36) + "  " + Output.cell("CREATED", 20) + "  " + Output.cell("LAST ACCESSED", 20)
        + "  LABELS")
    for version in found.versions {
      Output.line(
        Output.cell(Output.safe(version.versionId), 36) + "  " + Output.cell(Commands.date(version.createdDate), 20)
          + "  "
          + Output.cell(Commands.date(version.lastAccessedDate), 20) + "  "
          + (version.isDeprecated
            ? "(deprecated)"
            : version.labels.sorted(by: StandardLabel.displayOrder).map(Output.safe).joined(separator: " ")))
    }
  }
}

struct MoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "move", abstract: "Move a label onto a version (adds it when no version has it).",
    discussion: """
      VERSION is a full id, a unique prefix of at least 4 characters, or :LABEL (the version \
      holding LABEL). Moving AWSCURRENT also moves AWSPREVIOUS onto the old current version (AWS \
      does this itself).

      Without --yes or --dry-run, on a terminal the preview is shown and you are asked; otherwise \
      the command refuses.

      Examples:
        stagehand move prod/db AWSCURRENT --to 3f2a --dry-run
        stagehand move prod/api release-2026.11 --to :AWSPENDING --yes
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var replication: ReplicationOptions
  @OptionGroup var output: PlanOutputOptions

  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String
  @Argument(help: ArgumentHelp("The staging label to move.", valueName: "label")) var label: String
  @Option(help: ArgumentHelp("The version to move the label onto.", valueName: "version")) var to: String
  @Option(help: ArgumentHelp("Only if the label is on this version now (guards against races).", valueName: "version"))
  var from: String?

  func run() async throws {
    let command = ["move", secret, label, "--to", to] + (from.map { ["--from", $0] } ?? [])
    try await Commands.change(
      global, change, replication: replication, output: output, command: CommandText.line(command), secret: secret
    ) { found in
      let target = try Commands.resolve(to, in: found)
      let source = try from.map { try Commands.resolve($0, in: found) }
      return .move(label: label, to: target, from: source)
    }
  }
}

struct RemoveCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remove", abstract: "Remove a label from the version holding it (never AWSCURRENT).",
    discussion: """
      With --filter EXPR the label is removed from every secret the filter selects, after one \
      combined preview (words match names as substrings, never fuzzily).

      Examples:
        stagehand remove prod/api release-2026.09 --yes
        stagehand remove release-2026.09 --filter "label:release-2026.09" --out plan.json
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var replication: ReplicationOptions
  @OptionGroup var output: PlanOutputOptions

  @Argument(help: ArgumentHelp("Secret name or ARN (not with --filter).", valueName: "secret")) var secret: String?
  @Argument(help: ArgumentHelp("The staging label to remove.", valueName: "label")) var label: String?
  @Option(help: ArgumentHelp("Only if the label is on this version now.", valueName: "version")) var from: String?
  @Option(help: BulkHelp.filter) var filter: String?

  func validate() throws {
    if filter != nil {
      guard label == nil, secret != nil else {
        throw ValidationError("With --filter, give only the label: stagehand remove LABEL --filter EXPR")
      }
      if from != nil { throw ValidationError("--from names one secret's version: it can't go with --filter.") }
      if replication.waitReplication { throw ValidationError("--wait-replication is for one secret, not --filter.") }
    } else if secret == nil || label == nil {
      throw ValidationError("Give the secret and the label (stagehand remove SECRET LABEL), or --filter EXPR.")
    }
  }

  func run() async throws {
    if let filter, let label = secret {
      return try await ChangeSetFlow.bulk(
        global, change, output, filter: filter, command: CommandText.line(["remove", label, "--filter", filter])
      ) { _ in .remove(label: label) }
    }
    guard let secret, let label else { return }
    let command = ["remove", secret, label] + (from.map { ["--from", $0] } ?? [])
    try await Commands.change(
      global, change, replication: replication, output: output, command: CommandText.line(command), secret: secret
    ) { found in
      .remove(label: label, from: try from.map { try Commands.resolve($0, in: found) })
    }
  }
}

struct RollbackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback", abstract: "Move AWSCURRENT back onto the AWSPREVIOUS version (the two swap).",
    discussion: """
      With --filter EXPR every secret the filter selects is rolled back, after one combined \
      preview; --out PLAN.json writes the plan for review instead (see stagehand apply).

      Examples:
        stagehand rollback prod/payments/postgres-primary --dry-run
        stagehand rollback --filter prod/payments/ --out rollback.json
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var replication: ReplicationOptions
  @OptionGroup var output: PlanOutputOptions
  @Argument(help: ArgumentHelp("Secret name or ARN (or --filter).", valueName: "secret")) var secret: String?
  @Option(help: BulkHelp.filter) var filter: String?

  func validate() throws {
    try BulkHelp.validate(secret: secret, filter: filter, replication: replication, command: "rollback")
  }

  func run() async throws {
    if let filter {
      return try await ChangeSetFlow.bulk(
        global, change, output, filter: filter, command: CommandText.line(["rollback", "--filter", filter])
      ) { _ in .rollback }
    }
    guard let secret else { return }
    try await Commands.change(
      global, change, replication: replication, output: output, command: CommandText.line(["rollback", secret]),
      secret: secret
    ) { _ in .rollback }
  }
}

struct PromoteCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "promote",
    abstract: "Finish a rotation: AWSCURRENT onto the AWSPENDING version, then remove AWSPENDING.",
    discussion: """
      Two calls, as the current rotation template makes them; they are not atomic.

      With --filter EXPR every rotation the filter selects is finished, after one combined \
      preview; secrets with nothing to promote are listed as skipped.

      Examples:
        stagehand promote prod/payments/postgres-primary --yes
        stagehand promote --filter "prod/ label:AWSPENDING" --out finish.json
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var replication: ReplicationOptions
  @OptionGroup var output: PlanOutputOptions
  @Argument(help: ArgumentHelp("Secret name or ARN (or --filter).", valueName: "secret")) var secret: String?
  @Option(help: BulkHelp.filter) var filter: String?
  @Flag(help: "Leave AWSPENDING on the new current version (older rotation templates did).") var keepPending = false

  func validate() throws {
    try BulkHelp.validate(secret: secret, filter: filter, replication: replication, command: "promote")
  }

  func run() async throws {
    let intent = MoveIntent.promotePending(keepPending: keepPending)
    let keep = keepPending ? ["--keep-pending"] : []
    if let filter {
      return try await ChangeSetFlow.bulk(
        global, change, output, filter: filter, command: CommandText.line(["promote", "--filter", filter] + keep)
      ) { _ in intent }
    }
    guard let secret else { return }
    try await Commands.change(
      global, change, replication: replication, output: output, command: CommandText.line(["promote", secret] + keep),
      secret: secret
    ) { _ in intent }
  }
}

struct RevealCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reveal", abstract: "Print one version's secret value (only when you ask for it).",
    discussion: """
      Example:
        stagehand reveal prod/db :AWSCURRENT
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String
  @Argument(help: ArgumentHelp("Version id, unique prefix, or :LABEL.", valueName: "version")) var version: String

  func run() async throws {
    let backend = try await BackendFactory.make(global.settings)
    let found = try await Commands.describe(backend, secret, includeDeprecated: true)
    let id = try Commands.resolve(version, in: found)
    do {
      let value = try await backend.secretValue(secretId: found.arn ?? found.name, versionId: id)
      if let text = value.string {
        // Raw for pipes and scripts; made inert when it would reach a terminal.
        Output.line(isatty(STDOUT_FILENO) == 1 ? Output.safe(text) : text)
      } else if let binary = value.binary {
        Output.line(binary.base64EncodedString())
      }
    } catch {
      throw CLIError.failure(Commands.message(error))
    }
  }
}

struct ApplyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply", abstract: "Carry out a plan file written with --out, if no secret in it moved since.",
    discussion: """
      The file is checked, every secret in it is read again, and if any secret's labels differ \
      from the plan's "Before", the whole plan is refused (exit 1) and nothing is sent. Otherwise \
      the combined preview is shown and, with --yes or your answer, the plan's calls are made. \
      The plan's own profile, Region and endpoint (or store) are used.

      Examples:
        stagehand apply plan.json --dry-run
        stagehand apply plan.json --yes
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @Argument(help: ArgumentHelp("The plan file.", valueName: "plan.json")) var plan: String

  func run() async throws {
    try await ChangeSetFlow.apply(plan, global: global, options: change)
  }
}

struct ShowCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "Print the preview of a plan file (no credentials needed).",
    discussion: """
      Example:
        stagehand show plan.json
      """)

  @Argument(help: ArgumentHelp("The plan file.", valueName: "plan.json")) var plan: String
  @Flag(help: "Print the plan file's document, checked.") var json = false

  func run() async throws {
    try ChangeSetFlow.show(plan, json: json)
  }
}

/// What the bulk forms share.
enum BulkHelp {
  static let filter = ArgumentHelp(
    "Every secret this selects (the UI's filter terms: label:, service:, deleted:, rotation:, region:, replica:; "
      + "words match names as case-insensitive substrings, never fuzzily).",
    valueName: "expr")

  static func validate(secret: String?, filter: String?, replication: ReplicationOptions, command: String) throws {
    if secret != nil && filter != nil {
      throw ValidationError("Give a secret or --filter, not both.")
    }
    if secret == nil && filter == nil {
      throw ValidationError("Give the secret (stagehand \(command) SECRET), or --filter EXPR for many.")
    }
    if filter != nil && replication.waitReplication {
      throw ValidationError("--wait-replication is for one secret, not --filter.")
    }
  }
}

/// A command line as a plan file records it.
enum CommandText {
  static func line(_ words: [String]) -> String { words.map(shellQuote).joined(separator: " ") }
}
