/// The store the UI tests act on: prod/db with a previous, a current and a pending version
/// (created in that order, so listed newest first as pending, current, previous), prod/api,
/// and staging/cache with a custom label.
public enum StagingStore {
  public static let current = "1111aaaa-0000-0000-0000-000000000001"
  public static let previous = "2222bbbb-0000-0000-0000-000000000002"
  public static let pending = "3333cccc-0000-0000-0000-000000000003"

  /// A harness whose store file holds the store.
  public static func harness() throws -> CLIHarness {
    let h = try CLIHarness()
    try h.writeStore([
      ("prod/db", [(previous, ["AWSPREVIOUS"]), (current, ["AWSCURRENT"]), (pending, ["AWSPENDING"])]),
      ("prod/api", [(current, ["AWSCURRENT"])]),
      ("staging/cache", [(current, ["AWSCURRENT", "release-1"])]),
    ])
    return h
  }
}
