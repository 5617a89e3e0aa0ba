import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

@testable import StagehandApp

/// The UI in process against moto with `--regions` and `--profiles`, built as the command
/// line builds it: moto keeps each Region's secrets apart in one server, so the same name
/// can be in two Regions. The rows say where each was read, the listing reports pair by pair,
/// a profile that does not exist fails alone, and the pair picker narrows the list.
@Suite(.serialized, .ownThreads)
struct EstateUITests {
  struct Fixture {
    let moto: MotoServer
    let home: URL

    static func make() async throws -> Fixture {
      let moto = try await MotoServer.start()
      let home = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-estate-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
      try await onOwnThread {
        // The same name in both Regions, and one secret only the west has.
        for region in ["us-east-1", "eu-west-1"] {
          _ = try moto.aws([
            "--region", region, "secretsmanager", "create-secret", "--name", "tui/shared", "--secret-string", "1",
          ])
        }
        _ = try moto.aws([
          "--region", "eu-west-1", "secretsmanager", "create-secret", "--name", "tui/west-only", "--secret-string", "1",
        ])
      }
      return Fixture(moto: moto, home: home)
    }

    /// The estate as `--regions`/`--profiles` with `--endpoint-url` build it; `config` is the
    /// text of an aws config file, else the test credentials of the environment are used.
    func backend(regions: String, profiles: String? = nil, config: String? = nil) async throws -> any SecretsBackend {
      var variables = MotoServer.stagehandEnvironment
      if let config {
        let file = home.appendingPathComponent("config")
        try config.write(to: file, atomically: true, encoding: .utf8)
        variables = [
          "AWS_CONFIG_FILE": file.path, "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
        ]
      }
      let environment = AWSEnvironment(variables: variables, homeDirectory: home.path) {
        try? String(contentsOfFile: $0, encoding: .utf8)
      }
      return try await BackendFactory.make(
        GlobalSettings(regions: regions, profiles: profiles, endpointURL: moto.endpoint.absoluteString),
        environment: environment)
    }

    func stop() {
      moto.stop()
      try? FileManager.default.removeItem(at: home)
    }
  }

  /// The lines of the secrets pane that name `secret`.
  static func rows(of secret: String, in screen: String) -> [String] {
    screen.split(separator: "\n").map(String.init).filter { $0.contains("│ \(secret) ") }
  }

  @Test func twoRegionsListTogetherAndThePickerNarrowsToOne() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    let backend = try await f.backend(regions: "us-east-1,eu-west-1")
    try await withUI(backend) { ui in
      try await ui.waitUntil("the listing's progress", since: 0) { $0.contains("listing ") && $0.contains("/2 pairs") }
      let screen = try await ui.waitFor("3 secrets loaded from 2 pairs")
      // One row per Region for the shared name, each saying where it was read.
      let shared = Self.rows(of: "tui/shared", in: screen)
      #expect(shared.count == 2, "\(screen)")
      #expect(shared.contains { $0.contains("us-east-1") } && shared.contains { $0.contains("eu-west-1") }, "\(screen)")
      #expect(Self.rows(of: "tui/west-only", in: screen).first?.contains("eu-west-1") == true, "\(screen)")
      #expect(!screen.contains("listing "), "the progress is done")

      // The picker: each Region with what it listed; the second narrows to eu-west-1.
      ui.press(.char("A"))
      let picker = try await ui.waitFor("listed: 2 secrets")
      #expect(picker.contains("listed: 1 secret"), "\(picker)")
      ui.press(.down, .down, .enter)
      let narrowed = try await ui.waitFor("showing eu-west-1 only: 2 secrets")
      #expect(narrowed.contains("filter: region:eu-west-1"), "\(narrowed)")
      let west = Self.rows(of: "tui/shared", in: narrowed) + Self.rows(of: "tui/west-only", in: narrowed)
      #expect(west.count == 2 && west.allSatisfy { $0.contains("eu-west-1") }, "\(narrowed)")
      let listed = narrowed.split(separator: "\n").filter { $0.contains("│ tui/") }
      #expect(listed.count == 2 && !listed.contains { $0.contains("us-east-1") }, "\(narrowed)")
      // The versions pane reads the eu-west-1 copy, by its ARN.
      try await ui.waitForVersions(of: "tui/shared · eu-west-1")
      try await ui.quit()
    }
  }

  @Test func aProfileThatDoesNotExistFailsAloneWhileTheOtherLists() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    let config = """
      [profile a]
      aws_access_key_id = testing
      aws_secret_access_key = testing
      region = us-east-1
      """
    let backend = try await f.backend(regions: "eu-west-1", profiles: "a,nosuch", config: config)
    try await withUI(backend) { ui in
      let screen = try await ui.waitFor("2 secrets loaded from 1 pair")
      #expect(screen.contains("1 pair failed: nosuch eu-west-1"), "\(screen)")
      #expect(screen.contains("pair failed"), "the header keeps the failure: \(screen)")
      #expect(Self.rows(of: "tui/shared", in: screen).first?.contains("euw1 a") == true, "\(screen)")
      ui.press(.char("A"))
      let picker = try await ui.waitFor("Profiles and Regions")
      #expect(picker.contains("a eu-west-1") && picker.contains("listed: 2 secrets"), "\(picker)")
      let failed = picker.split(separator: "\n").first { $0.contains("nosuch eu-west-1") }.map(String.init) ?? ""
      #expect(failed.contains("failed: ") && failed.contains("nosuch"), "the reason names the profile: \(picker)")
      // On the failed pair, its whole message shows under it.
      ui.press(.down, .down)
      try await ui.waitFor("The profile \"nosuch\" was not found")
      // q closes the picker (as it does the other popups); the next one quits.
      ui.press(.char("q"))
      try await ui.waitUntil("the picker closed") { !$0.contains("Profiles and Regions") }
      try await ui.quit()
    }
  }
}
