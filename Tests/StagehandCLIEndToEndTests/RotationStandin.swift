import Foundation
import SecretsClient
import StagehandTestSupport

/// Tests/Tools/rotation_standin.py on a free loopback port in front of one moto server: it
/// forwards everything but RotateSecret, which it answers the way AWS does (createSecret at once,
/// finishSecret after a delay, or never). See the script for the control settings.
final class RotationStandin: @unchecked Sendable {
  private let server: ScriptServer
  var endpoint: URL { URL(string: "http://127.0.0.1:\(server.port)")! }

  /// What `--rotation-lambda-arn` and `configureRotation` name: no such function exists, and
  /// none needs to (the stand-in plays it).
  static let functionARN = "arn:aws:lambda:us-east-1:123456789012:function:stagehand-test-rotation"

  private init(server: ScriptServer) { self.server = server }

  static func start(target: MotoServer) async throws -> RotationStandin {
    RotationStandin(
      server: try await ScriptServer.start("rotation_standin.py", ["--target-port", String(target.port)]))
  }

  func stop() { server.stop() }

  /// POST /__standin/config: only the keys given change.
  func configure(_ settings: [String: Any]) async throws {
    _ = try await control("POST", "/__standin/config", try JSONSerialization.data(withJSONObject: settings))
  }

  struct Stats {
    /// RotateSecret calls that reached the stand-in, resends included.
    var rotateRequests: Int
    /// Rotations whose createSecret ran.
    var rotationsStarted: Int
    var rotationsFinished: Int
    /// The ClientRequestToken of each RotateSecret call, in order.
    var tokens: [String]
    /// Reason -> RotateSecret calls answered with AWS's error.
    var refused: [String: Int]
    var byOperation: [String: Int]
  }

  func stats() async throws -> Stats {
    let object =
      try JSONSerialization.jsonObject(with: try await control("GET", "/__standin/stats", Data())) as? [String: Any]
      ?? [:]
    return Stats(
      rotateRequests: object["rotate_requests"] as? Int ?? -1,
      rotationsStarted: object["rotations_started"] as? Int ?? -1,
      rotationsFinished: object["rotations_finished"] as? Int ?? -1, tokens: object["tokens"] as? [String] ?? [],
      refused: object["refused"] as? [String: Int] ?? [:], byOperation: object["by_operation"] as? [String: Int] ?? [:])
  }

  private func control(_ method: String, _ path: String, _ body: Data) async throws -> Data {
    let response = try await AsyncHTTPTransport().send(
      HTTPRequest(
        method: method, url: endpoint.appendingPathComponent(path), headers: [("Content-Type", "application/json")],
        body: body), timeout: .seconds(120))
    guard response.status == 200 else {
      throw ChildProcess.Failure(description: "rotation stand-in \(path) answered HTTP \(response.status)")
    }
    return response.body
  }
}

/// moto, the stand-in in front of it and a CLI harness: what every rotation test starts from.
struct RotationRig {
  let moto: MotoServer
  let standin: RotationStandin
  let harness: CLIHarness

  static func start() async throws -> RotationRig {
    let moto = try await MotoServer.start()
    do {
      return RotationRig(moto: moto, standin: try await RotationStandin.start(target: moto), harness: try CLIHarness())
    } catch {
      moto.stop()
      throw error
    }
  }

  func stop() {
    standin.stop()
    moto.stop()
    harness.cleanUp()
  }

  /// stagehand through the stand-in, as a user against AWS would run it.
  func stagehand(
    _ arguments: [String], stdin: String? = nil, environment: [String: String] = MotoServer.stagehandEnvironment
  ) throws -> CLIHarness.Result {
    try harness.run(
      arguments + ["--endpoint-url", standin.endpoint.absoluteString, "--region", "us-east-1"], stdin: stdin,
      extraEnvironment: environment)
  }

  /// The aws CLI against the stand-in (moto's own answers but for RotateSecret); the exit
  /// status and stderr, for calls that are meant to fail.
  func awsThroughStandin(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
    let executable = try ChildProcess.locate("aws", installHint: "The test script must install it: pip install awscli.")
    let output = try ChildProcess.run(
      executable, ["--endpoint-url", standin.endpoint.absoluteString, "--output", "json"] + arguments,
      environment: MotoServer.clientEnvironment)
    return (output.status, output.stderr)
  }

  /// Creates `name` with `value` as AWSCURRENT and rotation configured in moto: RotationRules
  /// (30 days) and the rotation function `RotationStandin.functionARN`. Returns the version
  /// holding AWSCURRENT.
  ///
  /// moto's RotateSecret with RotationRules and no function "rotates" at once (a new
  /// AWSCURRENT version without a value, LastRotatedDate set): that marks rotation on. With a
  /// function ARN it records the ARN and then fails to find the function (it would need its
  /// Lambda backend), leaving the AWSPENDING placeholder it made: that sets the ARN, and the
  /// placeholder's AWSPENDING is removed. A last PutSecretValue gives AWSCURRENT a value again.
  @discardableResult
  func createRotatingSecret(_ name: String, value: String = "first-value") throws -> String {
    _ = try moto.aws(["secretsmanager", "create-secret", "--name", name, "--secret-string", value])
    _ = try moto.aws([
      "secretsmanager", "rotate-secret", "--secret-id", name, "--rotation-rules", "AutomaticallyAfterDays=30",
    ])
    let executable = try ChildProcess.locate("aws", installHint: "The test script must install it: pip install awscli.")
    let marked = try ChildProcess.run(
      executable,
      [
        "--endpoint-url", moto.endpoint.absoluteString, "secretsmanager", "rotate-secret", "--secret-id", name,
        "--rotation-lambda-arn", RotationStandin.functionARN, "--rotation-rules", "AutomaticallyAfterDays=30",
      ], environment: MotoServer.clientEnvironment)
    guard marked.status != 0, marked.stderr.contains("ResourceNotFoundException") else {
      throw ChildProcess.Failure(description: "moto's RotateSecret with an ARN changed: \(marked.stderr)")
    }
    if let placeholder = try moto.labels(of: name).first(where: { $0.value.contains("AWSPENDING") })?.key {
      _ = try moto.aws([
        "secretsmanager", "update-secret-version-stage", "--secret-id", name, "--version-stage", "AWSPENDING",
        "--remove-from-version-id", placeholder,
      ])
    }
    return try moto.put(name, value, stages: ["AWSCURRENT"])
  }

  /// `aws secretsmanager describe-secret`, from moto itself.
  func describe(_ name: String) throws -> [String: Any] {
    try moto.aws(["secretsmanager", "describe-secret", "--secret-id", name]) as? [String: Any] ?? [:]
  }

  /// The value of the version holding `stage`, read by the aws CLI from moto.
  func value(_ name: String, stage: String) throws -> [String: Any] {
    try moto.aws(["secretsmanager", "get-secret-value", "--secret-id", name, "--version-stage", stage])
      as? [String: Any] ?? [:]
  }
}
