import Foundation
import StagehandTestSupport
import Testing

@testable import SecretsClient

@Suite(.ownThreads) struct ConfiguredURLTests {
  @Test(
    arguments: [
      ("http://127.0.0.1:5000", "127.0.0.1", 5000),
      ("  https://secretsmanager.us-east-1.amazonaws.com  ", "secretsmanager.us-east-1.amazonaws.com", nil),
      ("HTTPS://Host.Example:443/path?x=1", "Host.Example", 443),
      ("http://[::1]:65535/", "::1", 65535),
      ("http://h:1", "h", 1),
      ("http://h:/", "h", nil),
    ] as [(String, String, Int?)])
  func acceptsHTTPURLsWithAHostAndAPortInRange(text: String, host: String, port: Int?) throws {
    let url = try ConfiguredURL.parse(text, setting: "AWS_ENDPOINT_URL")
    #expect(url.host == host)
    #expect(url.port == port)
  }

  @Test(
    arguments: [
      ("http://h:85537", "--endpoint-url has the port 85537; a port must be 1-65535."),
      ("http://h:0", "--endpoint-url has the port 0; a port must be 1-65535."),
      ("http://h:65536/x", "the port 65536"),
      ("https://h:99999999999999999999", "the port 99999999999999999999"),
      ("http://h:-1", "a port that is not a number"),
      ("http://h:8o", "a port that is not a number"),
      ("http://[::1]:0", "the port 0"),
      ("ftp://h", "the scheme must be http or https, not ftp"),
      ("file:///etc/passwd", "the scheme must be http or https, not file"),
      ("http://", "it has no host"),
      ("http://:80", "it has no host"),
      ("not a url", "not a valid URL; expected http(s)://host[:port]"),
      ("127.0.0.1:5000", "not a valid URL"),
    ] as [(String, String)])
  func refusesWhatCannotBeUsedAndSaysWhy(text: String, fragment: String) {
    let message = Self.refusal(text, setting: "--endpoint-url")
    #expect(message.hasPrefix("--endpoint-url "), "names the setting: \(message)")
    #expect(message.contains(fragment), "\(message)")
  }

  /// Messages repeat the URL, but never a password, a query (where a token may ride) or a
  /// control character.
  @Test(
    arguments: [
      ("ftp://ops:hunter2@h/x", "\"ftp://ops:***@h/x\""),
      ("http://ops:hunter2@:80", "\"http://ops:***@:80\""),
      ("http://ops:hunter2@h:99999", "the port 99999"),
      ("ftp://h/creds?token=hunter2#hunter2", "\"ftp://h/creds\""),
      ("ftp://h/\u{1B}]0;title\u{07}", "ftp://h/␛]0;title␇"),
    ] as [(String, String)])
  func messagesHideWhatMustNotBeShown(text: String, shown: String) {
    let message = Self.refusal(text, setting: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
    #expect(message.contains(shown), "\(message)")
    #expect(!message.contains("hunter2"), "\(message)")
    #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "\(message)")
  }

  /// The message `parse` refuses `text` with; an issue when it accepts it.
  static func refusal(_ text: String, setting: String) -> String {
    do {
      _ = try ConfiguredURL.parse(text, setting: setting)
      Issue.record("expected an error for \(text)")
      return ""
    } catch {
      return error.userMessage
    }
  }
}
