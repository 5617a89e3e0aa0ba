import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct SharedConfigurationTests {
  @Test func mergesConfigProfilesWithCredentialsSections() throws {
    let environment = FakeAWSEnvironment.make(
      config: """
        [default]
        region = us-east-1
        [profile dev]
        region = eu-west-1
        aws_access_key_id = FROM_CONFIG
        [dev-without-prefix]
        region = ap-south-1
        [profile "team a"]
        region = us-west-2
        [sso-session corp]
        sso_region = us-east-2
        [services local]
        secretsmanager =
          endpoint_url = http://127.0.0.1:1
        """,
      credentials: """
        [dev]
        aws_access_key_id = FROM_CREDENTIALS
        [only-credentials]
        aws_access_key_id = X
        """)
    let files = try SharedConfiguration.load(from: environment)
    #expect(Set(files.profiles.keys) == ["default", "dev", "team a", "only-credentials"])
    #expect(files.profiles["dev"]?["region"] == "eu-west-1")
    #expect(files.profiles["dev"]?["aws_access_key_id"] == "FROM_CREDENTIALS")
    #expect(files.configFileProfiles["dev"]?["aws_access_key_id"] == "FROM_CONFIG")
    #expect(files.credentialsFileProfiles["dev"]?["aws_access_key_id"] == "FROM_CREDENTIALS")
    #expect(files.profiles["team a"]?["region"] == "us-west-2")
    #expect(files.ssoSessions["corp"]?["sso_region"] == "us-east-2")
    #expect(files.services["local"]?.nested("secretsmanager")?["endpoint_url"] == "http://127.0.0.1:1")
  }

  @Test func filePathsComeFromTheEnvironmentWithTildeExpanded() throws {
    let environment = FakeAWSEnvironment.make(
      ["AWS_CONFIG_FILE": "~/alt/config", "AWS_SHARED_CREDENTIALS_FILE": "/etc/creds"],
      files: [
        FakeAWSEnvironment.home + "/alt/config": "[profile alt]\nregion = sa-east-1\n",
        "/etc/creds": "[ci]\naws_access_key_id = A\n",
      ])
    let files = try SharedConfiguration.load(from: environment)
    #expect(files.configFilePath == FakeAWSEnvironment.home + "/alt/config")
    #expect(files.credentialsFilePath == "/etc/creds")
    #expect(Set(files.profiles.keys) == ["alt", "ci"])
  }

  @Test func defaultPathsAreUnderHome() {
    let environment = FakeAWSEnvironment.make()
    #expect(environment.configFilePath == "/home/tester/.aws/config")
    #expect(environment.credentialsFilePath == "/home/tester/.aws/credentials")
  }

  @Test(
    arguments: [
      (nil, [:], "default"),
      (nil, ["AWS_DEFAULT_PROFILE": "b"], "b"),
      (nil, ["AWS_PROFILE": "a", "AWS_DEFAULT_PROFILE": "b"], "a"),
      ("cli", ["AWS_PROFILE": "a", "AWS_DEFAULT_PROFILE": "b"], "cli"),
      ("", ["AWS_PROFILE": "a"], "a"),
      (nil, ["AWS_PROFILE": ""], "default"),
    ] as [(String?, [String: String], String)])
  func profileSelectionOrder(explicit: String?, variables: [String: String], expected: String) {
    let environment = FakeAWSEnvironment.make(variables)
    #expect(SharedConfiguration.selectedProfileName(explicit: explicit, environment: environment) == expected)
  }

  @Test func missingNamedProfileNamesBothFiles() throws {
    let files = try SharedConfiguration.load(
      from: FakeAWSEnvironment.make(config: "[profile dev]\nregion = us-east-1\n"))
    #expect(throws: SecretsError.self) { try files.profile(named: "prod") }
    do {
      _ = try files.profile(named: "prod")
    } catch {
      let message = error.userMessage
      #expect(message.contains("\"prod\""))
      #expect(message.contains("/home/tester/.aws/config"))
      #expect(message.contains("/home/tester/.aws/credentials"))
      #expect(message.contains("dev"))
    }
    #expect(try files.profile(named: "default").entries.isEmpty)
  }

  @Test func unprefixedConfigSectionGetsAHint() throws {
    let files = try SharedConfiguration.load(from: FakeAWSEnvironment.make(config: "[dev]\nregion = us-east-1\n"))
    #expect(files.profiles["dev"] == nil)
    #expect {
      try files.profile(named: "dev")
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("[profile dev]") == true
        && (error as? SecretsError)?.userMessage.contains("has [dev]") == true
    }
  }

  @Test func malformedFileIsAnErrorNamingIt() {
    let environment = FakeAWSEnvironment.make(credentials: "aws_access_key_id = before any section\n")
    #expect {
      try SharedConfiguration.load(from: environment)
    } throws: { error in
      (error as? SecretsError)?.userMessage.contains("/home/tester/.aws/credentials") == true
    }
  }
}
