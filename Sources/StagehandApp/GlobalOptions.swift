import ArgumentParser

/// Options every command takes, before or after the subcommand name.
struct GlobalOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Use the embedded store in this JSON file.", valueName: "path"))
  var store: String?

  @Flag(name: .long, help: "Use the demo store (created on first use, changes persist).")
  var demo = false

  @Flag(name: .long, help: "Restore the demo store to its initial state (implies --demo).")
  var demoReset = false

  @Option(name: .long, help: ArgumentHelp("AWS profile from ~/.aws/config and ~/.aws/credentials.", valueName: "name"))
  var profile: String?

  @Option(name: .long, help: ArgumentHelp("AWS region.", valueName: "region"))
  var region: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Several Regions at once, comma-separated, or \"all\" for every Region of the partition.", valueName: "list"))
  var regions: String?

  @Option(
    name: .long,
    help: ArgumentHelp("Several profiles at once, comma-separated (each with each Region).", valueName: "list"))
  var profiles: String?

  @Option(name: .long, help: ArgumentHelp("Secrets Manager endpoint, e.g. http://127.0.0.1:5000.", valueName: "url"))
  var endpointURL: String?

  @Flag(name: .long, help: "Refuse every change before it is sent.")
  var readOnly = false

  @Flag(name: .long, help: "Preview only: show what would change and the aws CLI commands; send nothing.")
  var dryRun = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Record each AWS request (operation, status, latency, request id) here; never secrets.", valueName: "path"))
  var logFile: String?
}

extension GlobalOptions {
  var settings: GlobalSettings {
    GlobalSettings(
      store: store, demo: demo, demoReset: demoReset, profile: profile, region: region, regions: regions,
      profiles: profiles, endpointURL: endpointURL,
      readOnly: readOnly, dryRun: dryRun, logFile: logFile)
  }
}

/// The global options as plain values, whichever parser read them (ArgumentParser, or
/// `QuickLaunch` for a plain launch of the UI).
struct GlobalSettings: Equatable, Sendable {
  var store: String?
  var demo = false
  var demoReset = false
  var profile: String?
  var region: String?
  var regions: String?
  var profiles: String?
  var endpointURL: String?
  var readOnly = false
  var dryRun = false
  var logFile: String?
}

extension GlobalSettings {
  /// The global options by their command-line names: the one list that `ArgumentOrder` and
  /// `QuickLaunch` read. ArgumentParser names `GlobalOptions`' properties the same way, and
  /// `QuickLaunchTests` hold the two lists equal.
  static let valuedOptions: [String: WritableKeyPath<GlobalSettings, String?> & Sendable] = [
    "--store": \.store, "--profile": \.profile, "--region": \.region, "--regions": \.regions,
    "--profiles": \.profiles, "--endpoint-url": \.endpointURL,
    "--log-file": \.logFile,
  ]
  static let flagOptions: [String: WritableKeyPath<GlobalSettings, Bool> & Sendable] = [
    "--demo": \.demo, "--demo-reset": \.demoReset, "--read-only": \.readOnly, "--dry-run": \.dryRun,
  ]
}

/// Options of the commands that change labels.
struct ChangeOptions: ParsableArguments {
  @Flag(name: [.customShort("y"), .long], help: "Apply without asking.")
  var yes = false

  @Flag(name: .long, help: "Print the plan and its outcome as JSON.")
  var json = false
}
