import Foundation
import SecretsClient
import StagehandTestSupport
import StagingModel
import Testing

@testable import StagehandApp

/// A plan file holds the command's `--json --dry-run` document for each secret plus where
/// and when it was read; it reads back as the same plans; and `apply` goes where it was
/// written, refusing another store, Region or endpoint.
@Suite(.ownThreads)
struct PlanFileTests {
  static let c = "c0000000-0000-0000-0000-000000000000"
  static let n = "e0000000-0000-0000-0000-000000000000"

  static func secret(_ name: String, region: String = "eu-west-1") -> Secret {
    Secret(
      name: name, arn: "arn:aws:secretsmanager:\(region):210987654321:secret:\(name)-AbCdEf",
      versions: [
        SecretVersion(versionId: c, labels: ["AWSCURRENT"]), SecretVersion(versionId: n, labels: ["AWSPENDING"]),
      ])
  }

  static let aws = BackendLocation(profile: "prod", region: "eu-west-1", endpoint: "http://127.0.0.1:4566")
  static let readAt = Date(timeIntervalSince1970: 1_796_000_000)

  static func file(_ secrets: [Secret], location: BackendLocation = aws) -> PlanFile {
    PlanFile(
      ChangeSet.plan(secrets) { _ in .promotePending(keepPending: false) }, command: "promote --filter app/",
      location: location, readAt: readAt)
  }

  @Test func eachEntryIsTheDryRunDocumentPlusWhereAndWhen() throws {
    let secret = Self.secret("app/a")
    let plan = try Planner.plan(.promotePending(keepPending: false), for: secret).get()
    let entry = try #require(
      try JSONSerialization.jsonObject(with: Data(JSONOutput.bytes(Self.file([secret])))) as? [String: Any])
    let dryRun = try #require(
      try JSONSerialization.jsonObject(with: Data(JSONOutput.bytes(PlanJSON.dryRun(plan)))) as? [String: Any])
    let first = try #require((entry["Plans"] as? [[String: Any]])?.first)
    for (key, value) in dryRun {
      #expect((first[key] as? NSObject)?.isEqual(value) == true, "\(key)")
    }
    #expect(first["Region"] as? String == "eu-west-1")
    #expect(first["Account"] as? String == "210987654321")
    #expect(first["Profile"] as? String == "prod")
    #expect(first["Endpoint"] as? String == "http://127.0.0.1:4566")
    #expect(first["ReadAt"] as? String == "2026-11-30T00:53:20Z")
    #expect(entry["FormatVersion"] as? Int == 1)
  }

  @Test func aWrittenFileReadsBackAsTheSamePlans() throws {
    let secrets = [Self.secret("app/a"), Self.secret("app/b"), Secret(name: "app/empty")]
    let file = Self.file(secrets)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("plan.json").path
    try file.write(to: path)
    #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
    let read = try PlanFile.read(path)
    #expect(read.plans == file.plans)
    #expect(read.skipped.map(\.name) == ["app/empty"])
    let set = ChangeSet.plan(secrets) { _ in .promotePending(keepPending: false) }
    #expect(read.changeSet.plans.map(\.steps) == set.plans.map(\.steps))
    #expect(read.changeSet.plans.map(\.after) == set.plans.map(\.after))
    // Written again over the first: replaced whole, still 0600.
    try Self.file([Self.secret("app/c")]).write(to: path)
    #expect(try PlanFile.read(path).plans.map(\.name) == ["app/c"])
    #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
  }

  @Test func applyGoesWhereThePlanWasWritten() throws {
    let file = Self.file([Self.secret("app/a")])
    let settings = try ChangeSetFlow.settings(for: file, global: GlobalSettings())
    #expect(settings.region == "eu-west-1")
    #expect(settings.profile == "prod")
    #expect(settings.endpointURL == "http://127.0.0.1:4566")
    // Another profile is taken (the ARNs still decide); another Region or endpoint is not.
    #expect(try ChangeSetFlow.settings(for: file, global: GlobalSettings(profile: "ops")).profile == "ops")
    for wrong in [GlobalSettings(region: "us-east-1"), GlobalSettings(endpointURL: "http://127.0.0.1:9")] {
      #expect(throws: CLIError.self) { try ChangeSetFlow.settings(for: file, global: wrong) }
    }
    #expect(throws: CLIError.self) { try ChangeSetFlow.settings(for: file, global: GlobalSettings(store: "/x.json")) }

    let stored = Self.file([Self.secret("app/a")], location: BackendLocation(store: "/data/store.json"))
    #expect(try ChangeSetFlow.settings(for: stored, global: GlobalSettings()).store == "/data/store.json")
    #expect(throws: CLIError.self) {
      try ChangeSetFlow.settings(for: stored, global: GlobalSettings(store: "/data/other.json"))
    }
    #expect(throws: CLIError.self) { try ChangeSetFlow.settings(for: stored, global: GlobalSettings(demo: true)) }

    // AWS's own endpoint is not passed on: the same resolution finds it again.
    let real = Self.file(
      [Self.secret("app/a")],
      location: BackendLocation(region: "eu-west-1", endpoint: "https://secretsmanager.eu-west-1.amazonaws.com"))
    let resolved = try ChangeSetFlow.settings(for: real, global: GlobalSettings())
    #expect(resolved.endpointURL == nil)
    #expect(resolved.profile == nil)

    // Secrets read in two Regions: applied through both.
    let two = PlanFile(
      ChangeSet.plan([Self.secret("app/a"), Self.secret("app/b", region: "us-east-1")]) { _ in
        .promotePending(keepPending: false)
      }, command: "x", location: BackendLocation(region: "eu-west-1"), readAt: Self.readAt)
    #expect(two.plans.map(\.region) == ["eu-west-1", "us-east-1"])
    let both = try ChangeSetFlow.settings(for: two, global: GlobalSettings())
    #expect(both.regions == "eu-west-1,us-east-1")
    #expect(both.region == nil)
  }
}
