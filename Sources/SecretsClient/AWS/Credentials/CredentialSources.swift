import Foundation

/// What every credential source may need, and the one place that builds them in the aws CLI's
/// order (botocore's `create_credential_resolver` and `ProfileProviderBuilder`), so the default
/// chain, a role's `source_profile` and its `credential_source` all agree.
public struct CredentialSources: Sendable {
  public var environment: AWSEnvironment
  public var configuration: SharedConfiguration
  public var transport: any HTTPTransport
  /// For the container credentials endpoint, which is never reached through a proxy: it is a
  /// link-local or loopback address, and botocore's `ContainerMetadataFetcher` ignores the
  /// proxy variables too. Instance metadata keeps `transport`, as botocore's `IMDSFetcher`
  /// honours them.
  public var directTransport: any HTTPTransport
  /// The session's region; STS calls go to its regional endpoint, or the global one if nil.
  public var region: String?
  public var sign: STSClient.Signing
  public var now: @Sendable () -> Date
  /// Where STS calls are logged (`--log-file`).
  public var log: (any RequestLog)?

  /// `directTransport`: nil uses `transport` for the container endpoint as well.
  public init(
    environment: AWSEnvironment, configuration: SharedConfiguration, transport: any HTTPTransport,
    directTransport: (any HTTPTransport)? = nil, region: String?, sign: @escaping STSClient.Signing = STSClient.sigV4,
    now: @escaping @Sendable () -> Date = { Date() }, log: (any RequestLog)? = nil
  ) {
    self.environment = environment
    self.configuration = configuration
    self.transport = transport
    self.directTransport = directTransport ?? transport
    self.region = region
    self.sign = sign
    self.now = now
    self.log = log
  }

  /// The default chain: environment, assume role, web identity, SSO, shared credentials file,
  /// `credential_process`, config file, container, instance metadata. A profile given with
  /// `--profile` leaves the environment keys out, as in the aws CLI.
  public func chain(profileName: String, profileIsExplicit: Bool) -> CredentialChain {
    var providers: [any CredentialProvider] = []
    var skipped: [(source: String, reason: String)] = []
    if profileIsExplicit {
      skipped.append(("environment variables", "not used because --profile \(profileName) was given"))
    } else {
      providers.append(EnvironmentCredentialProvider(environment: environment))
    }
    providers.append(AssumeRoleCredentialProvider(profileName: profileName, sources: self))
    providers += profileProviders(profileName: profileName, ignoringEnvironment: profileIsExplicit)
    providers.append(ContainerCredentialProvider(environment: environment, directTransport: directTransport))
    providers.append(instanceMetadata(profileName: profileName))
    return CredentialChain(providers: providers, skipped: skipped)
  }

  /// IMDS with botocore's `metadata_service_timeout` (seconds) and
  /// `metadata_service_num_attempts`, from `AWS_METADATA_SERVICE_TIMEOUT` /
  /// `AWS_METADATA_SERVICE_NUM_ATTEMPTS` or the profile; 1 s and 1 attempt otherwise.
  func instanceMetadata(profileName: String) -> InstanceMetadataCredentialProvider {
    let profile = configuration.profiles[profileName]
    let timeout =
      (environment["AWS_METADATA_SERVICE_TIMEOUT"] ?? profile?["metadata_service_timeout"])
      .flatMap { Double($0) }.flatMap { $0 > 0 ? Duration.milliseconds(Int($0 * 1000)) : nil } ?? .seconds(1)
    let attempts =
      (environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] ?? profile?["metadata_service_num_attempts"])
      .flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil } ?? 1
    return InstanceMetadataCredentialProvider(
      environment: environment, transport: transport, timeout: timeout, attempts: attempts)
  }

  /// The sources that read one profile, also used for a role's `source_profile`.
  func profileProviders(profileName: String, ignoringEnvironment: Bool) -> [any CredentialProvider] {
    [
      WebIdentityCredentialProvider(profileName: profileName, sources: self, ignoringEnvironment: ignoringEnvironment),
      SSOCredentialProvider(profileName: profileName, sources: self),
      SharedCredentialsFileProvider(profileName: profileName, configuration: configuration),
      ProcessCredentialProvider(profileName: profileName, configuration: configuration, environment: environment),
      ConfigFileCredentialProvider(profileName: profileName, configuration: configuration),
    ]
  }

  /// A role profile's `credential_source`, by botocore's canonical names.
  func namedSource(_ name: String) -> (any CredentialProvider)? {
    switch name {
    case "Environment": EnvironmentCredentialProvider(environment: environment)
    case "Ec2InstanceMetadata": InstanceMetadataCredentialProvider(environment: environment, transport: transport)
    case "EcsContainer": ContainerCredentialProvider(environment: environment, directTransport: directTransport)
    default: nil
    }
  }

  /// STS for the session's region, honouring `AWS_ENDPOINT_URL_STS` and friends.
  func sts(profile: INIFile.Section) throws -> STSClient {
    let endpoint = try EndpointResolver.resolve(
      service: .sts, explicit: nil, region: region, environment: environment, profile: profile,
      configuration: configuration)
    return STSClient(
      endpoint: endpoint, region: region ?? "us-east-1", transport: transport, sign: sign, now: now, log: log)
  }

  /// botocore names sessions `botocore-session-<epoch>`; Stagehand's own prefix shows in
  /// CloudTrail who assumed the role.
  func defaultSessionName() -> String {
    "stagehand-session-\(Int(now().timeIntervalSince1970))"
  }
}
