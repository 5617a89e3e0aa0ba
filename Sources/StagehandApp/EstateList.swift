import Foundation
import SecretsClient
import StagingModel

/// `stagehand list` over several profiles and Regions: every pair that works is listed (with
/// PROFILE and REGION columns, or "Region" and "Profile" in JSON); each pair that fails is
/// named on standard error with its reason, and the exit status is then 1. Regions not
/// enabled for the account are noted and skipped.
enum EstateList {
  static func run(_ estate: EstateBackend, filters: [ListFilter], filter: String?, json: Bool) async throws {
    var pages: [[Secret]] = []
    var failures: [(SecretOrigin, String)] = []
    var skipped: [SecretOrigin] = []
    for await event in estate.events(filters: filters) {
      switch event {
      case .page(_, let page): pages.append(page)
      case .failed(let origin, let error): failures.append((origin, Commands.message(error)))
      case .notEnabled(let origin): skipped.append(origin)
      case .finished: break
      }
    }
    // Pairs arrive in whatever order they answer; the table is ordered by pair.
    let order = Dictionary(uniqueKeysWithValues: estate.members.enumerated().map { ($1.origin, $0) })
    pages.sort {
      (order[$0.first?.origin ?? SecretOrigin(profile: nil, region: "")] ?? 0)
        < (order[$1.first?.origin ?? SecretOrigin(profile: nil, region: "")] ?? 0)
    }
    if json {
      SecretListJSON.write(pages: pages) { Output.write($0) }
    } else {
      Output.write(SecretListText.document(pages: pages, filter: filter))
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
