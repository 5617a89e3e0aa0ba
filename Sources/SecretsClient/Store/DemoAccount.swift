import Foundation
import StagingModel

/// A realistic account for `--demo`: production, staging and development secrets with
/// rotations under way, release labels, deprecated versions, a secret managed by RDS, one
/// scheduled for deletion, a replica, and two whose (simulated) rotation functions succeed
/// and get stuck. Version ids are derived from the names, so every demo store
/// has the same ids (screenshots and docs can name them); dates are relative to `now`.
public enum DemoAccount {
  struct VersionSpec {
    var labels: [String]
    var ageDays: Double
    var accessedDaysAgo: Double?
  }

  struct SecretSpec {
    var name: String
    var description: String
    var ageDays: Double
    var rotationDays: Int?
    var owningService: String?
    var deletedInDays: Double?
    /// A replica's primary Region.
    var primaryRegion: String? = nil
    /// The stand-in rotation function (see StoreDocument).
    var simulation: RotationSimulation? = nil
    var tags: [String: String]
    var versions: [VersionSpec]
  }

  static let specs: [SecretSpec] = [
    SecretSpec(
      name: "prod/payments/postgres-primary", description: "Primary Postgres for the payments ledger",
      ageDays: 400, rotationDays: 30, tags: ["team": "payments", "env": "prod"],
      versions: [
        VersionSpec(labels: ["AWSPENDING"], ageDays: 0.2, accessedDaysAgo: nil),
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 29, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 59, accessedDaysAgo: 29),
        VersionSpec(labels: [], ageDays: 89, accessedDaysAgo: 60),
      ]),
    SecretSpec(
      name: "prod/payments/stripe-api-key", description: "Stripe restricted key used by the checkout service",
      ageDays: 700, rotationDays: nil, tags: ["team": "payments", "env": "prod"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT", "release-2026.11"], ageDays: 12, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS", "release-2026.10"], ageDays: 41, accessedDaysAgo: 12),
        VersionSpec(labels: ["release-2026.09"], ageDays: 73, accessedDaysAgo: 41),
      ]),
    SecretSpec(
      name: "prod/checkout/session-signing-key", description: "HMAC key for checkout session cookies",
      ageDays: 220, rotationDays: 90, tags: ["team": "checkout", "env": "prod"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 2, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 92, accessedDaysAgo: 2),
      ]),
    SecretSpec(
      name: "prod/search/opensearch-master-credentials-for-the-cross-region-replication-cluster",
      description: "Admin user of the search cluster (replicated to eu-west-1)", ageDays: 150, rotationDays: 60,
      tags: ["team": "search", "env": "prod"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT", "AWSPENDING"], ageDays: 5, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 65, accessedDaysAgo: 5),
      ]),
    SecretSpec(
      name: "prod/rds/orders-db-master", description: "Master user password managed by Amazon RDS",
      ageDays: 300, rotationDays: 7, owningService: "rds", tags: ["env": "prod"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 3, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 10, accessedDaysAgo: 3),
      ]),
    SecretSpec(
      name: "prod/legacy/ftp-partner-password", description: "Old partner FTP login, being retired",
      ageDays: 1200, rotationDays: nil, deletedInDays: 6, tags: ["env": "prod"],
      versions: [VersionSpec(labels: ["AWSCURRENT"], ageDays: 800, accessedDaysAgo: 200)]),
    SecretSpec(
      name: "prod/api/jwt-signing-keys", description: "Key ring for API tokens: blue/green release labels",
      ageDays: 500, rotationDays: nil, tags: ["team": "platform", "env": "prod"],
      versions: [
        VersionSpec(labels: ["green"], ageDays: 1, accessedDaysAgo: nil),
        VersionSpec(labels: ["AWSCURRENT", "blue"], ageDays: 15, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 45, accessedDaysAgo: 15),
        VersionSpec(labels: [], ageDays: 75, accessedDaysAgo: 45),
        VersionSpec(labels: [], ageDays: 105, accessedDaysAgo: 75),
      ]),
    SecretSpec(
      name: "staging/payments/postgres-primary", description: "Staging copy of the payments database",
      ageDays: 380, rotationDays: 30, tags: ["team": "payments", "env": "staging"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 8, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 38, accessedDaysAgo: 8),
        VersionSpec(labels: ["AWSPENDING"], ageDays: 0.5, accessedDaysAgo: nil),
      ]),
    SecretSpec(
      name: "staging/checkout/session-signing-key", description: "HMAC key for staging checkout sessions",
      ageDays: 200, rotationDays: 90, tags: ["team": "checkout", "env": "staging"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 20, accessedDaysAgo: 1),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 110, accessedDaysAgo: 20),
      ]),
    SecretSpec(
      name: "staging/api/feature-flags-token", description: "Token for the feature flag service",
      ageDays: 90, rotationDays: nil, tags: ["team": "platform", "env": "staging"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT", "release-candidate"], ageDays: 4, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 30, accessedDaysAgo: 4),
      ]),
    SecretSpec(
      name: "dev/alice/scratch-token", description: "Alice's scratch API token",
      ageDays: 10, rotationDays: nil, tags: ["owner": "alice", "env": "dev"],
      versions: [VersionSpec(labels: ["AWSCURRENT"], ageDays: 10, accessedDaysAgo: 3)]),
    SecretSpec(
      name: "dev/shared/github-app-private-key", description: "GitHub App key for CI in dev",
      ageDays: 60, rotationDays: nil, tags: ["team": "platform", "env": "dev"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 6, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 33, accessedDaysAgo: 6),
        VersionSpec(labels: [], ageDays: 50, accessedDaysAgo: 33),
      ]),
    SecretSpec(
      name: "dev/payments/postgres-primary", description: "Developer database (rotation paused)",
      ageDays: 300, rotationDays: nil, tags: ["team": "payments", "env": "dev"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 31, accessedDaysAgo: 2),
        VersionSpec(labels: ["AWSPREVIOUS", "AWSPENDING"], ageDays: 61, accessedDaysAgo: 31),
      ]),
    SecretSpec(
      name: "staging/orders/redis-auth-token",
      description: "Redis AUTH token: rotate it to watch a rotation succeed (simulated, 2 s a step)",
      ageDays: 120, rotationDays: 30, simulation: RotationSimulation(outcome: .succeed, stepSeconds: 2),
      tags: ["team": "orders", "env": "staging"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 25, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 55, accessedDaysAgo: 25),
      ]),
    SecretSpec(
      name: "staging/reports/warehouse-password",
      description: "Warehouse login: its rotation function fails in testSecret (simulated, 2 s a step)",
      ageDays: 240, rotationDays: 30, simulation: RotationSimulation(outcome: .failAt(.testSecret), stepSeconds: 2),
      tags: ["team": "data", "env": "staging"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 28, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 58, accessedDaysAgo: 28),
      ]),
    SecretSpec(
      name: "prod/shared/datadog-api-key", description: "Replica of the us-west-2 secret: read-only here",
      ageDays: 180, rotationDays: nil, primaryRegion: "us-west-2", tags: ["team": "platform", "env": "prod"],
      versions: [
        VersionSpec(labels: ["AWSCURRENT"], ageDays: 40, accessedDaysAgo: 0),
        VersionSpec(labels: ["AWSPREVIOUS"], ageDays: 100, accessedDaysAgo: 40),
      ]),
    SecretSpec(
      name: "dev/empty/placeholder", description: "Created without a value: no versions yet",
      ageDays: 2, rotationDays: nil, tags: ["env": "dev"], versions: []),
  ]

  /// The store document as JSON-ready values.
  public static func document(now: Date) -> [String: Any] {
    func date(_ daysAgo: Double) -> String { ISO8601Text.string(now.addingTimeInterval(-daysAgo * 86_400)) }
    var secrets: [[String: Any]] = []
    for spec in specs {
      var secret: [String: Any] = [
        "Name": spec.name,
        "ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:\(spec.name)-\(suffix(spec.name))",
        "Description": spec.description,
        "CreatedDate": date(spec.ageDays),
        "LastChangedDate": date(spec.versions.map(\.ageDays).min() ?? spec.ageDays),
        "Tags": spec.tags.sorted { $0.key < $1.key }.map { ["Key": $0.key, "Value": $0.value] },
      ]
      if let days = spec.rotationDays {
        secret["RotationEnabled"] = true
        secret["RotationLambdaARN"] =
          "arn:aws:lambda:us-east-1:123456789012:function:rotate-\(spec.name.split(separator: "/").last ?? "")"
        secret["RotationRules"] = ["AutomaticallyAfterDays": days]
        let current = spec.versions.first { $0.labels.contains("AWSCURRENT") }?.ageDays ?? 0
        secret["LastRotatedDate"] = date(current)
        secret["NextRotationDate"] = date(current - Double(days))
      }
      if let service = spec.owningService { secret["OwningService"] = service }
      if let days = spec.deletedInDays { secret["DeletedDate"] = date(-days) }
      if let region = spec.primaryRegion { secret["PrimaryRegion"] = region }
      if let simulation = spec.simulation { secret["RotationSimulation"] = simulation.json }
      secret["Versions"] = spec.versions.enumerated().map { index, version -> [String: Any] in
        var entry: [String: Any] = [
          "VersionId": versionID(spec.name, index),
          "VersionStages": version.labels,
          "CreatedDate": date(version.ageDays),
          "SecretString": demoValue(spec.name, index),
        ]
        if let accessed = version.accessedDaysAgo { entry["LastAccessedDate"] = date(accessed) }
        return entry
      }
      secrets.append(secret)
    }
    return ["formatVersion": StoreDocument.formatVersion, "secrets": secrets]
  }

  /// Writes a fresh demo store at `path` (creating its folder), replacing any old one.
  public static func write(to path: String, now: Date = Date()) throws(SecretsError) {
    let folder = (path as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw SecretsError.store(
        path: path, problem: "its folder can't be created (\(StoreFile.reason(error))).",
        hint: "Set XDG_DATA_HOME to a writable folder, or pass --store PATH.")
    }
    let file = StoreFile(path: path)
    try file.withExclusiveLock { () throws(SecretsError) in try file.save(document(now: now)) }
  }

  /// Where `--demo` keeps its store: `$XDG_DATA_HOME/stagehand/demo.json`, else
  /// `~/.local/share/stagehand/demo.json`.
  public static func defaultPath(environment: [String: String], home: String) -> String {
    if let data = environment["XDG_DATA_HOME"], !data.isEmpty, data.hasPrefix("/") {
      return data + "/stagehand/demo.json"
    }
    return home + "/.local/share/stagehand/demo.json"
  }

  /// A UUID-shaped id derived from the secret's name and the version's position.
  static func versionID(_ name: String, _ index: Int) -> String {
    var state = fnv1a(name) &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
    var hex = ""
    for _ in 0..<2 {
      state = mix(state)
      hex += String(format: "%016llx", state)
    }
    let chars = Array(hex)
    return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
  }

  static func suffix(_ name: String) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    var state = fnv1a("arn" + name)
    return String(
      (0..<6).map { _ in
        state = mix(state)
        return alphabet[Int(state % UInt64(alphabet.count))]
      })
  }

  static func demoValue(_ name: String, _ index: Int) -> String {
    "{\"username\":\"demo\",\"password\":\"demo-only-\(versionID(name, index).prefix(8))\"}"
  }

  static func fnv1a(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
  }

  static func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
