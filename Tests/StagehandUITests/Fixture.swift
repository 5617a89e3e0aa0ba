import Foundation
import StagehandUI
import StagingModel

/// A fixed world for UI tests: fixed dates, a fixed `now`, UTC.
enum Fixture {
  static let now = date("2026-11-29T12:00:00Z")

  static func date(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text)!
  }

  static func config(
    readOnly: Bool = false, dryRun: Bool = false, colorMode: ColorMode = .sixteen, asciiOnly: Bool = false
  ) -> UIConfig {
    UIConfig(
      backendName: "store ~/.local/share/stagehand/demo.json", readOnly: readOnly, dryRun: dryRun,
      colorMode: colorMode, asciiOnly: asciiOnly, timeZone: TimeZone(identifier: "UTC")!)
  }

  static let current = "3f2a1b4c-0000-4000-8000-000000000001"
  static let previous = "9c1b0e2d-0000-4000-8000-000000000002"
  static let deprecated = "5e6f7a8b-0000-4000-8000-000000000003"

  /// A secret with dates loaded: current, previous, and one deprecated version.
  static var database: Secret {
    Secret(
      name: "prod/db/password", arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/password-AbCdEf",
      description: "Primary Postgres password", rotationEnabled: true,
      rotationRules: RotationRules(automaticallyAfterDays: 30), lastRotatedDate: date("2026-11-26T09:30:00Z"),
      nextRotationDate: date("2026-12-26T09:30:00Z"),
      versions: [
        SecretVersion(
          versionId: current, labels: [StandardLabel.current], createdDate: date("2026-11-26T09:30:00Z"),
          lastAccessedDate: date("2026-11-28T00:00:00Z")),
        SecretVersion(
          versionId: previous, labels: [StandardLabel.previous], createdDate: date("2026-10-27T08:00:00Z"),
          lastAccessedDate: date("2026-11-20T00:00:00Z")),
        SecretVersion(versionId: deprecated, labels: [], createdDate: date("2026-09-27T08:00:00Z")),
      ], versionsComplete: true, includesDeprecated: true)
  }

  /// A rotation that did not finish: AWSPENDING on a newer version. Listed only.
  static var apiKey: Secret {
    Secret(
      name: "staging/api-key", rotationEnabled: true,
      versions: [
        SecretVersion(versionId: "aaaa1111-0000-4000-8000-00000000000a", labels: [StandardLabel.pending]),
        SecretVersion(versionId: "bbbb2222-0000-4000-8000-00000000000b", labels: [StandardLabel.current]),
        SecretVersion(versionId: "cccc3333-0000-4000-8000-00000000000c", labels: [StandardLabel.previous]),
      ])
  }

  static var apiKeyDescribed: Secret {
    var secret = apiKey
    secret.description = "Partner API key"
    secret.versions = [
      SecretVersion(
        versionId: "aaaa1111-0000-4000-8000-00000000000a", labels: [StandardLabel.pending],
        createdDate: date("2026-11-29T10:00:00Z")),
      SecretVersion(
        versionId: "bbbb2222-0000-4000-8000-00000000000b", labels: [StandardLabel.current, "blue"],
        createdDate: date("2026-11-01T10:00:00Z"), lastAccessedDate: date("2026-11-29T00:00:00Z")),
      SecretVersion(
        versionId: "cccc3333-0000-4000-8000-00000000000c", labels: [StandardLabel.previous, "green"],
        createdDate: date("2026-10-01T10:00:00Z")),
    ]
    secret.versionsComplete = true
    return secret
  }

  static var managed: Secret {
    Secret(
      name: "rds!cluster-4f1e", owningService: "rds",
      versions: [SecretVersion(versionId: "dddd4444-0000-4000-8000-00000000000d", labels: [StandardLabel.current])],
      versionsComplete: false)
  }

  static var deleted: Secret {
    Secret(
      name: "old/legacy-token", deletedDate: date("2026-12-05T00:00:00Z"),
      versions: [SecretVersion(versionId: "eeee5555-0000-4000-8000-00000000000e", labels: [StandardLabel.current])])
  }

  static var hostile: Secret {
    Secret(
      name: "evil\u{1B}[31mred\u{202E}txt.exe", description: "bell\u{07} and \u{200B}hidden",
      versions: [
        SecretVersion(versionId: "ffff6666-0000-4000-8000-00000000000f", labels: [StandardLabel.current]),
        SecretVersion(versionId: "ffff7777-0000-4000-8000-00000000000f", labels: ["x\u{1B}]0;pwn\u{07}\u{202E}"]),
      ])
  }

  static var wide: Secret {
    Secret(
      name: "日本語/シークレット",
      versions: [SecretVersion(versionId: "abab7777-0000-4000-8000-000000000010", labels: [StandardLabel.current])])
  }

  static var long: Secret {
    Secret(
      name: "very/long/secret/name/that/does/not/fit/in/the/left/pane/at/all",
      versions: [
        SecretVersion(
          versionId: "cdcd8888-0000-4000-8000-000000000011", labels: [StandardLabel.current, "canary", "blue", "green"])
      ])
  }

  static var all: [Secret] { [database, apiKey, managed, deleted, hostile, wide, long] }

  /// A state with every fixture secret loaded in one page and the first one described.
  static func loaded(
    width: Int = 80, height: Int = 24, config: UIConfig = config()
  ) -> AppState {
    var state = AppState(config: config, now: now, width: width, height: height)
    let start = update(&state, .started)
    guard case .loadSecrets(let id)? = start.first else { return state }
    let effects = update(&state, .secretsPageLoaded(requestID: id, secrets: all, isLastPage: true))
    for effect in effects {
      if case .describe(let name, _, let requestID) = effect {
        if name == apiKey.name {
          _ = update(&state, .secretDescribed(requestID: requestID, secret: apiKeyDescribed))
        } else if let secret = all.first(where: { $0.name == name }) {
          var described = secret
          described.versionsComplete = true
          _ = update(&state, .secretDescribed(requestID: requestID, secret: described))
        }
      }
    }
    return state
  }
}
