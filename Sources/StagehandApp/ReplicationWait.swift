import ArgumentParser
import Foundation
import SecretsClient
import StagingModel

/// `--wait-replication` of the label commands.
struct ReplicationOptions: ParsableArguments {
  @Flag(
    help: ArgumentHelp(
      "After the change, read each replica Region until its labels match (a primary's changes replicate "
        + "asynchronously); exit 1 if one is still behind or unreadable when --timeout runs out."))
  var waitReplication = false

  @Option(help: ArgumentHelp("How long --wait-replication waits, in seconds.", valueName: "seconds"))
  var timeout: Double = 60

  func validate() throws {
    guard timeout > 0, timeout <= 3_600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds.") }
  }
}

/// Waits for a primary's replicas after a change and reports each Region.
enum ReplicationWait {
  static func run(
    _ options: ReplicationOptions, secret: Secret, expected: LabelMap, global: GlobalOptions, json: Bool
  ) async throws {
    guard options.waitReplication else { return }
    let say: (String) -> Void = { json ? Output.error($0) : Output.line($0) }
    let regions = secret.replicationStatus.map(\.region)
    guard !regions.isEmpty else {
      say("Replication: \(Output.safe(secret.name)) has no replicas; nothing to wait for.")
      return
    }
    let settings = global.settings
    let name = secret.name
    let waiter = ReplicationWaiter(timeout: .milliseconds(Int64(options.timeout * 1_000))) { region in
      var pair = settings
      pair.region = region
      let backend = try await BackendFactory.make(pair)
      return try await backend.describeSecret(name, includeDeprecated: false).labelMap
    }
    var behind = 0
    for (region, outcome) in await waiter.wait(for: expected, in: regions) {
      switch outcome {
      case .matched(let after):
        say("Replication: \(Output.safe(region)) matches (seen after \(String(format: "%.1f", after)) s).")
      case .behind(let labels):
        behind += 1
        say(
          "Replication: \(Output.safe(region)) is still behind after \(Int(options.timeout)) s: "
            + "\(Output.safe(labels.shortText)).")
      case .failed(let message):
        behind += 1
        say("Replication: \(Output.safe(region)) could not be read: \(Output.safe(message))")
      }
    }
    if behind > 0 {
      throw CLIError.failure(
        "The change was applied on the primary; \(behind) of \(regions.count) replica Regions did not match within "
          + "\(Int(options.timeout)) s. Check again with: stagehand versions \(shellQuote(name)) --region REGION")
    }
  }
}
