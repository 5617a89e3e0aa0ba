import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct AWSConfigurationTests {
  static let config = """
    [default]
    region = us-east-1
    [profile prod]
    region = eu-west-1
    max_attempts = 7
    [profile local]
    region = us-west-2
    endpoint_url = http://127.0.0.1:5000
    """
  static let credentials = "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prod-secret\n"

  static func resolve(
    profile: String? = nil, region: String? = nil, endpoint: String? = nil, _ variables: [String: String] = [:]
  ) throws -> AWSConfiguration {
    try AWSConfiguration.resolve(
      profile: profile, region: region, endpointURL: endpoint,
      environment: FakeAWSEnvironment.make(variables, config: config, credentials: credentials),
      transport: UnreachableTransport())
  }

  @Test func resolvesProfileRegionEndpointAndCredentialsTogether() async throws {
    let configuration = try Self.resolve(profile: "prod")
    #expect(configuration.profileName == "prod")
    #expect(configuration.region == "eu-west-1")
    #expect(configuration.endpoint.absoluteString == "https://secretsmanager.eu-west-1.amazonaws.com")
    #expect(configuration.maxAttempts == 7)
    #expect(configuration.customEndpoint == nil)
    #expect(try await configuration.credentials.credentials().accessKeyId == "AKIDPROD")
  }

  @Test func environmentSelectsTheProfileAndCommandLineOverridesEverything() throws {
    let fromEnvironment = try Self.resolve(["AWS_PROFILE": "local", "AWS_MAX_ATTEMPTS": "2"])
    #expect(fromEnvironment.profileName == "local")
    #expect(fromEnvironment.region == "us-west-2")
    #expect(fromEnvironment.endpoint.absoluteString == "http://127.0.0.1:5000")
    #expect(fromEnvironment.maxAttempts == 2)
    #expect(fromEnvironment.customEndpoint?.absoluteString == "http://127.0.0.1:5000")
    let overridden = try Self.resolve(
      profile: "prod", region: "ap-northeast-1", endpoint: "http://127.0.0.1:6000", ["AWS_PROFILE": "local"])
    #expect(overridden.profileName == "prod")
    #expect(overridden.region == "ap-northeast-1")
    #expect(overridden.endpoint.absoluteString == "http://127.0.0.1:6000")
  }

  /// The aws CLI's order: `AWS_CA_BUNDLE`, then the selected profile's `ca_bundle`, else the
  /// system's trust store; a missing named profile is the usual clear error.
  @Test func caBundleComesFromTheEnvironmentThenTheProfile() throws {
    let config = """
      [default]
      ca_bundle = /etc/default-ca.pem
      [profile corp]
      ca_bundle = /etc/corp-ca.pem
      [profile bare]
      """
    func bundle(_ profile: String?, _ variables: [String: String] = [:]) throws -> String? {
      try AWSConfiguration.caBundle(
        profile: profile, environment: FakeAWSEnvironment.make(variables, config: config, credentials: ""))
    }
    #expect(try bundle(nil) == "/etc/default-ca.pem")
    #expect(try bundle("corp") == "/etc/corp-ca.pem")
    #expect(try bundle(nil, ["AWS_PROFILE": "corp"]) == "/etc/corp-ca.pem")
    #expect(try bundle("bare") == nil)
    #expect(try bundle("corp", ["AWS_CA_BUNDLE": "/tmp/env-ca.pem"]) == "/tmp/env-ca.pem")
    #expect(try bundle("corp", ["AWS_CA_BUNDLE": ""]) == "/etc/corp-ca.pem")
    #expect(throws: SecretsError.self) { try bundle("absent") }
  }

  /// The whole default chain over the real transport: nothing in the environment or files, so
  /// the search reaches the container source, served by a loopback server.
  @Test func defaultChainReachesContainerCredentials() async throws {
    let server = try LoopbackHTTPServer { _ in
      .init(
        status: 200,
        body: #"{"AccessKeyId": "ASIAECS", "SecretAccessKey": "s", "Token": "t", "Expiration": "2031-01-01T00:00:00Z"}"#
      )
    }
    defer { server.stop() }
    let configuration = try AWSConfiguration.resolve(
      profile: nil, region: "us-east-1", endpointURL: nil,
      environment: FakeAWSEnvironment.make(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds"]),
      transport: RealTransport.make())
    #expect(try await configuration.credentials.credentials().accessKeyId == "ASIAECS")
    #expect(try await configuration.credentials.credentials().accessKeyId == "ASIAECS")
    #expect(server.requests.count == 1)
  }

  @Test func unknownProfileFailsBeforeAnythingElse() {
    #expect {
      try Self.resolve(profile: "nope")
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("\"nope\" was not found") == true
    }
  }

  @Test func badMaxAttemptsIsExplained() {
    #expect(throws: SecretsError.self) { try Self.resolve(["AWS_MAX_ATTEMPTS": "zero"]) }
  }

  @Test func proxySettingsFromTheEnvironment() throws {
    let configuration = try Self.resolve([
      "HTTPS_PROXY": "http://proxy.corp:3128", "https_proxy": "http://lower.corp:8080", "HTTP_PROXY": "proxy.corp:80",
      "NO_PROXY": "localhost, .internal.corp,127.0.0.1",
    ])
    let proxy = configuration.proxy
    let lower = ProxyServer(host: "lower.corp", port: 8080)
    let plain = ProxyServer(host: "proxy.corp", port: 80)
    #expect(proxy.httpsProxy == lower)
    #expect(proxy.httpProxy == plain)
    #expect(proxy.proxy(for: URL(string: "https://secretsmanager.us-east-1.amazonaws.com")!) == lower)
    #expect(proxy.proxy(for: URL(string: "http://example.com")!) == plain)
    #expect(proxy.proxy(for: URL(string: "https://vault.internal.corp")!) == nil)
    #expect(proxy.proxy(for: URL(string: "https://internal.corp")!) == nil)
    #expect(proxy.proxy(for: URL(string: "http://127.0.0.1:5000")!) == nil)
    #expect(proxy.proxy(for: URL(string: "https://notinternal.corp")!) != nil)
    #expect(
      try ProxySettings(environment: FakeAWSEnvironment.make(["NO_PROXY": "*", "HTTPS_PROXY": "http://p:1"]))
        .proxy(for: URL(string: "https://a.b")!) == nil)
  }

  @Test func anUnusableProxyStopsTheConfiguration() {
    #expect {
      try Self.resolve(["HTTPS_PROXY": "http://ops:hunter2@proxy.corp:85537"])
    } throws: { error in
      let message = (error as? SecretsError)?.userMessage ?? ""
      return message.contains("HTTPS_PROXY has the port 85537") && !message.contains("hunter2")
    }
  }
}
