import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// Signs random requests with our signer and with botocore's SigV4Auth (the aws CLI's
/// signer) and demands identical Authorization headers.
@Suite(.ownThreads)
struct SigV4BotocoreDifferentialTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Scripts/botocore_sign.py")

  struct Case: Encodable {
    var method: String
    var url: String
    var headers: [[String]]
    var body: String
    var access_key_id: String
    var secret_access_key: String
    var session_token: String?
    var region: String
    var service: String
    var timestamp: Int
  }

  struct Answer: Decodable {
    var authorization: String
    var headers: [String: String]
  }

  @Test func twoHundredFiftyRandomRequestsMatchBotocore() async throws {
    var rng = SplitMix64(seed: 0x5EC2_E75A_11)
    let cases = (0..<250).map { _ in Self.randomCase(&rng) }
    let encoder = JSONEncoder()
    var input = Data()
    for item in cases {
      input.append(try encoder.encode(item))
      input.append(0x0A)
    }
    let python = try ChildProcess.locate(
      "python3", installHint: "The test script must install python3 and botocore (pip install botocore).")
    let output = try await ChildProcess.run(python, [Self.script.path], stdin: input)
    try #require(
      output.status == 0,
      "botocore_sign.py failed (status \(output.status)); is botocore installed (pip install botocore)? \(output.stderr)"
    )
    let answers = try String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").map {
      try JSONDecoder().decode(Answer.self, from: Data($0.utf8))
    }
    try #require(answers.count == cases.count)

    var mismatches = 0
    for (item, answer) in zip(cases, answers) {
      let signer = SigV4Signer(
        credentials: AWSCredentials(
          accessKeyId: item.access_key_id, secretAccessKey: item.secret_access_key, sessionToken: item.session_token),
        region: item.region, service: item.service)
      let request = HTTPRequest(
        method: item.method, url: URL(string: item.url)!, headers: item.headers.map { ($0[0], $0[1]) },
        body: Data(base64Encoded: item.body)!)
      let signed = signer.signed(request, at: Date(timeIntervalSince1970: TimeInterval(item.timestamp)))
      if signed.header("Authorization") != answer.authorization { mismatches += 1 }
      #expect(signed.header("Authorization") == answer.authorization, "\(item.url) \(item.region)")
      #expect(signed.header("X-Amz-Date") == answer.headers["X-Amz-Date"])
      #expect(signed.header("X-Amz-Security-Token") == answer.headers["X-Amz-Security-Token"])
    }
    #expect(mismatches == 0)
  }

  static let regions = [
    "us-east-1", "us-west-2", "eu-west-1", "eu-central-2", "ap-southeast-4", "cn-north-1", "us-gov-west-1",
    "il-central-1", "mx-central-1",
  ]
  static let operations = [
    "ListSecrets", "DescribeSecret", "ListSecretVersionIds", "UpdateSecretVersionStage", "GetSecretValue",
    "CreateSecret", "PutSecretValue",
  ]

  static func randomCase(_ rng: inout SplitMix64) -> Case {
    let region = regions.randomElement(using: &rng)!
    let url: String
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: url = "https://secretsmanager.\(region).amazonaws.com/"
    case 1: url = "https://secretsmanager.\(region).amazonaws.com:443/"
    case 2: url = "http://127.0.0.1:\(Int.random(in: 1024...65535, using: &rng))/"
    case 3: url = "http://localhost:80/"
    case 4: url = "https://secretsmanager-fips.\(region).amazonaws.com:8443/"
    default: url = "http://vpce-0abc\(Int.random(in: 0...999, using: &rng)).secretsmanager.\(region).vpce.aws/"
    }
    var headers = [
      ["Content-Type", "application/x-amz-json-1.1"],
      ["X-Amz-Target", "secretsmanager.\(operations.randomElement(using: &rng)!)"],
    ]
    if Bool.random(using: &rng) { headers.append(["User-Agent", "stagehand/0.1 (test)"]) }
    if Int.random(in: 0..<4, using: &rng) == 0 { headers.append(["X-Custom-Trace", "  a   b\tc  "]) }
    let body: [String: String] = [
      "SecretId": randomText(&rng, length: Int.random(in: 1...40, using: &rng)),
      "VersionStage": randomText(&rng, length: Int.random(in: 0...12, using: &rng)),
    ]
    let bodyData = Int.random(in: 0..<10, using: &rng) == 0 ? Data() : try! JSONEncoder().encode(body)
    let token: String? =
      Bool.random(using: &rng)
      ? "IQoJb3JpZ2luX2Vj"
        + String((0..<Int.random(in: 20...300, using: &rng)).map { _ in tokenChars.randomElement(using: &rng)! })
      : nil
    return Case(
      method: "POST", url: url, headers: headers, body: bodyData.base64EncodedString(),
      access_key_id: "AKIA" + String((0..<16).map { _ in upper.randomElement(using: &rng)! }),
      secret_access_key: String((0..<40).map { _ in tokenChars.randomElement(using: &rng)! }),
      session_token: token, region: region, service: "secretsmanager",
      timestamp: Int.random(in: 1_500_000_000...2_000_000_000, using: &rng))
  }

  static let upper = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
  static let tokenChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")

  /// ASCII, accented Latin, CJK, emoji, combining marks and quotes that JSON must escape.
  static func randomText(_ rng: inout SplitMix64, length: Int) -> String {
    let ranges: [ClosedRange<UInt32>] = [
      0x20...0x7E, 0xC0...0x17F, 0x4E00...0x4FFF, 0x1F600...0x1F64F, 0x300...0x36F, 0x22...0x22, 0x5C...0x5C,
    ]
    var text = ""
    for _ in 0..<length {
      let range = ranges.randomElement(using: &rng)!
      text.unicodeScalars.append(Unicode.Scalar(UInt32.random(in: range, using: &rng))!)
    }
    return text
  }
}
