import Foundation
import SecretsClient
import StagingModel

/// `stagehand list` over several profiles and Regions: every pair that works is listed (with
/// PROFILE and REGION columns, or "Region" and "Profile" in JSON); each pair that fails is
/// named on standard error with its reason, and the exit status is then 1. Regions not
/// enabled for the account are noted and skipped.
///
/// Streamed as the single-Region `list` is, in memory that does not grow with the account:
/// the pairs' pages arrive interleaved, each is written to one spool (`ListSpool`) as it
/// comes and let go, noted under its pair (`SecretListJSON.Sections`,
/// `SecretListText.Sections`), and once every pair is done the spool is printed pair by pair,
/// in the order the pairs were given (within a pair, pages in the order they came). The
/// bytes are those of the whole document over the pages in that order, as when the pages
/// were kept. Where no spool can be made or written, it says so and exits 1 having printed
/// nothing, as the single-Region `list` does.
enum EstateList {
  static func run(_ estate: EstateBackend, filters: [ListFilter], filter: String?, json: Bool) async throws {
    var failures: [(SecretOrigin, String)] = []
    var skipped: [SecretOrigin] = []
    // Pairs arrive in whatever order they answer; the listing is printed by pair.
    let order = Dictionary(
      estate.members.enumerated().map { ($1.origin, $0) }, uniquingKeysWith: { first, _ in first })
    let sections = max(1, estate.members.count)
    var jsonSections: SecretListJSON.Sections?
    var textSections: SecretListText.Sections?
    do {
      let spool = try ListSpool()
      if json {
        jsonSections = SecretListJSON.Sections(count: sections, spool: spool)
      } else {
        textSections = SecretListText.Sections(count: sections, filter: filter, spool: spool)
      }
      for await event in estate.events(filters: filters) {
        switch event {
        case .page(let origin, let page):
          // (Every page comes from a member; one that did not would go first, as before.)
          let section = order[origin] ?? 0
          jsonSections?.append(page, to: section)
          textSections?.append(page, to: section)
          try spool.check()
        case .failed(let origin, let error): failures.append((origin, Commands.message(error)))
        case .notEnabled(let origin): skipped.append(origin)
        case .finished: break
        }
      }
    } catch {
      throw CLIError.failure(error.description)
    }
    do {
      try jsonSections?.write { Output.write($0) }
      try textSections?.write { Output.write($0) }
    } catch {
      throw CLIError.failure(error.description)
    }
    for origin in skipped {
      Output.error("\(origin): the Region is not enabled for this account; skipped.")
    }
    // Pairs failing for the same reason (one profile in every Region) are named together, in
    // the order the pairs were given (not the order they failed in).
    var grouped: [(String, [SecretOrigin])] = []
    for (origin, message) in estate.inMemberOrder(failures) {
      if let index = grouped.firstIndex(where: { $0.0 == message }) {
        grouped[index].1.append(origin)
      } else {
        grouped.append((message, [origin]))
      }
    }
    for (message, origins) in grouped {
      Output.error(origins.map(\.description).joined(separator: ", ") + ": " + message)
    }
    if !failures.isEmpty {
      throw CLIError(
        message: "\(failures.count) of \(estate.members.count) profile and Region pairs could not be listed (above).",
        exitCode: 1)
    }
  }
}
