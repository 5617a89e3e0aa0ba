/// Resolves what a person typed for a version: a full id, a unique prefix of at least 4
/// characters, or `:LABEL` for the version holding that label.
public enum VersionSpecifier {
  public static let minimumPrefix = 4

  public static func resolve(_ text: String, in secret: Secret) -> Result<VersionID, PlanRefusal> {
    let ids = secret.versions.map(\.versionId)
    if text.hasPrefix(":") {
      let label = String(text.dropFirst())
      let holders = secret.labelMap.holders(of: label)
      if holders.count == 1 { return .success(holders[0]) }
      if holders.isEmpty {
        return .failure(
          PlanRefusal(.unknownLabel, "No version of \(secret.name) has the label \(label) (from \"\(text)\")."))
      }
      return .failure(
        PlanRefusal(.malformedState, "\(label) is on \(holders.count) versions: \(holders.joined(separator: ", "))."))
    }
    if ids.contains(text) { return .success(text) }
    let listThem = RefusalSuggestion.listVersions(secretName: secret.name)
    if text.count < minimumPrefix {
      return .failure(
        PlanRefusal(
          .unknownVersion,
          "\"\(text)\" is too short: give a version id, a prefix of at least \(minimumPrefix) characters, or :LABEL.",
          suggestion: listThem))
    }
    let matches = ids.filter { $0.lowercased().hasPrefix(text.lowercased()) }
    if matches.count == 1 { return .success(matches[0]) }
    if matches.isEmpty {
      return .failure(
        PlanRefusal(.unknownVersion, "No version of \(secret.name) starts with \"\(text)\".", suggestion: listThem))
    }
    return .failure(
      PlanRefusal(
        .unknownVersion,
        "\"\(text)\" matches \(matches.count) versions of \(secret.name): \(matches.sorted().joined(separator: ", ")). Type more characters."
      ))
  }
}
