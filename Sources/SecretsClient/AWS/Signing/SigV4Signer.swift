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
    request.removeHeader("Authorization")
    request.setHeader("X-Amz-Date", stamp.amzDate)
    let token = credentials.sessionToken
    if let token, !omitSessionTokenFromSignature {
      request.setHeader("X-Amz-Security-Token", token)
    } else {
      request.removeHeader("X-Amz-Security-Token")
    }
    let payloadHash = Self.hexSHA256(request.body)
    if signBody { request.setHeader("X-Amz-Content-Sha256", payloadHash) }

    let canonical = canonicalRequestBytes(request, payloadHash: payloadHash)
    let scope = credentialScope(dateStamp: stamp.dateStamp)
    let toSign = stringToSignBytes(canonicalRequest: canonical.bytes, amzDate: stamp.amzDate, scope: scope)
    let sig = Self.hex(HMAC<SHA256>.authenticationCode(for: toSign, using: signingKey(dateStamp: stamp.dateStamp)))
    request.setHeader(
      "Authorization",
      "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
        + "SignedHeaders=\(canonical.signedHeaders), Signature=\(sig)")
    if let token, omitSessionTokenFromSignature {
      request.setHeader("X-Amz-Security-Token", token)
    }
    return request
  }

  /// `yyyyMMdd/region/service/aws4_request`.
  public func credentialScope(at date: Date) -> String {
    credentialScope(dateStamp: SigV4Timestamp(date).dateStamp)
  }

  func credentialScope(dateStamp: String) -> String {
    "\(dateStamp)/\(region)/\(service)/aws4_request"
  }

  /// Step 1: the canonical request, and the list of signed header names it commits to.
  public func canonicalRequest(_ request: HTTPRequest, payloadHash: String? = nil)
    -> (text: String, signedHeaders: String)
  {
    let canonical = canonicalRequestBytes(request, payloadHash: payloadHash ?? Self.hexSHA256(request.body))
    return (String(decoding: canonical.bytes, as: UTF8.self), canonical.signedHeaders)
  }

  /// The canonical request as the UTF-8 bytes that are hashed, built without the strings
  /// of its lines and their join.
  func canonicalRequestBytes(_ request: HTTPRequest, payloadHash: String) -> (bytes: [UInt8], signedHeaders: String) {
    let headers = canonicalHeaders(request)
    var signedHeaders = ""
    for (index, header) in headers.enumerated() {
      if index > 0 { signedHeaders += ";" }
      signedHeaders += header.name
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(512)
    bytes += request.method.uppercased().utf8
    bytes.append(0x0A)
    bytes += canonicalURI(request.url).utf8
    bytes.append(0x0A)
    bytes += canonicalQuery(request.url).utf8
    bytes.append(0x0A)
    for header in headers {
      bytes += header.name.utf8
      bytes.append(UInt8(ascii: ":"))
      bytes += header.value.utf8
      bytes.append(0x0A)
    }
    bytes.append(0x0A)
    bytes += signedHeaders.utf8
    bytes.append(0x0A)
    bytes += payloadHash.utf8
    return (bytes, signedHeaders)
  }

  /// Step 2: what the signature covers: algorithm, time, scope, and the canonical request's hash.
  public func stringToSign(canonicalRequest: String, at date: Date) -> String {
    let stamp = SigV4Timestamp(date)
    let bytes = stringToSignBytes(
      canonicalRequest: Array(canonicalRequest.utf8), amzDate: stamp.amzDate,
      scope: credentialScope(dateStamp: stamp.dateStamp))
    return String(decoding: bytes, as: UTF8.self)
  }

  func stringToSignBytes(canonicalRequest: [UInt8], amzDate: String, scope: String) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(160)
    bytes += Self.algorithm.utf8
    bytes.append(0x0A)
    bytes += amzDate.utf8
    bytes.append(0x0A)
    bytes += scope.utf8
    bytes.append(0x0A)
    Self.appendHex(SHA256.hash(data: canonicalRequest), to: &bytes)
    return bytes
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
    var headers: [(name: String, value: String, order: Int)] = []
    headers.reserveCapacity(request.headers.count + 1)
    var hasHost = false
    for (order, header) in request.headers.enumerated() {
      let name = header.name.lowercased()
      guard !Self.unsignedHeaders.contains(name) else { continue }
      if name == "host" { hasHost = true }
      headers.append((name, header.value.split(whereSeparator: \.isWhitespace).joined(separator: " "), order))
    }
    if !hasHost { headers.append(("host", Self.canonicalHost(request.url), headers.count)) }
    headers.sort { $0.name != $1.name ? $0.name < $1.name : $0.order < $1.order }
    var merged: [(name: String, value: String)] = []
    merged.reserveCapacity(headers.count)
    for header in headers {
      if merged.last?.name == header.name {
        merged[merged.count - 1].value += "," + header.value
      } else {
        merged.append((header.name, header.value))
      }
    }
    return merged
  }

  /// The host as botocore signs it and the transport sends it: the port only when it is not
  /// the scheme's default.
  static func canonicalHost(_ url: URL) -> String {
    // A host name of letters, digits, dots and dashes reads the same decoded, so it need
    // not be percent-decoded.
    let written = url.host(percentEncoded: true) ?? ""
    let plain = written.utf8.allSatisfy { byte in
      byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte)
        || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
    var host = (plain && !written.isEmpty ? written : (url.host ?? "")).lowercased()
    // An IPv6 address keeps its brackets, as in the Host header (and botocore's netloc).
    if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
    guard let port = url.port else { return host }
    let scheme = url.scheme?.lowercased()
    if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return host }
    return "\(host):\(port)"
  }

  func canonicalURI(_ url: URL) -> String {
    // The JSON protocols always post to "/": no need to take the URL apart again.
    let encodedPath = url.path(percentEncoded: true)
    if encodedPath == "/" || encodedPath.isEmpty { return "/" }
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
    guard url.query(percentEncoded: true)?.isEmpty == false,
      let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery,
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

  static func hex(_ digest: some Sequence<UInt8>) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(64)
    appendHex(digest, to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  static func hex(_ digest: some Digest) -> String {
    digest.withUnsafeBytes { hex($0) }
  }

  static func hex(_ code: HashedAuthenticationCode<SHA256>) -> String {
    code.withUnsafeBytes { hex($0) }
  }

  static func appendHex(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
    let digits: StaticString = "0123456789abcdef"
    for byte in bytes {
      out.append(digits.utf8Start[Int(byte >> 4)])
      out.append(digits.utf8Start[Int(byte & 0x0f)])
    }
  }

  static func appendHex(_ digest: SHA256.Digest, to out: inout [UInt8]) {
    digest.withUnsafeBytes { appendHex($0, to: &out) }
  }
}
