import Foundation
import SecretsClient

/// Resolves credentials, region and endpoint the aws CLI's way and builds the AWS backend.
/// Credentials are fetched on the first request, so listing starts without a round trip.
enum AWSBackendFactory {
  static func make(_ options: GlobalSettings, environment aws: AWSEnvironment) async throws -> any SecretsBackend {
    // The shared files are read once, for the CA bundle the transport needs and for the rest.
    let files = try SharedConfiguration.load(from: aws)
    let caBundle = try AWSConfiguration.caBundle(profile: options.profile, environment: aws, files: files)
    let transport = AsyncHTTPTransport(proxy: try ProxySettings(environment: aws), caBundle: caBundle)
    // botocore never sends the container-credentials request (it carries a token) through a proxy.
    let direct = AsyncHTTPTransport(caBundle: caBundle)
    let configuration = try AWSConfiguration.resolve(
      profile: options.profile, region: options.region, endpointURL: options.endpointURL, environment: aws,
      transport: transport, directTransport: direct, files: files)
    let log: (any RequestLog)?
    if let path = options.logFile {
      log = try FileRequestLog(path: BackendFactory.absolute(path))
    } else {
      log = nil
    }
    let client = AWSJSONClient(
      endpoint: configuration.endpoint, region: configuration.region, credentials: configuration.credentials,
      transport: transport,
      retryPolicy: RetryPolicy(maxAttempts: configuration.maxAttempts ?? RetryPolicy.defaultMaxAttempts), log: log,
      isReadOnly: options.readOnly)
    return AWSSecretsBackend(
      client: client, profile: configuration.profileName, customEndpoint: configuration.customEndpoint)
  }
}
