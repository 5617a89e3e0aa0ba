import Foundation
import StagingModel

/// The one check for a URL someone configured: an endpoint (`--endpoint-url`,
/// `AWS_ENDPOINT_URL*`, `endpoint_url`), `AWS_CONTAINER_CREDENTIALS_FULL_URI`, or a proxy.
public enum ConfiguredURL {
  /// `text` (trimmed) as a URL with scheme http or https, a host, and a port of 1-65535 when
  /// one is written. `setting` names where the text came from, for the message.
  ///
  /// The port is checked in the text: Foundation takes `:85537` as is and reads a port too
  /// long for an `Int` as no port at all.
  public static func parse(_ text: String, setting: String) throws(SecretsError) -> URL {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let shown = "\(setting) is \"\(redacted(trimmed))\""
    if let port = portText(trimmed), !port.isEmpty, Int(port).map({ (1...65535).contains($0) }) != true {
      // Only digits are repeated: anything else may be a password the parser took for a port.
      let what = port.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? "the port \(port)" : "a port that is not a number"
      throw .configuration("\(setting) has \(what); a port must be 1-65535. Fix the port in \(setting).")
    }
    guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased() else {
      throw .configuration(
        "\(shown), which is not a valid URL; expected http(s)://host[:port], for example http://127.0.0.1:5000.")
    }
    guard scheme == "http" || scheme == "https" else {
      throw .configuration("\(shown), which is not a valid URL here: the scheme must be http or https, not \(scheme).")
    }
    guard let host = url.host, !host.isEmpty else {
      throw .configuration("\(shown), which is not a valid URL: it has no host; expected http(s)://host[:port].")
    }
    return url
  }

  /// The port as written after the host (nil when there is none), or nil when the text has
  /// no `scheme://` authority to look in.
  static func portText(_ text: String) -> Substring? {
    guard let start = text.range(of: "://")?.upperBound else { return nil }
    let authority = text[start...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    let hostAndPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
    if hostAndPort.hasPrefix("[") {
      guard let close = hostAndPort.firstIndex(of: "]") else { return nil }
      let rest = hostAndPort[hostAndPort.index(after: close)...]
      return rest.hasPrefix(":") ? rest.dropFirst() : nil
    }
    return hostAndPort.firstIndex(of: ":").map { hostAndPort[hostAndPort.index(after: $0)...] }
  }

  /// `text` fit for a message: a password in it shows as `***`, the query and fragment (where
  /// a token may ride, as in some credentials endpoints) are left out, and control characters
  /// are made visible.
  static func redacted(_ text: String) -> String {
    var shown = Substring(text.prefix { $0 != "?" && $0 != "#" })
    if let start = shown.range(of: "://")?.upperBound {
      let authorityEnd = shown[start...].firstIndex(of: "/") ?? shown.endIndex
      if let at = shown[start..<authorityEnd].lastIndex(of: "@"),
        let colon = shown[start..<at].firstIndex(of: ":")
      {
        shown = Substring(String(shown[..<colon]) + ":***" + String(shown[at...]))
      }
    }
    return DisplayText.sanitized(String(shown))
  }
}
