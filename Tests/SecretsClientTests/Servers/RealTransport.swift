import SecretsClient

/// The real network transport the loopback and moto tests use: the product's own.
enum RealTransport {
  static func make() -> any HTTPTransport { AsyncHTTPTransport() }
}
