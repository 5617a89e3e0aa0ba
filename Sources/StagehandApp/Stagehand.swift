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
      CancelRotationCommand.self,
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
    try await TUIRunner.run(backend: backend, dryRun: settings.dryRun, mouse: mouse)
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
    // Kept page by page: copying 10,000 secrets into one array cost more than printing them.
    var pages: [[Secret]] = []
    do {
      for try await page in backend.listSecrets(filters: filters) { pages.append(page) }
    } catch {
      throw CLIError.failure(Commands.message(error))
    }
    // Only once every page is in: a failure on a later page prints nothing.
    if json {
      SecretListJSON.write(pages: pages) { Output.write($0) }
    } else {
      Output.write(SecretListText.document(pages: pages, filter: filter))
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

  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String
  @Argument(help: ArgumentHelp("The staging label to move.", valueName: "label")) var label: String
  @Option(help: ArgumentHelp("The version to move the label onto.", valueName: "version")) var to: String
  @Option(help: ArgumentHelp("Only if the label is on this version now (guards against races).", valueName: "version"))
  var from: String?

  func run() async throws {
    try await Commands.change(global, change, replication: replication, secret: secret) { found in
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
      Example:
        stagehand remove prod/api release-2026.09 --yes
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var replication: ReplicationOptions

  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String
  @Argument(help: ArgumentHelp("The staging label to remove.", valueName: "label")) var label: String
  @Option(help: ArgumentHelp("Only if the label is on this version now.", valueName: "version")) var from: String?

  func run() async throws {
    try await Commands.change(global, change, replication: replication, secret: secret) { found in
      .remove(label: label, from: try from.map { try Commands.resolve($0, in: found) })
    }
  }
}

struct RollbackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback", abstract: "Move AWSCURRENT back onto the AWSPREVIOUS version (the two swap).",
    discussion: """
      Example:
        stagehand rollback prod/payments/postgres-primary --dry-run
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var replication: ReplicationOptions
  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String

  func run() async throws {
    try await Commands.change(global, change, replication: replication, secret: secret) { _ in .rollback }
  }
}

struct PromoteCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "promote",
    abstract: "Finish a rotation: AWSCURRENT onto the AWSPENDING version, then remove AWSPENDING.",
    discussion: """
      Two calls, as the current rotation template makes them; they are not atomic.

      Example:
        stagehand promote prod/payments/postgres-primary --yes
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var change: ChangeOptions
  @OptionGroup var replication: ReplicationOptions
  @Argument(help: ArgumentHelp("Secret name or ARN.", valueName: "secret")) var secret: String
  @Flag(help: "Leave AWSPENDING on the new current version (older rotation templates did).") var keepPending = false

  func run() async throws {
    try await Commands.change(global, change, replication: replication, secret: secret) { _ in
      .promotePending(keepPending: keepPending)
    }
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
