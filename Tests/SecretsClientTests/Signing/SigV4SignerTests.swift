import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// The AWS signing test suite (aws-c-auth v4, header signing) and the Secrets Manager
/// JSON 1.1 vectors signed by botocore.
@Suite(.ownThreads)
struct SigV4SignerTests {
  static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    .appendingPathComponent("sigv4")

  static var suiteCases: [String] {
    let dir = fixtures.appendingPathComponent("aws-c-auth-v4")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { !["LICENSE", "NOTICE"].contains($0) }.sorted()
  }

  static var json11Cases: [String] {
    let dir = fixtures.appendingPathComponent("secretsmanager-json11")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted()
  }

  @Test func theSuiteHasAllCases() {
    #expect(Self.suiteCases.count == 38)
    #expect(Self.json11Cases.count == 5)
  }

  @Test(arguments: suiteCases)
  func awsSigningSuite(_ name: String) throws {
    let dir = Self.fixtures.appendingPathComponent("aws-c-auth-v4").appendingPathComponent(name)
    func text(_ file: String) throws -> String {
      try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
    }
    let context = try JSONDecoder().decode(SuiteContext.self, from: Data(text("context.json").utf8))
    let request = try #require(RawRequest.parse(try text("request.txt")))
    let date = try #require(ISO8601DateFormatter().date(from: context.timestamp))
    let signer = SigV4Signer(
      credentials: AWSCredentials(
        accessKeyId: context.credentials.access_key_id,
        secretAccessKey: context.credentials.secret_access_key,
        sessionToken: context.credentials.token),
      region: context.region, service: context.service, normalizePath: context.normalize,
      signBody: context.sign_body, omitSessionTokenFromSignature: context.omit_session_token ?? false)

    let signed = signer.signed(request, at: date)
    var withoutAuth = signed
    withoutAuth.headers.removeAll { $0.name == "Authorization" }
    if context.omit_session_token == true {
      withoutAuth.headers.removeAll { $0.name == "X-Amz-Security-Token" }
    }
    let canonical = signer.canonicalRequest(withoutAuth).text
    #expect(canonical == (try text("header-canonical-request.txt")))
    let toSign = signer.stringToSign(canonicalRequest: canonical, at: date)
    #expect(toSign == (try text("header-string-to-sign.txt")))
    let key = signer.signingKey(dateStamp: String(context.timestamp.prefix(10)).replacingOccurrences(of: "-", with: ""))
    let signature = signer.signature(signingKey: key, stringToSign: toSign)
    #expect(signature == (try text("header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
    #expect(signed.header("Authorization")?.hasSuffix("Signature=\(signature)") == true)

    let expectedAuthorization = try text("header-signed-request.txt").split(separator: "\n")
      .first { $0.hasPrefix("Authorization:") }.map { String($0.dropFirst("Authorization:".count)) }
    #expect(signed.header("Authorization") == expectedAuthorization)
    #expect(signed.header("X-Amz-Security-Token") == context.credentials.token)
  }

  @Test(arguments: json11Cases)
  func secretsManagerJSON11(_ file: String) throws {
    let url = Self.fixtures.appendingPathComponent("secretsmanager-json11").appendingPathComponent(file)
    let vector = try JSONDecoder().decode(JSON11Vector.self, from: Data(contentsOf: url))
    let date = try #require(ISO8601DateFormatter().date(from: vector.timestamp))
    let signer = SigV4Signer(
      credentials: AWSCredentials(
        accessKeyId: vector.credentials.access_key_id, secretAccessKey: vector.credentials.secret_access_key,
        sessionToken: vector.credentials.session_token),
      region: vector.region, service: vector.service)
    let request = HTTPRequest(
      method: vector.request.method, url: try #require(URL(string: vector.request.url)),
      headers: vector.request.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
      body: Data(vector.request.body.utf8))

    let signed = signer.signed(request, at: date)
    var withoutAuth = signed
    withoutAuth.headers.removeAll { $0.name == "Authorization" }
    let canonical = signer.canonicalRequest(withoutAuth).text
    #expect(canonical == vector.expected.canonical_request)
    #expect(signer.stringToSign(canonicalRequest: canonical, at: date) == vector.expected.string_to_sign)

    let original = Set(request.headers.map(\.name))
    let added = Dictionary(
      uniqueKeysWithValues: signed.headers.filter { !original.contains($0.name) }.map { ($0.name, $0.value) })
    #expect(added == vector.expected.headers_added)
  }

  @Test func contentSha256OnlyWhenAsked() {
    let credentials = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret")
    let request = HTTPRequest(method: "POST", url: URL(string: "https://example.com/")!, body: Data("{}".utf8))
    let date = Date(timeIntervalSince1970: 1_700_000_000)
    let plain = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "secretsmanager")
    #expect(plain.signed(request, at: date).header("X-Amz-Content-Sha256") == nil)
    var withBody = plain
    withBody.signBody = true
    let signed = withBody.signed(request, at: date)
    #expect(signed.header("X-Amz-Content-Sha256") == SigV4Signer.hexSHA256(Data("{}".utf8)))
    #expect(signed.header("Authorization")?.contains("x-amz-content-sha256") == true)
  }

  @Test func hostCarriesOnlyNonDefaultPorts() {
    #expect(SigV4Signer.canonicalHost(URL(string: "https://Example.com:443/")!) == "example.com")
    #expect(SigV4Signer.canonicalHost(URL(string: "http://example.com:80/")!) == "example.com")
    #expect(SigV4Signer.canonicalHost(URL(string: "http://127.0.0.1:5000/")!) == "127.0.0.1:5000")
    #expect(SigV4Signer.canonicalHost(URL(string: "https://example.com:8443/")!) == "example.com:8443")
  }

  @Test func resigningReplacesEarlierSignature() {
    let signer = SigV4Signer(
      credentials: AWSCredentials(accessKeyId: "AKID", secretAccessKey: "secret"), region: "us-east-1",
      service: "secretsmanager")
    let request = HTTPRequest(method: "POST", url: URL(string: "https://example.com/")!)
    let once = signer.signed(request, at: Date(timeIntervalSince1970: 1_700_000_000))
    let twice = signer.signed(once, at: Date(timeIntervalSince1970: 1_700_000_100))
    #expect(twice.headers.filter { $0.name == "Authorization" }.count == 1)
    #expect(twice.headers.filter { $0.name == "X-Amz-Date" }.count == 1)
    #expect(twice.header("Authorization") != once.header("Authorization"))
  }
}

private struct SuiteContext: Decodable {
  struct Credentials: Decodable {
    var access_key_id: String
    var secret_access_key: String
    var token: String?
  }
  var credentials: Credentials
  var normalize: Bool
  var region: String
  var service: String
  var sign_body: Bool
  var timestamp: String
  var omit_session_token: Bool?
}

private struct JSON11Vector: Decodable {
  struct Credentials: Decodable {
    var access_key_id: String
    var secret_access_key: String
    var session_token: String?
  }
  struct Request: Decodable {
    var method: String
    var url: String
    var headers: [String: String]
    var body: String
  }
  struct Expected: Decodable {
    var canonical_request: String
    var string_to_sign: String
    var headers_added: [String: String]
  }
  var credentials: Credentials
  var region: String
  var service: String
  var timestamp: String
  var request: Request
  var expected: Expected
}

/// Parses the suite's `request.txt`: request line, headers (folded lines continue the
/// previous value), blank line, body.
enum RawRequest {
  static func parse(_ text: String) -> HTTPRequest? {
    var lines = text.components(separatedBy: "\n")
    guard !lines.isEmpty else { return nil }
    let requestLine = lines.removeFirst()
    guard let firstSpace = requestLine.firstIndex(of: " "),
      let versionRange = requestLine.range(of: " HTTP/", options: .backwards)
    else { return nil }
    let method = String(requestLine[..<firstSpace])
    let target = String(requestLine[requestLine.index(after: firstSpace)..<versionRange.lowerBound])
    var headers: [(name: String, value: String)] = []
    var bodyLines: [String] = []
    var inBody = false
    for line in lines {
      if inBody {
        bodyLines.append(line)
      } else if line.isEmpty {
        inBody = true
      } else if line.first == " " || line.first == "\t", !headers.isEmpty {
        headers[headers.count - 1].value += "\n" + line
      } else if let colon = line.firstIndex(of: ":") {
        headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
      }
    }
    let host = headers.first { $0.name.lowercased() == "host" }?.value ?? "example.amazonaws.com"
    guard let url = URL(string: "http://\(host)" + encodeLoosely(target)) else { return nil }
    return HTTPRequest(
      method: method, url: url, headers: headers, body: Data(bodyLines.joined(separator: "\n").utf8))
  }

  /// Encodes bytes a URL cannot hold (spaces, non-ASCII), leaving existing escapes alone.
  static func encodeLoosely(_ target: String) -> String {
    var out = ""
    for byte in target.utf8 {
      if byte > 0x20 && byte < 0x7f {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        out += String(format: "%%%02X", byte)
      }
    }
    return out
  }
}
