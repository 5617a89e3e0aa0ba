import Foundation

/// Runs the built `stagehand` binary as a user would, in a temporary folder of its own,
/// and writes and reads the store files it is given.
public struct CLIHarness: Sendable {
  /// The folder `swift build` put the products in: the test bundle sits beside them.
  public static let productsDirectory: URL = {
    let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])].compactMap { $0 }
    for candidate in candidates {
      var dir = candidate.deletingLastPathComponent()
      for _ in 0..<4 {
        if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("stagehand").path) { return dir }
        dir = dir.deletingLastPathComponent()
      }
    }
    return Bundle.main.bundleURL
  }()

  public static var binary: URL { productsDirectory.appendingPathComponent("stagehand") }

  public let directory: URL

  public init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  public func cleanUp() { try? FileManager.default.removeItem(at: directory) }

  public var storePath: String { directory.appendingPathComponent("store.json").path }

  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// The environment the binary sees: no AWS settings from the caller, a private data folder.
  public var environment: [String: String] {
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
    env["XDG_DATA_HOME"] = directory.appendingPathComponent("data").path
    env["HOME"] = directory.path
    return env
  }

  /// What a tmux pane running the binary gets: only HOME, XDG_DATA_HOME and PATH from
  /// `environment` (tmux's server keeps its own), and a UTF-8 locale.
  public var terminalEnvironment: [String: String] {
    var env = environment.filter { ["HOME", "XDG_DATA_HOME", "PATH"].contains($0.key) }
    env["LANG"] = "C.UTF-8"
    return env
  }

  @discardableResult
  public func run(_ arguments: [String], stdin: String? = nil, extraEnvironment: [String: String] = [:]) throws
    -> Result
  {
    // Files, not pipes, for the child's output (see ChildProcess.run).
    let output = try ChildProcess.run(
      Self.binary, arguments, stdin: Data((stdin ?? "").utf8),
      environment: environment.merging(extraEnvironment) { _, new in new })
    return Result(
      status: output.status, stdout: String(decoding: output.stdout, as: UTF8.self), stderr: output.stderr)
  }

  /// The same, off the cooperative pool (see the async `ChildProcess.run`).
  @discardableResult
  public func run(_ arguments: [String], stdin: String? = nil, extraEnvironment: [String: String] = [:]) async throws
    -> Result
  {
    try await onOwnThread { try run(arguments, stdin: stdin, extraEnvironment: extraEnvironment) }
  }

  /// Writes a store file from `secrets`: name -> [versionId: labels].
  public func writeStore(
    _ secrets: [(name: String, versions: [(id: String, labels: [String])])], extra: [String: Any] = [:]
  )
    throws
  {
    var list: [[String: Any]] = []
    for (index, secret) in secrets.enumerated() {
      list.append([
        "Name": secret.name,
        "CreatedDate": "2026-01-0\(index % 9 + 1)T10:00:00Z",
        "Versions": secret.versions.enumerated().map { offset, version in
          [
            "VersionId": version.id, "VersionStages": version.labels,
            "CreatedDate": "2026-02-\(String(format: "%02d", offset + 1))T10:00:00Z",
            "SecretString": "value-of-\(version.id)",
          ] as [String: Any]
        },
      ])
    }
    var document: [String: Any] = ["formatVersion": 1, "secrets": list]
    for (key, value) in extra { document[key] = value }
    let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: storePath))
  }

  public func storeData() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: storePath)) }

  /// The labels of one secret as the store file holds them.
  public func labels(of name: String) throws -> [String: Set<String>] {
    let object = try JSONSerialization.jsonObject(with: storeData()) as? [String: Any]
    let secrets = object?["secrets"] as? [[String: Any]] ?? []
    guard let secret = secrets.first(where: { $0["Name"] as? String == name }) else {
      throw ChildProcess.Failure(description: "the store has no secret named \(name)")
    }
    var result: [String: Set<String>] = [:]
    for version in secret["Versions"] as? [[String: Any]] ?? [] {
      result[version["VersionId"] as! String] = Set(version["VersionStages"] as? [String] ?? [])
    }
    return result
  }
}
