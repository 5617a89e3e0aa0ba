import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct ProcessCredentialProviderTests {
  /// Writes an executable shell script into a fresh temporary directory.
  static func script(_ body: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-cp-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("creds.sh").path
    try ChildProcess.writeExecutable("#!/bin/sh\n" + body, to: path, mode: "755")
    return path
  }

  static func provider(command: String, variables: [String: String] = [:]) throws -> ProcessCredentialProvider {
    let environment = FakeAWSEnvironment.make(
      ["PATH": "/usr/bin:/bin"].merging(variables) { _, new in new },
      config: "[profile tool]\ncredential_process = \(command)\n")
    return ProcessCredentialProvider(
      profileName: "tool", configuration: try SharedConfiguration.load(from: environment), environment: environment)
  }

  @Test func successWithExpirationAndQuotedArguments() async throws {
    let path = try Self.script(
      """
      [ "$1" = "two words" ] || { echo "bad argument: $1" >&2; exit 3; }
      cat <<JSON
      {"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token",
       "Expiration": "2031-05-06T07:08:09Z"}
      JSON
      """)
    let credentials = try await Self.provider(command: "\(path) \"two words\"").credentials()
    #expect(credentials.accessKeyId == "AKIDPROC")
    #expect(credentials.secretAccessKey == "proc-secret")
    #expect(credentials.sessionToken == "proc-token")
    #expect(credentials.expiration == ISO8601Timestamp.parse("2031-05-06T07:08:09Z"))
    #expect(credentials.expiration != nil)
  }

  @Test func programIsFoundOnTheInjectedPath() async throws {
    let path = try Self.script(#"echo '{"Version": 1, "AccessKeyId": "AKIDPATH", "SecretAccessKey": "s"}'"#)
    let directory = (path as NSString).deletingLastPathComponent
    let credentials = try await Self.provider(command: "creds.sh", variables: ["PATH": directory + ":/usr/bin:/bin"])
      .credentials()
    #expect(credentials.accessKeyId == "AKIDPATH")
    #expect(credentials.sessionToken == nil)
    #expect(credentials.expiration == nil)
  }

  @Test func failureQuotesStderrButNeverStdout() async throws {
    let path = try Self.script(
      """
      echo '{"Version": 1, "AccessKeyId": "AKIDLEAK", "SecretAccessKey": "leaked-secret"}'
      echo "token for corp SSO expired" >&2
      exit 2
      """)
    do {
      _ = try await Self.provider(command: path).credentials()
      Issue.record("expected an error")
    } catch {
      let message = (error as? SecretsError)?.userMessage ?? "\(error)"
      #expect(message.contains("token for corp SSO expired"))
      #expect(message.contains("status 2"))
      #expect(!message.contains("AKIDLEAK"))
      #expect(!message.contains("leaked-secret"))
    }
  }

  @Test(arguments: [
    "echo 'not json at all'",
    #"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}'"#,
    #"echo '{"Version": 1, "AccessKeyId": "A"}'"#,
    #"echo '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "hidden-value", "Expiration": "soon"}'"#,
  ])
  func badOutputIsAnErrorWithoutTheOutput(body: String) async throws {
    let path = try Self.script(body)
    do {
      _ = try await Self.provider(command: path).credentials()
      Issue.record("expected an error")
    } catch {
      let message = (error as? SecretsError)?.userMessage ?? "\(error)"
      #expect(message.contains("credential_process"))
      #expect(!message.contains("hidden-value"))
    }
  }

  @Test func missingProgramAndMissingSettingAreDistinguished() async throws {
    await #expect(throws: SecretsError.self) {
      try await Self.provider(command: "/nonexistent/stagehand-helper").credentials()
    }
    let environment = FakeAWSEnvironment.make(config: "[profile tool]\nregion = us-east-1\n")
    let provider = ProcessCredentialProvider(
      profileName: "tool", configuration: try SharedConfiguration.load(from: environment), environment: environment)
    await #expect(throws: CredentialsNotConfigured.self) { try await provider.credentials() }
  }

  @Test func shellWordSplittingMatchesShlex() throws {
    #expect(try ShellWords.split(#"tool --a "b c" 'd e' f\ g"#) == ["tool", "--a", "b c", "d e", "f g"])
    #expect(try ShellWords.split(#"x "say \"hi\"""#) == ["x", "say \"hi\""])
    #expect(try ShellWords.split("  ") == [])
    #expect(throws: ShellWords.UnbalancedQuote.self) { try ShellWords.split("tool 'open") }
  }
}
