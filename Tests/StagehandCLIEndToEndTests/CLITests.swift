import Foundation
import StagehandTestSupport
import Testing

@Suite(.ownThreads)
struct CLITests {
  static let v1 = "aaaa1111-0000-0000-0000-000000000001"
  static let v2 = "aaaa2222-0000-0000-0000-000000000002"
  static let v3 = "bbbb3333-0000-0000-0000-000000000003"

  func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    try h.writeStore([
      (
        "prod/db",
        [(Self.v1, ["AWSCURRENT"]), (Self.v2, ["AWSPREVIOUS"]), (Self.v3, ["AWSPENDING", "release-1"])]
      ),
      ("prod/api", [(Self.v1, ["AWSCURRENT"])]),
    ])
    return h
  }

  @Test func listAsJSONUsesTheAPIFieldNames() async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let result = try await h.run(["--store", h.storePath, "list", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let list = try #require(object?["SecretList"] as? [[String: Any]])
    #expect(list.map { $0["Name"] as? String } == ["prod/db", "prod/api"])
    let stages = try #require(list[0]["SecretVersionsToStages"] as? [String: [String]])
    #expect(stages[Self.v3].map(Set.init) == ["AWSPENDING", "release-1"])
    #expect((list[0]["ARN"] as? String)?.hasPrefix("arn:aws:secretsmanager:") == true)
  }

  @Test func globalOptionsWorkBeforeAndAfterTheSubcommand() async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let before = try await h.run(["--store", h.storePath, "versions", "prod/db", "--json"])
    let after = try await h.run(["versions", "prod/db", "--json", "--store", h.storePath])
    #expect(before.status == 0 && after.status == 0, "\(before.stderr) \(after.stderr)")
    #expect(before.stdout == after.stdout)
    let object = try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any]
    let versions = try #require(object?["Versions"] as? [[String: Any]])
    #expect(versions.count == 3)
    #expect(versions.first?["VersionId"] as? String == Self.v3, "newest first")
  }

  @Test func dryRunShowsTheShiftAndCommandsAndChangesNothing() async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let original = try h.storeData()
    let result = try await h.run(["--store", h.storePath, "move", "prod/db", "AWSCURRENT", "--to", "bbbb", "--dry-run"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("+AWSPREVIOUS (automatic)"))
    #expect(result.stdout.contains("AWSPREVIOUS moves automatically from aaaa2222… to aaaa1111…"))
    #expect(
      result.stdout.contains(
        "aws secretsmanager update-secret-version-stage --secret-id prod/db --version-stage AWSCURRENT --remove-from-version-id \(Self.v1) --move-to-version-id \(Self.v3)"
      ))
    #expect(try h.storeData() == original)
  }

  @Test func moveWithYesAppliesAndReportsJSON() async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let result = try await h.run([
      "move", "prod/db", "AWSCURRENT", "--to", ":AWSPENDING", "--yes", "--json", "--store", h.storePath,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["Applied"] as? Bool == true)
    let steps = try #require(object?["Steps"] as? [[String: String]])
    #expect(steps == [["VersionStage": "AWSCURRENT", "RemoveFromVersionId": Self.v1, "MoveToVersionId": Self.v3]])
    let labels = try h.labels(of: "prod/db")
    #expect(labels[Self.v1] == ["AWSPREVIOUS"])
    #expect(labels[Self.v2] == [])
    #expect(labels[Self.v3] == ["AWSCURRENT", "AWSPENDING", "release-1"])
  }

  @Test func promoteRollbackAndRemoveEndToEnd() async throws {
    let h = try harness()
    defer { h.cleanUp() }
    #expect(try await h.run(["--store", h.storePath, "promote", "prod/db", "--yes"]).status == 0)
    #expect(
      try h.labels(of: "prod/db") == [Self.v1: ["AWSPREVIOUS"], Self.v2: [], Self.v3: ["AWSCURRENT", "release-1"]])
    #expect(try await h.run(["--store", h.storePath, "rollback", "prod/db", "--yes"]).status == 0)
    #expect(
      try h.labels(of: "prod/db") == [Self.v1: ["AWSCURRENT"], Self.v2: [], Self.v3: ["AWSPREVIOUS", "release-1"]])
    #expect(try await h.run(["--store", h.storePath, "remove", "prod/db", "release-1", "--yes"]).status == 0)
    #expect(try h.labels(of: "prod/db")[Self.v3] == ["AWSPREVIOUS"])
  }

  @Test func withoutYesOrATerminalItRefuses() async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let original = try h.storeData()
    let result = try await h.run(["--store", h.storePath, "rollback", "prod/db"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("pass --yes"))
    #expect(try h.storeData() == original)
  }

  struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var arguments: [String]
    var status: Int32
    var words: String
    var testDescription: String { name }
  }

  static let badInputs: [BadInput] = [
    BadInput(
      name: "unknown secret", arguments: ["move", "nope", "AWSCURRENT", "--to", "aaaa1111", "--yes"], status: 2,
      words: "No secret named \"nope\""),
    BadInput(
      name: "ambiguous prefix", arguments: ["move", "prod/db", "AWSCURRENT", "--to", "aaaa", "--yes"], status: 2,
      words: "matches 2 versions"),
    BadInput(
      name: "bad label", arguments: ["move", "prod/db", "bad\u{1B}label", "--to", "bbbb", "--yes"], status: 2,
      words: "control"),
    BadInput(
      name: "remove AWSCURRENT", arguments: ["remove", "prod/db", "AWSCURRENT", "--yes"], status: 2,
      words: "can't be removed, only moved"),
    BadInput(name: "missing argument", arguments: ["move", "prod/db"], status: 2, words: "Missing expected argument"),
    BadInput(name: "unknown option", arguments: ["list", "--frobnicate"], status: 2, words: "Unknown option"),
    BadInput(
      name: "no-op", arguments: ["move", "prod/db", "AWSCURRENT", "--to", "aaaa1111", "--yes"], status: 2,
      words: "nothing to do"),
  ]

  @Test(arguments: badInputs)
  func badInputIsExplainedAndChangesNothing(_ input: BadInput) async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let original = try h.storeData()
    let result = try await h.run(input.arguments + ["--store", h.storePath])
    #expect(result.status == input.status, "\(result.stderr)")
    #expect(result.stderr.contains(input.words), "\(result.stderr)")
    #expect(!result.stderr.contains("\u{1B}"), "no raw escape reaches the terminal")
    #expect(try h.storeData() == original)
  }

  @Test func corruptStoreIsReportedAndNeverOverwritten() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let corrupt = Data("{\"formatVersion\": 1, \"secrets\": [ {\"Name\": \"x\", ".utf8)
    try corrupt.write(to: URL(fileURLWithPath: h.storePath))
    for arguments in [["list"], ["move", "x", "L", "--to", "abcd", "--yes"]] {
      let result = try await h.run(arguments + ["--store", h.storePath])
      #expect(result.status == 1)
      #expect(result.stderr.contains("is not valid JSON"), "\(result.stderr)")
      #expect(result.stderr.contains("Stagehand has not changed it"))
      #expect(try h.storeData() == corrupt)
    }
  }

  @Test func missingStoreSaysWhatToDo() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let result = try await h.run(["list", "--store", h.storePath])
    #expect(result.status == 1)
    #expect(result.stderr.contains("no store file here"))
    #expect(result.stderr.contains("--demo"))
    #expect(!FileManager.default.fileExists(atPath: h.storePath))
  }

  @Test func demoStoreIsRealisticAndResettable() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let list = try await h.run(["--demo", "list", "--json"])
    #expect(list.status == 0, "\(list.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
    let secrets = try #require(object?["SecretList"] as? [[String: Any]])
    #expect(secrets.count >= 12)
    let names = secrets.compactMap { $0["Name"] as? String }
    #expect(["prod/", "staging/", "dev/"].allSatisfy { prefix in names.contains { $0.hasPrefix(prefix) } })
    #expect(secrets.contains { $0["OwningService"] != nil })
    #expect(secrets.contains { $0["DeletedDate"] != nil })
    #expect(names.contains { $0.count > 60 })
    let pending = secrets.filter {
      ($0["SecretVersionsToStages"] as? [String: [String]])?.values.contains { $0.contains("AWSPENDING") } == true
    }
    #expect(pending.count >= 2)
    let path = h.directory.appendingPathComponent("data/stagehand/demo.json").path
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    // Changes persist, and --demo-reset restores the initial state.
    #expect(try await h.run(["--demo", "rollback", "prod/payments/stripe-api-key", "--yes"]).status == 0)
    let changed = try await h.run(["--demo", "versions", "prod/payments/stripe-api-key", "--json"]).stdout
    #expect(try await h.run(["--demo-reset", "list"]).status == 0)
    let reset = try await h.run(["--demo", "versions", "prod/payments/stripe-api-key", "--json"]).stdout
    #expect(changed != reset)
    #expect(reset.contains("\"AWSCURRENT\",\n        \"release-2026.11\""))
  }

  @Test func namesAreInertInTextOutput() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try h.writeStore([("evil\u{1B}]0;pwned\u{07}\u{202E}name", [(Self.v1, ["AWSCURRENT"])])])
    let result = try await h.run(["--store", h.storePath, "list"])
    #expect(result.status == 0)
    #expect(!result.stdout.contains("\u{1B}"))
    #expect(!result.stdout.contains("\u{202E}"))
    #expect(result.stdout.contains("evil␛]0;pwned␇<U+202E>name"))
  }
}

@Suite(.ownThreads)
struct CLIHelpTests {
  @Test func versionHelpAndCompletionWork() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let version = try await h.run(["--version"])
    #expect(version.status == 0)
    #expect(
      version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(
        of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    let help = try await h.run(["--help"])
    #expect(help.status == 0)
    for subcommand in ["list", "versions", "move", "remove", "rollback", "promote", "reveal"] {
      #expect(help.stdout.contains(subcommand), "root help lists \(subcommand)")
      let sub = try await h.run([subcommand, "--help"])
      #expect(sub.status == 0)
      #expect(sub.stdout.contains("USAGE: stagehand \(subcommand)"))
    }
    for shell in ["bash", "zsh", "fish"] {
      let script = try await h.run(["--generate-completion-script", shell])
      #expect(script.status == 0)
      #expect(script.stdout.contains("promote"), "\(shell) completion names the subcommands")
    }
  }
}
