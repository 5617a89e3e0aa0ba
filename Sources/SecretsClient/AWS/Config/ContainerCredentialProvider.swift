import Foundation

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
/// http://169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `AWS_CONTAINER_AUTHORIZATION_TOKEN` sent as the
/// Authorization header. Mirrors botocore's `ContainerMetadataFetcher`: plain HTTP only to a
/// loopback address or the container hosts, 2 s timeout, 3 attempts 1 s apart.
///
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
public struct ContainerCredentialProvider: CredentialProvider {
  static let allowedHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"]

  public var environment: AWSEnvironment
  public var transport: any HTTPTransport
  public var timeout: Duration
  public var attempts: Int
  public var pause: Duration

  public init(
    environment: AWSEnvironment, transport: any HTTPTransport, timeout: Duration = .seconds(2), attempts: Int = 3,
    pause: Duration = .seconds(1)
  ) {
    self.environment = environment
    self.transport = transport
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
    var lastProblem = ""
    for attempt in 1...max(1, attempts) {
      do {
        let response = try await transport.send(request, timeout: timeout)
        if response.status == 200 {
          return try Self.decode(response.body, source: "container credentials endpoint \(Self.redacted(url))")
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
      "Container credentials from \(Self.redacted(url)) failed after \(max(1, attempts)) attempts: \(lastProblem)")
  }

  private func endpoint() throws -> URL {
    if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
      guard let url = URL(string: "http://169.254.170.2" + relative) else {
        throw SecretsError.configuration("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a valid path.")
      }
      return url
    }
    guard let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] else {
      throw CredentialsNotConfigured(
        "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
    }
    guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), let host = url.host else {
      throw SecretsError.configuration("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL.")
    }
    let bareHost = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    guard scheme == "https" || Self.isLoopback(bareHost) || Self.allowedHosts.contains(bareHost) else {
      throw SecretsError.configuration(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI host \(bareHost) is not allowed over plain HTTP: use a loopback "
          + "address or one of \(Self.allowedHosts.sorted().joined(separator: ", ")).")
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

  /// Credentials endpoints sometimes carry a token in the query; only scheme, host and path
  /// go into messages.
  static func redacted(_ url: URL) -> String {
    var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
    components?.query = nil
    components?.user = nil
    components?.password = nil
    return components?.string ?? "the endpoint"
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
