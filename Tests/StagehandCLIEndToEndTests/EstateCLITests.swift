import Foundation
import StagehandTestSupport
import Testing

/// `--regions` and `--profiles` against one moto: Regions are separate there, and a profile
/// that assumes a role in another account sees that account's secrets. The aws CLI, with
/// the same profiles, judges the end state.
@Suite(.serialized, .ownThreads)
struct EstateCLITests {
  struct Fixture {
    var moto: MotoServer
    var h: CLIHarness
    var environment: [String: String]

    /// Profile `a` has keys (account 123456789012); `b` assumes a role in 111111111111
    /// through moto's STS; `broken` has a credential_process that fails.
    static func start() async throws -> Fixture {
      let moto = try await MotoServer.start()
      let h = try CLIHarness()
      let config = h.directory.appendingPathComponent("config")
      try """
      [profile a]
      aws_access_key_id = testing
      aws_secret_access_key = testing
      region = us-east-1

      [profile b]
      role_arn = arn:aws:iam::111111111111:role/estate-test
      source_profile = a
      region = us-east-1

      [profile broken]
      region = us-east-1
      credential_process = /bin/false
      """.write(to: config, atomically: true, encoding: .utf8)
      let environment = [
        "AWS_CONFIG_FILE": config.path, "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_ENDPOINT_URL": moto.endpoint.absoluteString, "AWS_EC2_METADATA_DISABLED": "true",
      ]
      return Fixture(moto: moto, h: h, environment: environment)
    }

    func stop() {
      moto.stop()
      h.cleanUp()
    }

    func stagehand(_ arguments: [String]) throws -> CLIHarness.Result {
      try h.run(arguments, extraEnvironment: environment)
    }

    /// The aws CLI with the same configuration; its JSON answer.
    func aws(_ arguments: [String]) throws -> [String: Any] {
      let executable = try ChildProcess.locate("aws", installHint: "pip install awscli")
      let output = try ChildProcess.run(
        executable, ["--output", "json"] + arguments,
        // A HOME of its own: the aws CLI caches assumed-role credentials under ~/.aws/cli/cache,
        // and a cached key from another moto maps to moto's default account.
        environment: ChildProcess.environment(environment.merging(["AWS_PAGER": "", "HOME": h.directory.path]) { $1 }))
      guard output.status == 0 else { throw ChildProcess.Failure(description: "aws \(arguments): \(output.stderr)") }
      return (try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]) ?? [:]
    }
  }

  @Test func twoRegionsAndTwoAccountsAreListedTogetherAndAFailingPairIsItsOwn() async throws {
    let f = try await Fixture.start()
    defer { f.stop() }
    _ = try f.aws([
      "--profile", "a", "--region", "us-east-1", "secretsmanager", "create-secret", "--name", "east/db",
      "--secret-string", "1",
    ])
    _ = try f.aws([
      "--profile", "a", "--region", "eu-west-1", "secretsmanager", "create-secret", "--name", "west/db",
      "--secret-string", "1",
    ])
    _ = try f.aws([
      "--profile", "b", "--region", "us-east-1", "secretsmanager", "create-secret", "--name", "other/db",
      "--secret-string", "1",
    ])

    let regions = try f.stagehand(["list", "--profile", "a", "--regions", "us-east-1,eu-west-1"])
    #expect(regions.status == 0, "\(regions.stderr)")
    let rows = regions.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
    #expect(rows.first?.prefix(2) == ["REGION", "NAME"], "\(regions.stdout)")
    #expect(
      rows.dropFirst().map { "\($0[0]) \($0[1])" } == ["us-east-1 east/db", "eu-west-1 west/db"], "\(regions.stdout)")

    let profiles = try f.stagehand(["list", "--profiles", "a,b,broken", "--region", "us-east-1"])
    #expect(profiles.status == 1, "one pair failed: \(profiles.stderr)")
    let listed = profiles.stdout.split(separator: "\n").map {
      $0.split(separator: " ").prefix(3).joined(separator: " ")
    }
    #expect(listed == ["PROFILE REGION NAME", "a us-east-1 east/db", "b us-east-1 other/db"], "\(profiles.stdout)")
    #expect(profiles.stderr.contains("broken us-east-1: credential_process"), "\(profiles.stderr)")
    #expect(profiles.stderr.contains("1 of 3 profile and Region pairs could not be listed"), "\(profiles.stderr)")

    // list --json: each secret carries the Region it was read in and the profile it was read
    // with.
    let regionsJSON = try f.stagehand(["list", "--json", "--regions", "us-east-1,eu-west-1", "--profile", "a"])
    #expect(regionsJSON.status == 0, "\(regionsJSON.stderr)")
    #expect(
      try Self.placed(regionsJSON.stdout) == ["east/db us-east-1 a", "west/db eu-west-1 a"], "\(regionsJSON.stdout)")
    let profilesJSON = try f.stagehand(["list", "--json", "--profiles", "a,b", "--region", "us-east-1"])
    #expect(profilesJSON.status == 0, "\(profilesJSON.stderr)")
    #expect(
      try Self.placed(profilesJSON.stdout) == ["east/db us-east-1 a", "other/db us-east-1 b"], "\(profilesJSON.stdout)")

    // The pairs' pages are spooled as they arrive, as a single Region's are: where no spool
    // can be made, `list` says so, exits 1 and prints nothing.
    let missing = f.h.directory.appendingPathComponent("no-such-directory").path
    for json in [true, false] {
      let result = try await f.h.run(
        ["list", "--profile", "a", "--regions", "us-east-1,eu-west-1"] + (json ? ["--json"] : []),
        extraEnvironment: f.environment.merging(["TMPDIR": missing]) { $1 })
      #expect(result.status == 1, "\(result.stderr)")
      #expect(result.stdout.isEmpty, "\(result.stdout)")
      #expect(result.stderr.contains("Can't make a temporary file in \(missing)"), "\(result.stderr)")
    }
  }

  /// "Name Region Profile" for each secret of a `list --json` document ("-" for a member left
  /// out).
  static func placed(_ json: String) throws -> [String] {
    let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    return (document?["SecretList"] as? [[String: Any]] ?? []).map { entry in
      ["Name", "Region", "Profile"].map { entry[$0] as? String ?? "-" }.joined(separator: " ")
    }
  }

  @Test func aChangeNeedsOneTargetAndGoesToThePairThatHoldsTheSecret() async throws {
    let f = try await Fixture.start()
    defer { f.stop() }
    // The same name in two Regions, and one only account b has.
    for region in ["us-east-1", "eu-west-1"] {
      _ = try f.aws([
        "--profile", "a", "--region", region, "secretsmanager", "create-secret", "--name", "twice/db",
        "--secret-string", "1",
      ])
    }
    let created = try f.aws([
      "--profile", "b", "--region", "eu-west-1", "secretsmanager", "create-secret", "--name", "b/db", "--secret-string",
      "1",
    ])
    let pending = try #require(
      try f.aws([
        "--profile", "b", "--region", "eu-west-1", "secretsmanager", "put-secret-value", "--secret-id", "b/db",
        "--secret-string", "2", "--version-stages", "AWSPENDING",
      ])["VersionId"] as? String)

    let ambiguous = try f.stagehand(["versions", "twice/db", "--profile", "a", "--regions", "us-east-1,eu-west-1"])
    #expect(ambiguous.status == 2, "\(ambiguous.stderr)")
    #expect(ambiguous.stderr.contains("\"twice/db\" is in 2 places"), "\(ambiguous.stderr)")
    #expect(ambiguous.stderr.contains("arn:aws:secretsmanager:us-east-1:"), "\(ambiguous.stderr)")
    #expect(ambiguous.stderr.contains("arn:aws:secretsmanager:eu-west-1:"), "\(ambiguous.stderr)")

    // By name, found in one pair only: profile b in eu-west-1.
    let promoted = try f.stagehand([
      "promote", "b/db", "--yes", "--profiles", "a,b", "--regions", "us-east-1,eu-west-1",
    ])
    #expect(promoted.status == 0, "\(promoted.stderr)")
    let described = try f.aws([
      "--profile", "b", "--region", "eu-west-1", "secretsmanager", "describe-secret", "--secret-id", "b/db",
    ])
    let stages = described["VersionIdsToStages"] as? [String: [String]] ?? [:]
    #expect(stages[pending] == ["AWSCURRENT"], "\(stages)")
    #expect(stages[created["VersionId"] as? String ?? ""] == ["AWSPREVIOUS"], "\(stages)")

    // By ARN, the Region in it picks the pair.
    let arn = try #require(
      try f.aws([
        "--profile", "a", "--region", "eu-west-1", "secretsmanager", "describe-secret", "--secret-id", "twice/db",
      ])["ARN"]
        as? String)
    let byARN = try f.stagehand(["versions", arn, "--json", "--profile", "a", "--regions", "us-east-1,eu-west-1"])
    #expect(byARN.status == 0, "\(byARN.stderr)")
    #expect(byARN.stdout.contains(arn), "\(byARN.stdout)")
  }

  @Test func conflictingOptionsAreRefused() async throws {
    let f = try await Fixture.start()
    defer { f.stop() }
    for (arguments, words) in [
      (["list", "--region", "us-east-1", "--regions", "eu-west-1"], "--region and --regions"),
      (["list", "--profile", "a", "--profiles", "a,b"], "--profile and --profiles"),
      (["list", "--regions", " , "], "--regions needs at least one name"),
      (["list", "--demo", "--regions", "us-east-1"], "the embedded store has one Region"),
      (["list", "--regions", "us-east-1,bad@host"], "not a valid AWS region name"),
    ] {
      let result = try f.stagehand(arguments)
      #expect(result.status != 0 && result.stderr.contains(words), "\(arguments): \(result.status) \(result.stderr)")
      #expect(result.stdout.isEmpty, "\(arguments)")
    }
  }
}
