import Foundation

/// An HTTP request as the signer and transports see it. Header names keep their case;
/// lookups are case-insensitive.
public struct HTTPRequest: Sendable, Equatable {
  public var method: String
  public var url: URL
  public var headers: [(name: String, value: String)]
  public var body: Data
  /// False for a call that must not be repeated unseen (a change): it gets a connection of
  /// its own, so a reset cannot be a stale kept-alive connection, and the transport never
  /// resends it.
  public var reusesConnection: Bool

  public init(
    method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data = Data(),
    reusesConnection: Bool = true
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.reusesConnection = reusesConnection
  }

  public func header(_ name: String) -> String? {
    headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
  }

  public mutating func setHeader(_ name: String, _ value: String) {
    removeHeader(name)
    headers.append((name, value))
  }

  public mutating func removeHeader(_ name: String) {
    headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
  }

  public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
    lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
      && lhs.reusesConnection == rhs.reusesConnection
      && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
  }
}

public struct HTTPResponse: Sendable, Equatable {
  public var status: Int
  /// Header names lower-cased.
  public var headers: [String: String]
  public var body: Data

  public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
    self.status = status
    self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    self.body = body
  }
}

/// Sends one request. The real one uses the network; tests use a mock.
public protocol HTTPTransport: Sendable {
  func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}
