import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The proxy variables the aws CLI reads: `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`, upper- or
/// lower-case. A lower-case variable wins even when empty, which turns that proxy off, as in
/// Python's `urllib`. The transport asks `proxy(for:)` per request URL.
public struct ProxySettings: Sendable, Equatable {
  public var httpsProxy: ProxyServer?
  public var httpProxy: ProxyServer?
  /// The `NO_PROXY` entries as written; `proxy(for:)` says what each matches.
  public var noProxy: [String]

  public init(httpsProxy: ProxyServer? = nil, httpProxy: ProxyServer? = nil, noProxy: [String] = []) {
    self.httpsProxy = httpsProxy
    self.httpProxy = httpProxy
    self.noProxy = noProxy
  }

  /// A proxy variable that is set but unusable (a bad port, no host, a scheme other than http
  /// or https) is an error naming it, not a silent direct connection.
  public init(environment: AWSEnvironment) throws(SecretsError) {
    func variable(_ name: String) -> (name: String, value: String)? {
      let lower = name.lowercased()
      if let value = environment.variables[lower] { return (lower, value) }
      return environment.variables[name].map { (name, $0) }
    }
    func server(_ name: String) throws(SecretsError) -> ProxyServer? {
      guard let (name, value) = variable(name), !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
      return try ProxyServer(parsing: value, setting: name)
    }
    httpsProxy = try server("HTTPS_PROXY")
    httpProxy = try server("HTTP_PROXY")
    noProxy = (variable("NO_PROXY")?.value ?? "").split(separator: ",")
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  /// The proxy for a request URL, or nil to connect directly: `httpsProxy` for https,
  /// `httpProxy` for http, nil when `NO_PROXY` names the host.
  ///
  /// `NO_PROXY` entries, case-insensitive, as requests and urllib3 read them (a superset of
  /// `urllib`'s): `*` for every host; a name, with or without a leading dot, for it and every
  /// name under it; an IPv4 or IPv6 address, the latter with or without brackets, for that
  /// address; a CIDR range (`10.0.0.0/8`, `fd00::/8`) for every address in it. `:port` after a
  /// name or address limits the entry to that port, the URL's own or else 80 or 443. Names
  /// match only names and addresses only addresses, so `0.1` is not a suffix of `10.0.0.1`.
  public func proxy(for url: URL) -> ProxyServer? {
    guard let scheme = url.scheme?.lowercased(), let host = url.host.map(ProxyServer.bare), !host.isEmpty else {
      return nil
    }
    let port = url.port ?? (scheme == "https" ? 443 : 80)
    let address = IPAddress(host)
    let lowered = host.lowercased()
    if noProxy.contains(where: { NoProxyEntry($0)?.matches(host: lowered, address: address, port: port) == true }) {
      return nil
    }
    switch scheme {
    case "https": return httpsProxy
    case "http": return httpProxy
    default: return nil
    }
  }
}

/// A proxy server, in parts rather than as a URL: what a transport needs (host, port, Basic
/// credentials) is read once, and the password cannot leak through a URL printed whole.
/// An `https` proxy is kept so that the transport can refuse it with a clear message.
public struct ProxyServer: Sendable, Hashable {
  public enum Scheme: String, Sendable {
    case http, https
  }

  public var scheme: Scheme
  /// A name or an address; an IPv6 address without brackets.
  public var host: String
  public var port: Int
  /// Percent-decoded.
  public var user: String?
  /// Percent-decoded. Never part of `description`.
  public var password: String?

  /// `port`: nil for the scheme's default, as urllib3 takes it (80, or 443 for https).
  public init(scheme: Scheme = .http, host: String, port: Int? = nil, user: String? = nil, password: String? = nil) {
    self.scheme = scheme
    self.host = Self.bare(host)
    self.port = port ?? (scheme == .https ? 443 : 80)
    self.user = user
    self.password = password
  }

  /// A proxy variable's value; without a scheme it is `http://` (botocore's `_fix_proxy_url`).
  /// `setting` names the variable in messages.
  public init(parsing text: String, setting: String) throws(SecretsError) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let full = trimmed.contains("://") ? trimmed : (trimmed.hasPrefix("//") ? "http:" : "http://") + trimmed
    let url = try ConfiguredURL.parse(full, setting: setting)
    let user = url.user(percentEncoded: false).flatMap { $0.isEmpty ? nil : $0 }
    self.init(
      scheme: url.scheme?.lowercased() == "https" ? .https : .http, host: url.host ?? "", port: url.port, user: user,
      password: user == nil ? nil : url.password(percentEncoded: false))
  }

  /// The host as it goes in a URL: an IPv6 address in brackets.
  public var authorityHost: String { host.contains(":") ? "[\(host)]" : host }

  static func bare(_ host: String) -> String {
    host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
  }
}

extension ProxyServer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// `http://user@host:port`: the password is left out.
  public var description: String { "\(scheme.rawValue)://\(user.map { "\($0)@" } ?? "")\(authorityHost):\(port)" }
  public var debugDescription: String { description }
  public var customMirror: Mirror { Mirror(self, children: ["proxy": description]) }
}

// MARK: - NO_PROXY

/// One `NO_PROXY` entry, lower-cased and parsed; nil for one that can match nothing.
private enum NoProxyEntry {
  case everything
  case name(String, port: Int?)
  case address(IPAddress, port: Int?)
  case network(IPAddress, prefixLength: Int)

  init?(_ text: String) {
    let entry = text.trimmingCharacters(in: .whitespaces).lowercased()
    if entry == "*" {
      self = .everything
    } else if let slash = entry.lastIndex(of: "/") {
      guard let address = IPAddress(ProxyServer.bare(String(entry[..<slash]))),
        let length = Int(entry[entry.index(after: slash)...]), (0...address.bytes.count * 8).contains(length)
      else { return nil }
      self = .network(address, prefixLength: length)
    } else if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
      guard let address = IPAddress(String(entry[entry.index(after: entry.startIndex)..<close])) else { return nil }
      let rest = entry[entry.index(after: close)...]
      if rest.isEmpty {
        self = .address(address, port: nil)
      } else {
        guard rest.hasPrefix(":"), let port = Self.port(rest.dropFirst()) else { return nil }
        self = .address(address, port: port)
      }
    } else if let address = IPAddress(entry) {
      self = .address(address, port: nil)
    } else {
      var host = Substring(entry)
      var port: Int?
      if let colon = entry.lastIndex(of: ":") {
        guard let number = Self.port(entry[entry.index(after: colon)...]) else { return nil }
        host = entry[..<colon]
        port = number
      }
      if let address = IPAddress(String(host)) {
        self = .address(address, port: port)
      } else {
        let name = host.drop { $0 == "." }
        guard !name.isEmpty, !name.contains(":") else { return nil }
        self = .name(String(name), port: port)
      }
    }
  }

  private static func port(_ text: Substring) -> Int? {
    guard let port = Int(text), (1...65535).contains(port) else { return nil }
    return port
  }

  /// `host` lower-cased; `address` when the host is an IP literal.
  func matches(host: String, address: IPAddress?, port: Int) -> Bool {
    switch self {
    case .everything:
      return true
    case .name(let name, let only):
      return address == nil && (host == name || host.hasSuffix("." + name)) && (only == nil || only == port)
    case .address(let entry, let only):
      return address == entry && (only == nil || only == port)
    case .network(let network, let length):
      return address.map { network.contains($0, prefixLength: length) } ?? false
    }
  }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address, parsed by `inet_pton`, which takes only the
/// plain forms: no octal or shortened IPv4, no IPv6 zone.
struct IPAddress: Equatable {
  var bytes: [UInt8]

  init?(_ text: String) {
    var buffer = [UInt8](repeating: 0, count: 16)
    if text.contains(":") {
      guard inet_pton(AF_INET6, text, &buffer) == 1 else { return nil }
      bytes = buffer
    } else {
      guard inet_pton(AF_INET, text, &buffer) == 1 else { return nil }
      bytes = Array(buffer.prefix(4))
    }
  }

  /// Whether `other`, of the same family, shares this address's first `prefixLength` bits.
  func contains(_ other: IPAddress, prefixLength: Int) -> Bool {
    guard other.bytes.count == bytes.count else { return false }
    let whole = prefixLength / 8
    guard bytes.prefix(whole) == other.bytes.prefix(whole) else { return false }
    let bits = prefixLength % 8
    guard bits > 0 else { return true }
    let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
    return bytes[whole] & mask == other.bytes[whole] & mask
  }
}
