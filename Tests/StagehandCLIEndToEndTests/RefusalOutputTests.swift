import Foundation
import StagehandTestSupport
import Testing

/// The whole of what a refused command prints: the planner's reason and the command that
/// would work instead, byte for byte, on stderr and in `--json`'s "Refused".
@Suite(.ownThreads)
struct RefusalOutputTests {
  static let v1 = "aaaa1111-0000-0000-0000-000000000001"
  static let v2 = "aaaa2222-0000-0000-0000-000000000002"
  /// Needs quoting for a shell, and carries an ESC that must print inert.
  static let oddName = "odd name\u{1B}[2J"

  func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    try h.writeStore([
      ("prod/db", [(Self.v1, ["AWSCURRENT"]), (Self.v2, ["AWSPREVIOUS"])]),
      (Self.oddName, [(Self.v1, ["AWSCURRENT", "blue"])]),
    ])
    return h
  }

  struct Refused: Sendable, CustomTestStringConvertible {
    var name: String
    var arguments: [String]
    var stderr: String
    var testDescription: String { name }
  }

  static let refusals: [Refused] = [
    Refused(
      name: "remove AWSCURRENT", arguments: ["remove", "prod/db", "AWSCURRENT", "--yes"],
      stderr:
        "stagehand: AWSCURRENT can't be removed, only moved: a secret always has one current version. Move it instead (stagehand move prod/db AWSCURRENT --to VERSION).\n"
    ),
    Refused(
      name: "remove AWSCURRENT from a name a shell must quote", arguments: ["remove", oddName, "AWSCURRENT", "--yes"],
      stderr:
        "stagehand: AWSCURRENT can't be removed, only moved: a secret always has one current version. Move it instead (stagehand move 'odd name␛[2J' AWSCURRENT --to VERSION).\n"
    ),
    Refused(
      name: "too short a version", arguments: ["move", "prod/db", "AWSCURRENT", "--to", "aa", "--yes"],
      stderr:
        "stagehand: \"aa\" is too short: give a version id, a prefix of at least 4 characters, or :LABEL. List them with: stagehand versions prod/db --include-deprecated\n"
    ),
    Refused(
      name: "no such version", arguments: ["move", oddName, "blue", "--to", "ffff", "--yes"],
      stderr:
        "stagehand: No version of odd name␛[2J starts with \"ffff\". List them with: stagehand versions 'odd name␛[2J' --include-deprecated\n"
    ),
  ]

  @Test(arguments: refusals)
  func refusalsPrintTheCommandThatWouldWork(_ refusal: Refused) async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let result = try await h.run(refusal.arguments + ["--store", h.storePath])
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == refusal.stderr)
  }

  @Test func jsonCarriesTheSameTextUnsanitized() async throws {
    let h = try harness()
    defer { h.cleanUp() }
    let result = try await h.run(["remove", Self.oddName, "AWSCURRENT", "--yes", "--json", "--store", h.storePath])
    #expect(result.status == 2)
    #expect(
      result.stdout == """
        {
          "Applied" : false,
          "Name" : "odd name\\u001b[2J",
          "Refused" : "AWSCURRENT can't be removed, only moved: a secret always has one current version. Move it instead (stagehand move 'odd name\\u001b[2J' AWSCURRENT --to VERSION)."
        }

        """)
  }

  @Test func aSecretScheduledForDeletionSaysHowToRestoreIt() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let store: [String: Any] = [
      "formatVersion": 1,
      "secrets": [
        [
          "Name": "gone secret", "DeletedDate": "2026-01-05T10:00:00Z",
          "Versions": [
            ["VersionId": Self.v1, "VersionStages": ["AWSCURRENT"]],
            ["VersionId": Self.v2, "VersionStages": ["AWSPREVIOUS"]],
          ],
        ] as [String: Any]
      ],
    ]
    try JSONSerialization.data(withJSONObject: store).write(to: URL(fileURLWithPath: h.storePath))
    let result = try await h.run(["rollback", "gone secret", "--yes", "--store", h.storePath])
    #expect(result.status == 2)
    #expect(
      result.stderr
        == "stagehand: gone secret is scheduled for deletion, and AWS refuses label changes on it. Restore it first (aws secretsmanager restore-secret --secret-id 'gone secret').\n"
    )
  }
}
