import Foundation

/// EC2 instance role credentials over IMDSv2: `PUT /latest/api/token`, then the role name and
/// its credentials under `/latest/meta-data/iam/security-credentials/`. Like botocore it waits
/// 1 s per call and tries once (so a laptop is not held up), falls back to IMDSv1 when the token
/// call is refused with 403/404/405 or times out (unless `AWS_EC2_METADATA_V1_DISABLED`), and
/// treats an unreachable service as "no credentials here" rather than an error.
///
/// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
public struct InstanceMetadataCredentialProvider: CredentialProvider {
  static let tokenTTLSeconds = "21600"

  public var environment: AWSEnvironment
  public var transport: any HTTPTransport
  public var timeout: Duration
  public var attempts: Int

  public init(
    environment: AWSEnvironment, transport: any HTTPTransport, timeout: Duration = .seconds(1), attempts: Int = 1
  ) {
    self.environment = environment
    self.transport = transport
    self.timeout = timeout
    self.attempts = attempts
  }

  public var sourceName: String { "EC2 instance metadata (IMDSv2)" }

  /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the IPv4 or IPv6 address by
  /// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`.
  public var endpoint: String {
    if let endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] {
      return endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
    }
    if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" {
      return "http://[fd00:ec2::254]"
    }
    return "http://169.254.169.254"
  }

  public func credentials() async throws -> AWSCredentials {
    if environment.flag("AWS_EC2_METADATA_DISABLED") {
      throw CredentialsNotConfigured("AWS_EC2_METADATA_DISABLED is true")
    }
    guard let base = URL(string: endpoint), base.scheme != nil, base.host != nil else {
      throw SecretsError.configuration("AWS_EC2_METADATA_SERVICE_ENDPOINT is not a valid URL: \(endpoint)")
    }
    let token = try await fetchToken(base)
    if token == nil && environment.flag("AWS_EC2_METADATA_V1_DISABLED") {
      throw CredentialsNotConfigured("no IMDSv2 token from \(endpoint) and IMDSv1 is disabled")
    }
    let listing = base.appendingPathComponent("latest/meta-data/iam/security-credentials/")
    guard let roles = try await get(listing, token: token) else {
      throw CredentialsNotConfigured("no instance metadata service answered at \(endpoint)")
    }
    guard let role = String(decoding: roles, as: UTF8.self).split(whereSeparator: \.isNewline).first else {
      throw CredentialsNotConfigured("the instance has no IAM role attached")
    }
    guard let document = try await get(listing.appendingPathComponent(String(role)), token: token) else {
      throw CredentialsNotConfigured("instance metadata at \(endpoint) gave no credentials for role \(role)")
    }
    do {
      return try ContainerCredentialProvider.decode(document, source: "instance metadata service")
    } catch {
      // A 200 with {"Code": ..., "Message": ...} means the role cannot be used; botocore moves on.
      throw CredentialsNotConfigured("instance metadata at \(endpoint) returned no usable credentials")
    }
  }

  private func fetchToken(_ base: URL) async throws -> String? {
    let request = HTTPRequest(
      method: "PUT", url: base.appendingPathComponent("latest/api/token"),
      headers: [("x-aws-ec2-metadata-token-ttl-seconds", Self.tokenTTLSeconds)])
    for _ in 0..<max(1, attempts) {
      guard let response = try? await transport.send(request, timeout: timeout) else { continue }
      switch response.status {
      case 200: return String(decoding: response.body, as: UTF8.self)
      case 403, 404, 405: return nil
      case 400: throw CredentialsNotConfigured("the instance metadata service rejected the token request (400)")
      default: continue
      }
    }
    return nil
  }

  private func get(_ url: URL, token: String?) async throws -> Data? {
    var request = HTTPRequest(method: "GET", url: url)
    if let token { request.setHeader("x-aws-ec2-metadata-token", token) }
    for _ in 0..<max(1, attempts) {
      guard let response = try? await transport.send(request, timeout: timeout) else { continue }
      if response.status == 200 && !response.body.isEmpty { return response.body }
      if response.status == 404 { return nil }
    }
    return nil
  }
}
