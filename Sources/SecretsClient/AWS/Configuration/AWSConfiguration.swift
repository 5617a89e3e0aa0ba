import Foundation

/// Everything the AWS backend needs, resolved at start-up from the command-line options, the
/// environment and the shared files, with the aws CLI's precedence throughout. Credentials are
/// resolved lazily (the first request asks the chain) so that `--help` or a bad region fail
/// fast without touching the network.
public struct AWSConfiguration: Sendable {
  public var profileName: String
  public var region: String
  /// The Secrets Manager endpoint.
  public var endpoint: URL
  /// The endpoint when it is not AWS's regional one (`--endpoint-url`, `AWS_ENDPOINT_URL...`,
  /// `endpoint_url`), so the header can show that Stagehand talks to moto or a proxy.
  public var customEndpoint: URL? {
    let regional = [false, true].map {
      EndpointResolver.defaultEndpoint(service: .secretsManager, region: region, fips: $0)
    }
    return regional.contains(endpoint) ? nil : endpoint
  }
  /// The credential chain behind a refreshing cache.
  public var credentials: any CredentialProvider
  public var proxy: ProxySettings
  /// `AWS_MAX_ATTEMPTS` or the profile's `max_attempts`, for the client's retry policy.
  public var maxAttempts: Int?

  public init(
    profileName: String, region: String, endpoint: URL, credentials: any CredentialProvider,
    proxy: ProxySettings = ProxySettings(), maxAttempts: Int? = nil
  ) {
    self.profileName = profileName
    self.region = region
    self.endpoint = endpoint
    self.credentials = credentials
    self.proxy = proxy
    self.maxAttempts = maxAttempts
  }

  /// The PEM bundle of certificates to trust instead of the system's, in the aws CLI's order:
  /// `AWS_CA_BUNDLE`, then the selected profile's `ca_bundle`; nil for the system's store.
  /// Read before `resolve`, because the transport that `resolve` is given (for STS, SSO and
  /// the metadata services too) is built with it. `files`: the shared files when already
  /// read (they are read from `environment` otherwise).
  public static func caBundle(
    profile: String?, environment: AWSEnvironment, files read: SharedConfiguration? = nil
  ) throws(SecretsError) -> String? {
    if let path = environment["AWS_CA_BUNDLE"], !path.isEmpty { return path }
    let files: SharedConfiguration
    if let read { files = read } else { files = try SharedConfiguration.load(from: environment) }
    let section = try files.profile(
      named: SharedConfiguration.selectedProfileName(explicit: profile, environment: environment))
    return section["ca_bundle"].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// - Parameters:
  ///   - profile, region, endpointURL: `--profile`, `--region`, `--endpoint-url`, nil when absent.
  ///   - transport: used for STS, SSO and instance metadata calls.
  ///   - directTransport: one that never uses a proxy, for the container credentials
  ///     endpoint; nil uses `transport`.
  ///   - sign: the SigV4 signer STS AssumeRole calls use.
  ///   - files: the shared files when already read (they are read from `environment` otherwise).
  ///   - log: where STS calls are logged (`--log-file`).
  public static func resolve(
    profile: String?, region: String?, endpointURL: String?, environment: AWSEnvironment,
    transport: any HTTPTransport, directTransport: (any HTTPTransport)? = nil,
    sign: @escaping STSClient.Signing = STSClient.sigV4,
    now: @escaping @Sendable () -> Date = { Date() }, files read: SharedConfiguration? = nil,
    log: (any RequestLog)? = nil
  ) throws(SecretsError) -> AWSConfiguration {
    let files: SharedConfiguration
    if let read { files = read } else { files = try SharedConfiguration.load(from: environment) }
    let profileName = SharedConfiguration.selectedProfileName(explicit: profile, environment: environment)
    let section = try files.profile(named: profileName)
    let resolvedRegion = try RegionResolver.resolve(
      explicit: region, environment: environment, profile: section, profileName: profileName)
    let endpoint = try EndpointResolver.resolve(
      service: .secretsManager, explicit: endpointURL, region: resolvedRegion, environment: environment,
      profile: section, configuration: files)
    let sources = CredentialSources(
      environment: environment, configuration: files, transport: transport, directTransport: directTransport,
      region: resolvedRegion, sign: sign, now: now, log: log)
    let chain = sources.chain(profileName: profileName, profileIsExplicit: profile?.isEmpty == false)
    var maxAttempts: Int?
    if let text = environment["AWS_MAX_ATTEMPTS"] ?? section["max_attempts"] {
      guard let value = Int(text), value >= 1 else {
        throw .configuration("AWS_MAX_ATTEMPTS / max_attempts must be a whole number of at least 1, not \"\(text)\".")
      }
      maxAttempts = value
    }
    return AWSConfiguration(
      profileName: profileName, region: resolvedRegion, endpoint: endpoint,
      credentials: RefreshingCredentialProvider(wrapping: chain, now: now),
      proxy: try ProxySettings(environment: environment),
      maxAttempts: maxAttempts)
  }
}
