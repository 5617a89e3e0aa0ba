import Foundation
import Testing

@testable import SecretsClient

/// Container credentials against a loopback server the test starts and stops.
@Suite struct ContainerCredentialProviderTests {
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
    let credentials = try await ContainerCredentialProvider(environment: environment, transport: RealTransport.make())
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
    let credentials = try await ContainerCredentialProvider(environment: environment, transport: RealTransport.make())
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
      environment: environment, transport: RealTransport.make(), attempts: 2, pause: .milliseconds(10))
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
    _ = try await ContainerCredentialProvider(environment: environment, transport: transport).credentials()
    #expect(transport.requests.first?.url.absoluteString == "http://169.254.170.2/v2/credentials/abc")
  }

  @Test(arguments: ["http://example.com/creds", "http://10.0.0.1/creds"])
  func plainHTTPToOtherHostsIsRefused(uri: String) async {
    let environment = FakeAWSEnvironment.make(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri])
    await #expect(throws: SecretsError.self) {
      try await ContainerCredentialProvider(environment: environment, transport: UnreachableTransport()).credentials()
    }
  }

  @Test func unsetIsNotConfigured() async {
    await #expect(throws: CredentialsNotConfigured.self) {
      try await ContainerCredentialProvider(environment: FakeAWSEnvironment.make(), transport: UnreachableTransport())
        .credentials()
    }
  }
}
