import Foundation

/// The proxy variables the aws CLI reads: `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`, upper- or
/// lower-case (lower-case wins, as in Python's `urllib`). `HTTP1Transport` applies them as the
/// aws CLI does: https through a `CONNECT` tunnel, http as an absolute-form request, a host in
/// `NO_PROXY` directly. (libcurl, the earlier transport, ignored upper-case `HTTP_PROXY`; the
/// aws CLI uses it, and so do we.)
public struct ProxySettings: Sendable, Equatable {
  public var httpsProxy: URL?
  public var httpProxy: URL?
  /// Host names or suffixes (`.example.com`, `example.com`) and `*` for all.
  public var noProxy: [String]

  public init(httpsProxy: URL? = nil, httpProxy: URL? = nil, noProxy: [String] = []) {
    self.httpsProxy = httpsProxy
    self.httpProxy = httpProxy
    self.noProxy = noProxy
  }

  public init(environment: AWSEnvironment) {
    func value(_ name: String) -> String? { environment[name.lowercased()] ?? environment[name] }
    func url(_ text: String?) -> URL? {
      guard let text else { return nil }
      return URL(string: text.contains("://") ? text : "http://" + text)
    }
    httpsProxy = url(value("HTTPS_PROXY"))
    httpProxy = url(value("HTTP_PROXY"))
    noProxy = (value("NO_PROXY") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
  }

  /// The proxy for a request URL, or nil to connect directly.
  public func proxy(for url: URL) -> URL? {
    guard let host = url.host?.lowercased() else { return nil }
    if bypasses(host) { return nil }
    return url.scheme?.lowercased() == "https" ? httpsProxy : httpProxy
  }

  private func bypasses(_ host: String) -> Bool {
    noProxy.contains { entry in
      let pattern = entry.lowercased().split(separator: ":").first.map(String.init) ?? ""
      if pattern == "*" { return true }
      let suffix = pattern.hasPrefix(".") ? String(pattern.dropFirst()) : pattern
      return host == suffix || host.hasSuffix("." + suffix)
    }
  }
}
