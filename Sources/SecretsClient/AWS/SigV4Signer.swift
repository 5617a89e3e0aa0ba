import Crypto
import Foundation

/// AWS Signature Version 4 for header signing, as a pure value: the date is a parameter so
/// signing is reproducible in tests and the clock stays the caller's business.
///
/// Each step is a function named after the step in the AWS documentation:
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
public struct SigV4Signer: Sendable {
  public var credentials: AWSCredentials
  public var region: String
  public var service: String
  /// Remove `.`/`..` segments and repeated slashes from the path before signing. Every
  /// service but S3 expects this; the AWS test suite turns it off for some cases.
  public var normalizePath: Bool
  /// Send and sign `X-Amz-Content-Sha256`. Off by default: botocore's SigV4Auth does not
  /// send it to Secrets Manager, and the differential test holds us to botocore.
  public var signBody: Bool
  /// Add the session token after signing instead of signing it (the AWS suite's
  /// `omit_session_token`, as some STS flows need).
  public var omitSessionTokenFromSignature: Bool

  public static let algorithm = "AWS4-HMAC-SHA256"

  /// Headers botocore never signs: proxies and HTTP stacks may change them in flight.
  static let unsignedHeaders: Set<String> = [
    "authorization", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id",
  ]

  public init(
    credentials: AWSCredentials, region: String, service: String, normalizePath: Bool = true,
    signBody: Bool = false, omitSessionTokenFromSignature: Bool = false
  ) {
    self.credentials = credentials
    self.region = region
    self.service = service
    self.normalizePath = normalizePath
    self.signBody = signBody
    self.omitSessionTokenFromSignature = omitSessionTokenFromSignature
  }

  /// The request with `X-Amz-Date`, the session token, optionally `X-Amz-Content-Sha256`,
  /// and `Authorization` set (replacing any earlier values, so a retry can re-sign).
  public func signed(_ request: HTTPRequest, at date: Date) -> HTTPRequest {
    var request = request
    let stamp = SigV4Timestamp(date)
    request.headers.removeAll { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame }
    request.setHeader("X-Amz-Date", stamp.amzDate)
    let token = credentials.sessionToken
    if let token, !omitSessionTokenFromSignature {
      request.setHeader("X-Amz-Security-Token", token)
    } else {
      request.headers.removeAll { $0.name.caseInsensitiveCompare("X-Amz-Security-Token") == .orderedSame }
    }
    let payloadHash = Self.hexSHA256(request.body)
    if signBody { request.setHeader("X-Amz-Content-Sha256", payloadHash) }

    let canonical = canonicalRequest(request, payloadHash: payloadHash)
    let toSign = stringToSign(canonicalRequest: canonical.text, at: date)
    let key = signingKey(dateStamp: stamp.dateStamp)
    let sig = signature(signingKey: key, stringToSign: toSign)
    request.setHeader(
      "Authorization",
      "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(credentialScope(at: date)), "
        + "SignedHeaders=\(canonical.signedHeaders), Signature=\(sig)")
    if let token, omitSessionTokenFromSignature {
      request.setHeader("X-Amz-Security-Token", token)
    }
    return request
  }

  /// `yyyyMMdd/region/service/aws4_request`.
  public func credentialScope(at date: Date) -> String {
    "\(SigV4Timestamp(date).dateStamp)/\(region)/\(service)/aws4_request"
  }

  /// Step 1: the canonical request, and the list of signed header names it commits to.
  public func canonicalRequest(_ request: HTTPRequest, payloadHash: String? = nil)
    -> (text: String, signedHeaders: String)
  {
    let headers = canonicalHeaders(request)
    let signedHeaders = headers.map(\.name).joined(separator: ";")
    let lines = [
      request.method.uppercased(),
      canonicalURI(request.url),
      canonicalQuery(request.url),
      headers.map { "\($0.name):\($0.value)\n" }.joined(),
      signedHeaders,
      payloadHash ?? Self.hexSHA256(request.body),
    ]
    return (lines.joined(separator: "\n"), signedHeaders)
  }

  /// Step 2: what the signature covers: algorithm, time, scope, and the canonical request's hash.
  public func stringToSign(canonicalRequest: String, at date: Date) -> String {
    [
      Self.algorithm,
      SigV4Timestamp(date).amzDate,
      credentialScope(at: date),
      Self.hexSHA256(Data(canonicalRequest.utf8)),
    ].joined(separator: "\n")
  }

  /// Step 3: the key derived from the secret key for one day, region and service.
  public func signingKey(dateStamp: String) -> SymmetricKey {
    var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
    for part in [dateStamp, region, service, "aws4_request"] {
      key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
    }
    return key
  }

  /// Step 4: the hex HMAC of the string to sign.
  public func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
    Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey))
  }

  // MARK: - Canonical parts

  /// Lower-cased names, sorted; values trimmed with inner whitespace runs (folded lines
  /// included) collapsed to one space; repeated headers joined with commas in order.
  func canonicalHeaders(_ request: HTTPRequest) -> [(name: String, value: String)] {
    var merged: [String: [String]] = [:]
    for header in request.headers {
      let name = header.name.lowercased()
      guard !Self.unsignedHeaders.contains(name) else { continue }
      let value = header.value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
      merged[name, default: []].append(value)
    }
    if merged["host"] == nil { merged["host"] = [Self.canonicalHost(request.url)] }
    return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
  }

  /// The host as botocore signs it and the transport sends it: the port only when it is not
  /// the scheme's default.
  static func canonicalHost(_ url: URL) -> String {
    var host = (url.host ?? "").lowercased()
    // An IPv6 address keeps its brackets, as in the Host header (and botocore's netloc).
    if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
    guard let port = url.port else { return host }
    let scheme = url.scheme?.lowercased()
    if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return host }
    return "\(host):\(port)"
  }

  func canonicalURI(_ url: URL) -> String {
    let raw = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/"
    var path = raw.removingPercentEncoding ?? raw
    if path.isEmpty { path = "/" }
    if normalizePath { path = Self.removingDotSegments(path) }
    return Self.uriEncode(path, keepSlash: true)
  }

  /// RFC 3986 dot-segment removal plus collapsing of empty segments, keeping a trailing slash.
  static func removingDotSegments(_ path: String) -> String {
    var segments: [Substring] = []
    for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
      switch segment {
      case ".": continue
      case "..": _ = segments.popLast()
      default: segments.append(segment)
      }
    }
    var result = "/" + segments.joined(separator: "/")
    if path.hasSuffix("/") && !segments.isEmpty { result += "/" }
    return result
  }

  func canonicalQuery(_ url: URL) -> String {
    guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery,
      !query.isEmpty
    else { return "" }
    let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
      let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = String(parts[0])
      let value = parts.count > 1 ? String(parts[1]) : ""
      return (
        Self.uriEncode(name.removingPercentEncoding ?? name, keepSlash: false),
        Self.uriEncode(value.removingPercentEncoding ?? value, keepSlash: false)
      )
    }
    return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
      .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
  }

  /// Percent-encodes every byte but the RFC 3986 unreserved set (and `/` in paths), with
  /// upper-case hex, as SigV4 requires.
  static func uriEncode(_ text: String, keepSlash: Bool) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      case UInt8(ascii: "/") where keepSlash:
        out.append("/")
      default:
        out += "%" + String(byte, radix: 16, uppercase: true).sigV4ZeroPadded(to: 2)
      }
    }
    return out
  }

  static func hexSHA256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

  static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for byte in bytes {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func hex(_ digest: some Digest) -> String { hex(Array(digest)) }
  static func hex(_ code: HashedAuthenticationCode<SHA256>) -> String { hex(Array(code)) }
}
