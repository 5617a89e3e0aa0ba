import Foundation
import SecretsClient
import StagehandTestSupport
import Testing

@testable import StagehandApp

/// The UI against moto behind the auth proxy, with credentials from an IAM Identity Center
/// (SSO) profile whose portal is the proxy (AWS_ENDPOINT_URL_SSO): an SSO login that has
/// expired is a popup naming `aws sso login --profile sso` and R; after the login (a fresh
/// cached token) R loads. Later the session credentials expire while the UI is open and the
/// SSO login has expired too: the refresh is impossible, the same popup says so, the list read
/// before stays, and R after a new login loads again. No value or token reaches a frame.
@Suite(.serialized, .ownThreads)
struct SSOExpiryUITests {
  /// sha1("corp"): the file `aws sso login --sso-session corp` caches its token in.
  static let cacheName = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"

  struct Fixture {
    let moto: MotoServer
    let proxy: AuthProxy
    let home: URL

    static func make() async throws -> Fixture {
      let moto = try await MotoServer.start()
      let proxy = try await AuthProxy.start(target: moto)
      let home = FileManager.default.temporaryDirectory.appendingPathComponent("stagehand-sso-\(UUID().uuidString)")
      try FileManager.default.createDirectory(
        at: home.appendingPathComponent(".aws/sso/cache"), withIntermediateDirectories: true)
      try """
      [profile sso]
      sso_session = corp
      sso_account_id = 123456789012
      sso_role_name = Developer
      region = us-east-1
      [sso-session corp]
      sso_start_url = https://corp.awsapps.com/start
      sso_region = us-east-1
      """.write(to: home.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)
      try await onOwnThread {
        _ = try moto.aws([
          "secretsmanager", "create-secret", "--name", "sso/db", "--secret-string", "planted-sso-value",
        ])
      }
      return Fixture(moto: moto, proxy: proxy, home: home)
    }

    /// What `aws sso login` leaves: a bearer token valid for an hour, or one already expired.
    func login(_ token: String, expired: Bool = false) throws {
      let expiresAt = Date(timeIntervalSinceNow: expired ? -600 : 3_600)
      let text = #"{"accessToken": "\#(token)", "expiresAt": "\#(ISO8601Text.string(expiresAt))"}"#
      try text.write(
        to: home.appendingPathComponent(".aws/sso/cache/\(SSOExpiryUITests.cacheName)"), atomically: true,
        encoding: .utf8)
    }

    func backend() async throws -> any SecretsBackend {
      let variables = [
        "HOME": home.path, "AWS_CONFIG_FILE": home.appendingPathComponent(".aws/config").path,
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_SSO": proxy.endpoint.absoluteString,
      ]
      let environment = AWSEnvironment(variables: variables, homeDirectory: home.path) {
        try? String(contentsOfFile: $0, encoding: .utf8)
      }
      return try await BackendFactory.make(
        GlobalSettings(profile: "sso", endpointURL: proxy.endpoint.absoluteString), environment: environment)
    }

    func stop() {
      proxy.stop()
      moto.stop()
      try? FileManager.default.removeItem(at: home)
    }
  }

  /// The screen's words in order, borders and line breaks gone: a popup's wrapped sentence
  /// reads as one.
  static func flat(_ screen: String) -> String {
    screen.replacingOccurrences(of: "│", with: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  static let loginAdvice = "Run: aws sso login --profile sso"

  @Test func anExpiredSSOLoginIsAPopupAndRLoadsAfterTheLogin() async throws {
    let f = try await Fixture.make()
    defer { f.stop() }
    try f.login("bearer-old", expired: true)
    try await withUI(try await f.backend()) { ui in
      let popup = try await ui.waitUntil("the login advice") { Self.flat($0).contains(Self.loginAdvice) }
      #expect(Self.flat(popup).contains("Press R to try again"))
      #expect(try await f.proxy.stats()["sso_issued"] as? Int == 0, "an expired token is never sent")

      try f.login("bearer-1")
      var mark = ui.frameCount
      ui.press(.char("R"))
      try await ui.waitUntil("the secrets after the login", since: mark) {
        $0.contains("sso/db") && !Self.flat($0).contains("sso login")
      }
      try await ui.waitForVersions(of: "sso/db")

      // Hours later: the session credentials are refused, and the SSO login has expired too.
      try f.login("bearer-1", expired: true)
      try await f.proxy.configure(["token_uses": 0])
      mark = ui.frameCount
      ui.press(.char("r"))
      let expired = try await ui.waitUntil("the login advice again", since: mark) {
        Self.flat($0).contains(Self.loginAdvice)
      }
      #expect(expired.contains("sso/db"), "the list read before stays")
      let refused = try await f.proxy.stats()["token_refusals"] as? Int ?? 0
      #expect(refused >= 1, "the session token was refused")

      try f.login("bearer-2")
      try await f.proxy.configure(["token_uses": NSNull()])
      mark = ui.frameCount
      ui.press(.char("R"))
      try await ui.waitUntil("the secrets after the second login", since: mark) {
        $0.contains("sso/db") && !Self.flat($0).contains("sso login")
      }
      let stats = try await f.proxy.stats()
      #expect(stats["sso_bearers"] as? [String] == ["bearer-1", "bearer-2"], "each login traded once")
      #expect(
        !ui.frames.contains {
          $0.contains("planted-sso-value") || $0.contains("bearer-") || $0.contains("sso-session-")
        })
      try await ui.quit()
    }
  }
}
