import Foundation
import StagehandTestSupport
import Testing

/// The rotation commands write plan files too: `rotate --out` keeps its ClientRequestToken, so
/// `apply` starts that very rotation, once (a second apply finds the secret moved and sends
/// nothing); `cancel-rotation --out` is applied the same way; `put-pending --out` is refused,
/// since a plan file never holds a value. The store file is the judge.
@Suite(.serialized, .ownThreads)
struct RotationPlanFileTests {
  @Test func aRotationWrittenWithOutStartsOnceWithItsOwnToken() async throws {
    let h = try RotationStoreCLITests.harness()
    defer { h.cleanUp() }
    let secret = RotationStoreCLITests.succeeding
    let plan = h.directory.appendingPathComponent("rotate.json").path
    let before = try h.labels(of: secret)
    let written = try await h.run(["rotate", secret, "--out", plan, "--store", h.storePath])
    #expect(written.status == 0, "\(written.stderr)")
    #expect(try h.labels(of: secret) == before, "--out sends nothing")
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])
    let entry = try #require((document["Plans"] as? [[String: Any]])?.first)
    #expect(entry["Operation"] as? String == "RotateSecret")
    let token = try #require((entry["Request"] as? [String: Any])?["ClientRequestToken"] as? String)
    #expect(written.stdout.contains("--client-request-token \(token)"))

    let shown = try await h.run(["show", plan])
    #expect(shown.status == 0, "\(shown.stderr)")
    #expect(shown.stdout.contains("rotate (RotateSecret), new version \(token.prefix(8))…"))
    #expect(
      shown.stdout.contains("aws secretsmanager rotate-secret --secret-id \(secret) --client-request-token \(token)"))

    let applied = try await h.run(["apply", plan, "--yes"])
    #expect(applied.status == 0, "\(applied.stderr)")
    #expect(applied.stdout.contains("RotateSecret accepted, new version \(token.prefix(8))…"))
    // The simulated function has begun: the plan's token is the new version.
    #expect(try h.labels(of: secret)[token]?.isEmpty == false)

    let again = try await h.run(["apply", plan, "--yes"])
    #expect(again.status == 1)
    #expect(again.stderr.contains("nothing was sent for any secret"), "\(again.stderr)")
    let versions = try h.labels(of: secret).keys.filter { !before.keys.contains($0) }
    #expect(versions == [token], "one rotation, one new version")
  }

  @Test func aCancelWrittenWithOutIsAppliedAndAStagedValueIsNeverWritten() async throws {
    let h = try RotationStoreCLITests.harness()
    defer { h.cleanUp() }
    let secret = RotationStoreCLITests.succeeding
    let plan = h.directory.appendingPathComponent("cancel.json").path
    let written = try await h.run(["cancel-rotation", secret, "--out", plan, "--store", h.storePath])
    #expect(written.status == 0, "\(written.stderr)")
    let applied = try await h.run(["apply", plan, "--yes", "--json"])
    #expect(applied.status == 0, "\(applied.stderr)")
    let result = try JSONSerialization.jsonObject(with: Data(applied.stdout.utf8)) as? [String: Any]
    let rotations = result?["Rotations"] as? [[String: Any]]
    #expect(rotations?.first?["Operation"] as? String == "CancelRotateSecret")
    #expect(rotations?.first?["Applied"] as? Bool == true)
    let versions = try await h.run(["versions", secret, "--json", "--store", h.storePath])
    let described = try JSONSerialization.jsonObject(with: Data(versions.stdout.utf8)) as? [String: Any]
    #expect(described?["RotationEnabled"] as? Bool == false)

    let value = h.directory.appendingPathComponent("value.txt")
    try Data("new".utf8).write(to: value)
    let staged = try await h.run([
      "put-pending", secret, "--value-file", value.path, "--out", h.directory.appendingPathComponent("p.json").path,
      "--store", h.storePath,
    ])
    #expect(staged.status == 2)
    #expect(staged.stderr.contains("never holds a secret value"), "\(staged.stderr)")
    #expect(!FileManager.default.fileExists(atPath: h.directory.appendingPathComponent("p.json").path))
  }
}
