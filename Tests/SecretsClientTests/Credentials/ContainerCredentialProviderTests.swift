import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

/// Container credentials against a loopback server the test starts and stops.
@Suite(.ownThreads) struct ContainerCredentialProviderTests {
  /// For a loopback server under a loaded test run: the 2 s default is not what these tests
  /// are about.
  static let generous = Duration.seconds(60)

  static let document = """
    {"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "container-secret", "Token": "container-token",
     "Expiration": "2031-01-01T00:00:00Z", "RoleArn": "arn:aws:iam::1:role/task"}
    """

  @Test func fullURIWithAuthorizationToken() async throws {
    let server = try LoopbackHTTPServer { request in
      request.headers["authorization"] == "Bearer task-token"
        ? .init(status: 200, headers: ["Content-Type": "application/json"], body: Self.document)
        : .init(status: 401, body: "{}")
    }
    defer { server.stop() }
    let environment = FakeAWSEnvironment.make([
      "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/v2/credentials?id=1",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer task-token",
    ])
    let credentials = try await ContainerCredentialProvider(
      environment: environment, directTransport: RealTransport.make(), timeout: Self.generous
    )
    .credentials()
    #expect(credentials.accessKeyId == "ASIACONTAINER")
    #expect(credentials.secretAccessKey == "container-secret")
    #expect(credentials.sessionToken == "container-token")
    #expect(credentials.expiration == ISO8601Timestamp.parse("2031-01-01T00:00:00Z"))
    let request = try #require(server.requests.first)
    #expect(request.method == "GET")
    #expect(request.path == "/v2/credentials?id=1")
    #expect(request.headers["accept"] == "application/json")
  }

  @Test func tokenFileWinsOverTokenVariable() async throws {
    let server = try LoopbackHTTPServer { request in
      .init(status: request.headers["authorization"] == "from-file" ? 200 : 403, body: Self.document)
    }
    defer { server.stop() }
    let environment = FakeAWSEnvironment.make(
      [
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/token",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-variable",
      ], files: ["/var/run/token": "from-file"])
    let credentials = try await ContainerCredentialProvider(
      environment: environment, directTransport: RealTransport.make(), timeout: Self.generous
    )
    .credentials()
    #expect(credentials.accessKeyId == "ASIACONTAINER")
    #expect(server.requests.map { $0.headers["authorization"] } == ["from-file"])
  }

  @Test func failureAfterRetriesNamesTheEndpointButNotTheToken() async throws {
    let server = try LoopbackHTTPServer { _ in .init(status: 500, body: "boom") }
    defer { server.stop() }
    let environment = FakeAWSEnvironment.make([
      "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds?token=query-secret",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN": "header-secret",
    ])
    let provider = ContainerCredentialProvider(
      environment: environment, directTransport: RealTransport.make(), timeout: Self.generous, attempts: 2,
      pause: .milliseconds(10))
    do {
      _ = try await provider.credentials()
      Issue.record("expected an error")
    } catch {
      let message = (error as? SecretsError)?.userMessage ?? ""
      #expect(message.contains("127.0.0.1:\(server.port)/creds"))
      #expect(message.contains("HTTP 500"))
      #expect(!message.contains("query-secret"))
      #expect(!message.contains("header-secret"))
    }
    #expect(server.requests.count == 2)
  }

  @Test func relativeURIGoesToTheECSAddress() async throws {
    let transport = ScriptedTransport { _ in HTTPResponse(status: 200, body: Data(Self.document.utf8)) }
    let environment = FakeAWSEnvironment.make(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])
    _ = try await ContainerCredentialProvider(environment: environment, directTransport: transport).credentials()
    #expect(transport.requests.first?.url.absoluteString == "http://169.254.170.2/v2/credentials/abc")
  }

  /// The value is a path and query on the ECS address, however it is written: it cannot
  /// name another host, in any position.
  @Test(
    arguments: [
      ("/@evil:9/x", "/@evil:9/x", nil),
      ("//evil.example/x?y=1", "//evil.example/x", "y=1"),
      ("/v2/credentials/abc?a=1&b=%2F", "/v2/credentials/abc", "a=1&b=%2F"),
    ] as [(String, String, String?)])
  func relativeURINeverLeavesTheECSAddress(relative: String, path: String, query: String?) async throws {
    let transport = ScriptedTransport { _ in HTTPResponse(status: 200, body: Data(Self.document.utf8)) }
    let environment = FakeAWSEnvironment.make(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": relative])
    _ = try await ContainerCredentialProvider(environment: environment, directTransport: transport).credentials()
    let url = try #require(transport.requests.first?.url)
    #expect(url.scheme == "http")
    #expect(url.host == "169.254.170.2")
    #expect(url.port == nil)
    #expect(url.user == nil)
    let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
    #expect(components?.percentEncodedPath == path)
    #expect(components?.percentEncodedQuery == query)
  }

  @Test(arguments: ["@evil:9/x", "evil.example/x", "v2/credentials", ":9/x", "?x=1"])
  func relativeURIMustBeginWithASlash(relative: String) async {
    let transport = ScriptedTransport { _ in HTTPResponse(status: 200, body: Data(Self.document.utf8)) }
    let environment = FakeAWSEnvironment.make(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": relative])
    await #expect {
      try await ContainerCredentialProvider(environment: environment, directTransport: transport).credentials()
    } throws: { error in
      let message = (error as? SecretsError)?.userMessage ?? ""
      return message.contains("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must begin with \"/\"")
    }
    #expect(transport.requests.isEmpty)
  }

  @Test(arguments: [
    "http://127.0.0.1:85537/creds", "http://127.0.0.1:0/creds", "http://[::1]:65536/", "http://localhost:x/",
  ])
  func fullURIPortsOutsideTheRangeAreRefused(uri: String) async {
    let environment = FakeAWSEnvironment.make(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])
    await #expect {
      try await ContainerCredentialProvider(environment: environment, directTransport: UnreachableTransport())
        .credentials()
    } throws: { error in
      let message = (error as? SecretsError)?.userMessage ?? ""
      return message.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI has") && message.contains("1-65535")
    }
  }

  /// The chain and a role's `credential_source = EcsContainer` both reach the container
  /// endpoint over the direct transport, and nothing else uses it.
  @Test func containerSourcesUseTheDirectTransport() async throws {
    let direct = ScriptedTransport { _ in HTTPResponse(status: 200, body: Data(Self.document.utf8)) }
    let environment = FakeAWSEnvironment.make([
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc", "AWS_EC2_METADATA_DISABLED": "true",
    ])
    let sources = CredentialSources(
      environment: environment, configuration: SharedConfiguration(), transport: UnreachableTransport(),
      directTransport: direct, region: "us-east-1")
    #expect(
      try await sources.chain(profileName: "default", profileIsExplicit: false).credentials().accessKeyId
        == "ASIACONTAINER")
    #expect(try await sources.namedSource("EcsContainer")?.credentials().accessKeyId == "ASIACONTAINER")
    #expect(direct.requests.count == 2)
    let withoutOne = CredentialSources(
      environment: environment, configuration: SharedConfiguration(), transport: direct, region: "us-east-1")
    #expect(withoutOne.directTransport as? ScriptedTransport === direct)
  }

  @Test(arguments: ["http://example.com/creds", "http://10.0.0.1/creds"])
  func plainHTTPToOtherHostsIsRefused(uri: String) async {
    let environment = FakeAWSEnvironment.make(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])
    await #expect(throws: SecretsError.self) {
      try await ContainerCredentialProvider(environment: environment, directTransport: UnreachableTransport())
        .credentials()
    }
  }

  @Test func unsetIsNotConfigured() async {
    await #expect(throws: CredentialsNotConfigured.self) {
      try await ContainerCredentialProvider(
        environment: FakeAWSEnvironment.make(), directTransport: UnreachableTransport()
      )
      .credentials()
    }
  }
}
