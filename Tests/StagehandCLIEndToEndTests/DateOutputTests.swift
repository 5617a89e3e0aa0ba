import Foundation
import StagehandTestSupport
import Testing

/// Dates as the CLI prints them for people (`versions`) and as the store file keeps them,
/// byte for byte, including times a hair before a minute or second turns over.
@Suite(.ownThreads)
struct DateOutputTests {
  /// 2026-01-05T10:00:00Z.
  static let ten = 1_767_607_200.0

  @Test func versionsPrintsMinutesAndTheDeletionDateAsBefore() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    let store: [String: Any] = [
      "formatVersion": 1,
      "secrets": [
        [
          "Name": "dated/db", "DeletedDate": Self.ten + 59.9996,
          "Versions": [
            [
              "VersionId": "aaaa1111-0000-4000-8000-000000000001", "VersionStages": ["AWSCURRENT"],
              "CreatedDate": Self.ten + 59.9996, "LastAccessedDate": Self.ten,
            ],
            [
              "VersionId": "bbbb2222-0000-4000-8000-000000000002", "VersionStages": ["AWSPREVIOUS"],
              "CreatedDate": Self.ten - 86_400 * 40 + 0.25,
            ],
          ],
        ] as [String: Any]
      ],
    ]
    try JSONSerialization.data(withJSONObject: store).write(to: URL(fileURLWithPath: h.storePath))
    let result = try await h.run(["versions", "dated/db", "--store", h.storePath])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout == """
        dated/db
        scheduled for deletion on 2026-01-05T10:01:00Z; labels 2/20

        VERSION                               CREATED               LAST ACCESSED         LABELS
        aaaa1111-0000-4000-8000-000000000001  2026-01-05 10:01 UTC  2026-01-05 10:00 UTC  AWSCURRENT
        bbbb2222-0000-4000-8000-000000000002  2025-11-26 10:00 UTC  -                     AWSPREVIOUS

        """)
  }

  @Test func theStoreWritesWholeSecondsInUTC() async throws {
    let h = try CLIHarness()
    defer { h.cleanUp() }
    try h.writeStore([
      (
        "prod/db",
        [("aaaa1111-0000-4000-8000-000000000001", ["AWSCURRENT"]), ("bbbb2222-0000-4000-8000-000000000002", [])]
      )
    ])
    let result = try await h.run(["move", "prod/db", "blue", "--to", "bbbb", "--yes", "--store", h.storePath])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: h.storeData()) as? [String: Any]
    let secret = try #require((object?["secrets"] as? [[String: Any]])?.first)
    let changed = try #require(secret["LastChangedDate"] as? String)
    #expect(changed.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil, "\(changed)")
  }
}
