import Foundation

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
/// http://169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN` sent as the
/// Authorization header. Mirrors botocore's `ContainerMetadataFetcher`: plain HTTP only to a
/// loopback address or the container hosts, 2 s timeout, 3 attempts 1 s apart, never through
/// a proxy.
///
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
public struct ContainerCredentialProvider: CredentialProvider {
  static let allowedHosts: Set<String> = [ecsHost, "169.254.170.23", "fd00:ec2::23", "localhost"]

  static let ecsHost = "169.254.170.2"

  public var environment: AWSEnvironment
  /// A transport that connects directly, whatever `HTTPS_PROXY`/`HTTP_PROXY` say: a proxy
  /// cannot reach a link-local or loopback address, and must not see the token.
  public var directTransport: any HTTPTransport
  public var timeout: Duration
  public var attempts: Int
  public var pause: Duration

  public init(
    environment: AWSEnvironment, directTransport: any HTTPTransport, timeout: Duration = .seconds(2), attempts: Int = 3,
    pause: Duration = .seconds(1)
  ) {
    self.environment = environment
    self.directTransport = directTransport
    self.timeout = timeout
    self.attempts = attempts
    self.pause = pause
  }

  public var sourceName: String { "container credentials" }

  public func credentials() async throws -> AWSCredentials {
    let url = try endpoint()
    var request = HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")])
    if let token = try authorizationToken() {
      request.setHeader("Authorization", token)
    }
    let shownURL = ConfiguredURL.redacted(url.absoluteString)
    var lastProblem = ""
    for attempt in 1...max(1, attempts) {
      do {
        let response = try await directTransport.send(request, timeout: timeout)
        if response.status == 200 {
          return try Self.decode(response.body, source: "container credentials endpoint \(shownURL)")
        }
        lastProblem = "HTTP \(response.status)"
      } catch let error as SecretsError {
        if case .configuration = error { throw error }
        lastProblem = error.userMessage
      } catch {
        lastProblem = "\(error)"
      }
      if attempt < attempts { try await Task.sleep(for: pause) }
    }
    throw SecretsError.configuration(
      "Container credentials from \(shownURL) failed after \(max(1, attempts)) attempts: \(lastProblem)")
  }

  private func endpoint() throws -> URL {
    if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
      return try relativeEndpoint(relative)
    }
    guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else {
      throw CredentialsNotConfigured(
        "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
    }
    let url = try ConfiguredURL.parse(full, setting: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
    let bareHost = (url.host ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    guard url.scheme?.lowercased() == "https" || Self.isLoopback(bareHost) || Self.allowedHosts.contains(bareHost)
    else {
      throw SecretsError.configuration(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI host \(bareHost) is not allowed over plain HTTP: use a loopback "
          + "address or one of \(Self.allowedHosts.sorted().joined(separator: ", ")).")
    }
    return url
  }

  /// The value is only ever a path and query on the ECS address: the host is set apart from
  /// it, so `@evil:9/x` (which, appended to `http://169.254.170.2`, would name the host `evil`)
  /// cannot move the request, and a value that is not a path is refused.
  private func relativeEndpoint(_ relative: String) throws -> URL {
    let setting = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    guard relative.hasPrefix("/") else {
      throw SecretsError.configuration(
        "\(setting) must begin with \"/\" (a path on http://\(Self.ecsHost), such as /v2/credentials/ID); it is "
          + "\"\(ConfiguredURL.redacted(relative))\". Fix or unset \(setting).")
    }
    // Parsed behind the fixed address only to split the path from the query.
    let parsed = URLComponents(string: "http://\(Self.ecsHost)" + relative)
    var components = URLComponents()
    components.scheme = "http"
    components.host = Self.ecsHost
    components.percentEncodedPath = parsed?.percentEncodedPath ?? ""
    components.percentEncodedQuery = parsed?.percentEncodedQuery
    guard parsed != nil, let url = components.url, url.host == Self.ecsHost else {
      throw SecretsError.configuration(
        "\(setting) is \"\(ConfiguredURL.redacted(relative))\", which is not a valid path. Fix or unset \(setting).")
    }
    return url
  }

  private func authorizationToken() throws -> String? {
    var token: String?
    if let path = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
      guard let text = environment.readFile(path) else {
        throw SecretsError.configuration("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path) could not be read.")
      }
      token = text
    } else {
      token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    }
    if let token, token.contains("\r") || token.contains("\n") {
      throw SecretsError.configuration("The container authorization token contains a line break.")
    }
    return token
  }

  static func isLoopback(_ host: String) -> Bool {
    if host == "::1" { return true }
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
  }

  /// The JSON document both the container endpoint and IMDS return.
  static func decode(_ body: Data, source: String) throws -> AWSCredentials {
    guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
      let accessKey = object["AccessKeyId"] as? String, let secretKey = object["SecretAccessKey"] as? String
    else {
      throw SecretsError.configuration("The \(source) returned no AccessKeyId/SecretAccessKey.")
    }
    var expiration: Date?
    if let text = object["Expiration"] as? String { expiration = ISO8601Timestamp.parse(text) }
    return AWSCredentials(
      accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: object["Token"] as? String,
      expiration: expiration)
  }
}
